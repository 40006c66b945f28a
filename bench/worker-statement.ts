/**
 * `npm run bench:worker`: statements per second through the real worker handler (read, compute,
 * render, PDF, send to the embedded SES, note) for customers with 10, 1,000 and 50,000 invoices,
 * and the worker's peak RSS for the largest. The emulators run in this process; the worker runs
 * in a child process so that its memory is measured alone, with the heap limit of a 512 MB Lambda
 * function (`--max-old-space-size=256`; BENCH_WORKER_NODE_OPTIONS overrides it). Everything talks
 * to 127.0.0.1 on ports the OS picks.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { startEmulators } from '../infra/local/emulators.ts';
import { configureLocalEnvironment } from '../infra/local/environment.ts';
import { ensureTable } from '../infra/local/resources.ts';

const run = promisify(execFile);
const SIZES = [
  { code: 'SMALL', invoices: 10, runs: 20 },
  { code: 'MEDIUM', invoices: 1_000, runs: 10 },
  { code: 'LARGE', invoices: 50_000, runs: 3 },
];
const TODAY = new Date().toISOString().slice(0, 10);

interface ChildResult {
  runs: number;
  seconds: number;
  maxRssMb: number;
  failures: number;
}

/** Child mode: run the worker handler `runs` times for one customer, report time and peak RSS. */
async function child(tenantId: string, code: string, runs: number): Promise<void> {
  const { handler } = await import('#functions/statement-worker/handler.ts');
  const { lambdaContext } = await import('../infra/local/lambda-context.ts');
  const { addMonths } = await import('#shared/domain/calendar-date.ts');
  const event = () => ({
    Records: [
      {
        messageId: randomUUID(),
        receiptHandle: 'bench',
        body: JSON.stringify({
          version: 1,
          tenantId,
          batchId: randomUUID(),
          customerCode: code,
          period: { start: addMonths(TODAY, -3), end: TODAY, filterAll: false, excludePaid: false },
          requestedAt: new Date().toISOString(),
        }),
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
      },
    ],
  });
  const invokeWorker = handler as unknown as (
    e: unknown,
    c: unknown,
  ) => Promise<{ batchItemFailures: unknown[] }>;
  // One warm-up run: a Lambda's cold start is not a statement's cost.
  await invokeWorker(event(), lambdaContext('bench'));
  let failures = 0;
  const started = process.hrtime.bigint();
  for (let index = 0; index < runs; index += 1) {
    const result = await invokeWorker(event(), lambdaContext('bench'));
    failures += result.batchItemFailures.length;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ runs, seconds, maxRssMb, failures } satisfies ChildResult));
}

function ledger(code: string, count: number) {
  // Invoices spread evenly over the ten years before today; every other one paid in full.
  const spanDays = 3650;
  const start = Date.parse(`${TODAY}T00:00:00Z`) - spanDays * 86_400_000;
  const invoices = [];
  const payments = [];
  for (let index = 0; index < count; index += 1) {
    const issued = new Date(start + Math.floor((index * spanDays) / count) * 86_400_000)
      .toISOString()
      .slice(0, 10);
    const due = new Date(Date.parse(`${issued}T00:00:00Z`) + 30 * 86_400_000).toISOString().slice(0, 10);
    const number = 1_000_000 * SIZES.findIndex((size) => size.code === code) + index + 1;
    const total = `${100 + (index % 900)}.${String(index % 100).padStart(2, '0')}`;
    invoices.push({ Number: number, CustomerCode: code, IssuedDate: issued, DueDate: due, Total: total });
    if (index % 2 === 0 && due <= TODAY) payments.push({ InvoiceNumber: number, Date: due, Amount: total });
  }
  return { invoices, payments };
}

async function main(): Promise<void> {
  const emulators = await startEmulators({ dynamodb: 0, sqs: 0, ses: 0 }, { useConfiguredEndpoints: false });
  configureLocalEnvironment(emulators.endpoints);
  process.env.TABLE_NAME = 'statement-mailer-bench';
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  await ensureTable(process.env.TABLE_NAME);
  const { importFixture } = await import('#shared/seed/import-fixture.ts');
  const tenantId = 'bench';
  const ledgers = SIZES.map((size) => ledger(size.code, size.invoices));
  console.log('Loading ledgers of 10, 1,000 and 50,000 invoices…');
  const loadStarted = Date.now();
  await importFixture(
    {
      Tenants: [
        {
          Id: tenantId,
          Name: 'Bench Ltd',
          FromEmail: 'accounts@bench.example',
          TimeZone: 'Europe/London',
          Currency: 'GBP',
          ApiTokens: [`bench-${randomUUID()}`],
          Customers: SIZES.map((size) => ({
            Code: size.code,
            Name: size.code,
            Email: `${size.code.toLowerCase()}@bench.example`,
          })),
          Invoices: ledgers.flatMap((entry) => entry.invoices),
          Payments: ledgers.flatMap((entry) => entry.payments),
        },
      ],
    },
    TODAY,
  );
  console.log(`Loaded in ${((Date.now() - loadStarted) / 1000).toFixed(1)} s\n`);

  const rows: string[][] = [];
  for (const size of SIZES) {
    const { stdout } = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        new URL(import.meta.url).pathname,
        '--child',
        tenantId,
        size.code,
        String(size.runs),
      ],
      {
        env: {
          ...process.env,
          NODE_OPTIONS: process.env.BENCH_WORKER_NODE_OPTIONS ?? '--max-old-space-size=256',
        },
        maxBuffer: 1024 * 1024,
      },
    );
    const result = JSON.parse(stdout) as ChildResult;
    rows.push([
      `worker.statement.${size.invoices}`,
      String(size.invoices),
      String(result.runs),
      (result.runs / result.seconds).toFixed(2),
      ((result.seconds / result.runs) * 1000).toFixed(0),
      result.maxRssMb.toFixed(0),
      String(result.failures),
    ]);
  }
  await emulators.stop();
  const header = [
    'benchmark',
    'invoices',
    'runs',
    'statements/s',
    'ms/statement',
    'worker peak RSS MB',
    'failed',
  ];
  const widths = header.map((title, index) =>
    Math.max(title.length, ...rows.map((row) => row[index]?.length ?? 0)),
  );
  const line = (cells: string[]) => cells.map((cell, index) => cell.padEnd(widths[index] ?? 0)).join('  ');
  console.log(line(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows) console.log(line(row));
}

const [mode, ...args] = process.argv.slice(2);
if (mode === '--child') {
  const [tenantId = '', code = '', runs = '1'] = args;
  await child(tenantId, code, Number(runs));
} else {
  await main();
}
