/**
 * `npm start`: the whole system on this machine, no AWS account and no Docker. Starts the
 * emulators (or uses AWS_ENDPOINT_URL* when set), creates the table and queues, loads the demo
 * data, serves the API through the local gateway and feeds the queue to the worker.
 */
import { readFile } from 'node:fs/promises';
import { dateInTimeZone } from '#shared/domain/calendar-date.ts';
import { importFixture } from '#shared/seed/import-fixture.ts';
import { DOCS_PATH, docsPages, SPEC_PATH } from './docs-page.ts';
import { startEmulators } from './emulators.ts';
import { configureLocalEnvironment, DEMO_TOKEN, LOCAL_QUEUE_NAME, portFromEnv } from './environment.ts';
import { startLocalGateway } from './gateway.ts';
import { startPoller } from './poller.ts';
import { ensureJobQueues, ensureTable } from './resources.ts';
import { localRoutes } from './routes.ts';
import { ensureLocalRunFeedQueue } from './run-feeds.ts';
import { startScheduleClock } from './schedule-clock.ts';

const DEMO_FIXTURE = new URL('../../fixtures/demo.json', import.meta.url);

async function main(): Promise<void> {
  const ports = {
    api: portFromEnv('API_PORT', 3000),
    dynamodb: portFromEnv('DYNAMODB_PORT', 8000),
    sqs: portFromEnv('SQS_PORT', 9324),
    ses: portFromEnv('SES_PORT', 8005),
  };
  configureLocalEnvironment({});
  const emulators = await startEmulators(ports);
  configureLocalEnvironment(emulators.endpoints);

  const tableName = process.env.TABLE_NAME ?? '';
  await ensureTable(tableName);
  // As in AWS, the visibility timeout is 6x the worker's timeout, scaled down so that a failed
  // job is retried within half a minute.
  const queues = await ensureJobQueues(LOCAL_QUEUE_NAME, { visibilityTimeoutSeconds: 30 });
  process.env.JOB_QUEUE_URL = queues.queueUrl;
  const runFeeds = await ensureLocalRunFeedQueue();

  const summary = await importFixture(
    JSON.parse(await readFile(DEMO_FIXTURE, 'utf8')),
    dateInTimeZone(new Date(), 'Europe/London'),
  );
  const { routes, authorizer, worker, runFeeder } = await localRoutes();
  const gateway = await startLocalGateway({
    port: ports.api,
    routes,
    authorizer,
    pages: docsPages({ demoToken: DEMO_TOKEN }),
  });
  // As the event source mapping does: batches of up to 10, two at a time.
  const poller = await startPoller({
    queueUrl: queues.queueUrl,
    handler: worker,
    batchSize: 10,
    concurrency: 2,
    functionTimeoutMs: 5_000,
  });
  // Statement runs: the feeder on its own queue, one run step per event as in AWS (docs/runs.md).
  const runFeedPoller = await startPoller({
    queueUrl: runFeeds.queueUrl,
    handler: runFeeder,
    functionName: 'run-feeder',
    batchSize: 1,
    concurrency: 2,
    functionTimeoutMs: 5_000,
  });

  // Statement schedules: the trigger on the local clock, at start and every minute (docs/schedules.md).
  const scheduleClock = startScheduleClock({
    onReport: (report) => {
      for (const run of report.runs.filter((started) => started.created)) {
        console.log(
          `Scheduled run ${run.runId} started (tenant ${run.tenantId}, issue date ${run.issueDate})`,
        );
      }
      for (const failure of report.failures) {
        console.error(
          `Schedule ${failure.tenantId} ${failure.scheduleId ?? ''} not started, retried in a minute: ${failure.reason}`,
        );
      }
    },
    onError: (error) => console.error('The schedule trigger failed; it runs again in a minute:', error),
  });

  const embedded = (service: string) =>
    emulators.embedded.includes(service as never) ? 'embedded' : 'external';
  console.log(`
statement mailer is running locally

  API            ${gateway.url}/v2/customerstatements/bulk/email
  API reference  ${gateway.url}${DOCS_PATH}   (try the example there: the demo token is filled in; spec ${SPEC_PATH})
  Demo token     Authorization: KfToken ${DEMO_TOKEN}   (tenant "demo", ${summary.itemsWritten} records loaded)
  Sent mail      ${emulators.endpoints.ses}/   (SES, ${embedded('ses')})
  DynamoDB       ${emulators.endpoints.dynamodb}   table ${tableName} (${embedded('dynamodb')})
  SQS            ${queues.queueUrl} (${embedded('sqs')}), fed to the statement worker
  Run feeds      ${runFeeds.queueUrl}, fed to the run feeder
  Dead letters   ${queues.deadLetterQueueUrl}

Try:
  curl -s -X POST '${gateway.url}/v2/customerstatements/bulk/email?startdate=20130101&enddate=20131010&excludepaidinvoices=1&filterby=all' \\
    -H 'Authorization: KfToken ${DEMO_TOKEN}' -H 'Content-Type: application/json' \\
    -d '["101","CUST123","CUST2345","0065"]'

A run for every customer who owes, then its progress (RunId from the answer):
  curl -s -X POST '${gateway.url}/v2/customerstatements/runs' -H 'Authorization: KfToken ${DEMO_TOKEN}' \\
    -H 'Content-Type: application/json' -d '{"Selection":"Owing"}'
  curl -s '${gateway.url}/v2/customerstatements/runs/<RunId>' -H 'Authorization: KfToken ${DEMO_TOKEN}'

Schedules: the trigger runs every minute; start a date's runs now with
  npm run schedules -- run-due --date <yyyy-mm-dd> --tenant demo --local

Press Ctrl-C to stop.
`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    await gateway.stop();
    await scheduleClock.stop();
    await poller.stop();
    await runFeedPoller.stop();
    await emulators.stop();
    console.log('stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error('statement mailer could not start:', error);
  process.exit(1);
});
