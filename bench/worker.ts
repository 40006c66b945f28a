/**
 * worker.read_cost and worker.statement.
 *
 * read_cost: capacity units and items read to build one statement for a customer with 200
 * invoices in a table of over 100,000 items: the worker's three key-condition queries (strongly
 * consistent, so twice an eventually consistent read's units) against a Scan with a filter.
 *
 * statement: statements per second through the real worker handler (read, compute, render, PDF,
 * send to the embedded SES, note) for customers with 10, 1,000 and 50,000 invoices, against the
 * naive pipeline (bench/lib/naive-statement.ts), and the worker's peak RSS for the largest. Each
 * runs in a child process with a 512 MB Lambda's heap limit, so that its memory is its own.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { paginateScan } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#shared/aws/dynamodb.ts';
import { newReadCost, streamLedger } from '#shared/aws/dynamodb-ledger.ts';
import { customerPartition } from '#shared/aws/table-keys.ts';
import { addMonths } from '#shared/domain/calendar-date.ts';
import type { StatementJob } from '#shared/schemas/statement-job.ts';
import { importFixture } from '#shared/seed/import-fixture.ts';
import { lambdaContext } from '../infra/local/lambda-context.ts';
import { BENCH_STATEMENT_SETTINGS, type BenchLedger, benchTenant } from './lib/fixtures.ts';
import { type Row, ratio } from './lib/setup.ts';

const run = promisify(execFile);
const TODAY = new Date().toISOString().slice(0, 10);
const WORKER_TENANT = 'bench-worker';
const READ_TENANT = 'bench-read';
const SIZES = [
  { code: 'SMALL', invoices: 10, runs: 20, naiveRuns: 20 },
  { code: 'MEDIUM', invoices: 1_000, runs: 10, naiveRuns: 3 },
  { code: 'LARGE', invoices: 50_000, runs: 3, naiveRuns: 1 },
];
/** The heap of a 512 MB Lambda function. */
const CHILD_NODE_OPTIONS = process.env.BENCH_WORKER_NODE_OPTIONS ?? '--max-old-space-size=256';

const job = (tenantId: string, customerCode: string): StatementJob => ({
  version: 1,
  tenantId,
  batchId: randomUUID(),
  customerCode,
  period: { start: addMonths(TODAY, -3), end: TODAY, filterAll: false, excludePaid: false },
  requestedAt: new Date().toISOString(),
});

/** Invoices spread evenly over the ten years before today; every other one paid in full. */
function ledger(code: string, count: number, firstNumber: number): BenchLedger {
  const spanDays = 3650;
  const start = Date.parse(`${TODAY}T00:00:00Z`) - spanDays * 86_400_000;
  const invoices = [];
  const payments = [];
  for (let index = 0; index < count; index += 1) {
    const issued = new Date(start + Math.floor((index * spanDays) / count) * 86_400_000)
      .toISOString()
      .slice(0, 10);
    const due = new Date(Date.parse(`${issued}T00:00:00Z`) + 30 * 86_400_000).toISOString().slice(0, 10);
    const number = firstNumber + index;
    const total = `${100 + (index % 900)}.${String(index % 100).padStart(2, '0')}`;
    invoices.push({ Number: number, CustomerCode: code, IssuedDate: issued, DueDate: due, Total: total });
    if (index % 2 === 0 && due <= TODAY) payments.push({ InvoiceNumber: number, Date: due, Amount: total });
  }
  return { invoices, payments };
}

async function load(): Promise<void> {
  const started = Date.now();
  await importFixture(
    {
      Tenants: [
        benchTenant(
          WORKER_TENANT,
          SIZES.map((size) => size.code),
          SIZES.map((size, index) => ledger(size.code, size.invoices, (index + 1) * 1_000_000)),
          BENCH_STATEMENT_SETTINGS,
        ),
        // 500 customers of 200 invoices: 100,000 invoice items, the read-cost table.
        benchTenant(
          READ_TENANT,
          Array.from({ length: 500 }, (_, index) => `R${index}`),
          Array.from({ length: 500 }, (_, index) => ledger(`R${index}`, 200, 10_000_000 + index * 1_000)),
        ),
      ],
    },
    TODAY,
  );
  console.error(`  loaded the ledgers in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

async function readCost(): Promise<Row[]> {
  const code = 'R250';
  const cost = newReadCost();
  let ours = 0;
  const ledger = streamLedger(READ_TENANT, code, TODAY, cost);
  for await (const _ of ledger.invoices) ours += 1;
  for await (const _ of ledger.creditNotes) ours += 1;
  for await (const _ of ledger.payments) ours += 1;
  let scanned = 0;
  let scanCapacity = 0;
  let matched = 0;
  const pages = paginateScan(
    { client: documentClient() },
    {
      TableName: String(process.env.TABLE_NAME),
      FilterExpression:
        'PK = :pk AND (begins_with(SK, :invoice) OR begins_with(SK, :creditNote) OR begins_with(SK, :payment))',
      ExpressionAttributeValues: {
        ':pk': customerPartition(READ_TENANT, code),
        ':invoice': 'INVOICE#',
        ':creditNote': 'CREDITNOTE#',
        ':payment': 'PAYMENT#',
      },
      ReturnConsumedCapacity: 'TOTAL',
    },
  );
  for await (const page of pages) {
    scanned += page.ScannedCount ?? 0;
    matched += page.Count ?? 0;
    scanCapacity += page.ConsumedCapacity?.CapacityUnits ?? 0;
  }
  if (matched !== ours) throw new Error(`the scan found ${matched} items, the queries ${ours}`);
  return [
    {
      name: 'worker.read_cost',
      measure: `read capacity units, 200 invoices (+${ours - 200} payments), table of ${scanned} items`,
      ours: cost.capacityUnits.toFixed(1),
      baseline: scanCapacity.toFixed(1),
      ratio: ratio(cost.capacityUnits, scanCapacity),
      goal: '<= 0.01x',
      met: cost.capacityUnits / scanCapacity <= 0.01,
    },
    {
      name: 'worker.read_cost',
      measure: 'items read (Query) vs scanned (Scan)',
      ours: String(cost.itemsRead),
      baseline: String(scanned),
      ratio: ratio(cost.itemsRead, scanned),
      goal: '<= 0.01x',
      met: cost.itemsRead / scanned <= 0.01,
    },
  ];
}

interface ChildResult {
  runs: number;
  seconds: number;
  maxRssMb: number;
  failures: number;
  invoicesRead?: number;
}

/** Child mode: `runs` statements for one customer, ours (the handler) or naive. */
async function child(kind: 'ours' | 'naive', code: string, runs: number): Promise<void> {
  const { logger } = await import('#shared/observability/powertools.ts');
  const { handler } = await import('#functions/statement-worker/handler.ts');
  const { naiveStatement } = await import('./lib/naive-statement.ts');
  const invokeWorker = handler as unknown as (
    event: unknown,
    context: unknown,
  ) => Promise<{ batchItemFailures: unknown[] }>;
  let failures = 0;
  let invoicesRead: number | undefined;
  const once = async () => {
    const body = job(WORKER_TENANT, code);
    if (kind === 'naive') {
      invoicesRead = (await naiveStatement(body, logger)).invoicesRead;
      return;
    }
    const record = {
      messageId: randomUUID(),
      receiptHandle: 'bench',
      body: JSON.stringify(body),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '0',
        SenderId: 'bench',
        ApproximateFirstReceiveTimestamp: '0',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:eu-west-2:000000000000:bench',
      awsRegion: 'eu-west-2',
    };
    failures += (await invokeWorker({ Records: [record] }, lambdaContext('bench'))).batchItemFailures.length;
  };
  // One warm-up run: a Lambda's cold start is not a statement's cost.
  await once();
  const started = process.hrtime.bigint();
  for (let index = 0; index < runs; index += 1) await once();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const result: ChildResult = {
    runs,
    seconds,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    failures,
    ...(invoicesRead === undefined ? {} : { invoicesRead }),
  };
  process.stdout.write(JSON.stringify(result));
}

async function inChild(kind: 'ours' | 'naive', code: string, runs: number): Promise<ChildResult> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', new URL(import.meta.url).pathname, '--child', kind, code, String(runs)],
    {
      env: { ...process.env, NODE_OPTIONS: CHILD_NODE_OPTIONS },
      maxBuffer: 1024 * 1024,
    },
  );
  return JSON.parse(stdout) as ChildResult;
}

async function statements(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const size of SIZES) {
    const ours = await inChild('ours', size.code, size.runs);
    const naive = await inChild('naive', size.code, size.naiveRuns);
    const [a, b] = [ours.runs / ours.seconds, naive.runs / naive.seconds];
    const truncated =
      naive.invoicesRead !== undefined && naive.invoicesRead < size.invoices
        ? `; naive read ${naive.invoicesRead} of ${size.invoices} invoices (unpaged)`
        : '';
    rows.push({
      name: `worker.statement.${size.invoices}`,
      measure: `statements/s (${ours.runs} vs ${naive.runs} runs${truncated})`,
      ours: a.toFixed(2),
      baseline: b.toFixed(2),
      ratio: ratio(a, b),
      goal: '>= 3x',
      met: a / b >= 3 && ours.failures === 0,
    });
    if (size.invoices === 50_000) {
      rows.push({
        name: 'worker.peak_rss.50000',
        measure: `worker peak RSS MB (${CHILD_NODE_OPTIONS}; includes the tsx loader)`,
        ours: ours.maxRssMb.toFixed(0),
        baseline: naive.maxRssMb.toFixed(0),
        ratio: ratio(ours.maxRssMb, naive.maxRssMb),
        goal: '< 512 MB',
        met: ours.maxRssMb < 512,
      });
    }
  }
  return rows;
}

export async function benchWorker(): Promise<Row[]> {
  await load();
  return [...(await readCost()), ...(await statements())];
}

const [mode, kind, code, runs] = process.argv.slice(2);
if (mode === '--child') await child(kind === 'naive' ? 'naive' : 'ours', code ?? '', Number(runs ?? '1'));
