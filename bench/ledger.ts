/**
 * ledger.ingest: a SaaS's first load through the ledger API, over the local gateway (HTTP, the
 * authorizer, the real handler), as a client would send it. 100,000 records (1,000 customers,
 * 59,000 invoices, 20,000 credit notes, 20,000 payments) through `POST /v2/ledger/batch`, 1,000 a
 * call and a few calls at once, against one PUT per record for a sample of the same mix at the
 * same concurrency, in the same run. The DynamoDB requests the bulk makes per 1,000 records are
 * counted on the process's client (the handler runs in this process), not timed.
 */

import { dynamoDbClient } from '#shared/aws/dynamodb.ts';
import { forEachConcurrently } from '#shared/concurrency.ts';
import { importFixture } from '#shared/seed/import-fixture.ts';
import { recordRequests } from '#test/support/sdk-requests.ts';
import { type LocalGateway, startLocalGateway } from '../infra/local/gateway.ts';
import { localRoutes } from '../infra/local/routes.ts';
import { type Row, ratio } from './lib/setup.ts';

/** Records a bulk call carries, the API's limit. */
const PER_CALL = 1_000;
/** Bulk calls: 100 of 1,000 records. */
const CALLS = 100;
/** Bulk calls (and PUTs) in flight at once. */
const CONCURRENCY = 4;
/** Chunks of the same mix sent one PUT per record: 3,000 records. */
const PUT_CHUNKS = 3;

/** A record of the load, as its PUT route and the bulk's operation both take it. */
interface LoadRecord {
  type: 'Customer' | 'Invoice' | 'CreditNote' | 'Payment';
  record: Record<string, unknown> & { Version: number };
}

const code = (customer: number) => `L${String(customer).padStart(5, '0')}`;

/**
 * One chunk of 1,000 records, whole by itself (the bulk applies customers before their documents):
 * 10 customers, 590 invoices, 200 credit notes allocated to invoices of the chunk, 200 payments
 * (150 allocated, 50 on account). Numbers are unique across chunks.
 */
function chunkOf(index: number): LoadRecord[] {
  const customers = Array.from({ length: 10 }, (_, offset) => index * 10 + offset);
  const base = index * PER_CALL;
  const customerOf = (offset: number) => code(customers[offset % 10] as number);
  const day = (offset: number) => String(1 + (offset % 28)).padStart(2, '0');
  return [
    ...customers.map(
      (customer): LoadRecord => ({
        type: 'Customer',
        record: {
          Code: code(customer),
          Name: `Ledger Load ${customer} Ltd`,
          Contacts: [
            { Name: 'Accounts', Email: `accounts.${customer}@ledger-load.example`, IsPrimary: true },
            { Name: 'Director', Email: `director.${customer}@ledger-load.example`, StatementRecipient: 'CC' },
          ],
          Addresses: [
            { Line1: `${customer} High Street`, Town: 'Leeds', PostCode: 'LS1 1AA', CountryCode: 'GB' },
          ],
          PaymentTerms: { Days: 30, Type: 'DaysAfterInvoiceDate' },
          Version: 1,
        },
      }),
    ),
    ...Array.from(
      { length: 590 },
      (_, offset): LoadRecord => ({
        type: 'Invoice',
        record: {
          Number: base + offset + 1,
          CustomerCode: customerOf(offset),
          IssuedDate: `2026-09-${day(offset)}`,
          DueDate: `2026-10-${day(offset)}`,
          Total: `${100 + (offset % 900)}.${String(offset % 100).padStart(2, '0')}`,
          Reference: `PO-${base + offset}`,
          Version: 1,
        },
      }),
    ),
    ...Array.from(
      { length: 200 },
      (_, offset): LoadRecord => ({
        type: 'CreditNote',
        record: {
          Number: base + offset + 1,
          CustomerCode: customerOf(offset),
          IssuedDate: `2026-10-${day(offset)}`,
          Total: '25.00',
          Allocations: [{ InvoiceNumber: base + offset + 1, Amount: '25.00' }],
          Version: 1,
        },
      }),
    ),
    ...Array.from(
      { length: 200 },
      (_, offset): LoadRecord => ({
        type: 'Payment',
        record: {
          Number: base + offset + 1,
          ...(offset < 150
            ? { InvoiceNumber: base + 200 + offset + 1 }
            : { CustomerCode: customerOf(offset) }),
          Date: `2026-10-${day(offset)}`,
          Amount: '50.00',
          Method: 'BACS',
          Version: 1,
        },
      }),
    ),
  ];
}

/** The PUT route of each type and the field its path names. */
const PUT_ROUTES: Record<LoadRecord['type'], { collection: string; key: 'Code' | 'Number' }> = {
  Customer: { collection: '/v2/customers', key: 'Code' },
  Invoice: { collection: '/v2/invoices', key: 'Number' },
  CreditNote: { collection: '/v2/creditnotes', key: 'Number' },
  Payment: { collection: '/v2/payments', key: 'Number' },
};

async function call(gateway: LocalGateway, token: string, method: string, path: string, body: string) {
  const response = await fetch(`${gateway.url}${path}`, {
    method,
    headers: { Authorization: `KfToken ${token}`, 'Content-Type': 'application/json' },
    body,
  });
  return { status: response.status, text: await response.text() };
}

/** A tenant of its own for each side, so that neither finds the other's records. */
async function loadTenant(id: string): Promise<string> {
  const token = `${id}-token-0123456789`;
  await importFixture(
    {
      Tenants: [
        {
          Id: id,
          Name: 'Ledger Load Ltd',
          FromEmail: 'accounts@ledger-load.example',
          TimeZone: 'Europe/London',
          Currency: 'GBP',
          ApiTokens: [token],
        },
      ],
    },
    new Date().toISOString().slice(0, 10),
  );
  return token;
}

/** Every record of the load through the bulk; every result must be Created. */
async function ingestInBulk(gateway: LocalGateway, token: string): Promise<number> {
  const started = performance.now();
  await forEachConcurrently(
    Array.from({ length: CALLS }, (_, index) => index),
    CONCURRENCY,
    async (index) => {
      const operations = chunkOf(index).map(({ type, record }) => ({
        Action: 'Upsert',
        Type: type,
        Record: record,
      }));
      const response = await call(
        gateway,
        token,
        'POST',
        '/v2/ledger/batch',
        JSON.stringify({ Operations: operations }),
      );
      if (response.status !== 200) throw new Error(`bulk call ${index}: ${response.status} ${response.text}`);
      const { Summary } = JSON.parse(response.text) as { Summary: Record<string, number> };
      if (Summary.Created !== PER_CALL) throw new Error(`bulk call ${index}: ${JSON.stringify(Summary)}`);
    },
  );
  return (performance.now() - started) / 1000;
}

/**
 * The sample one PUT per record, chunk by chunk: a chunk's customers, then its invoices, then its
 * credit notes and payments (each needs what came before), `CONCURRENCY` PUTs in flight.
 */
async function ingestOneByOne(gateway: LocalGateway, token: string): Promise<number> {
  const started = performance.now();
  for (let index = 0; index < PUT_CHUNKS; index += 1) {
    const records = chunkOf(index);
    const phases = [['Customer'], ['Invoice'], ['CreditNote', 'Payment']];
    for (const types of phases) {
      await forEachConcurrently(
        records.filter((entry) => types.includes(entry.type)),
        CONCURRENCY,
        async ({ type, record }) => {
          const route = PUT_ROUTES[type];
          const id = encodeURIComponent(String(record[route.key]));
          const response = await call(
            gateway,
            token,
            'PUT',
            `${route.collection}/${id}`,
            JSON.stringify(record),
          );
          if (response.status !== 201)
            throw new Error(`PUT ${type} ${id}: ${response.status} ${response.text}`);
        },
      );
    }
  }
  return (performance.now() - started) / 1000;
}

/** The ledger.ingest rows: records/s of the bulk against PUTs, and the bulk's requests per 1,000. */
export async function benchLedger(): Promise<Row[]> {
  const { routes, authorizer } = await localRoutes();
  const gateway = await startLocalGateway({ port: 0, routes, authorizer });
  try {
    const bulkToken = await loadTenant('bench-ledger-bulk');
    const putToken = await loadTenant('bench-ledger-put');
    const records = CALLS * PER_CALL;
    const sample = PUT_CHUNKS * PER_CALL;

    const counter = recordRequests(dynamoDbClient());
    const bulkSeconds = await ingestInBulk(gateway, bulkToken);
    const bulkRequests = counter.total();
    const bulkDetail = counter.describe();
    counter.reset();
    const putSeconds = await ingestOneByOne(gateway, putToken);
    const putRequests = counter.total();
    const putDetail = counter.describe();
    counter.detach();

    const bulkRate = records / bulkSeconds;
    const putRate = sample / putSeconds;
    const perThousand = (bulkRequests / records) * 1_000;
    const putPerThousand = (putRequests / sample) * 1_000;
    return [
      {
        name: 'ledger.ingest',
        measure: `records/s over HTTP, ${CONCURRENCY} calls at a time: ${records.toLocaleString('en-GB')} in ${CALLS} bulk calls of ${PER_CALL.toLocaleString('en-GB')} (${bulkSeconds.toFixed(0)} s) vs ${sample.toLocaleString('en-GB')} PUTs (${putSeconds.toFixed(0)} s)`,
        ours: bulkRate.toFixed(0),
        baseline: putRate.toFixed(0),
        ratio: ratio(bulkRate, putRate),
        goal: '>= 10x',
        met: bulkRate / putRate >= 10,
      },
      {
        name: 'ledger.ingest',
        measure: `DynamoDB requests per 1,000 records (all ${CALLS} calls: ${bulkDetail}; PUTs: ${putDetail})`,
        ours: perThousand.toFixed(1),
        baseline: putPerThousand.toFixed(0),
        ratio: ratio(perThousand, putPerThousand),
        goal: '<= 60',
        met: perThousand <= 60,
      },
    ];
  } finally {
    await gateway.stop();
  }
}
