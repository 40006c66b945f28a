import { beforeAll, describe, expect, it } from 'vitest';
import { bodyOf, invoiceRecord as invoice, ledgerClient, tenantItems } from '../support/ledger-api.ts';
import { exampleTenant, seedTenants } from '../support/tenants.ts';

const CUSTOMER = '/v2/customers/{code}';
const INVOICE = '/v2/invoices/{number}';
const PAYMENT = '/v2/payments/{number}';
const TEMPLATE = '/v2/emailtemplates/{number}';

const tenantA = exampleTenant({ Customers: [], Invoices: [] });
const tenantB = exampleTenant({ Customers: [], Invoices: [] });
const a = ledgerClient(tenantA.Id);
const b = ledgerClient(tenantB.Id);

describe("ledger API: tenant B cannot read, write over, delete or reference tenant A's records", () => {
  beforeAll(async () => {
    await seedTenants(tenantA, tenantB);
    await a.put(CUSTOMER, { params: { code: 'A-101' }, body: { Name: 'Only A', Version: 1 } });
    await a.put(INVOICE, { params: { number: '7001' }, body: invoice(7001, 'A-101') });
    await a.post('/v2/invoices/{number}/payments', {
      params: { number: '7001' },
      body: { Number: 7002, Date: '2026-01-10', Amount: '20' },
    });
    await a.put(TEMPLATE, { params: { number: '1' }, body: { Name: 'A template', Subject: 'S', Body: 'B' } });
  });

  it("answers every read of A's records to B as not found, and lists none of them", async () => {
    for (const [resource, params] of [
      [CUSTOMER, { code: 'A-101' }],
      [INVOICE, { number: '7001' }],
      [PAYMENT, { number: '7002' }],
      [TEMPLATE, { number: '1' }],
      ['/v2/invoices/{number}/payments', { number: '7001' }],
    ] as const) {
      const response = await b.get(resource, { params });
      expect(response.statusCode, resource).toBe(404);
    }
    expect(bodyOf(await b.get('/v2/customers')).Data).toEqual([]);
    expect(bodyOf(await b.get('/v2/emailtemplates'))).toEqual([]);
    expect(bodyOf(await b.get('/v2/emailtemplates/defaultStatementTemplate')).Number).toBe(0);
  });

  it("never deletes A's records for B: B's deletes are 404 and A's items are as they were", async () => {
    const before = await tenantItems(tenantA.Id);
    for (const [resource, params] of [
      [CUSTOMER, { code: 'A-101' }],
      [INVOICE, { number: '7001' }],
      [PAYMENT, { number: '7002' }],
      [TEMPLATE, { number: '1' }],
      ['/v2/invoices/{number}/payments/{paymentNumber}', { number: '7001', paymentNumber: '7002' }],
    ] as const) {
      expect((await b.delete(resource, { params })).statusCode, resource).toBe(404);
    }
    expect(await tenantItems(tenantA.Id)).toEqual(before);
  });

  it("writes B's own record under the same code or number, leaving A's as it was", async () => {
    const before = await tenantItems(tenantA.Id);

    const customer = await b.put(CUSTOMER, {
      params: { code: 'A-101' },
      body: { Name: 'B has one too', Version: 0 },
    });
    const template = await b.put(TEMPLATE, {
      params: { number: '1' },
      body: { Name: 'B template', Subject: 'S', Body: 'B' },
    });

    expect(customer.statusCode).toBe(201);
    expect(template.statusCode).toBe(201);
    expect(await tenantItems(tenantA.Id)).toEqual(before);
    expect(bodyOf(await a.get(CUSTOMER, { params: { code: 'A-101' } }))).toMatchObject({
      Name: 'Only A',
      Version: 1,
    });
    expect(bodyOf(await b.get(CUSTOMER, { params: { code: 'A-101' } }))).toMatchObject({
      Name: 'B has one too',
    });
  });

  it("refuses B's records that reference A's: a payment on A's invoice, an invoice of A's customer, an allocation to A's invoice", async () => {
    await b.put(CUSTOMER, { params: { code: 'B-1' }, body: { Name: 'B customer' } });
    const before = await tenantItems(tenantB.Id);

    const payment = await b.post('/v2/invoices/{number}/payments', {
      params: { number: '7001' },
      body: { Number: 8001, Date: '2026-01-10', Amount: '1' },
    });
    const invoiceOfA = await b.put(INVOICE, { params: { number: '8002' }, body: invoice(8002, 'A-ONLY') });
    const batch = await b.post('/v2/ledger/batch', {
      body: {
        Operations: [
          {
            Action: 'Upsert',
            Type: 'Payment',
            Record: { Number: 8003, InvoiceNumber: 7001, Date: '2026-01-10', Amount: '1' },
          },
          {
            Action: 'Upsert',
            Type: 'CreditNote',
            Record: {
              Number: 8004,
              CustomerCode: 'B-1',
              IssuedDate: '2026-01-02',
              Total: '1',
              Allocations: [{ InvoiceNumber: 7001, Amount: '1' }],
            },
          },
        ],
      },
    });

    expect(payment.statusCode).toBe(400);
    expect(bodyOf(payment)).toEqual({
      Error: 'InvalidRequestBody',
      Message: 'InvoiceNumber: must be the number of an invoice of this tenant',
    });
    expect(bodyOf(invoiceOfA).Message).toBe('CustomerCode: must be the code of a customer of this tenant');
    expect(bodyOf(batch).Results).toEqual([
      expect.objectContaining({
        Result: 'Invalid',
        Message: 'InvoiceNumber: must be the number of an invoice of this tenant',
      }),
      expect.objectContaining({
        Result: 'Invalid',
        Message:
          "Allocations[0].InvoiceNumber: must be the number of an invoice of the credit note's customer",
      }),
    ]);
    expect(await tenantItems(tenantB.Id)).toEqual(before);
    expect(
      bodyOf(await a.get('/v2/invoices/{number}/payments', { params: { number: '7001' } })),
    ).toHaveLength(1);
  });
});
