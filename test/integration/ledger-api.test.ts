import type { APIGatewayProxyResult } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as bulkEmailHandler } from '#functions/bulk-email-api/handler.ts';
import { writeItems } from '#shared/aws/dynamodb.ts';
import { createTenant } from '#shared/aws/dynamodb-operators.ts';
import { suppressionKey } from '#shared/aws/table-keys.ts';
import { recordFromXml } from '#shared/http/ledger-xml.ts';
import { parseXmlDocument } from '#shared/http/xml.ts';
import type { LedgerType } from '#shared/services/ledger/ledger-kinds.ts';
import { apiEvent, invoke, jsonBody } from '../support/api-events.ts';
import {
  bodyOf,
  customerRecord as customer,
  customerPartitionKeys,
  emptyLedgerTenant as emptyTenant,
  invoiceRecord as invoice,
  JSON_HEADERS,
  ledgerClient,
  tenantItems,
  XML_HEADERS,
} from '../support/ledger-api.ts';
import { uniqueTenantId } from '../support/tenants.ts';

const CUSTOMER = '/v2/customers/{code}';
const INVOICE = '/v2/invoices/{number}';
const INVOICE_PAYMENTS = '/v2/invoices/{number}/payments';
const INVOICE_PAYMENT = '/v2/invoices/{number}/payments/{paymentNumber}';
const CREDIT_NOTE = '/v2/creditnotes/{number}';
const PAYMENT = '/v2/payments/{number}';
const TEMPLATE = '/v2/emailtemplates/{number}';
const SETTINGS = '/v2/settings/statements';
/** An XML body, with the answer (an error here) in JSON. */
const XML_BODY = { 'Content-Type': 'application/xml' };

/** An XML answer read back as the record it holds (the same reader the API uses for XML bodies). */
const xmlRecord = (response: APIGatewayProxyResult, type: LedgerType) =>
  recordFromXml(parseXmlDocument(response.body), type);

/** Expects KashFlow's error shape with this status, code and message. */
function expectError(
  response: APIGatewayProxyResult,
  status: number,
  error: string,
  message: string | RegExp,
) {
  expect({ status: response.statusCode, ...bodyOf(response) }).toEqual({
    status,
    Error: error,
    Message: typeof message === 'string' ? message : expect.stringMatching(message),
  });
}

describe('ledger API: every record route, in JSON and XML', () => {
  let api: ReturnType<typeof ledgerClient>;

  beforeAll(async () => {
    ({ api } = await emptyTenant());
    expect((await api.put(CUSTOMER, { params: { code: '101' }, body: customer('101') })).statusCode).toBe(
      201,
    );
    expect(
      (await api.put(INVOICE, { params: { number: '1001' }, body: invoice(1001, '101') })).statusCode,
    ).toBe(201);
  });

  /** One record of each kind that has a resource, with the route that holds it. */
  const records: {
    type: LedgerType;
    resource: string;
    params: Record<string, string>;
    record: Record<string, unknown>;
  }[] = [
    {
      type: 'Customer',
      resource: CUSTOMER,
      params: { code: '0065' },
      record: {
        Code: '0065',
        Name: 'Northwind & Sons',
        Contacts: [
          { Name: 'Oliver', Email: 'oliver@northwind.example', IsPrimary: true, StatementRecipient: 'To' },
          { Name: 'Olga', Email: 'olga@northwind.example', IsPrimary: false, StatementRecipient: 'CC' },
        ],
        Addresses: [{ Line1: '1 High Street', Town: 'Leeds', PostCode: 'LS1 1AA', CountryCode: 'GB' }],
        Currency: { Code: 'GBP' },
        PaymentTerms: { Days: 30, Type: 'DaysAfterEndOfMonth' },
        VATNumber: 'GB123456789',
        Language: 'en',
        IsArchived: false,
        Version: 3,
      },
    },
    {
      type: 'Invoice',
      resource: INVOICE,
      params: { number: '2001' },
      record: invoice(2001, '101', { Reference: 'PO <42>', Version: '2026-11-24T10:15:00Z' }),
    },
    {
      type: 'CreditNote',
      resource: CREDIT_NOTE,
      params: { number: '3001' },
      record: {
        Number: 3001,
        CustomerCode: '101',
        IssuedDate: '2026-01-05',
        Total: '30.00',
        Allocations: [{ InvoiceNumber: 1001, Amount: '10.00' }],
        Version: 1,
      },
    },
    {
      type: 'Payment',
      resource: PAYMENT,
      params: { number: '4001' },
      record: {
        Number: 4001,
        CustomerCode: '101',
        Date: '2026-01-07',
        Amount: '15.50',
        Method: 'BACS',
        Version: 1,
      },
    },
    {
      type: 'EmailTemplate',
      resource: TEMPLATE,
      params: { number: '7' },
      record: {
        Number: 7,
        Name: 'Monthly',
        Subject: 'Statement for #NAME#',
        Body: '<p>Dear #CONTACT#, you owe #BALANCE#.</p>',
        IsHtml: true,
        Version: 1,
      },
    },
  ];

  describe.each(records)('$type at $resource', ({ type, resource, params, record }) => {
    it('PUT JSON creates it (201, Location, Ledger-Result), GET answers it in JSON and in XML', async () => {
      const created = await api.put(resource, { params, body: record });

      expect(created.statusCode).toBe(201);
      expect(created.headers?.['Ledger-Result']).toBe('Created');
      expect(created.headers?.Location).toBe(
        `/prod${resource.replace(/\{\w+\}/, Object.values(params)[0] ?? '')}`,
      );
      const stored = bodyOf(created);
      expect(stored).toMatchObject(record);
      const json = await api.get(resource, { params });
      expect(json.statusCode).toBe(200);
      expect(bodyOf(json)).toEqual(stored);
      const xml = await api.get(resource, { params, headers: { Accept: 'application/xml' } });
      expect(xml.statusCode).toBe(200);
      expect(xml.headers?.['Content-Type']).toBe('application/xml; charset=utf-8');
      expect(xmlRecord(xml, type)).toEqual(stored);
    });

    it('PUT XML of the same record is Unchanged (200); a newer Version in XML is Updated and answers XML', async () => {
      const stored = bodyOf(await api.get(resource, { params }));
      const asXml = (await api.get(resource, { params, headers: { Accept: 'application/xml' } })).body;

      const again = await api.put(resource, { params, body: asXml, headers: XML_HEADERS });
      expect(again.statusCode).toBe(200);
      expect(again.headers?.['Ledger-Result']).toBe('Unchanged');
      expect(xmlRecord(again, type)).toEqual(stored);

      const newer =
        typeof stored.Version === 'number'
          ? stored.Version + 1
          : new Date(Date.parse(String(stored.Version)) + 60_000).toISOString();
      const changed = asXml.replace(/<Version>[^<]*<\/Version>/, `<Version>${newer}</Version>`);
      const updated = await api.put(resource, { params, body: changed, headers: XML_HEADERS });
      expect(updated.statusCode).toBe(200);
      expect(updated.headers?.['Ledger-Result']).toBe('Updated');
      expect(bodyOf(await api.get(resource, { params }))).toEqual({ ...stored, Version: newer });
    });

    it('DELETE answers 204, then GET is 404 (XML error shape too), and a second DELETE is 204 Unchanged', async () => {
      const deleted = await api.delete(resource, { params });
      expect(deleted.statusCode).toBe(204);
      expect(deleted.body).toBe('');
      expect(deleted.headers?.['Ledger-Result']).toBe('Deleted');

      expect((await api.get(resource, { params })).statusCode).toBe(404);
      const xml = await api.get(resource, { params, headers: { Accept: 'application/xml' } });
      expect(xml.statusCode).toBe(404);
      expect(xml.body).toMatch(
        /^<\?xml[^>]*\?><ErrorResponse><Error>NotFound<\/Error><Message>No such [a-z ]+<\/Message><\/ErrorResponse>$/,
      );
      const again = await api.delete(resource, { params });
      expect(again.statusCode).toBe(204);
      expect(again.headers?.['Ledger-Result']).toBe('Unchanged');
    });
  });

  it('takes the key from the path when the body leaves it out, and refuses a body that names another (nothing written)', async () => {
    const { Code: _code, ...withoutCode } = customer('A-1');
    const created = await api.put(CUSTOMER, { params: { code: 'A-1' }, body: withoutCode });
    expect(created.statusCode).toBe(201);
    expect(bodyOf(created).Code).toBe('A-1');

    const other = await api.put(CUSTOMER, { params: { code: 'A-2' }, body: customer('A-3') });
    expectError(other, 400, 'InvalidRequestBody', 'Code: must be "A-2" as in the path, or be left out');
    expect((await api.get(CUSTOMER, { params: { code: 'A-2' } })).statusCode).toBe(404);
    expect((await api.get(CUSTOMER, { params: { code: 'A-3' } })).statusCode).toBe(404);
  });

  it('answers 404 for a record that never existed, and for a DELETE of one', async () => {
    for (const [resource, params] of [
      [CUSTOMER, { code: 'NOBODY' }],
      [INVOICE, { number: '999999' }],
      [CREDIT_NOTE, { number: '999999' }],
      [PAYMENT, { number: '999999' }],
      [TEMPLATE, { number: '999999' }],
    ] as const) {
      expectError(await api.get(resource, { params }), 404, 'NotFound', /^No such /);
      expectError(await api.delete(resource, { params }), 404, 'NotFound', /^No such /);
    }
  });
});

describe("ledger API: an invoice's payments", () => {
  let api: ReturnType<typeof ledgerClient>;

  beforeAll(async () => {
    ({ api } = await emptyTenant());
    await api.put(CUSTOMER, { params: { code: '101' }, body: customer('101') });
    await api.put(INVOICE, { params: { number: '1001' }, body: invoice(1001, '101') });
    await api.put(INVOICE, { params: { number: '1002' }, body: invoice(1002, '101') });
  });

  it('POST adds a payment with the invoice from the path (JSON and XML), and GET lists them in both', async () => {
    const json = await api.post(INVOICE_PAYMENTS, {
      params: { number: '1001' },
      body: { Number: 1, Date: '2026-01-10', Amount: 20 },
    });
    expect(json.statusCode).toBe(201);
    expect(json.headers?.Location).toBe('/prod/v2/payments/1');
    expect(bodyOf(json)).toEqual({
      Number: 1,
      InvoiceNumber: 1001,
      CustomerCode: '101',
      Date: '2026-01-10',
      Amount: '20.00',
    });

    const xml = await api.post(INVOICE_PAYMENTS, {
      params: { number: '1001' },
      body: '<Payment><Number>2</Number><Date>2026-01-11</Date><Amount>5.5</Amount><Reference>R&amp;D</Reference></Payment>',
      headers: XML_HEADERS,
    });
    expect(xml.statusCode).toBe(201);
    expect(xml.body).toContain('<Payment><Number>2</Number><InvoiceNumber>1001</InvoiceNumber>');

    const list = await api.get(INVOICE_PAYMENTS, { params: { number: '1001' } });
    expect(
      bodyOf<{ Number: number; Amount: string; Reference?: string }[]>(list).map((payment) => [
        payment.Number,
        payment.Amount,
        payment.Reference,
      ]),
    ).toEqual([
      [1, '20.00', undefined],
      [2, '5.50', 'R&D'],
    ]);
    const listXml = await api.get(INVOICE_PAYMENTS, {
      params: { number: '1001' },
      headers: { Accept: 'application/xml' },
    });
    expect(listXml.body).toMatch(
      /^<\?xml[^>]*\?><ArrayOfPayment><Payment><Number>1<\/Number>.*<\/Payment><Payment><Number>2<\/Number>.*<\/ArrayOfPayment>$/,
    );
    expect(bodyOf(await api.get(INVOICE_PAYMENTS, { params: { number: '1002' } }))).toEqual([]);
  });

  it("refuses a payment whose InvoiceNumber is not the path's, and one for an invoice that does not exist", async () => {
    expectError(
      await api.post(INVOICE_PAYMENTS, {
        params: { number: '1001' },
        body: { Number: 9, InvoiceNumber: 1002, Date: '2026-01-10', Amount: '1' },
      }),
      400,
      'InvalidRequestBody',
      'InvoiceNumber: must be 1001 as in the path, or be left out',
    );
    expectError(
      await api.post(INVOICE_PAYMENTS, {
        params: { number: '5555' },
        body: { Number: 9, Date: '2026-01-10', Amount: '1' },
      }),
      400,
      'InvalidRequestBody',
      'InvoiceNumber: must be the number of an invoice of this tenant',
    );
    expect((await api.get(PAYMENT, { params: { number: '9' } })).statusCode).toBe(404);
    expectError(
      await api.get(INVOICE_PAYMENTS, { params: { number: '5555' } }),
      404,
      'NotFound',
      'No such invoice',
    );
  });

  it('DELETE of a payment through an invoice is 404 unless the payment is allocated to that invoice', async () => {
    await api.post(INVOICE_PAYMENTS, {
      params: { number: '1002' },
      body: { Number: 30, Date: '2026-01-10', Amount: '3' },
    });

    expectError(
      await api.delete(INVOICE_PAYMENT, { params: { number: '1001', paymentNumber: '30' } }),
      404,
      'NotFound',
      'No such payment on this invoice',
    );
    const xml = await api.delete(INVOICE_PAYMENT, {
      params: { number: '1001', paymentNumber: '30' },
      headers: { Accept: 'application/xml' },
    });
    expect(xml.statusCode).toBe(404);
    expect(xml.body).toBe(
      '<?xml version="1.0" encoding="utf-8"?><ErrorResponse><Error>NotFound</Error><Message>No such payment on this invoice</Message></ErrorResponse>',
    );
    expect((await api.get(PAYMENT, { params: { number: '30' } })).statusCode).toBe(200);

    const deleted = await api.delete(INVOICE_PAYMENT, { params: { number: '1002', paymentNumber: '30' } });
    expect(deleted.statusCode).toBe(204);
    expect((await api.get(PAYMENT, { params: { number: '30' } })).statusCode).toBe(404);
    expect(bodyOf(await api.get(INVOICE_PAYMENTS, { params: { number: '1002' } }))).toEqual([]);
  });
});

describe('ledger API: templates and statement settings', () => {
  it("lists the templates (JSON and XML) and answers the default one: built in, then the settings' choice", async () => {
    const { api } = await emptyTenant();
    const builtIn = await api.get('/v2/emailtemplates/defaultStatementTemplate');
    expect(builtIn.statusCode).toBe(200);
    expect(bodyOf(builtIn)).toMatchObject({ Number: 0, Name: 'Built-in statement', IsHtml: true });
    // The built-in template's translations, as a tenant's own would be answered, in JSON and XML.
    expect(
      bodyOf<{ Translations: { Language: string }[] }>(builtIn).Translations.map((t) => t.Language),
    ).toEqual(['fr', 'de', 'es', 'nl']);
    const builtInXml = await api.get('/v2/emailtemplates/defaultStatementTemplate', {
      headers: { Accept: 'application/xml' },
    });
    expect(builtInXml.body).toMatch(
      /<Translations><Translation><Language>fr<\/Language><Subject>Relevé de compte de #COMPANY#<\/Subject>/,
    );
    expect(bodyOf(await api.get('/v2/emailtemplates'))).toEqual([]);

    for (const number of [2, 1]) {
      await api.put(TEMPLATE, {
        params: { number: String(number) },
        body: { Name: `T${number}`, Subject: 'Statement #NAME#', Body: `<p>Template ${number}</p>` },
      });
    }
    const list = await api.get('/v2/emailtemplates');
    expect(bodyOf<{ Number: number }[]>(list).map((template) => template.Number)).toEqual([1, 2]);
    const listXml = await api.get('/v2/emailtemplates', { headers: { Accept: 'application/xml' } });
    expect(listXml.body).toMatch(
      /^<\?xml[^>]*\?><ArrayOfEmailTemplate><EmailTemplate><Number>1<\/Number>.*<EmailTemplate><Number>2<\/Number>/,
    );

    const settings = bodyOf(await api.get(SETTINGS));
    const put = await api.put(SETTINGS, { body: { ...settings, DefaultStatementTemplateNumber: 2 } });
    expect(put.statusCode).toBe(200);
    expect(put.headers?.['Ledger-Result']).toBe('Updated');
    const chosen = await api.get('/v2/emailtemplates/defaultStatementTemplate', {
      headers: { Accept: 'application/xml' },
    });
    expect(chosen.body).toMatch(/^<\?xml[^>]*\?><EmailTemplate><Number>2<\/Number><Name>T2<\/Name>/);
  });

  it('refuses to delete the default template (400 naming the rule), and deletes it once another is chosen', async () => {
    const { api, tenant } = await emptyTenant();
    await api.put(TEMPLATE, { params: { number: '1' }, body: { Name: 'T1', Subject: 'S', Body: 'B' } });
    const settings = bodyOf(await api.get(SETTINGS));
    await api.put(SETTINGS, { body: { ...settings, DefaultStatementTemplateNumber: 1 } });
    const before = await tenantItems(tenant.Id);

    expectError(
      await api.delete(TEMPLATE, { params: { number: '1' } }),
      400,
      'InvalidParameter',
      "Number: is the tenant's default statement template (settings DefaultStatementTemplateNumber): choose another first",
    );
    expect(await tenantItems(tenant.Id)).toEqual(before);

    const { DefaultStatementTemplateNumber: _chosen, ...without } = bodyOf(await api.get(SETTINGS));
    await api.put(SETTINGS, { body: without });
    expect((await api.delete(TEMPLATE, { params: { number: '1' } })).statusCode).toBe(204);
  });

  it("answers a tenant's settings from its tenant item before any were PUT, then creates them (201) from XML", async () => {
    const tenantId = uniqueTenantId('ops');
    await createTenant({
      tenantId,
      name: 'Operator Made Ltd',
      fromEmail: 'accounts@ops.example',
      timeZone: 'America/New_York',
      currency: 'USD',
      locale: 'en-US',
    });
    const api = ledgerClient(tenantId);

    const before = await api.get(SETTINGS);
    expect(before.statusCode).toBe(200);
    expect(bodyOf(before)).toEqual({
      CompanyName: 'Operator Made Ltd',
      TimeZone: 'America/New_York',
      Currency: 'USD',
      Locale: 'en-US',
    });
    const xmlBefore = await api.get(SETTINGS, { headers: { Accept: 'application/xml' } });
    expect(xmlBefore.body).toContain('<StatementSettings><CompanyName>Operator Made Ltd</CompanyName>');

    const created = await api.put(SETTINGS, {
      headers: XML_HEADERS,
      body: `<StatementSettings><CompanyName>Ops &amp; Co</CompanyName><Address><Line1>1 Main St</Line1><CountryCode>US</CountryCode></Address>
        <TimeZone>America/New_York</TimeZone><Currency>USD</Currency><Locale>en-US</Locale><ReplyTo>billing@ops.example</ReplyTo>
        <PaymentInstructions>Pay by wire</PaymentInstructions><Version>1</Version></StatementSettings>`,
    });
    expect(created.statusCode).toBe(201);
    expect(created.headers?.Location).toBe('/prod/v2/settings/statements');
    expect(bodyOf(await api.get(SETTINGS))).toEqual({
      CompanyName: 'Ops & Co',
      Address: { Line1: '1 Main St', CountryCode: 'US' },
      TimeZone: 'America/New_York',
      Currency: 'USD',
      Locale: 'en-US',
      ReplyTo: 'billing@ops.example',
      PaymentInstructions: 'Pay by wire',
      Version: 1,
    });
  });
});

describe('ledger API: bad input gets 400 naming the field and the rule, and writes nothing', () => {
  let api: ReturnType<typeof ledgerClient>;
  let tenantId: string;

  beforeAll(async () => {
    let tenant: { Id: string };
    ({ api, tenant } = await emptyTenant());
    tenantId = tenant.Id;
    await api.put(CUSTOMER, { params: { code: '101' }, body: customer('101') });
    await api.put(INVOICE, { params: { number: '1001' }, body: invoice(1001, '101') });
  });

  const cases: [
    string,
    string,
    string,
    Record<string, string>,
    unknown,
    Record<string, string> | undefined,
    number,
    string,
    string | RegExp,
  ][] = [
    [
      'a blank customer name',
      'PUT',
      CUSTOMER,
      { code: '102' },
      customer('102', { Name: ' ' }),
      undefined,
      400,
      'InvalidRequestBody',
      'Name: must not be blank',
    ],
    [
      'two primary contacts',
      'PUT',
      CUSTOMER,
      { code: '102' },
      customer('102', {
        Contacts: [
          { Name: 'A', IsPrimary: true },
          { Name: 'B', IsPrimary: true },
        ],
      }),
      undefined,
      400,
      'InvalidRequestBody',
      'Contacts[1].IsPrimary: only one contact may be primary',
    ],
    [
      'a misspelt customer field, in XML',
      'PUT',
      CUSTOMER,
      { code: '102' },
      '<Customer><Code>102</Code><Name>N</Name><Emial>x@y.example</Emial></Customer>',
      XML_BODY,
      400,
      'InvalidRequestBody',
      /Emial/,
    ],
    [
      'a customer code too long in the path',
      'PUT',
      CUSTOMER,
      { code: 'x'.repeat(65) },
      { Name: 'N' },
      undefined,
      400,
      'InvalidParameter',
      'code: must be 1 to 64 characters with no control characters',
    ],
    [
      'three decimals of GBP',
      'PUT',
      INVOICE,
      { number: '1002' },
      invoice(1002, '101', { Total: '1.005' }),
      undefined,
      400,
      'InvalidRequestBody',
      'Total: must have at most 2 decimals for GBP',
    ],
    [
      'an invoice total that is not money, in XML',
      'PUT',
      INVOICE,
      { number: '1002' },
      '<Invoice><Number>1002</Number><CustomerCode>101</CustomerCode><IssuedDate>2026-01-01</IssuedDate><DueDate>2026-01-31</DueDate><Total>lots</Total></Invoice>',
      XML_BODY,
      400,
      'InvalidRequestBody',
      'Total: must be a decimal amount such as 120.00 or "120.00"',
    ],
    [
      'an invoice of an unknown customer',
      'PUT',
      INVOICE,
      { number: '1002' },
      invoice(1002, 'NOBODY'),
      undefined,
      400,
      'InvalidRequestBody',
      'CustomerCode: must be the code of a customer of this tenant',
    ],
    [
      'a due date before the issue date',
      'PUT',
      INVOICE,
      { number: '1002' },
      invoice(1002, '101', { DueDate: '2025-12-31' }),
      undefined,
      400,
      'InvalidRequestBody',
      'DueDate: must not be before IssuedDate',
    ],
    [
      'an invoice number that is not one',
      'PUT',
      INVOICE,
      { number: '12x' },
      invoice(12, '101'),
      undefined,
      400,
      'InvalidParameter',
      'number: must be a whole number from 1 to 9999999999',
    ],
    [
      'a credit note allocated beyond its total',
      'PUT',
      CREDIT_NOTE,
      { number: '3002' },
      {
        CustomerCode: '101',
        IssuedDate: '2026-01-02',
        Total: '5.00',
        Allocations: [{ InvoiceNumber: 1001, Amount: '6.00' }],
      },
      undefined,
      400,
      'InvalidRequestBody',
      'Allocations: must not add up to more than Total',
    ],
    [
      'a payment of nothing',
      'PUT',
      PAYMENT,
      { number: '4002' },
      { CustomerCode: '101', Date: '2026-01-02', Amount: '0' },
      undefined,
      400,
      'InvalidRequestBody',
      'Amount: must be more than zero',
    ],
    [
      'a payment with neither invoice nor customer',
      'PUT',
      PAYMENT,
      { number: '4002' },
      { Date: '2026-01-02', Amount: '1' },
      undefined,
      400,
      'InvalidRequestBody',
      'CustomerCode: is required for a payment on account (one with no InvoiceNumber)',
    ],
    [
      'a payment posted with a bad date',
      'POST',
      INVOICE_PAYMENTS,
      { number: '1001' },
      { Number: 4003, Date: '2026-13-01', Amount: '1' },
      undefined,
      400,
      'InvalidRequestBody',
      'Date: must be a real date in YYYY-MM-DD form',
    ],
    [
      'a template with an unknown token',
      'PUT',
      TEMPLATE,
      { number: '5' },
      { Name: 'T', Subject: 'Hi #NMAE#', Body: 'B' },
      undefined,
      400,
      'InvalidRequestBody',
      /^Subject: .*#NMAE#/,
    ],
    [
      'a settings time zone that is not one',
      'PUT',
      SETTINGS,
      {},
      { CompanyName: 'C', TimeZone: 'Mars/Olympus', Currency: 'GBP' },
      undefined,
      400,
      'InvalidRequestBody',
      'TimeZone: must be an IANA time zone such as Europe/London',
    ],
    [
      'a settings default template that does not exist',
      'PUT',
      SETTINGS,
      {},
      { CompanyName: 'C', TimeZone: 'Europe/London', Currency: 'GBP', DefaultStatementTemplateNumber: 99 },
      undefined,
      400,
      'InvalidRequestBody',
      'DefaultStatementTemplateNumber: must be the number of an email template of this tenant',
    ],
    [
      'an empty body',
      'PUT',
      CUSTOMER,
      { code: '102' },
      '',
      undefined,
      400,
      'InvalidRequestBody',
      'Request body must not be empty',
    ],
    [
      'a body that is not JSON',
      'PUT',
      INVOICE,
      { number: '1002' },
      '{"Number":',
      undefined,
      400,
      'InvalidRequestBody',
      'Request body is not valid JSON',
    ],
    [
      'a body that is not the XML of its type',
      'PUT',
      INVOICE,
      { number: '1002' },
      '<Customer/>',
      XML_BODY,
      400,
      'InvalidRequestBody',
      'XML body must be an Invoice element',
    ],
    [
      'an XML body with a DOCTYPE',
      'PUT',
      CUSTOMER,
      { code: '102' },
      '<!DOCTYPE c [<!ENTITY x "y">]><Customer/>',
      XML_BODY,
      400,
      'InvalidRequestBody',
      'XML body must not contain a DOCTYPE',
    ],
    [
      'a text body',
      'PUT',
      CUSTOMER,
      { code: '102' },
      'Name=N',
      { 'Content-Type': 'text/plain' },
      415,
      'UnsupportedMediaType',
      /^Content-Type must be application\/json or application\/xml/,
    ],
    [
      'NDJSON to a single record',
      'PUT',
      INVOICE,
      { number: '1002' },
      '{}',
      { 'Content-Type': 'application/x-ndjson' },
      415,
      'UnsupportedMediaType',
      /^Content-Type must be/,
    ],
    [
      'an Accept that allows neither format',
      'PUT',
      CUSTOMER,
      { code: '102' },
      customer('102'),
      { Accept: 'text/html' },
      406,
      'NotAcceptable',
      'Accept must allow application/json or application/xml',
    ],
    [
      'a body over 1 MB',
      'PUT',
      TEMPLATE,
      { number: '5' },
      { Name: 'T', Subject: 'S', Body: 'x'.repeat(1024 * 1024) },
      undefined,
      413,
      'PayloadTooLarge',
      'Request body must not exceed 1048576 bytes',
    ],
    [
      'a DELETE with a version that is not one',
      'DELETE',
      INVOICE,
      { number: '1001' },
      undefined,
      undefined,
      400,
      'InvalidParameter',
      /^version: /,
    ],
    [
      'a page size over 1000',
      'GET',
      '/v2/customers',
      {},
      undefined,
      undefined,
      400,
      'InvalidParameter',
      'perpage: must be a whole number from 1 to 1000',
    ],
  ];

  it.each(cases)('refuses %s', async (_, method, resource, params, body, headers, status, error, message) => {
    const before = await tenantItems(tenantId);
    const query: Record<string, string> | undefined =
      method === 'DELETE'
        ? { version: 'yesterday' }
        : resource === '/v2/customers'
          ? { perpage: '1001' }
          : undefined;

    const response = await api.call(method, resource, {
      params,
      ...(body === undefined ? {} : { body }),
      ...(headers === undefined ? {} : { headers }),
      ...(query === undefined ? {} : { query }),
    });

    expectError(response, status, error, message);
    expect(await tenantItems(tenantId)).toEqual(before);
  });

  it('answers an error in XML when the client asked for XML', async () => {
    const response = await api.put(INVOICE, {
      params: { number: '1002' },
      headers: XML_HEADERS,
      body: '<Invoice><CustomerCode>101</CustomerCode><IssuedDate>2026-01-01</IssuedDate><DueDate>2026-01-31</DueDate><Total>1.001</Total></Invoice>',
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).toBe(
      '<?xml version="1.0" encoding="utf-8"?><ErrorResponse><Error>InvalidRequestBody</Error><Message>Total: must have at most 2 decimals for GBP</Message></ErrorResponse>',
    );
  });
});

describe('ledger API: versions, not arrival order', () => {
  let api: ReturnType<typeof ledgerClient>;
  let tenantId: string;

  beforeAll(async () => {
    let tenant: { Id: string };
    ({ api, tenant } = await emptyTenant());
    tenantId = tenant.Id;
    await api.put(CUSTOMER, { params: { code: '101' }, body: customer('101') });
  });

  const putInvoice = (number: number, overrides: Record<string, unknown>) =>
    api.put(INVOICE, { params: { number: String(number) }, body: invoice(number, '101', overrides) });

  it('answers an older write after a newer one Stale (409) and changes nothing', async () => {
    expect((await putInvoice(1, { Total: '10.00', Version: 2 })).statusCode).toBe(201);
    const before = await tenantItems(tenantId);

    const stale = await putInvoice(1, { Total: '99.00', Version: 1 });

    expectError(
      stale,
      409,
      'Stale',
      'Version: 1 is not newer than the stored version 2; nothing was changed',
    );
    expect(await tenantItems(tenantId)).toEqual(before);
    expect(bodyOf(await api.get(INVOICE, { params: { number: '1' } }))).toMatchObject({
      Total: '10.00',
      Version: 2,
    });
  });

  it('answers the same write twice Unchanged, and a changed record at the same Version Stale', async () => {
    await putInvoice(2, { Version: 5 });
    const before = await tenantItems(tenantId);

    const again = await putInvoice(2, { Version: 5 });
    expect(again.statusCode).toBe(200);
    expect(again.headers?.['Ledger-Result']).toBe('Unchanged');
    expectError(await putInvoice(2, { Version: 5, Total: '1.00' }), 409, 'Stale', /^Version: 5 is not newer/);
    expect(await tenantItems(tenantId)).toEqual(before);
  });

  it('orders timestamps by their instant, whatever their offset', async () => {
    await putInvoice(3, { Version: '2026-11-24T10:00:00Z' });

    expectError(
      await putInvoice(3, { Version: '2026-11-24T09:59:59Z', Total: '1.00' }),
      409,
      'Stale',
      /^Version: 2026-11-24T09:59:59Z is not newer/,
    );
    const sameInstant = await putInvoice(3, { Version: '2026-11-24T11:00:00+01:00' });
    expect(sameInstant.headers?.['Ledger-Result']).toBe('Unchanged');
    const later = await putInvoice(3, { Version: '2026-11-24T10:30:00+01:00', Total: '1.00' });
    expect(later.statusCode).toBe(409);
    const newer = await putInvoice(3, { Version: '2026-11-24T10:00:01Z', Total: '1.00' });
    expect(newer.headers?.['Ledger-Result']).toBe('Updated');
  });

  it('keeps a delete against older upserts (Stale), and a newer upsert after it creates the record again', async () => {
    await putInvoice(4, { Version: 3 });
    expectError(
      await api.delete(INVOICE, { params: { number: '4' }, query: { version: '2' } }),
      409,
      'Stale',
      /^Version: 2 is not newer than the stored version 3/,
    );
    expect((await api.delete(INVOICE, { params: { number: '4' }, query: { version: '4' } })).statusCode).toBe(
      204,
    );

    expectError(await putInvoice(4, { Version: 3 }), 409, 'Stale', /^Version: 3 is not newer/);
    expectError(await putInvoice(4, { Version: 4 }), 409, 'Stale', /^Version: 4 is not newer/);
    expect((await api.get(INVOICE, { params: { number: '4' } })).statusCode).toBe(404);

    const back = await putInvoice(4, { Version: 5 });
    expect(back.statusCode).toBe(201);
    expect(back.headers?.['Ledger-Result']).toBe('Created');
  });

  it('takes a DELETE version as a timestamp too', async () => {
    await putInvoice(5, { Version: '2026-11-24T10:00:00Z' });
    expect(
      (await api.delete(INVOICE, { params: { number: '5' }, query: { version: '2026-11-24T09:00:00Z' } }))
        .statusCode,
    ).toBe(409);
    expect(
      (await api.delete(INVOICE, { params: { number: '5' }, query: { version: '2026-11-24T10:00:00.001Z' } }))
        .statusCode,
    ).toBe(204);
  });
});

describe('ledger API: deletes and moves keep history consistent', () => {
  let api: ReturnType<typeof ledgerClient>;
  let tenantId: string;

  beforeAll(async () => {
    let tenant: { Id: string };
    ({ api, tenant } = await emptyTenant());
    tenantId = tenant.Id;
    await api.put(CUSTOMER, { params: { code: 'A' }, body: customer('A') });
    await api.put(CUSTOMER, { params: { code: 'B' }, body: customer('B') });
  });

  it('deleting an invoice leaves its payments readable (they count as on account) and the invoice 404', async () => {
    await api.put(INVOICE, { params: { number: '10' }, body: invoice(10, 'A') });
    await api.post(INVOICE_PAYMENTS, {
      params: { number: '10' },
      body: { Number: 11, Date: '2026-01-10', Amount: '20' },
    });

    expect((await api.delete(INVOICE, { params: { number: '10' } })).statusCode).toBe(204);

    expect((await api.get(INVOICE, { params: { number: '10' } })).statusCode).toBe(404);
    expect((await api.get(INVOICE_PAYMENTS, { params: { number: '10' } })).statusCode).toBe(404);
    const payment = await api.get(PAYMENT, { params: { number: '11' } });
    expect(payment.statusCode).toBe(200);
    expect(bodyOf(payment)).toMatchObject({ Number: 11, CustomerCode: 'A', Amount: '20.00' });
    expect(await customerPartitionKeys(tenantId, 'A', 'INVOICE#')).toEqual([]);
    expect(await customerPartitionKeys(tenantId, 'A', 'PAYMENT#')).toEqual(['PAYMENT#0000000011']);
  });

  it("moving an invoice to another customer leaves the old customer's partition", async () => {
    await api.put(INVOICE, { params: { number: '20' }, body: invoice(20, 'A', { Version: 1 }) });
    expect(await customerPartitionKeys(tenantId, 'A', 'INVOICE#')).toEqual(['INVOICE#0000000020']);

    const moved = await api.put(INVOICE, {
      params: { number: '20' },
      body: invoice(20, 'B', { Version: 2 }),
    });

    expect(moved.headers?.['Ledger-Result']).toBe('Updated');
    expect(await customerPartitionKeys(tenantId, 'A', 'INVOICE#')).toEqual([]);
    expect(await customerPartitionKeys(tenantId, 'B', 'INVOICE#')).toEqual(['INVOICE#0000000020']);
    expect(bodyOf(await api.get(INVOICE, { params: { number: '20' } }))).toMatchObject({ CustomerCode: 'B' });
  });
});

describe('ledger API: GET /v2/customers pages by code', () => {
  it('walks three pages with NextPageUrl, the last without one; XML pages the same', async () => {
    const { api } = await emptyTenant();
    const codes = ['C1', 'C2', 'C3', 'C4', 'C5'];
    for (const code of [...codes].reverse())
      await api.put(CUSTOMER, { params: { code }, body: customer(code) });

    const seen: string[][] = [];
    let query: Record<string, string> = { perpage: '2' };
    for (;;) {
      const page = bodyOf<{ Data: { Code: string }[]; MetaData: { PerPage: number; NextPageUrl?: string } }>(
        await api.get('/v2/customers', { query }),
      );
      expect(page.MetaData.PerPage).toBe(2);
      seen.push(page.Data.map((record) => record.Code));
      if (page.MetaData.NextPageUrl === undefined) break;
      const url = new URL(page.MetaData.NextPageUrl, 'https://api.example');
      expect(url.pathname).toBe('/prod/v2/customers');
      query = Object.fromEntries(url.searchParams);
    }
    expect(seen).toEqual([['C1', 'C2'], ['C3', 'C4'], ['C5']]);

    const xml = await api.get('/v2/customers', {
      query: { perpage: '2' },
      headers: { Accept: 'application/xml' },
    });
    expect(xml.body).toMatch(
      /^<\?xml[^>]*\?><CustomerList><Data><Customer><Code>C1<\/Code>.*<\/Customer><Customer><Code>C2<\/Code>.*<\/Data><MetaData><PerPage>2<\/PerPage><NextPageUrl>\/prod\/v2\/customers\?perpage=2&amp;cursor=[\w-]+<\/NextPageUrl><\/MetaData><\/CustomerList>$/,
    );
    expect(bodyOf(await api.get('/v2/customers')).MetaData).toEqual({ PerPage: 100 });
  });

  it('leaves deleted customers out, and refuses a cursor it did not give', async () => {
    const { api } = await emptyTenant();
    for (const code of ['D1', 'D2', 'D3'])
      await api.put(CUSTOMER, { params: { code }, body: customer(code) });
    await api.delete(CUSTOMER, { params: { code: 'D2' } });

    const page = bodyOf<{ Data: { Code: string }[] }>(await api.get('/v2/customers'));
    expect(page.Data.map((record) => record.Code)).toEqual(['D1', 'D3']);
    expectError(
      await api.get('/v2/customers', {
        query: { cursor: Buffer.from('TEMPLATE#0000000001').toString('base64url') },
      }),
      400,
      'InvalidParameter',
      /^cursor: /,
    );
  });
});

describe('ledger API: read your writes', () => {
  it('a statement asked for right after the writes includes them (bulk email dry run)', async () => {
    const { api, tenant } = await emptyTenant();
    const dryRun = async () =>
      jsonBody<Record<string, unknown>[]>(
        await invoke(
          bulkEmailHandler,
          apiEvent({
            tenantId: tenant.Id,
            query: { dryrun: '1', filterby: 'all' },
            body: ['R1'],
            headers: JSON_HEADERS,
          }),
        ),
      );

    await api.put(CUSTOMER, { params: { code: 'R1' }, body: customer('R1') });
    await api.put(INVOICE, { params: { number: '501' }, body: invoice(501, 'R1', { Total: '120.00' }) });
    expect(await dryRun()).toEqual([
      expect.objectContaining({
        CustomerCode: 'R1',
        Message: 'Would be sent',
        Balance: '£120.00',
        LineCount: 1,
      }),
    ]);

    await api.post(INVOICE_PAYMENTS, {
      params: { number: '501' },
      body: { Number: 502, Date: '2026-01-15', Amount: '20.00' },
    });
    expect(await dryRun()).toEqual([
      expect.objectContaining({ CustomerCode: 'R1', Balance: '£100.00', LineCount: 2 }),
    ]);
  });
});

describe('ledger API: a changed address lifts its suppression', () => {
  it('answers Invalid customer email address for a bounced address, and sends again once the primary contact changes', async () => {
    const { api, tenant } = await emptyTenant();
    const send = async () =>
      jsonBody<{ Message: string }[]>(
        await invoke(
          bulkEmailHandler,
          apiEvent({ tenantId: tenant.Id, query: { dryrun: '1' }, body: ['S1'], headers: JSON_HEADERS }),
        ),
      )[0]?.Message;
    const withEmail = (email: string) =>
      customer('S1', { Contacts: [{ Name: 'Sam', Email: email, IsPrimary: true }] });
    await api.put(CUSTOMER, { params: { code: 'S1' }, body: withEmail('old@s1.example') });
    await writeItems({
      puts: [
        {
          ...suppressionKey(tenant.Id, 'S1'),
          code: 'S1',
          address: 'old@s1.example',
          reason: 'Bounced',
          at: '2026-11-01T00:00:00.000Z',
        },
      ],
      deletes: [],
    });
    expect(await send()).toBe('Invalid customer email address');

    await api.put(CUSTOMER, { params: { code: 'S1' }, body: withEmail('new@s1.example') });

    expect(await send()).toBe('Would be sent');
  });
});
