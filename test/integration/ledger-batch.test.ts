import { describe, expect, it } from 'vitest';
import { bodyOf, emptyLedgerTenant as emptyTenant, tenantItems, XML_HEADERS } from '../support/ledger-api.ts';

const BATCH = '/v2/ledger/batch';

interface BatchAnswer {
  Results: { Index: number; Type?: string; Key?: string; Result: string; Message?: string }[];
  Summary: Record<string, number>;
}

const customer = (code: string, overrides: Record<string, unknown> = {}) => ({
  Action: 'Upsert',
  Type: 'Customer',
  Record: { Code: code, Name: `Customer ${code}`, ...overrides },
});
const invoice = (number: number, customerCode: string, overrides: Record<string, unknown> = {}) => ({
  Action: 'Upsert',
  Type: 'Invoice',
  Record: {
    Number: number,
    CustomerCode: customerCode,
    IssuedDate: '2026-01-01',
    DueDate: '2026-01-31',
    Total: '100.00',
    ...overrides,
  },
});
const payment = (number: number, invoiceNumber: number) => ({
  Action: 'Upsert',
  Type: 'Payment',
  Record: { Number: number, InvoiceNumber: invoiceNumber, Date: '2026-01-10', Amount: '25.00' },
});

/** Results as `[Index, Type, Key, Result]`. */
const outline = (answer: BatchAnswer) =>
  answer.Results.map(({ Index, Type, Key, Result }) => [Index, Type, Key, Result]);

describe('POST /v2/ledger/batch', () => {
  it('applies records in dependency order whatever the request order, and answers in request order', async () => {
    const { api } = await emptyTenant();

    const response = await api.post(BATCH, {
      body: {
        Operations: [
          payment(9, 1001),
          invoice(1001, '101'),
          {
            Action: 'Upsert',
            Type: 'EmailTemplate',
            Record: { Number: 3, Name: 'T', Subject: 'S', Body: 'B' },
          },
          customer('101', { EmailTemplateNumber: 3 }),
          {
            Action: 'Upsert',
            Type: 'CreditNote',
            Record: {
              Number: 5,
              CustomerCode: '101',
              IssuedDate: '2026-01-03',
              Total: '10',
              Allocations: [{ InvoiceNumber: 1001, Amount: '10' }],
            },
          },
        ],
      },
    });

    expect(response.statusCode).toBe(200);
    const answer = bodyOf<BatchAnswer>(response);
    expect(outline(answer)).toEqual([
      [0, 'Payment', '9', 'Created'],
      [1, 'Invoice', '1001', 'Created'],
      [2, 'EmailTemplate', '3', 'Created'],
      [3, 'Customer', '101', 'Created'],
      [4, 'CreditNote', '5', 'Created'],
    ]);
    expect(answer.Summary).toEqual({
      Created: 5,
      Updated: 0,
      Unchanged: 0,
      Deleted: 0,
      Stale: 0,
      NotFound: 0,
      Invalid: 0,
      Conflict: 0,
    });
    expect(
      bodyOf<unknown[]>(await api.get('/v2/invoices/{number}/payments', { params: { number: '1001' } })),
    ).toHaveLength(1);
  });

  it('applies the same record twice in request order: a newer second write wins, an older one is Stale', async () => {
    const { api } = await emptyTenant();

    const answer = bodyOf<BatchAnswer>(
      await api.post(BATCH, {
        body: {
          Operations: [
            customer('A', { Name: 'First', Version: 1 }),
            customer('A', { Name: 'Second', Version: 2 }),
            customer('B', { Name: 'Newer', Version: 2 }),
            customer('B', { Name: 'Older', Version: 1 }),
            customer('C', { Name: 'Same' }),
            customer('C', { Name: 'Same' }),
            customer('D'),
            { Action: 'Delete', Type: 'Customer', Code: 'D' },
          ],
        },
      }),
    );

    expect(answer.Results.map((result) => result.Result)).toEqual([
      'Created',
      'Updated',
      'Created',
      'Stale',
      'Created',
      'Unchanged',
      'Created',
      'Deleted',
    ]);
    expect(answer.Results[3]?.Message).toBe(
      'Version: 1 is not newer than the stored version 2; nothing was changed',
    );
    expect(bodyOf(await api.get('/v2/customers/{code}', { params: { code: 'A' } })).Name).toBe('Second');
    expect(bodyOf(await api.get('/v2/customers/{code}', { params: { code: 'B' } })).Name).toBe('Newer');
    expect((await api.get('/v2/customers/{code}', { params: { code: 'D' } })).statusCode).toBe(404);
  });

  it('writes nothing of an Invalid record and applies the others, naming the field and rule', async () => {
    const { api, tenantId } = await emptyTenant();

    const answer = bodyOf<BatchAnswer>(
      await api.post(BATCH, {
        body: {
          Operations: [
            customer('OK'),
            customer('BAD', {
              Contacts: [
                { Name: 'A', IsPrimary: true },
                { Name: 'B', IsPrimary: true },
              ],
            }),
            invoice(1, 'OK', { Total: '12.345' }),
            invoice(2, 'NOBODY'),
            { Action: 'Upsert', Type: 'Gadget', Record: {} },
            { Action: 'Merge', Type: 'Customer', Code: 'OK' },
            { Action: 'Delete', Type: 'Invoice', Number: 'two' },
            { Action: 'Delete', Type: 'Customer', Code: 'OK', Version: 'later' },
            invoice(3, 'OK'),
          ],
        },
      }),
    );

    expect(answer.Results).toEqual([
      { Index: 0, Type: 'Customer', Key: 'OK', Result: 'Created' },
      {
        Index: 1,
        Type: 'Customer',
        Result: 'Invalid',
        Message: 'Contacts[1].IsPrimary: only one contact may be primary',
      },
      {
        Index: 2,
        Type: 'Invoice',
        Key: '1',
        Result: 'Invalid',
        Message: 'Total: must have at most 2 decimals for GBP',
      },
      {
        Index: 3,
        Type: 'Invoice',
        Key: '2',
        Result: 'Invalid',
        Message: 'CustomerCode: must be the code of a customer of this tenant',
      },
      { Index: 4, Result: 'Invalid', Message: expect.stringMatching(/^Type: must be one of /) },
      { Index: 5, Type: 'Customer', Result: 'Invalid', Message: "Action: must be 'Upsert' or 'Delete'" },
      {
        Index: 6,
        Type: 'Invoice',
        Result: 'Invalid',
        Message: 'Number: must be a whole number from 1 to 9999999999',
      },
      { Index: 7, Type: 'Customer', Result: 'Invalid', Message: expect.stringMatching(/^Version: /) },
      { Index: 8, Type: 'Invoice', Key: '3', Result: 'Created' },
    ]);
    expect(answer.Summary).toMatchObject({ Created: 2, Invalid: 7 });
    const keys = (await tenantItems(tenantId)).map((item) => `${item.PK}|${item.SK}`);
    expect(
      keys.filter((key) => key.includes('BAD') || key.includes('0000000001') || key.includes('0000000002')),
    ).toEqual([]);
  });

  it('deletes with a Version: older than the stored one is Stale, then newer deletes', async () => {
    const { api } = await emptyTenant();
    await api.post(BATCH, {
      body: { Operations: [customer('V', { Version: 5 }), invoice(1, 'V', { Version: 5 })] },
    });

    const answer = bodyOf<BatchAnswer>(
      await api.post(BATCH, {
        body: {
          Operations: [
            { Action: 'Delete', Type: 'Invoice', Number: 1, Version: 4 },
            { Action: 'Delete', Type: 'Invoice', Number: 1, Version: 6 },
            { Action: 'Delete', Type: 'Invoice', Number: 404 },
            invoice(1, 'V', { Version: 6 }),
          ],
        },
      }),
    );

    expect(outline(answer)).toEqual([
      [0, 'Invoice', '1', 'Stale'],
      [1, 'Invoice', '1', 'Deleted'],
      [2, 'Invoice', '404', 'NotFound'],
      [3, 'Invoice', '1', 'Stale'],
    ]);
    expect((await api.get('/v2/invoices/{number}', { params: { number: '1' } })).statusCode).toBe(404);
  });

  it('reads NDJSON: a bad line is that operation Invalid, naming the line, and the others are applied', async () => {
    const { api } = await emptyTenant();
    const body = [
      JSON.stringify(customer('N1')),
      '',
      '{"Action":"Upsert","Type":"Customer","Record":{"Code":"N2"',
      JSON.stringify(invoice(11, 'N1')),
      '',
    ].join('\n');

    const response = await api.post(BATCH, { body, headers: { 'Content-Type': 'application/x-ndjson' } });

    expect(response.statusCode).toBe(200);
    expect(bodyOf<BatchAnswer>(response).Results).toEqual([
      { Index: 0, Type: 'Customer', Key: 'N1', Result: 'Created' },
      { Index: 1, Result: 'Invalid', Message: 'line 3: is not valid JSON' },
      { Index: 2, Type: 'Invoice', Key: '11', Result: 'Created' },
    ]);
    expect((await api.get('/v2/invoices/{number}', { params: { number: '11' } })).statusCode).toBe(200);
  });

  it('reads an XML LedgerBatch and answers XML', async () => {
    const { api } = await emptyTenant();

    const response = await api.post(BATCH, {
      headers: XML_HEADERS,
      body: `<?xml version="1.0" encoding="utf-8"?>
<LedgerBatch>
  <Operations>
    <Operation><Action>Upsert</Action><Type>Invoice</Type><Record><Number>21</Number><CustomerCode>X1</CustomerCode><IssuedDate>2026-01-01</IssuedDate><DueDate>2026-01-31</DueDate><Total>50.00</Total></Record></Operation>
    <Operation><Action>Upsert</Action><Type>Customer</Type><Code>X1</Code><Record><Name>X &amp; Y</Name><Contacts><Contact><Name>Xavier</Name><IsPrimary>true</IsPrimary></Contact></Contacts></Record></Operation>
    <Operation><Action>Upsert</Action><Type>Invoice</Type><Record><Number>22</Number><CustomerCode>X1</CustomerCode><IssuedDate>2026-01-01</IssuedDate><DueDate>2026-01-31</DueDate><Total>fifty</Total></Record></Operation>
  </Operations>
</LedgerBatch>`,
    });

    expect(response.statusCode).toBe(200);
    expect(response.body).toBe(
      '<?xml version="1.0" encoding="utf-8"?><LedgerBatchResult><Results>' +
        '<Result><Index>0</Index><Type>Invoice</Type><Key>21</Key><Result>Created</Result></Result>' +
        '<Result><Index>1</Index><Type>Customer</Type><Key>X1</Key><Result>Created</Result></Result>' +
        '<Result><Index>2</Index><Type>Invoice</Type><Result>Invalid</Result><Message>Total: must be a decimal amount such as 120.00 or &quot;120.00&quot;</Message></Result>' +
        '</Results><Summary><Created>2</Created><Updated>0</Updated><Unchanged>0</Unchanged><Deleted>0</Deleted><Stale>0</Stale><NotFound>0</NotFound><Invalid>1</Invalid><Conflict>0</Conflict></Summary></LedgerBatchResult>',
    );
    expect(bodyOf(await api.get('/v2/customers/{code}', { params: { code: 'X1' } }))).toMatchObject({
      Name: 'X & Y',
      Contacts: [{ Name: 'Xavier', IsPrimary: true }],
    });
  });

  it('applies 1,000 operations in one call, and refuses 1,001 whole (nothing applied)', async () => {
    const { api, tenantId } = await emptyTenant();
    const templates = (count: number, first: number) =>
      Array.from({ length: count }, (_, index) => ({
        Action: 'Upsert',
        Type: 'EmailTemplate',
        Record: { Number: first + index, Name: `T${first + index}`, Subject: 'S', Body: 'B' },
      }));
    const before = await tenantItems(tenantId);

    const refused = await api.post(BATCH, { body: { Operations: templates(1001, 1) } });

    expect(refused.statusCode).toBe(400);
    expect(bodyOf(refused)).toEqual({
      Error: 'TooManyOperations',
      Message: 'Operations: must have at most 1000 operations in one batch',
    });
    expect(await tenantItems(tenantId)).toEqual(before);

    const applied = bodyOf<BatchAnswer>(await api.post(BATCH, { body: { Operations: templates(1000, 1) } }));
    expect(applied.Summary.Created).toBe(1000);
    expect(applied.Results.map((result) => result.Index)).toEqual(
      Array.from({ length: 1000 }, (_, index) => index),
    );
    expect(bodyOf<unknown[]>(await api.get('/v2/emailtemplates'))).toHaveLength(1000);
  });

  it('refuses a batch with an unknown top-level field, an empty body or another content type, writing nothing', async () => {
    const { api, tenantId } = await emptyTenant();
    const before = await tenantItems(tenantId);

    const unknown = await api.post(BATCH, { body: { Operations: [customer('U')], Atomic: true } });
    const empty = await api.post(BATCH, { body: '' });
    const csv = await api.post(BATCH, { body: 'a,b', headers: { 'Content-Type': 'text/csv' } });

    expect([unknown.statusCode, empty.statusCode, csv.statusCode]).toEqual([400, 400, 415]);
    expect(bodyOf(unknown)).toEqual({
      Error: 'InvalidRequestBody',
      Message: 'Atomic: is not a field of a ledger batch (Operations is its only field)',
    });
    expect(await tenantItems(tenantId)).toEqual(before);
  });
});
