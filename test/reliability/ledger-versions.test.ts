/**
 * Versions, not arrival order, under load: 10,000 versioned writes of 40 customers and 480
 * invoices (with exact duplicates, invoices moving between customers, in a shuffled order) sent
 * 16 calls at a time, mixing single-record PUTs and bulk calls of random sizes, through the real
 * ledger handler. Every record must end at its newest version, with its projection in its final
 * customer's partition only, and every answer must be one the version rules allow.
 */
import { isDeepStrictEqual } from 'node:util';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchGet, documentClient } from '#shared/aws/dynamodb.ts';
import { customerKey, customerPartition, customerRecordKey, documentKey } from '#shared/aws/table-keys.ts';
import { forEachConcurrently } from '#shared/concurrency.ts';
import { uniqueTenantId } from '../support/tenants.ts';
import {
  type BatchOperation,
  type BatchResult,
  createEmptyTenant,
  postBatch,
  putRecord,
  putResultWord,
  seededRandom,
  shuffle,
} from './ledger-harness.ts';
import { recordFigure } from './report.ts';

const SEED = 20261124;
const CUSTOMERS = 40;
/** Distinct versions of each customer, and resends of versions already sent. */
const CUSTOMER_VERSIONS = 8;
const CUSTOMER_DUPLICATES = 2;
const INVOICES = 480;
const INVOICE_VERSIONS = 16;
const INVOICE_DUPLICATES = 4;
const CONCURRENCY = 16;
/** The share of writes sent as a single-record PUT; the others go in bulk calls of 1 to 300. */
const PUT_SHARE = 0.1;
const MAX_BULK = 300;

const customerCode = (index: number) => `V${String(index).padStart(2, '0')}`;
const invoiceNumber = (index: number) => 700_001 + index;
/** Customers carry timestamp Versions, invoices counters: both kinds are judged. */
const customerVersion = (version: number) => new Date(Date.UTC(2026, 10, 24, 9, 0, version)).toISOString();

function customerRecord(index: number, version: number) {
  return {
    Code: customerCode(index),
    Name: `Customer ${index} v${version}`,
    Contacts: [
      { Name: `Contact v${version}`, Email: `c${index}.v${version}@versions.example`, IsPrimary: true },
    ],
    Version: customerVersion(version),
  };
}

/** Two invoices in three stay with one customer; the others move at versions 7 and 13. */
const invoiceCustomer = (index: number, version: number) =>
  customerCode((index + (index % 3 === 0 ? Math.floor((version - 1) / 6) : 0)) % CUSTOMERS);

const day = (version: number) => String(version).padStart(2, '0');

function invoiceRecord(index: number, version: number) {
  return {
    Number: invoiceNumber(index),
    CustomerCode: invoiceCustomer(index, version),
    IssuedDate: `2026-01-${day(version)}`,
    DueDate: `2026-02-${day(version)}`,
    Total: `${index + 1}.${day(version)}`,
    Reference: `R${index}-v${version}`,
    Version: version,
  };
}

/** One write the scenario sends: which record, which of its versions. */
interface Write {
  type: 'Customer' | 'Invoice';
  index: number;
  version: number;
  record: Record<string, unknown>;
}

const recordId = (write: Pick<Write, 'type' | 'index'>) => `${write.type}:${write.index}`;

/** Each record's versions, plus resends of some of them. */
function writesOf(
  type: Write['type'],
  count: number,
  versions: number,
  duplicates: number,
  random: () => number,
): Write[] {
  const build = type === 'Customer' ? customerRecord : invoiceRecord;
  return Array.from({ length: count }, (_, index) => {
    const sent = Array.from({ length: versions }, (_, at) => at + 1);
    for (let resend = 0; resend < duplicates; resend += 1) sent.push(1 + Math.floor(random() * versions));
    return sent.map((version) => ({ type, index, version, record: build(index, version) }));
  }).flat();
}

/** A call to the API: one PUT, or one bulk. */
type Call = { put: Write } | { bulk: Write[] };

function toOperation(write: Write): BatchOperation {
  return { Action: 'Upsert', Type: write.type, Record: write.record };
}

describe('10,000 versioned writes, shuffled and concurrent, through PUT and bulk', () => {
  const tenantId = uniqueTenantId('versions');
  const random = seededRandom(SEED);
  const answers = new Map<string, string[]>();
  const answer = (write: Write, word: string) => {
    const key = `${recordId(write)}@${write.version}`;
    answers.set(key, [...(answers.get(key) ?? []), word]);
  };
  let sentWrites = 0;
  let resent = 0;
  let puts = 0;
  let bulks = 0;
  let seconds = 0;
  const unexpected: string[] = [];

  /** Sends a call; a `Conflict` (the record kept changing) is sent again, as the answer asks. */
  async function send(call: Call): Promise<void> {
    if ('put' in call) {
      puts += 1;
      const word = putResultWord(await putRecord(tenantId, call.put.type, call.put.record));
      answer(call.put, word);
      if (word === 'Conflict') {
        resent += 1;
        await send(call);
      } else if (!['Created', 'Updated', 'Unchanged', 'Stale'].includes(word)) {
        unexpected.push(`${recordId(call.put)} v${call.put.version}: ${word}`);
      }
      return;
    }
    bulks += 1;
    const response = await postBatch(tenantId, call.bulk.map(toOperation));
    if (response.statusCode !== 200) {
      unexpected.push(`bulk of ${call.bulk.length}: HTTP ${response.statusCode} ${response.body}`);
      return;
    }
    const { Results } = JSON.parse(response.body) as { Results: BatchResult[] };
    expect(Results.map((result) => result.Index)).toEqual(call.bulk.map((_, index) => index));
    const again: Write[] = [];
    Results.forEach((result, index) => {
      const write = call.bulk[index] as Write;
      answer(write, result.Result);
      if (result.Result === 'Conflict') again.push(write);
      else if (!['Created', 'Updated', 'Unchanged', 'Stale'].includes(result.Result)) {
        unexpected.push(`${recordId(write)} v${write.version}: ${result.Result} ${result.Message ?? ''}`);
      }
    });
    if (again.length > 0) {
      resent += again.length;
      await send({ bulk: again });
    }
  }

  beforeAll(async () => {
    await createEmptyTenant(tenantId);
    const customers = writesOf('Customer', CUSTOMERS, CUSTOMER_VERSIONS, CUSTOMER_DUPLICATES, random);
    const invoices = writesOf('Invoice', INVOICES, INVOICE_VERSIONS, INVOICE_DUPLICATES, random);
    // An invoice needs its customer: each customer's first version goes first, in one bulk call.
    const first = Array.from(
      { length: CUSTOMERS },
      (_, index) => customers.find((write) => write.index === index && write.version === 1) as Write,
    );
    const rest = shuffle(
      [...customers, ...invoices].filter((write) => !first.includes(write)),
      random,
    );
    sentWrites = first.length + rest.length;
    const calls: Call[] = [];
    let bulk: Write[] = [];
    let target = 1 + Math.floor(random() * MAX_BULK);
    for (const write of rest) {
      if (random() < PUT_SHARE) {
        calls.push({ put: write });
        continue;
      }
      bulk.push(write);
      if (bulk.length === target) {
        calls.push({ bulk });
        bulk = [];
        target = 1 + Math.floor(random() * MAX_BULK);
      }
    }
    if (bulk.length > 0) calls.push({ bulk });

    const started = Date.now();
    await send({ bulk: first });
    await forEachConcurrently(calls, CONCURRENCY, send);
    seconds = (Date.now() - started) / 1000;
  });

  it('sends 10,000 writes and gets only the answers the version rules allow', () => {
    expect(sentWrites).toBe(10_000);
    expect(unexpected).toEqual([]);
    const stale = [...answers.values()].flat().filter((word) => word === 'Stale').length;
    recordFigure(
      'ledger.versions.writes',
      sentWrites,
      `versioned writes sent (${puts} PUTs, ${bulks} bulk calls, ${CONCURRENCY} at a time, ${seconds.toFixed(0)} s), seed ${SEED}`,
    );
    recordFigure(
      'ledger.versions.stale_answers',
      stale,
      'writes answered Stale (an older version arriving after a newer one)',
    );
    recordFigure(
      'ledger.versions.conflicts_resent',
      resent,
      'writes answered Conflict (the record kept changing) and sent again',
    );
    // The same version is applied once: its other sends are Unchanged, or Stale once a newer one is in.
    const appliedTwice = [...answers.entries()].filter(
      ([, words]) => words.filter((word) => word === 'Created' || word === 'Updated').length > 1,
    );
    expect(appliedTwice).toEqual([]);
  });

  it('ends every record at its newest version, in one customer partition, none lost', async () => {
    const wrong: string[] = [];
    let lost = 0;
    const newest = (type: Write['type']) => (type === 'Customer' ? CUSTOMER_VERSIONS : INVOICE_VERSIONS);
    const keys = [
      ...Array.from({ length: CUSTOMERS }, (_, index) => customerRecordKey(tenantId, customerCode(index))),
      ...Array.from({ length: CUSTOMERS }, (_, index) => customerKey(tenantId, customerCode(index))),
      ...Array.from({ length: INVOICES }, (_, index) =>
        documentKey(tenantId, 'INVOICE', invoiceNumber(index)),
      ),
    ];
    const items = new Map<string, Record<string, unknown>>();
    for (let start = 0; start < keys.length; start += 100) {
      for (const item of await batchGet(keys.slice(start, start + 100), undefined, true))
        items.set(`${item.PK}|${item.SK}`, item);
    }
    const at = (key: { PK: string; SK: string }) => items.get(`${key.PK}|${key.SK}`);

    // The newest version's sends were applied, never answered Stale; an Unchanged only for a resend.
    for (const [key, words] of answers) {
      const [record, version] = key.split('@') as [string, string];
      const type = record.split(':')[0] as Write['type'];
      if (Number(version) === newest(type)) {
        if (words.includes('Stale')) wrong.push(`${key} (the newest) answered Stale`);
        if (!words.some((word) => word === 'Created' || word === 'Updated'))
          wrong.push(`${key} (the newest) was never applied: ${words.join(', ')}`);
      }
      if (
        words.length - words.filter((word) => word === 'Conflict').length === 1 &&
        words.includes('Unchanged')
      )
        wrong.push(`${key} was sent once and answered Unchanged`);
    }

    for (let index = 0; index < CUSTOMERS; index += 1) {
      const canonical = at(customerRecordKey(tenantId, customerCode(index)));
      const expected = customerRecord(index, CUSTOMER_VERSIONS);
      if (canonical?.versionText !== expected.Version) {
        lost += 1;
        wrong.push(`customer ${index} stored at ${String(canonical?.versionText)}`);
        continue;
      }
      const projection = at(customerKey(tenantId, customerCode(index)));
      if (
        (canonical.record as { Name?: string }).Name !== expected.Name ||
        projection?.name !== expected.Name ||
        projection?.email !== expected.Contacts[0]?.Email
      )
        wrong.push(`customer ${index}: record or projection is not the newest version's`);
    }

    // Every customer partition's invoice projections: each invoice once, in its final customer's.
    const placed = new Map<number, Record<string, unknown>[]>();
    for (let index = 0; index < CUSTOMERS; index += 1) {
      let start: Record<string, unknown> | undefined;
      do {
        const page = await documentClient().send(
          new QueryCommand({
            TableName: process.env.TABLE_NAME,
            KeyConditionExpression: 'PK = :pk AND begins_with(SK, :invoice)',
            ExpressionAttributeValues: {
              ':pk': customerPartition(tenantId, customerCode(index)),
              ':invoice': 'INVOICE#',
            },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) {
          const number = Number(item.number);
          placed.set(number, [...(placed.get(number) ?? []), { ...item, partition: customerCode(index) }]);
        }
        start = page.LastEvaluatedKey;
      } while (start !== undefined);
    }
    expect(placed.size, 'no invoice projection of another tenant or number').toBeLessThanOrEqual(INVOICES);

    for (let index = 0; index < INVOICES; index += 1) {
      const expected = invoiceRecord(index, INVOICE_VERSIONS);
      const canonical = at(documentKey(tenantId, 'INVOICE', expected.Number));
      if (canonical?.version !== expected.Version) {
        lost += 1;
        wrong.push(`invoice ${index} stored at ${String(canonical?.version)}`);
        continue;
      }
      const { Version: _version, ...content } = expected;
      const projections = placed.get(expected.Number) ?? [];
      const [projection] = projections;
      if (!isDeepStrictEqual(canonical.record, content)) {
        wrong.push(`invoice ${index}: stored record is not the newest version's`);
      } else if (projections.length !== 1) {
        wrong.push(
          `invoice ${index}: ${projections.length} projections (${projections.map((item) => item.partition).join(', ')})`,
        );
      } else if (
        projection?.partition !== expected.CustomerCode ||
        projection.totalMinor !== (index + 1) * 100 + INVOICE_VERSIONS ||
        projection.issuedDate !== expected.IssuedDate ||
        projection.dueDate !== expected.DueDate
      ) {
        wrong.push(`invoice ${index}: projection ${JSON.stringify(projection)} is not the newest version's`);
      }
    }

    recordFigure(
      'ledger.versions.lost',
      lost,
      `records (of ${CUSTOMERS + INVOICES}) not at their newest version`,
    );
    recordFigure(
      'ledger.versions.wrong_final',
      wrong.length - lost,
      'records at their newest version whose record or projection is wrong, or is in more than one partition, or a wrong answer',
    );
    expect(wrong).toEqual([]);
    expect(lost).toBe(0);
  });
});
