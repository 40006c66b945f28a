/**
 * `npm run check:bundles`: builds the Lambda bundles as CDK does and runs each one's handler under
 * the Node.js major of Lambda's runtime (24; the binary comes from the npm registry's
 * node-<os>-<arch> package: infra/lambda-node.ts) against the embedded emulators with the sample
 * events in fixtures/events/. A bundle that cannot load or answer under it fails the check.
 * The bundles are built outside the project, with what CDK's afterBundling puts beside them, so
 * that one reaching for the project's node_modules (the worker's PDF font) fails here as in Lambda.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { dateInTimeZone, daysInMonth } from '#shared/domain/calendar-date.ts';
import { importFixture } from '#shared/seed/import-fixture.ts';
import { BUILD_DIR, buildAllBundles, PROJECT_ROOT } from '../infra/bundles.ts';
import { LAMBDA_NODE_MAJOR } from '../infra/bundling.ts';
import { lambdaNode } from '../infra/lambda-node.ts';
import { startEmulators } from '../infra/local/emulators.ts';
import { configureLocalEnvironment } from '../infra/local/environment.ts';
import { ensureJobQueues, ensureTable } from '../infra/local/resources.ts';

const run = promisify(execFile);
const EVENTS = path.join(PROJECT_ROOT, 'fixtures/events');
/** Outside the project: no node_modules above the bundles, as in Lambda's /var/task. */
const BUNDLE_DIR = path.join(tmpdir(), 'statement-mailer-check-bundles');

/** The bundles as CDK builds them: esbuild, then each function's afterBundling commands (buildBundle runs them). */
async function buildDeployedBundles(): Promise<Awaited<ReturnType<typeof buildAllBundles>>> {
  await rm(BUNDLE_DIR, { recursive: true, force: true });
  return buildAllBundles(BUNDLE_DIR);
}

/** The sample event, with ids that only exist once earlier steps have run put in. */
async function eventFile(name: string, replacements: Record<string, string>): Promise<string> {
  let text = await readFile(path.join(EVENTS, name), 'utf8');
  for (const [from, to] of Object.entries(replacements)) text = text.replaceAll(from, to);
  const file = path.join(BUILD_DIR, 'events', name);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  return file;
}

async function invoke(
  binary: string,
  bundle: string,
  event: string,
  name: string,
  replacements: Record<string, string> = {},
): Promise<{ node: string; result: unknown }> {
  const { stdout } = await run(
    binary,
    [path.join(PROJECT_ROOT, '.ci/invoke-bundle.mjs'), bundle, await eventFile(event, replacements), name],
    {
      env: process.env,
      maxBuffer: 4 * 1024 * 1024,
    },
  );
  return JSON.parse(stdout);
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`Bundle check failed: ${message}`);
}

async function main(): Promise<void> {
  const [binary, bundles] = await Promise.all([lambdaNode(), buildDeployedBundles()]);
  const emulators = await startEmulators({ dynamodb: 0, sqs: 0, ses: 0 }, { useConfiguredEndpoints: false });
  try {
    configureLocalEnvironment(emulators.endpoints);
    process.env.TABLE_NAME = 'statement-mailer-bundle-check';
    process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
    await ensureTable(process.env.TABLE_NAME);
    process.env.JOB_QUEUE_URL = (await ensureJobQueues('bundle-check')).queueUrl;
    process.env.RUN_FEED_QUEUE_URL = (await ensureJobQueues('bundle-check-run-feeds')).queueUrl;
    await importFixture(
      JSON.parse(await readFile(path.join(PROJECT_ROOT, 'fixtures/demo.json'), 'utf8')),
      new Date().toISOString().slice(0, 10),
    );
    const file = (name: string) => bundles.find((bundle) => bundle.name === name)?.file ?? '';

    const authorizer = await invoke(binary, file('authorizer'), 'authorizer-token.json', 'authorizer');
    check(
      JSON.stringify(authorizer.result).includes('"principalId":"demo"') &&
        JSON.stringify(authorizer.result).includes('"Effect":"Allow"'),
      `authorizer answered ${JSON.stringify(authorizer.result)}`,
    );
    const api = await invoke(binary, file('bulk-email-api'), 'bulk-email-post.json', 'bulk-email-api');
    const apiResult = api.result as { statusCode: number; body: string };
    check(apiResult.statusCode === 200, `bulk-email-api answered ${apiResult.statusCode}: ${apiResult.body}`);
    check(
      apiResult.body ===
        '[{"CustomerCode":"101","Sent":true,"Message":"Marked to send"},{"CustomerCode":"CUST123","Sent":false,"Message":"Invalid customer code"},{"CustomerCode":"CUST2345","Sent":false,"Message":"Invalid customer email address"},{"CustomerCode":"0065","Sent":true,"Message":"Marked to send"}]',
      `bulk-email-api body ${apiResult.body}`,
    );
    const worker = await invoke(
      binary,
      file('statement-worker'),
      'statement-job-sqs.json',
      'statement-worker',
    );
    check(
      JSON.stringify(worker.result) === '{"batchItemFailures":[]}',
      `statement-worker answered ${JSON.stringify(worker.result)}`,
    );
    const store = (await (await fetch(`${emulators.endpoints.ses}/store`)).json()) as {
      emails: { messageId: string; attachments: { contentType: string }[] }[];
    };
    // The demo tenant's logo travels as an inline part beside the PDF (statement-email.ts).
    const contentTypes = store.emails[0]?.attachments.map((attachment) => attachment.contentType).sort();
    check(
      store.emails.length === 1 && JSON.stringify(contentTypes) === '["application/pdf","image/png"]',
      `the worker bundle did not send one email with its PDF and logo (${JSON.stringify(contentTypes)})`,
    );
    const sesMessageId = store.emails[0]?.messageId ?? '';

    const batchId = (api.result as { headers: Record<string, string> }).headers['X-Batch-Id'] ?? '';
    const status = await invoke(binary, file('batch-status'), 'batch-status-get.json', 'batch-status', {
      '5a2f0c1e-0000-4000-8000-000000000001': batchId,
    });
    const statusResult = status.result as { statusCode: number; body: string };
    check(
      statusResult.statusCode === 200 && statusResult.body.includes(`"BatchId":"${batchId}"`),
      `batch-status answered ${statusResult.statusCode}: ${statusResult.body}`,
    );
    const notes = await invoke(binary, file('customer-notes'), 'customer-notes-get.json', 'customer-notes');
    const notesResult = notes.result as { statusCode: number; body: string };
    check(
      notesResult.statusCode === 200 && notesResult.body.includes(sesMessageId),
      `customer-notes answered ${notesResult.statusCode}: ${notesResult.body}`,
    );
    // The ledger API: a single record written (reads, then one transaction of its items), a bulk
    // call (one judged write of several records, in request order), and a paged Query.
    const ledgerPut = await invoke(binary, file('ledger-api'), 'ledger-invoice-put.json', 'ledger-api');
    const putResult = ledgerPut.result as {
      statusCode: number;
      headers?: Record<string, string>;
      body: string;
    };
    check(
      putResult.statusCode === 201 &&
        putResult.headers?.Location === '/dev/v2/invoices/9001' &&
        putResult.body.includes('"Number":9001'),
      `ledger-api PUT answered ${putResult.statusCode}: ${putResult.body}`,
    );
    const ledgerBatch = await invoke(binary, file('ledger-api'), 'ledger-batch-post.json', 'ledger-api');
    const batchResult = ledgerBatch.result as { statusCode: number; body: string };
    const batchResults = (JSON.parse(batchResult.body) as { Results?: { Result: string }[] }).Results ?? [];
    check(
      batchResult.statusCode === 200 &&
        batchResults.map(({ Result }) => Result).join(',') === 'Created,Unchanged,NotFound',
      `ledger-api batch answered ${batchResult.statusCode}: ${batchResult.body}`,
    );
    const ledgerList = await invoke(binary, file('ledger-api'), 'ledger-customers-get.json', 'ledger-api');
    const listResult = ledgerList.result as { statusCode: number; body: string };
    check(
      listResult.statusCode === 200 &&
        listResult.body.includes(
          '"MetaData":{"PerPage":2,"NextPageUrl":"/dev/v2/customers?perpage=2&cursor=',
        ),
      `ledger-api list answered ${listResult.statusCode}: ${listResult.body}`,
    );
    const events = await invoke(binary, file('ses-events'), 'ses-delivery-sns.json', 'ses-events', {
      '0102019a1b2c3d4e-example-000000': sesMessageId,
    });
    check(
      JSON.stringify(events.result) === '["applied"]',
      `ses-events answered ${JSON.stringify(events.result)}`,
    );

    // Statement runs: a List run started through the API, then one feeder step feeds it.
    const runs = await invoke(binary, file('statement-runs-api'), 'runs-post.json', 'statement-runs-api');
    const runsResult = runs.result as { statusCode: number; body: string };
    const runId = /"RunId":"([^"]+)"/.exec(runsResult.body)?.[1] ?? '';
    check(
      runsResult.statusCode === 202 && runsResult.body.includes('"State":"Feeding"') && runId !== '',
      `statement-runs-api answered ${runsResult.statusCode}: ${runsResult.body}`,
    );
    const feeder = await invoke(binary, file('run-feeder'), 'run-feed-sqs.json', 'run-feeder', {
      '5a2f0c1e-0000-4000-8000-00000000f00d': runId,
    });
    check(
      JSON.stringify(feeder.result) === '{"batchItemFailures":[]}',
      `run-feeder answered ${JSON.stringify(feeder.result)}`,
    );

    // Statement schedules: a tenant-wide schedule saved through the API, with an issue day that is
    // today in the demo tenant's zone when there is one (29 to 30 of a longer month have none),
    // then the hourly trigger, which starts its run when it is due today.
    const today = dateInTimeZone(new Date(), 'Europe/London');
    const [year, month, day] = today.split('-').map(Number) as [number, number, number];
    const issueDay = day === daysInMonth(year, month) ? '\\"Last\\"' : day <= 28 ? String(day) : undefined;
    const schedules = await invoke(
      binary,
      file('statement-schedules-api'),
      'schedule-statement-post.json',
      'statement-schedules-api',
      { '\\"__ISSUE_DAY__\\"': issueDay ?? '1' },
    );
    const schedulesResult = schedules.result as { statusCode: number; body: string };
    check(
      schedulesResult.statusCode === 201 && schedulesResult.body.includes('"Selection":"Owing"'),
      `statement-schedules-api answered ${schedulesResult.statusCode}: ${schedulesResult.body}`,
    );
    const trigger = await invoke(
      binary,
      file('schedule-trigger'),
      'schedule-trigger.json',
      'schedule-trigger',
    );
    const expectedRuns = issueDay === undefined ? 0 : 1;
    check(
      JSON.stringify(trigger.result) === JSON.stringify({ tenants: 1, runs: expectedRuns, failures: [] }),
      `schedule-trigger answered ${JSON.stringify(trigger.result)}, not ${expectedRuns} run`,
    );

    // The API's description: built into the bundle (no file beside it), served as committed.
    const openapi = await invoke(binary, file('openapi'), 'openapi-get.json', 'openapi');
    const openapiResult = openapi.result as { statusCode: number; body: string };
    const committed = await readFile(path.join(PROJECT_ROOT, 'docs/openapi.json'), 'utf8');
    check(
      openapiResult.statusCode === 200 &&
        JSON.stringify(JSON.parse(openapiResult.body)) === JSON.stringify(JSON.parse(committed)),
      `openapi answered ${openapiResult.statusCode}, not the committed docs/openapi.json`,
    );

    const outcomes = {
      openapi,
      'statement-runs-api': runs,
      'run-feeder': feeder,
      'statement-schedules-api': schedules,
      'schedule-trigger': trigger,
      authorizer,
      'bulk-email-api': api,
      'statement-worker': worker,
      'batch-status': status,
      'customer-notes': notes,
      'ledger-api': ledgerBatch,
      'ses-events': events,
    };
    for (const [name, outcome] of Object.entries(outcomes)) {
      check(
        outcome.node.startsWith(`v${LAMBDA_NODE_MAJOR}.`),
        `${name} ran under Node.js ${outcome.node}, not ${LAMBDA_NODE_MAJOR}`,
      );
      const bytes = bundles.find((bundle) => bundle.name === name)?.bytes ?? 0;
      console.log(
        `ok  ${name.padEnd(17)} ${(bytes / 1024).toFixed(0).padStart(5)} KB  ran under Node.js ${outcome.node}`,
      );
    }
  } finally {
    await emulators.stop();
  }
}

await main();
