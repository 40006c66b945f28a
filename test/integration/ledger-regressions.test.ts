/**
 * Hostile-client probes of the ledger API, each of which found a bug (issue 12's bug hunt), now
 * fixed: the tests hold the fixes in place.
 */
import { describe, expect, it } from 'vitest';
import { handler as bulkEmailHandler } from '#functions/bulk-email-api/handler.ts';
import { dynamoDbClient } from '#shared/aws/dynamodb.ts';
import { apiEvent, invoke, jsonBody } from '../support/api-events.ts';
import {
  bodyOf,
  customerRecord as customer,
  customerPartitionKeys,
  emptyLedgerTenant as emptyTenant,
  invoiceRecord as invoice,
  JSON_HEADERS,
  tenantItems,
} from '../support/ledger-api.ts';

const CUSTOMER = '/v2/customers/{code}';
const INVOICE = '/v2/invoices/{number}';
const INVOICE_PAYMENTS = '/v2/invoices/{number}/payments';
const TEMPLATE = '/v2/emailtemplates/{number}';
const SETTINGS = '/v2/settings/statements';
const BATCH = '/v2/ledger/batch';

interface BatchAnswer {
  Results: { Index: number; Type?: string; Key?: string; Result: string; Message?: string }[];
}

/** An item's size as AWS counts it, near enough: its JSON in UTF-8 (a few bytes a field over). */
const utf8Bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value ?? null));

const dryRun = async (tenantId: string, code: string) =>
  jsonBody<Record<string, unknown>[]>(
    await invoke(
      bulkEmailHandler,
      apiEvent({ tenantId, query: { dryrun: '1', filterby: 'all' }, body: [code], headers: JSON_HEADERS }),
    ),
  );

describe('ledger API bugs found by a hostile client', () => {
  it('bulk: a record deleted then upserted in one call is there for the operations after it (a customer naming a template deleted and re-created before it)', async () => {
    const { api } = await emptyTenant();

    const answer = bodyOf<BatchAnswer>(
      await api.post(BATCH, {
        body: {
          Operations: [
            { Action: 'Delete', Type: 'EmailTemplate', Number: 3 },
            {
              Action: 'Upsert',
              Type: 'EmailTemplate',
              Record: { Number: 3, Name: 'T', Subject: 'S', Body: 'B' },
            },
            { Action: 'Upsert', Type: 'Customer', Record: customer('X', { EmailTemplateNumber: 3 }) },
          ],
        },
      }),
    );

    expect(answer.Results.map(({ Result, Message }) => [Result, Message])).toEqual([
      ['NotFound', expect.any(String)],
      ['Created', undefined],
      ['Created', undefined],
    ]);
  });

  it('versions: a timestamp finer than the millisecond is refused naming the rule, never made equal to another', async () => {
    const { api, tenantId } = await emptyTenant();
    const before = await tenantItems(tenantId);

    const finer = await api.put(CUSTOMER, {
      params: { code: 'V' },
      body: customer('V', { Name: 'First', Version: '2026-01-01T00:00:00.0001Z' }),
    });

    expect(finer.statusCode).toBe(400);
    expect(bodyOf(finer).Message).toMatch(/^Version: .*at most millisecond precision/);
    expect(await tenantItems(tenantId)).toEqual(before);
    const milliseconds = await api.put(CUSTOMER, {
      params: { code: 'V' },
      body: customer('V', { Name: 'First', Version: '2026-01-01T00:00:00.001Z' }),
    });
    expect(milliseconds.statusCode).toBe(201);
  });

  it('moving an invoice to another customer while a payment is allocated to it is refused, naming CustomerCode, and nothing moves', async () => {
    const { api, tenantId } = await emptyTenant();
    await api.put(CUSTOMER, { params: { code: 'A' }, body: customer('A') });
    await api.put(CUSTOMER, { params: { code: 'B' }, body: customer('B') });
    await api.put(INVOICE, { params: { number: '20' }, body: invoice(20, 'A', { Version: 1 }) });
    await api.post(INVOICE_PAYMENTS, {
      params: { number: '20' },
      body: { Number: 21, Date: '2026-01-10', Amount: '20.00' },
    });

    const moved = await api.put(INVOICE, {
      params: { number: '20' },
      body: invoice(20, 'B', { Version: 2 }),
    });

    expect(moved.statusCode).toBe(400);
    expect(bodyOf(moved).Message).toMatch(
      /^CustomerCode: cannot move the invoice from customer A while payment 21 is allocated to it/,
    );
    expect(bodyOf<unknown[]>(await api.get(INVOICE_PAYMENTS, { params: { number: '20' } }))).toEqual([
      expect.objectContaining({ Number: 21, InvoiceNumber: 20, CustomerCode: 'A' }),
    ]);
    expect(await customerPartitionKeys(tenantId, 'B', 'INVOICE#')).toEqual([]);
    expect(await dryRun(tenantId, 'A')).toEqual([expect.objectContaining({ Balance: '£100.00' })]);
  });

  it('the same payment sent twice is Unchanged even after its invoice was deleted (a retry is not a 400)', async () => {
    const { api } = await emptyTenant();
    await api.put(CUSTOMER, { params: { code: 'A' }, body: customer('A') });
    await api.put(INVOICE, { params: { number: '30' }, body: invoice(30, 'A') });
    const payment = { Number: 31, Date: '2026-01-10', Amount: '20.00' };
    expect((await api.post(INVOICE_PAYMENTS, { params: { number: '30' }, body: payment })).statusCode).toBe(
      201,
    );
    expect((await api.delete(INVOICE, { params: { number: '30' } })).statusCode).toBe(204);

    const retry = await api.post(INVOICE_PAYMENTS, { params: { number: '30' }, body: payment });

    expect({ status: retry.statusCode, result: retry.headers?.['Ledger-Result'] }).toEqual({
      status: 200,
      result: 'Unchanged',
    });
  });

  it('an amount too large to hold is refused as too large, not as having too many decimals', async () => {
    const { api } = await emptyTenant();
    await api.put(CUSTOMER, { params: { code: 'A' }, body: customer('A') });

    const response = await api.put(INVOICE, {
      params: { number: '40' },
      body: invoice(40, 'A', { Total: '99999999999999999999' }),
    });

    expect({ status: response.statusCode, ...bodyOf(response) }).toEqual({
      status: 400,
      Error: 'InvalidRequestBody',
      Message: 'Total: must be at most 10000000000.00 (GBP)',
    });
  });

  it("a customer's own currency is the one its statement figures are in (JPY customer of a GBP tenant)", async () => {
    const { api, tenantId } = await emptyTenant();
    await api.put(CUSTOMER, { params: { code: 'J' }, body: customer('J', { Currency: { Code: 'JPY' } }) });
    expect(
      (await api.put(INVOICE, { params: { number: '50' }, body: invoice(50, 'J', { Total: '12000' }) }))
        .statusCode,
    ).toBe(201);

    const [status] = await dryRun(tenantId, 'J');

    // Today: "£120.00": 12000 yen stored as 12000 minor units, rendered as pence of the tenant's GBP.
    expect(status?.Balance).toBe('JP¥12,000');
  });

  it("changing the tenant's currency does not re-read a customer's stored amounts in the new one", async () => {
    const { api, tenantId } = await emptyTenant();
    await api.put(CUSTOMER, { params: { code: 'A' }, body: customer('A') });
    await api.put(INVOICE, { params: { number: '60' }, body: invoice(60, 'A', { Total: '120.00' }) });
    expect(await dryRun(tenantId, 'A')).toEqual([expect.objectContaining({ Balance: '£120.00' })]);

    const response = await api.put(SETTINGS, {
      body: { CompanyName: 'Example', TimeZone: 'Europe/London', Currency: 'JPY' },
    });

    // The customer's currency was fixed when it was created: new customers take JPY, A stays in GBP.
    expect(response.statusCode).toBe(200);
    expect(await dryRun(tenantId, 'A')).toEqual([expect.objectContaining({ Balance: '£120.00' })]);
    const changed = await api.put(CUSTOMER, {
      params: { code: 'A' },
      body: customer('A', { Currency: { Code: 'JPY' } }),
    });
    expect(changed.statusCode).toBe(400);
    expect(bodyOf(changed).Message).toMatch(/^Currency\.Code: must stay GBP/);
  });

  it("a template within its own rules fits DynamoDB's 400 KB item limit in UTF-8 (dynalite counts UTF-16 units, AWS counts bytes)", async () => {
    const { api, tenantId } = await emptyTenant();

    const response = await api.put(TEMPLATE, {
      params: { number: '7' },
      body: { Name: 'Big', Subject: 'S', Body: '€'.repeat(100_000) },
    });

    // Refusing it (400 naming Body) is as good as storing it; storing an item AWS would refuse is not.
    if (response.statusCode === 400) expect(bodyOf(response).Message).toMatch(/^Body: /);
    else {
      const item = (await tenantItems(tenantId)).find((entry) => String(entry.SK).startsWith('TEMPLATE#'));
      expect(utf8Bytes(item)).toBeLessThanOrEqual(400 * 1024);
    }
  });

  it("bulk: no transaction it sends is over DynamoDB's 4 MB (counted in UTF-8 bytes) for a body under the 3 MB limit", async () => {
    const { api } = await emptyTenant();
    const transactions: number[] = [];
    const client = dynamoDbClient();
    const name = `transaction-sizes-${Math.random()}`;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'TransactWriteItemsCommand') {
          const { TransactItems = [] } = JSON.parse(String((args.request as { body: string }).body)) as {
            TransactItems?: unknown[];
          };
          transactions.push(TransactItems.reduce<number>((sum, write) => sum + utf8Bytes(write), 0));
        }
        return next(args);
      },
      { step: 'finalizeRequest', name },
    );
    // 11 customers of 80,000 three-byte characters each: a 2.7 MB body, each record stored twice.
    const big = (code: string) =>
      customer(code, {
        Contacts: Array.from({ length: 16 }, () => ({ Name: '€'.repeat(1000), Email: '€'.repeat(1000) })),
        Addresses: Array.from({ length: 8 }, () => ({
          Line1: '€'.repeat(1000),
          Line2: '€'.repeat(1000),
          Town: '€'.repeat(1000),
          County: '€'.repeat(1000),
          Line3: '€'.repeat(1000),
        })),
      });
    const body = JSON.stringify({
      Operations: Array.from({ length: 11 }, (_, index) => ({
        Action: 'Upsert',
        Type: 'Customer',
        Record: big(`BIG${index}`),
      })),
    });
    expect(Buffer.byteLength(body)).toBeLessThan(3_000_000);

    try {
      await api.post(BATCH, { body });
    } finally {
      client.middlewareStack.remove(name);
    }

    expect(Math.max(...transactions)).toBeLessThanOrEqual(4 * 1024 * 1024);
  });
});

describe('a deleted customer created again', () => {
  it('keeps the currency its documents are held in', async () => {
    const { api } = await emptyTenant();
    await api.put(CUSTOMER, { params: { code: 'R' }, body: customer('R') });
    await api.put(INVOICE, { params: { number: '70' }, body: invoice(70, 'R', { Total: '120.00' }) });
    expect((await api.delete(CUSTOMER, { params: { code: 'R' } })).statusCode).toBe(204);

    const again = await api.put(CUSTOMER, {
      params: { code: 'R' },
      body: customer('R', { Currency: { Code: 'JPY' } }),
    });

    expect(again.statusCode).toBe(400);
    expect(bodyOf(again).Message).toMatch(/^Currency\.Code: must stay GBP/);
    expect((await api.put(CUSTOMER, { params: { code: 'R' }, body: customer('R') })).statusCode).toBe(201);
  });
});
