import { describe, expect, it } from 'vitest';
import { STATUS_LIST_XML } from '#shared/http/bulk-email-response.ts';
import { toErrorResponse, toHttpResponse } from '#shared/http/responses.ts';
import { escapeXml, toXml } from '#shared/http/xml.ts';

describe('escapeXml', () => {
  it('escapes markup and replaces characters XML cannot carry', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
    expect(escapeXml('a\u0000b\u001Fc\td\ne')).toBe('a\uFFFDb\uFFFDc\td\ne');
  });
});

describe('toXml', () => {
  it('writes lists with their item names, booleans and nulls', () => {
    expect(
      toXml(
        'Batch',
        { Id: 'b1', Items: [{ Sent: true }, { Sent: false }], Reason: null, Skip: undefined },
        { Items: 'Item' },
      ),
    ).toBe(
      '<?xml version="1.0" encoding="utf-8"?><Batch><Id>b1</Id><Items><Item><Sent>true</Sent></Item><Item><Sent>false</Sent></Item></Items><Reason/></Batch>',
    );
  });
});

describe('toHttpResponse', () => {
  const statuses = [{ CustomerCode: '<script>', Sent: false, Message: 'Invalid customer code' }];

  it('writes JSON with its content type', () => {
    const response = toHttpResponse(200, statuses, 'json', STATUS_LIST_XML);
    expect(response.headers?.['Content-Type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(response.body)).toEqual(statuses);
  });

  it("writes KashFlow's XML with the code escaped", () => {
    const response = toHttpResponse(200, statuses, 'xml', STATUS_LIST_XML);
    expect(response.headers?.['Content-Type']).toBe('application/xml; charset=utf-8');
    expect(response.body).toContain(
      '<ArrayOfCustomerStatementEmailStatus><CustomerStatementEmailStatus><CustomerCode>&lt;script&gt;</CustomerCode>',
    );
  });

  it('writes errors as ErrorResponse in XML and as {Error, Message} in JSON', () => {
    const error = {
      Error: 'InvalidParameter',
      Message: 'startdate must be a real calendar date in yyyymmdd format',
    };
    expect(toErrorResponse(400, error, 'xml').body).toBe(
      '<?xml version="1.0" encoding="utf-8"?><ErrorResponse><Error>InvalidParameter</Error><Message>startdate must be a real calendar date in yyyymmdd format</Message></ErrorResponse>',
    );
    expect(JSON.parse(toErrorResponse(400, error, 'json').body)).toEqual(error);
  });
});
