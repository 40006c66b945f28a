/**
 * `npm run schedules -- run-due|list`: starts the scheduled runs due on a given date now, without
 * waiting for it (the same trigger the hourly schedule and `npm start` run), and lists a tenant's
 * schedules. In the table named by TABLE_NAME in AWS or, with `--local`, in the local stack of
 * `npm start` (docs/schedules.md "Local commands").
 */
import { parseArgs } from 'node:util';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { getTenant } from '#shared/aws/dynamodb-operators.ts';
import { listTenantSchedules } from '#shared/aws/dynamodb-schedules.ts';
import { isIsoDate } from '#shared/domain/calendar-date.ts';
import { localNoon } from '#shared/domain/schedule-due.ts';
import { logger } from '#shared/observability/powertools.ts';
import { TenantIdSchema } from '#shared/schemas/fields.ts';
import { type TriggerReport, triggerDueSchedules } from '#shared/services/schedules/trigger-due-schedules.ts';
import { type CliOutput, formatTable, isEntryPoint, readCommand, selectTable, TERMINAL } from './cli.ts';
import { configureLocalEnvironment, LOCAL_TABLE_NAME, portFromEnv } from './local/environment.ts';
import { LOCAL_RUN_FEED_QUEUE_NAME } from './local/run-feeds.ts';

const USAGE = `usage: npm run schedules -- run-due --date <yyyy-mm-dd> [--tenant <id>] [--local]
       npm run schedules -- list --tenant <id> [--local]

  run-due   starts every scheduled run due on that date, as the hourly trigger would at noon of
            it in each tenant's time zone (a run already started is found, not started again);
            prints each run's id: watch it with GET /v2/customerstatements/runs/{id}
  list      lists a tenant's schedules: whom, issue day, period, next issue date, last run
  --tenant  only this tenant (run-due: default every tenant with a schedule)
  --local   the local stack of \`npm start\` (DynamoDB on 127.0.0.1:$DYNAMODB_PORT, default 8000,
            SQS on 127.0.0.1:$SQS_PORT, default 9324, table ${LOCAL_TABLE_NAME}); without it,
            TABLE_NAME, RUN_FEED_QUEUE_URL and the AWS environment are used`;

/**
 * Points startRun at the run-feeds queue `npm start` created (found, not created: a queue nobody
 * feeds from would hold the run), unless RUN_FEED_QUEUE_URL names one.
 */
async function selectLocalRunFeedQueue(): Promise<void> {
  const endpoint = process.env.AWS_ENDPOINT_URL_SQS ?? `http://127.0.0.1:${portFromEnv('SQS_PORT', 9324)}`;
  configureLocalEnvironment({ sqs: endpoint });
  if (process.env.RUN_FEED_QUEUE_URL) return;
  const { QueueUrl } = await new SQSClient({}).send(
    new GetQueueUrlCommand({ QueueName: LOCAL_RUN_FEED_QUEUE_NAME }),
  );
  if (QueueUrl !== undefined) process.env.RUN_FEED_QUEUE_URL = QueueUrl;
}

/** The report's lines: a row per run, then each failure. */
export function formatTriggerReport(report: TriggerReport, date: string): { out: string[]; err: string[] } {
  const out =
    report.runs.length === 0
      ? [`No scheduled run is due on ${date} (${report.tenants} tenant(s) with schedules judged).`]
      : formatTable(
          ['TENANT', 'SCHEDULE', 'ISSUE DATE', 'PERIOD', 'RUN ID', 'STARTED'],
          report.runs.map((run) => [
            run.tenantId,
            run.customerCode === undefined ? 'All customers' : `Customer ${run.customerCode}`,
            run.issueDate,
            `${run.periodStart}..${run.periodEnd}`,
            run.runId,
            run.created ? 'now' : 'before (not started again)',
          ]),
        );
  if (report.runs.length > 0) out.push('', 'Watch a run with GET /v2/customerstatements/runs/{RUN ID}.');
  const err = report.failures.map(
    (failure) =>
      `${failure.tenantId}${failure.scheduleId === undefined ? '' : ` ${failure.scheduleId}`}: ${failure.reason}`,
  );
  return { out, err };
}

async function runDue(
  date: string,
  tenantId: string | undefined,
  local: boolean,
  io: CliOutput,
): Promise<number> {
  if (!selectTable(local, io, USAGE)) return 2;
  if (local) await selectLocalRunFeedQueue();
  const report = await triggerDueSchedules({
    now: (timeZone) => localNoon(date, timeZone),
    ...(tenantId === undefined ? {} : { tenantIds: [tenantId] }),
  });
  const { out, err } = formatTriggerReport(report, date);
  for (const line of out) io.out(line);
  for (const line of err) io.err(line);
  return report.failures.length > 0 ? 1 : 0;
}

async function list(tenantId: string, local: boolean, io: CliOutput): Promise<number> {
  if (!selectTable(local, io, USAGE)) return 2;
  const tenant = await getTenant(tenantId);
  if (tenant === undefined) {
    io.err(`No tenant ${tenantId} in ${process.env.TABLE_NAME}.`);
    return 1;
  }
  const rows: string[][] = [];
  for await (const schedule of listTenantSchedules(tenantId)) {
    rows.push([
      schedule.customerCode === undefined
        ? `All (${schedule.selection})`
        : `Customer ${schedule.customerCode}`,
      String(schedule.issueDay),
      schedule.period,
      schedule.enabled ? 'yes' : 'no',
      schedule.endDate ?? '',
      schedule.nextIssueDate ?? '',
      schedule.lastRun === undefined ? '' : `${schedule.lastRun.issueDate} ${schedule.lastRun.runId}`,
    ]);
  }
  if (rows.length === 0) {
    io.out(`Tenant ${tenantId} has no statement schedule.`);
    return 0;
  }
  io.out(`Schedules of ${tenantId} (time zone ${tenant.timeZone}):`);
  for (const line of formatTable(
    ['SCHEDULE', 'ISSUE DAY', 'PERIOD', 'ENABLED', 'END DATE', 'NEXT ISSUE', 'LAST RUN'],
    rows,
  ))
    io.out(line);
  return 0;
}

function parseOptions(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      date: { type: 'string' },
      tenant: { type: 'string' },
      local: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
}

/** `npm run schedules` with these arguments; resolves to the exit code (2: bad usage, 1: failures). */
export async function schedulesCli(args: string[], io: CliOutput = TERMINAL): Promise<number> {
  // The runs' and schedules' own log lines are for Lambda; a terminal gets the report (and warnings).
  if (process.env.POWERTOOLS_LOG_LEVEL === undefined) logger.setLogLevel('WARN');
  const read = readCommand(() => parseOptions(args), ['run-due', 'list'] as const, USAGE, io);
  if (typeof read === 'number') return read;
  const { command, values } = read;
  if (values.tenant !== undefined && !TenantIdSchema.safeParse(values.tenant).success) {
    io.err(`--tenant: must be lower-case letters, digits and dashes\n\n${USAGE}`);
    return 2;
  }
  if (command === 'list') {
    if (values.tenant === undefined || values.date !== undefined) {
      io.err(`list takes --tenant <id> (and no --date)\n\n${USAGE}`);
      return 2;
    }
    return list(values.tenant, values.local, io);
  }
  if (values.date === undefined || !isIsoDate(values.date)) {
    io.err(`--date: must be a real date in YYYY-MM-DD form\n\n${USAGE}`);
    return 2;
  }
  return runDue(values.date, values.tenant, values.local, io);
}

if (isEntryPoint(import.meta.filename)) {
  schedulesCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error('schedules failed:', error instanceof Error ? `${error.name}: ${error.message}` : error);
      process.exit(1);
    },
  );
}
