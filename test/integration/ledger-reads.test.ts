/**
 * The worker's ledger reads (shared/aws/dynamodb-ledger.ts) against the embedded DynamoDB, on
 * projection items written directly, as the ledger API's write path will write them
 * (`INVOICE#`, `CREDITNOTE#`, `PAYMENT#` and the padded number in the customer's partition).
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { documentClient, dynamoDbClient, writeItems } from '#shared/aws/dynamodb.ts';
import {
  getTemplate,
  newReadCost,
  streamCreditNotes,
  streamInvoices,
  streamLedger,
  streamPayments,
} from '#shared/aws/dynamodb-ledger.ts';
import { creditNoteKey, invoiceKey, paymentKey } from '#shared/aws/table-keys.ts';
import { applyLedgerOperations } from '#shared/services/ledger/apply-ledger-operations.ts';
import { uniqueTenantId } from '../support/tenants.ts';

const invoice = (tenantId: string, code: string, number: number, issuedDate: string) => ({
  ...invoiceKey(tenantId, code, number),
  type: 'Invoice',
  number,
  customerCode: code,
  issuedDate,
  dueDate: issuedDate,
  totalMinor: 1000 + number,
  reference: `PO-${number}`,
});

const creditNote = (tenantId: string, code: string, number: number, issuedDate: string) => ({
  ...creditNoteKey(tenantId, code, number),
  type: 'CreditNote',
  number,
  customerCode: code,
  issuedDate,
  totalMinor: 200 + number,
  reference: `CN-${number}`,
  allocations: [{ invoiceNumber: number, amountMinor: 100 }],
});

const payment = (tenantId: string, code: string, number: number, date: string, invoiceNumber?: number) => ({
  ...paymentKey(tenantId, code, number),
  type: 'Payment',
  number,
  customerCode: code,
  ...(invoiceNumber === undefined ? {} : { invoiceNumber }),
  date,
  amountMinor: 300 + number,
});

const put = (item: Record<string, unknown>) =>
  documentClient().send(new PutCommand({ TableName: process.env.TABLE_NAME, Item: item }));

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of stream) items.push(item);
  return items;
}

/** The Query requests and their raw answers, seen by a middleware on the real client. */
function recordQueries() {
  const name = `ledger-queries-${Math.random()}`;
  const seen: { input: Record<string, unknown>; items: Record<string, unknown>[] }[] = [];
  dynamoDbClient().middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'QueryCommand') {
        const output = result.output as { Items?: Record<string, unknown>[] };
        seen.push({ input: args.input as Record<string, unknown>, items: output.Items ?? [] });
      }
      return result;
    },
    { step: 'initialize', name },
  );
  return { seen, detach: () => dynamoDbClient().middlewareStack.remove(name) };
}

let detach: (() => void) | undefined;
afterEach(() => {
  detach?.();
  detach = undefined;
});

describe('the ledger streams', () => {
  it('see an item written just before, with a strongly consistent read (1 unit per 4 KB, not 0.5)', async () => {
    const tenantId = uniqueTenantId('reads');
    const queries = recordQueries();
    detach = queries.detach;
    const cost = newReadCost();

    await put(invoice(tenantId, '101', 1, '2026-01-10'));
    const read = await collect(streamInvoices(tenantId, '101', '2026-03-31', cost));

    expect(read.map((item) => item.number)).toEqual([1]);
    expect(queries.seen.map((query) => query.input.ConsistentRead)).toEqual([true]);
    // One page of one small item: 1 capacity unit strongly consistent, 0.5 eventually consistent.
    expect(cost).toEqual({ requests: 1, itemsRead: 1, capacityUnits: 1 });
  });

  it('keep each kind to its own items, whatever number they share', async () => {
    const tenantId = uniqueTenantId('reads');
    await Promise.all([
      put(invoice(tenantId, '101', 5, '2026-01-10')),
      put(creditNote(tenantId, '101', 5, '2026-01-11')),
      put(payment(tenantId, '101', 5, '2026-01-12', 5)),
    ]);

    const ledger = streamLedger(tenantId, '101', undefined);

    expect(await collect(ledger.invoices)).toEqual([
      { number: 5, issuedDate: '2026-01-10', dueDate: '2026-01-10', totalMinor: 1005 },
    ]);
    expect(await collect(ledger.creditNotes)).toEqual([
      { number: 5, issuedDate: '2026-01-11', totalMinor: 205 },
    ]);
    expect(await collect(ledger.payments)).toEqual([
      { number: 5, invoiceNumber: 5, date: '2026-01-12', amountMinor: 305 },
    ]);
  });

  it('filter on the date up to the end, inclusive, and read every item when there is no end', async () => {
    const tenantId = uniqueTenantId('reads');
    // Numbers out of date order: the keys sort by number, not date.
    const dates: [number, string][] = [
      [1, '2026-04-01'],
      [2, '2026-03-31'],
      [3, '2025-12-01'],
    ];
    await writeItems({
      puts: dates.flatMap(([number, date]) => [
        invoice(tenantId, '101', number, date),
        creditNote(tenantId, '101', number, date),
        payment(tenantId, '101', number, date, number === 3 ? undefined : 1),
      ]),
      deletes: [],
    });
    const cost = newReadCost();

    const upToEnd = streamLedger(tenantId, '101', '2026-03-31', cost);
    expect((await collect(upToEnd.invoices)).map((item) => item.number)).toEqual([2, 3]);
    expect((await collect(upToEnd.creditNotes)).map((item) => item.number)).toEqual([2, 3]);
    expect(await collect(upToEnd.payments)).toEqual([
      { number: 2, invoiceNumber: 1, date: '2026-03-31', amountMinor: 302 },
      { number: 3, date: '2025-12-01', amountMinor: 303 },
    ]);
    // The filter drops items after DynamoDB read them: they are read, and paid for, all the same.
    expect(cost).toMatchObject({ requests: 3, itemsRead: 9 });

    const everything = streamLedger(tenantId, '101', undefined);
    expect((await collect(everything.invoices)).map((item) => item.number)).toEqual([1, 2, 3]);
    expect((await collect(everything.creditNotes)).map((item) => item.number)).toEqual([1, 2, 3]);
    expect((await collect(everything.payments)).map((item) => item.number)).toEqual([1, 2, 3]);
  });

  it('read only the attributes the statement needs', async () => {
    const tenantId = uniqueTenantId('reads');
    await Promise.all([
      put(invoice(tenantId, '101', 1, '2026-01-10')),
      put(creditNote(tenantId, '101', 1, '2026-01-10')),
      put(payment(tenantId, '101', 1, '2026-01-10', 1)),
    ]);
    const queries = recordQueries();
    detach = queries.detach;

    const ledger = streamLedger(tenantId, '101', '2026-03-31');
    await collect(ledger.invoices);
    await collect(ledger.creditNotes);
    await collect(ledger.payments);

    const attributes = queries.seen.map((query) => query.items.map((item) => Object.keys(item).sort()));
    expect(attributes).toEqual([
      [['dueDate', 'issuedDate', 'number', 'totalMinor']],
      [['issuedDate', 'number', 'totalMinor']],
      [['amountMinor', 'date', 'invoiceNumber', 'number']],
    ]);
  });

  it("never read another tenant's or another customer's items", async () => {
    const tenantId = uniqueTenantId('reads');
    const otherTenant = uniqueTenantId('reads');
    await writeItems({
      puts: [
        invoice(tenantId, '101', 1, '2026-01-10'),
        creditNote(tenantId, '101', 1, '2026-01-10'),
        payment(tenantId, '101', 1, '2026-01-10', 1),
        // The same numbers for customer 1010 (whose code starts with 101) and for another tenant.
        ...[invoice, creditNote].flatMap((make) => [
          make(tenantId, '1010', 2, '2026-01-10'),
          make(otherTenant, '101', 3, '2026-01-10'),
        ]),
        payment(tenantId, '1010', 2, '2026-01-10', 2),
        payment(otherTenant, '101', 3, '2026-01-10', 3),
      ],
      deletes: [],
    });

    const readers: ((tenant: string, code: string) => AsyncIterable<{ number: number }>)[] = [
      (tenant, code) => streamInvoices(tenant, code, undefined),
      (tenant, code) => streamCreditNotes(tenant, code, undefined),
      (tenant, code) => streamPayments(tenant, code, undefined),
    ];
    for (const read of readers) {
      expect((await collect(read(tenantId, '101'))).map((item) => item.number)).toEqual([1]);
      expect((await collect(read(tenantId, '1010'))).map((item) => item.number)).toEqual([2]);
      expect((await collect(read(otherTenant, '101'))).map((item) => item.number)).toEqual([3]);
    }
  });

  it('page through more than 1,000 items of a kind', async () => {
    const tenantId = uniqueTenantId('reads');
    const count = 1_005;
    await writeItems({
      puts: Array.from({ length: count }, (_, index) => payment(tenantId, '101', index + 1, '2026-01-10')),
      deletes: [],
    });
    const cost = newReadCost();

    const numbers = (await collect(streamPayments(tenantId, '101', '2026-03-31', cost))).map(
      (item) => item.number,
    );

    expect(numbers).toEqual(Array.from({ length: count }, (_, index) => index + 1));
    expect(cost).toMatchObject({ requests: 2, itemsRead: count });
  });

  it('refuse a stored item that breaks its schema instead of computing with it', async () => {
    const tenantId = uniqueTenantId('reads');
    await put({ ...payment(tenantId, '101', 1, '2026-01-10', 1), amountMinor: '3.00' });

    await expect(collect(streamPayments(tenantId, '101', undefined))).rejects.toThrow(/amountMinor/);
  });
});

describe('getTemplate on templates the ledger API writes', () => {
  const template = (number: number, subject: string) => ({
    action: 'Upsert',
    type: 'EmailTemplate',
    record: { Number: number, Name: `Template ${number}`, Subject: subject, Body: '<p>#BALANCE#</p>' },
  });

  it('reads a template written just before, and a deleted one as none, so the worker falls back', async () => {
    const tenantId = uniqueTenantId();
    await applyLedgerOperations(tenantId, [template(7, 'First')]);
    await applyLedgerOperations(tenantId, [template(7, 'Second')]);
    expect((await getTemplate(tenantId, 7))?.subject).toBe('Second');

    const [deleted] = await applyLedgerOperations(tenantId, [
      { action: 'Delete', type: 'EmailTemplate', id: 7 },
    ]);

    expect(deleted?.result).toBe('Deleted');
    expect(await getTemplate(tenantId, 7)).toBeUndefined();
  });
});
