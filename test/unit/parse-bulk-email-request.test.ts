import { describe, expect, it } from 'vitest';
import { HttpError } from '#shared/http/http-error.ts';
import { parseBulkEmailRequest } from '#shared/http/parse-bulk-email-request.ts';
import { apiEvent } from '../support/api-events.ts';

function refusal(event: ReturnType<typeof apiEvent>): { status: number; code: string; message: string } {
  try {
    parseBulkEmailRequest(event);
  } catch (error) {
    if (error instanceof HttpError)
      return { status: error.statusCode, code: error.code, message: error.message };
    throw error;
  }
  throw new Error('the request was accepted');
}

describe('parseBulkEmailRequest: query', () => {
  it('reads the example query of the API page', () => {
    const request = parseBulkEmailRequest(
      apiEvent({
        query: { startdate: '20130101', enddate: '20131010', excludepaidinvoices: '1', filterby: 'all' },
        body: ['101'],
      }),
    );
    expect(request.period).toEqual({
      startDate: '2013-01-01',
      endDate: '2013-10-10',
      filterAll: true,
      excludePaid: true,
    });
  });

  it('defaults to no dates, paid invoices included and no filter', () => {
    expect(parseBulkEmailRequest(apiEvent({ body: ['101'] })).period).toEqual({
      startDate: undefined,
      endDate: undefined,
      filterAll: false,
      excludePaid: false,
    });
  });

  it.each(['All', 'ALL', 'all', 'aLl'])('reads filterby=%s as All', (filterby) => {
    expect(parseBulkEmailRequest(apiEvent({ query: { filterby }, body: ['1'] })).period.filterAll).toBe(true);
  });

  it('treats empty values as absent', () => {
    const request = parseBulkEmailRequest(
      apiEvent({ query: { startdate: '', enddate: '', filterby: '', excludepaidinvoices: '' }, body: ['1'] }),
    );
    expect(request.period).toEqual({
      startDate: undefined,
      endDate: undefined,
      filterAll: false,
      excludePaid: false,
    });
  });

  it('reads parameter names in any letter case, as KashFlow does', () => {
    const request = parseBulkEmailRequest(
      apiEvent({ query: { StartDate: '20130101', FilterBy: 'All' }, body: ['1'] }),
    );
    expect(request.period).toMatchObject({ startDate: '2013-01-01', filterAll: true });
  });

  it.each([
    [{ startdate: '20130230' }, 'startdate must be a real calendar date in yyyymmdd format'],
    [{ startdate: '2013-01-01' }, 'startdate must be a real calendar date in yyyymmdd format'],
    [{ enddate: '99999999' }, 'enddate must be a real calendar date in yyyymmdd format'],
    [{ enddate: 'yesterday' }, 'enddate must be a real calendar date in yyyymmdd format'],
    [{ excludepaidinvoices: '2' }, 'excludepaidinvoices must be 0 or 1'],
    [{ excludepaidinvoices: 'true' }, 'excludepaidinvoices must be 0 or 1'],
    [{ filterby: 'paid' }, "filterby must be 'All' or empty"],
    [{ dryrun: 'yes' }, 'dryrun must be 0 or 1'],
    [{ statementtype: 'aged' }, 'statementtype must be activity or outstanding'],
    [{ statementtype: 'open items' }, 'statementtype must be activity or outstanding'],
    [{ skipnothingowed: 'true' }, 'skipnothingowed must be 0 or 1'],
    [{ skipnothingowed: '2' }, 'skipnothingowed must be 0 or 1'],
    [{ statementtype: ['activity', 'outstanding'] }, 'statementtype must be given at most once'],
    [{ startdate: ['20130101', '20130102'] }, 'startdate must be given at most once'],
    [{ startdate: '20130101', StartDate: '20130101' }, 'startdate must be given at most once'],
  ])('refuses %j with 400: %s', (query, message) => {
    expect(refusal(apiEvent({ query, body: ['101'] }))).toEqual({
      status: 400,
      code: 'InvalidParameter',
      message,
    });
  });
});

describe('parseBulkEmailRequest: statement options', () => {
  const periodOf = (query: Record<string, string>) =>
    parseBulkEmailRequest(apiEvent({ query, body: ['101'] })).period;

  it.each(['outstanding', 'Outstanding', 'OUTSTANDING'])('reads statementtype=%s as outstanding', (type) => {
    expect(periodOf({ statementtype: type }).statementType).toBe('outstanding');
  });

  it('reads skipnothingowed=1, with the other options', () => {
    expect(
      periodOf({ statementtype: 'outstanding', skipnothingowed: '1', excludepaidinvoices: '1' }),
    ).toEqual({
      startDate: undefined,
      endDate: undefined,
      filterAll: false,
      excludePaid: true,
      statementType: 'outstanding',
      skipNothingOwed: true,
    });
  });

  it.each<Record<string, string>>([
    { statementtype: 'activity', skipnothingowed: '0' },
    { statementtype: 'ACTIVITY' },
    { statementtype: '', skipnothingowed: '' },
    {},
  ])('leaves the defaults out of the period, as before the options existed: %j', (query) => {
    // The period is part of the Idempotency-Key fingerprint: a default must not change it.
    expect(Object.keys(periodOf(query))).toEqual(['startDate', 'endDate', 'filterAll', 'excludePaid']);
  });
});

describe('parseBulkEmailRequest: body', () => {
  it('keeps codes exactly as sent and reports duplicates once, in first-seen order', () => {
    const request = parseBulkEmailRequest(apiEvent({ body: ['0065', '101', '0065', '65', '101'] }));
    expect(request.customerCodes).toEqual(['0065', '101', '65']);
  });

  it('accepts 35 codes', () => {
    const codes = Array.from({ length: 35 }, (_, index) => `C${index}`);
    expect(parseBulkEmailRequest(apiEvent({ body: codes })).customerCodes).toHaveLength(35);
  });

  it("refuses 36 codes with KashFlow's message", () => {
    const codes = Array.from({ length: 36 }, (_, index) => `C${index}`);
    expect(refusal(apiEvent({ body: codes }))).toEqual({
      status: 400,
      code: 'TooManyCustomers',
      message: 'Maximum 35 customers statements can be emailed at a time',
    });
  });

  it.each([
    ['an object', '{"codes":["101"]}', 'Request body must be an array of customer codes'],
    ['a string', '"101"', 'Request body must be an array of customer codes'],
    ['null', 'null', 'Request body must be an array of customer codes'],
    ['an empty array', '[]', 'Request body must list at least one customer code'],
    ['a number member', '["101", 65]', 'Customer code at index 1 must be a string'],
    ['a nested array', '[["101"]]', 'Customer code at index 0 must be a string'],
    ['a null member', '["101", null]', 'Customer code at index 1 must be a string'],
    ['malformed JSON', '["101",', 'Request body is not valid JSON'],
    ['an empty body', '', 'Request body must be an array of customer codes'],
    ['whitespace', '  \n', 'Request body must be an array of customer codes'],
  ])('refuses %s with 400', (_, body, message) => {
    expect(refusal(apiEvent({ body }))).toEqual({ status: 400, code: 'InvalidRequestBody', message });
  });

  it('refuses a missing body with 400', () => {
    expect(refusal(apiEvent({ body: null })).status).toBe(400);
  });

  it('reads a base64-encoded body', () => {
    const body = Buffer.from('["0065"]').toString('base64');
    expect(parseBulkEmailRequest(apiEvent({ body, isBase64Encoded: true })).customerCodes).toEqual(['0065']);
  });

  it('refuses an oversized body with 413 before parsing it', () => {
    const body = `[${'"x",'.repeat(10_000)}"x"]`;
    expect(refusal(apiEvent({ body }))).toEqual({
      status: 413,
      code: 'PayloadTooLarge',
      message: 'Request body must not exceed 32768 bytes',
    });
  });

  it.each([
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/json; charset=latin1',
    'application/json; charset=utf-16',
    'json',
  ])('refuses Content-Type %s with 415', (contentType) => {
    expect(refusal(apiEvent({ headers: { 'Content-Type': contentType }, body: ['101'] })).status).toBe(415);
  });

  it.each([
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset="UTF-8"',
    'application/json;charset=UTF-8',
    'text/json',
    'APPLICATION/JSON',
  ])('accepts Content-Type %s', (contentType) => {
    expect(
      parseBulkEmailRequest(apiEvent({ headers: { 'content-type': contentType }, body: ['1'] }))
        .customerCodes,
    ).toEqual(['1']);
  });
});

describe('parseBulkEmailRequest: a UTF-8 byte order mark', () => {
  it.each([
    ['JSON', 'application/json', '\uFEFF["101"]'],
    ['XML', 'application/xml', '\uFEFF<ArrayOfString><string>101</string></ArrayOfString>'],
  ])('reads a %s body that starts with one', (_, contentType, body) => {
    expect(
      parseBulkEmailRequest(apiEvent({ headers: { 'Content-Type': contentType }, body })).customerCodes,
    ).toEqual(['101']);
  });

  it('reads a base64-encoded JSON body that starts with one', () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('["101"]')]).toString('base64');
    expect(parseBulkEmailRequest(apiEvent({ body, isBase64Encoded: true })).customerCodes).toEqual(['101']);
  });
});

describe('parseBulkEmailRequest: XML body', () => {
  const xml = (body: string) => apiEvent({ headers: { 'Content-Type': 'application/xml' }, body });

  it('reads ArrayOfString with or without its namespace, keeping codes exactly', () => {
    expect(
      parseBulkEmailRequest(
        xml(
          '<?xml version="1.0"?><ArrayOfString xmlns="http://schemas.microsoft.com/2003/10/Serialization/Arrays">\n  <string>0065</string>\n  <string>A&amp;B</string>\n</ArrayOfString>',
        ),
      ).customerCodes,
    ).toEqual(['0065', 'A&B']);
    expect(
      parseBulkEmailRequest(xml('<ArrayOfString><string>101</string></ArrayOfString>')).customerCodes,
    ).toEqual(['101']);
  });

  it.each([
    ['malformed XML', '<ArrayOfString><string>101</string>', /^XML body is malformed/],
    [
      'another root',
      '<Customers><string>101</string></Customers>',
      /^XML body must be an ArrayOfString element$/,
    ],
    [
      'other elements',
      '<ArrayOfString><int>101</int></ArrayOfString>',
      /^ArrayOfString must contain only string elements$/,
    ],
    [
      'nested elements',
      '<ArrayOfString><string><b>1</b></string></ArrayOfString>',
      /^Customer code at index 0 must be a string$/,
    ],
    ['a DTD', '<!DOCTYPE a [<!ENTITY x "y">]><ArrayOfString><string>&x;</string></ArrayOfString>', /DOCTYPE/],
    ['an empty list', '<ArrayOfString></ArrayOfString>', /at least one customer code/],
  ])('refuses %s with 400', (_, body, message) => {
    const { status, message: text } = refusal(xml(body));
    expect(status).toBe(400);
    expect(text).toMatch(message);
  });
});

describe('parseBulkEmailRequest: Accept', () => {
  it.each([
    [undefined, 'json'],
    ['*/*', 'json'],
    ['application/json', 'json'],
    ['application/xml', 'xml'],
    ['text/xml', 'xml'],
    ['application/*', 'json'],
    ['application/xml, application/json;q=0.5', 'xml'],
    ['application/json;q=0.1, text/xml', 'xml'],
    ['text/html, */*;q=0.1', 'json'],
    ['application/json;q=0, */*', 'xml'],
    ['application/json;q=0, application/*', 'xml'],
    ['APPLICATION/JSON;q=0, */*', 'xml'],
    ['application/xml;q=0, */*', 'json'],
    ['text/*', 'json'],
    ['text/json', 'json'],
    ['application/xml;q=0.5, text/json;q=0.9', 'json'],
    ['application/json; charset=utf-8', 'json'],
    ['application/xml; charset=utf-8', 'xml'],
    ['application/json; version=2', 'json'],
    ['application/json; charset=utf-8; q=0.5, application/xml; q=0.9', 'xml'],
    ['application/json;q=0, text/*', 'xml'],
    ['text/json;q=0, */*', 'xml'],
  ])('answers Accept %s with %s', (accept, format) => {
    const headers: Record<string, string> = accept === undefined ? {} : { Accept: accept };
    expect(parseBulkEmailRequest(apiEvent({ headers, body: ['1'] })).format).toBe(format);
  });

  it.each([
    'text/html',
    'application/pdf',
    'application/json;q=0',
    'application/json;q=0, application/xml;q=0, */*',
  ])('refuses Accept %s with 406', (accept) => {
    expect(refusal(apiEvent({ headers: { Accept: accept }, body: ['1'] })).status).toBe(406);
  });
});

describe('parseBulkEmailRequest: Idempotency-Key', () => {
  it('reads a well-formed key and refuses a malformed one', () => {
    expect(
      parseBulkEmailRequest(apiEvent({ headers: { 'Idempotency-Key': 'abc-123' }, body: ['1'] }))
        .idempotencyKey,
    ).toBe('abc-123');
    expect(refusal(apiEvent({ headers: { 'Idempotency-Key': 'has space' }, body: ['1'] })).status).toBe(400);
  });
});
