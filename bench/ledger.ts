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
import { startLocalGateway } from '../infra/local/gateway.ts';
import { localRoutes } from '../infra/local/routes.ts';
import { type ApiClient, apiClient } from '../test/support/api-client.ts';
import type { components } from '../test/support/api-types.ts';
import { type Row, ratio } from './lib/setup.ts';

/** Records a bulk call carries, the API's limit. */
const PER_CALL = 1_000;
/** Bulk calls: 100 of 1,000 records. */
const CALLS = 100;
/** Bulk calls (and PUTs) in flight at once. */
const CONCURRENCY = 4;
/** Chunks of the same mix sent one PUT per record: 3,000 records. */
const PUT_CHUNKS = 3;

type Schemas = components['schemas'];

/** A record of the load, in the body its PUT route and the bulk's operation both take (docs/openapi.json). */
type LoadRecord =
  | { type: 'Customer'; record: Schemas['CustomerBody'] & { Code: string } }
  | { type: 'Invoice'; record: Schemas['InvoiceBody'] & { Number: number } }
  | { type: 'CreditNote'; record: Schemas['CreditNoteBody'] & { Number: number } }
  | { type: 'Payment'; record: Schemas['PaymentBody'] & { Number: number } };

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

/** The record as the bulk's Upsert operation. */
function upsertOf(entry: LoadRecord): Schemas['LedgerBatch']['Operations'][number] {
  switch (entry.type) {
    case 'Customer':
      return { Action: 'Upsert', Type: 'Customer', Record: entry.record };
    case 'Invoice':
      return { Action: 'Upsert', Type: 'Invoice', Record: entry.record };
    case 'CreditNote':
      return { Action: 'Upsert', Type: 'CreditNote', Record: entry.record };
    case 'Payment':
      return { Action: 'Upsert', Type: 'Payment', Record: entry.record };
  }
}

/** The record through its own PUT route, the path naming it. */
function putRecord(client: ApiClient, entry: LoadRecord) {
  switch (entry.type) {
    case 'Customer':
      return client.PUT('/v2/customers/{code}', {
        params: { path: { code: entry.record.Code } },
        body: entry.record,
      });
    case 'Invoice':
      return client.PUT('/v2/invoices/{number}', {
        params: { path: { number: entry.record.Number } },
        body: entry.record,
      });
    case 'CreditNote':
      return client.PUT('/v2/creditnotes/{number}', {
        params: { path: { number: entry.record.Number } },
        body: entry.record,
      });
    case 'Payment':
      return client.PUT('/v2/payments/{number}', {
        params: { path: { number: entry.record.Number } },
        body: entry.record,
      });
  }
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
async function ingestInBulk(client: ApiClient): Promise<number> {
  const started = performance.now();
  await forEachConcurrently(
    Array.from({ length: CALLS }, (_, index) => index),
    CONCURRENCY,
    async (index) => {
      const { data, error, response } = await client.POST('/v2/ledger/batch', {
        body: { Operations: chunkOf(index).map(upsertOf) },
      });
      if (data === undefined)
        throw new Error(`bulk call ${index}: ${response.status} ${JSON.stringify(error)}`);
      if (data.Summary.Created !== PER_CALL)
        throw new Error(`bulk call ${index}: ${JSON.stringify(data.Summary)}`);
    },
  );
  return (performance.now() - started) / 1000;
}

/**
 * The sample one PUT per record, chunk by chunk: a chunk's customers, then its invoices, then its
 * credit notes and payments (each needs what came before), `CONCURRENCY` PUTs in flight.
 */
async function ingestOneByOne(client: ApiClient): Promise<number> {
  const started = performance.now();
  for (let index = 0; index < PUT_CHUNKS; index += 1) {
    const records = chunkOf(index);
    const phases = [['Customer'], ['Invoice'], ['CreditNote', 'Payment']];
    for (const types of phases) {
      await forEachConcurrently(
        records.filter((entry) => types.includes(entry.type)),
        CONCURRENCY,
        async (entry) => {
          const { error, response } = await putRecord(client, entry);
          if (response.status !== 201)
            throw new Error(`PUT ${entry.type}: ${response.status} ${JSON.stringify(error)}`);
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
    // The typed client (docs/openapi.json's types), unchecked: the contract is the tests' to check.
    const clientOf = (token: string) => apiClient({ baseUrl: gateway.url, token, checkContract: false });
    const bulkClient = clientOf(await loadTenant('bench-ledger-bulk'));
    const putClient = clientOf(await loadTenant('bench-ledger-put'));
    const records = CALLS * PER_CALL;
    const sample = PUT_CHUNKS * PER_CALL;

    const counter = recordRequests(dynamoDbClient());
    const bulkSeconds = await ingestInBulk(bulkClient);
    const bulkRequests = counter.total();
    const bulkDetail = counter.describe();
    counter.reset();
    const putSeconds = await ingestOneByOne(putClient);
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
