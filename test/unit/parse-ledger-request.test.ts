import { describe, expect, it } from 'vitest';
import { HttpError } from '#shared/http/http-error.ts';
import {
  customerListQueryOf,
  deleteVersionOf,
  MAX_BATCH_BODY_BYTES,
  MAX_BATCH_OPERATIONS,
  MAX_RECORD_BODY_BYTES,
  parseBatchBody,
  parseRecordBody,
  pathIdOf,
} from '#shared/http/parse-ledger-request.ts';
import { CustomerCodeSchema, RecordNumberSchema } from '#shared/schemas/fields.ts';
import { type ApiEventInput, apiEvent } from '../support/api-events.ts';

function refusal(act: () => unknown): { status: number; code: string; message: string } {
  try {
    act();
  } catch (error) {
    if (error instanceof HttpError)
      return { status: error.statusCode, code: error.code, message: error.message };
    throw error;
  }
  throw new Error('the request was accepted');
}

const put = (input: ApiEventInput) => apiEvent({ method: 'PUT', ...input });
const batch = (body: string | unknown[] | null, contentType = 'application/json') =>
  apiEvent({ path: '/v2/ledger/batch', body, headers: { 'Content-Type': contentType } });
const batchOf = (operations: unknown[]) => batch(JSON.stringify({ Operations: operations }));

const INVOICE = { CustomerCode: '101', IssuedDate: '2026-01-01', DueDate: '2026-01-31', Total: '10.00' };

describe('parseRecordBody', () => {
  it('reads JSON and fills the key from the path when the body leaves it out', () => {
    const event = put({ body: JSON.stringify(INVOICE) });
    expect(
      parseRecordBody(event, 'Invoice', [{ field: 'Number', value: 1001, rule: RecordNumberSchema }]),
    ).toEqual({
      ...INVOICE,
      Number: 1001,
    });
  });

  it('reads XML into the JSON shape, and the path fills the key the same way', () => {
    const event = put({
      headers: { 'Content-Type': 'application/xml; charset=utf-8' },
      body: '<Invoice><CustomerCode>101</CustomerCode><IssuedDate>2026-01-01</IssuedDate><DueDate>2026-01-31</DueDate><Total>10.00</Total><Number>1001</Number></Invoice>',
    });
    expect(
      parseRecordBody(event, 'Invoice', [{ field: 'Number', value: 1001, rule: RecordNumberSchema }]),
    ).toEqual({
      ...INVOICE,
      Number: 1001,
    });
  });

  it.each([
    [
      'a number other than the path',
      'Invoice',
      { ...INVOICE, Number: 1002 },
      1001,
      'Number: must be 1001 as in the path, or be left out',
    ],
    [
      'a code other than the path (leading zeros matter)',
      'Customer',
      { Code: '65', Name: 'N' },
      '0065',
      'Code: must be "0065" as in the path, or be left out',
    ],
  ] as const)('refuses %s, naming the field', (_, type, body, value, message) => {
    const field = type === 'Customer' ? 'Code' : 'Number';
    const rule = type === 'Customer' ? CustomerCodeSchema : RecordNumberSchema;
    expect(
      refusal(() => parseRecordBody(put({ body: JSON.stringify(body) }), type, [{ field, value, rule }])),
    ).toEqual({
      status: 400,
      code: 'InvalidRequestBody',
      message,
    });
  });

  it("leaves a key that breaks its own rule to the record's schema (which names the rule)", () => {
    const body = { ...INVOICE, Number: 'one' };
    expect(
      parseRecordBody(put({ body: JSON.stringify(body) }), 'Invoice', [
        { field: 'Number', value: 1, rule: RecordNumberSchema },
      ]),
    ).toEqual(body);
  });

  it.each([
    ['text/plain', 'x', 415, 'UnsupportedMediaType'],
    ['application/x-ndjson', '{}', 415, 'UnsupportedMediaType'],
    ['application/json; charset=latin1', '{}', 415, 'UnsupportedMediaType'],
    ['application/json', '   ', 400, 'InvalidRequestBody'],
    ['application/json', '{"Code":', 400, 'InvalidRequestBody'],
    ['application/xml', '<Customer><Code>1</Code>', 400, 'InvalidRequestBody'],
    ['application/xml', '<Invoice/>', 400, 'InvalidRequestBody'],
  ])('refuses Content-Type %s with body %j: %i', (contentType, body, status, code) => {
    const event = put({ headers: { 'Content-Type': contentType }, body });
    expect(refusal(() => parseRecordBody(event, 'Customer'))).toMatchObject({ status, code });
  });

  it('says where an XML body is malformed and which root it must have', () => {
    const malformed = put({
      headers: { 'Content-Type': 'application/xml' },
      body: '<Customer><Code>1</Cod></Customer>',
    });
    expect(refusal(() => parseRecordBody(malformed, 'Customer')).message).toBe(
      'XML body is malformed (line 1: </Code> was expected)',
    );
    const wrongRoot = put({ headers: { 'Content-Type': 'application/xml' }, body: '<Invoice/>' });
    expect(refusal(() => parseRecordBody(wrongRoot, 'Customer')).message).toBe(
      'XML body must be a Customer element',
    );
  });

  it('refuses a body over 1 MB (413) and takes one of exactly 1 MB', () => {
    const padded = (bytes: number) => {
      const head = '{"Code":"1","Name":"';
      return `${head}${'x'.repeat(bytes - head.length - 2)}"}`;
    };
    expect(
      refusal(() => parseRecordBody(put({ body: padded(MAX_RECORD_BODY_BYTES + 1) }), 'Customer')),
    ).toEqual({
      status: 413,
      code: 'PayloadTooLarge',
      message: `Request body must not exceed ${MAX_RECORD_BODY_BYTES} bytes`,
    });
    expect(parseRecordBody(put({ body: padded(MAX_RECORD_BODY_BYTES) }), 'Customer')).toMatchObject({
      Code: '1',
    });
  });

  it('counts the bytes of a base64 body as sent, decoded', () => {
    const body = Buffer.from(
      JSON.stringify({ Code: '1', Name: 'é'.repeat(MAX_RECORD_BODY_BYTES / 2) }),
    ).toString('base64');
    expect(refusal(() => parseRecordBody(put({ body, isBase64Encoded: true }), 'Customer')).status).toBe(413);
  });
});

describe('pathIdOf', () => {
  const withPath = (pathParameters: Record<string, string>) => apiEvent({ method: 'GET', pathParameters });

  it('reads a number and a code by the kind of record', () => {
    expect(pathIdOf(withPath({ number: '1001' }), 'number', 'Invoice')).toBe(1001);
    expect(pathIdOf(withPath({ code: '0065' }), 'code', 'Customer')).toBe('0065');
  });

  it.each([
    [{ number: 'abc' }, 'number', 'Invoice', 'number: must be a whole number from 1 to 9999999999'],
    [{ number: '0' }, 'number', 'Invoice', 'number: must be a whole number from 1 to 9999999999'],
    [
      { number: '10000000000' },
      'number',
      'EmailTemplate',
      'number: must be a whole number from 1 to 9999999999',
    ],
    [{ number: '1.5' }, 'number', 'Payment', 'number: must be a whole number from 1 to 9999999999'],
    [
      { code: 'x'.repeat(65) },
      'code',
      'Customer',
      'code: must be 1 to 64 characters with no control characters',
    ],
  ] as const)('refuses %j, naming the parameter', (parameters, name, type, message) => {
    expect(refusal(() => pathIdOf(withPath(parameters), name, type))).toEqual({
      status: 400,
      code: 'InvalidParameter',
      message,
    });
  });
});

describe('deleteVersionOf', () => {
  const withVersion = (version?: string | string[]) =>
    apiEvent({ method: 'DELETE', ...(version === undefined ? {} : { query: { version } }) });

  it('reads digits as a number, a timestamp as text, and nothing as no Version', () => {
    expect(deleteVersionOf(withVersion('7'))).toBe(7);
    expect(deleteVersionOf(withVersion('2026-11-24T10:15:00+01:00'))).toBe('2026-11-24T10:15:00+01:00');
    expect(deleteVersionOf(withVersion())).toBeUndefined();
    expect(deleteVersionOf(withVersion(''))).toBeUndefined();
  });

  // Fails until VersionSchema (shared/schemas/ledger-records.ts) gives its rule for every option's failure.
  it.each([['yesterday'], ['-1'], ['99999999999999999'], ['2026-11-24T10:15:00']])(
    'refuses %s, naming the Version rule',
    (version) => {
      expect(refusal(() => deleteVersionOf(withVersion(version)))).toMatchObject({
        status: 400,
        code: 'InvalidParameter',
        message: expect.stringMatching(
          /^version: must be a whole number from 0 to 9007199254740991 or an ISO 8601 timestamp/,
        ),
      });
    },
  );

  it('refuses a version given twice', () => {
    expect(refusal(() => deleteVersionOf(withVersion(['1', '2'])))).toMatchObject({
      status: 400,
      message: 'version must be given at most once',
    });
  });
});

describe('customerListQueryOf', () => {
  const list = (query?: Record<string, string>) =>
    apiEvent({ method: 'GET', path: '/v2/customers', ...(query === undefined ? {} : { query }) });
  const cursorOf = (sortKey: string) => Buffer.from(sortKey, 'utf8').toString('base64url');

  it('pages by 100 by default, and by perpage from 1 to 1000', () => {
    expect(customerListQueryOf(list())).toEqual({ perPage: 100 });
    expect(customerListQueryOf(list({ PerPage: '1' }))).toEqual({ perPage: 1 });
    expect(customerListQueryOf(list({ perpage: '1000' }))).toEqual({ perPage: 1000 });
  });

  it('continues after the sort key of a cursor the list gave', () => {
    expect(customerListQueryOf(list({ cursor: cursorOf('CUSTOMER#0065') }))).toEqual({
      perPage: 100,
      after: 'CUSTOMER#0065',
    });
  });

  it.each([['0'], ['1001'], ['ten'], ['-5'], ['2.5']])('refuses perpage=%s', (perpage) => {
    expect(refusal(() => customerListQueryOf(list({ perpage })))).toEqual({
      status: 400,
      code: 'InvalidParameter',
      message: 'perpage: must be a whole number from 1 to 1000',
    });
  });

  it.each([
    ['not base64 of a customer key', 'hello'],
    ["another list's cursor", cursorOf('TEMPLATE#0000000001')],
    ['a key of another partition', cursorOf('INVOICE#1')],
  ])('refuses a cursor that is %s', (_, cursor) => {
    expect(refusal(() => customerListQueryOf(list({ cursor })))).toMatchObject({
      status: 400,
      code: 'InvalidParameter',
      message: expect.stringMatching(/^cursor: /),
    });
  });
});

describe('parseBatchBody', () => {
  const upsertInvoice = (number: number) => ({
    Action: 'Upsert',
    Type: 'Invoice',
    Record: { ...INVOICE, Number: number },
  });

  it('reads each operation for the write path, in request order', () => {
    expect(
      parseBatchBody(
        batchOf([
          upsertInvoice(1),
          { Action: 'Delete', Type: 'Customer', Code: '101', Version: 7 },
          { Action: 'Delete', Type: 'Invoice', Number: 3 },
        ]),
      ),
    ).toEqual([
      { operation: { action: 'Upsert', type: 'Invoice', record: { ...INVOICE, Number: 1 } } },
      { operation: { action: 'Delete', type: 'Customer', id: '101', version: 7 } },
      { operation: { action: 'Delete', type: 'Invoice', id: 3 } },
    ]);
  });

  it("fills an Upsert's Record from the operation's key and Version, and refuses them when they differ", () => {
    const [filled, differs] = parseBatchBody(
      batchOf([
        { Action: 'Upsert', Type: 'Invoice', Number: 5, Version: 2, Record: INVOICE },
        { Action: 'Upsert', Type: 'Invoice', Number: 5, Record: { ...INVOICE, Number: 6 } },
      ]),
    );
    expect(filled).toEqual({
      operation: { action: 'Upsert', type: 'Invoice', record: { ...INVOICE, Number: 5, Version: 2 } },
    });
    expect(differs).toEqual({
      invalid: { type: 'Invoice', message: 'Record.Number: must be 5 as in the operation, or be left out' },
    });
  });

  it.each([
    [
      { Action: 'Upsert', Type: 'Invoice', Record: INVOICE, Extra: 1 },
      'Extra: is not a field of an operation (Action, Type, Code, Number, Version, Record)',
    ],
    [
      { Action: 'Delete', Type: 'Invoice', Number: 1, Record: INVOICE },
      'Record: must be left out of a Delete',
    ],
    [{ Action: 'Upsert', Type: 'Invoice' }, 'Record: is required for an Upsert'],
    [{ Action: 'Delete', Type: 'Invoice', Code: '1' }, 'Code: is not the key of an Invoice (Number is)'],
    [
      { Action: 'Delete', Type: 'StatementSettings', Number: 1 },
      'Number: is not the key of a StatementSettings (it has no key)',
    ],
    ['Upsert', 'must be an operation object with Action and Type'],
  ])('makes %j Invalid on its own', (operation, message) => {
    const [entry, other] = parseBatchBody(batchOf([operation, upsertInvoice(2)]));
    expect(entry).toMatchObject({ invalid: { message } });
    expect(other).toMatchObject({ operation: { action: 'Upsert' } });
  });

  it('passes an unknown Action or Type to the write path, which names it', () => {
    expect(
      parseBatchBody(
        batchOf([
          { Action: 'Merge', Type: 'Invoice' },
          { Action: 'Upsert', Type: 'Gadget', Record: {} },
        ]),
      ),
    ).toEqual([
      { operation: { action: 'Merge', type: 'Invoice' } },
      { operation: { action: 'Upsert', type: 'Gadget', record: {} } },
    ]);
  });

  it('refuses the whole batch, naming the limit, above 1,000 operations', () => {
    const operations = Array.from({ length: MAX_BATCH_OPERATIONS + 1 }, (_, index) =>
      upsertInvoice(index + 1),
    );
    expect(refusal(() => parseBatchBody(batchOf(operations)))).toEqual({
      status: 400,
      code: 'TooManyOperations',
      message: 'Operations: must have at most 1000 operations in one batch',
    });
    expect(parseBatchBody(batchOf(operations.slice(1)))).toHaveLength(MAX_BATCH_OPERATIONS);
  });

  it.each([
    [
      { Operations: [], DryRun: true },
      'DryRun: is not a field of a ledger batch (Operations is its only field)',
    ],
    [
      { operations: [] },
      'Operations: must be a list of operations; operations: is not a field of a ledger batch (Operations is its only field)',
    ],
    [{}, 'Operations: must be a list of operations'],
    [{ Operations: {} }, 'Operations: must be a list of operations'],
    [[upsertInvoice(1)], 'Request body must be an object with Operations'],
  ])('refuses the envelope %j', (body, message) => {
    expect(refusal(() => parseBatchBody(batch(JSON.stringify(body))))).toEqual({
      status: 400,
      code: 'InvalidRequestBody',
      message,
    });
  });

  it('reads NDJSON: one operation a line, blank lines ignored, a bad line Invalid naming its line', () => {
    const text = [
      JSON.stringify(upsertInvoice(1)),
      '',
      '{"Action":"Upsert",',
      '   ',
      JSON.stringify({ Action: 'Delete', Type: 'Invoice', Number: 2, Extra: true }),
      `${JSON.stringify(upsertInvoice(3))}\r`,
    ].join('\n');
    expect(parseBatchBody(batch(text, 'application/x-ndjson'))).toEqual([
      { operation: { action: 'Upsert', type: 'Invoice', record: { ...INVOICE, Number: 1 } } },
      { invalid: { message: 'line 3: is not valid JSON' } },
      {
        invalid: {
          type: 'Invoice',
          message:
            'line 5: Extra: is not a field of an operation (Action, Type, Code, Number, Version, Record)',
        },
      },
      { operation: { action: 'Upsert', type: 'Invoice', record: { ...INVOICE, Number: 3 } } },
    ]);
  });

  it('refuses more than 1,000 NDJSON lines whole', () => {
    const text = Array.from({ length: MAX_BATCH_OPERATIONS + 1 }, (_, index) =>
      JSON.stringify(upsertInvoice(index + 1)),
    ).join('\n');
    expect(refusal(() => parseBatchBody(batch(text, 'application/x-ndjson')))).toMatchObject({
      status: 400,
      code: 'TooManyOperations',
    });
  });

  it('reads an XML LedgerBatch as the JSON one', () => {
    const xml = `<LedgerBatch><Operations>
      <Operation><Action>Upsert</Action><Type>Invoice</Type><Number>1</Number><Record><CustomerCode>101</CustomerCode><IssuedDate>2026-01-01</IssuedDate><DueDate>2026-01-31</DueDate><Total>10.00</Total></Record></Operation>
      <Operation><Action>Delete</Action><Type>Customer</Type><Code>101</Code><Version>7</Version></Operation>
    </Operations></LedgerBatch>`;
    expect(parseBatchBody(batch(xml, 'application/xml'))).toEqual(
      parseBatchBody(
        batchOf([
          { Action: 'Upsert', Type: 'Invoice', Number: 1, Record: INVOICE },
          { Action: 'Delete', Type: 'Customer', Code: '101', Version: 7 },
        ]),
      ),
    );
  });

  it.each([
    ['text/csv', 415],
    ['application/json', 413],
  ])('checks the Content-Type (%s) and the 3 MB limit', (contentType, status) => {
    const body = `{"Operations":[${' '.repeat(MAX_BATCH_BODY_BYTES)}]}`;
    expect(refusal(() => parseBatchBody(batch(body, contentType))).status).toBe(status);
  });
});
