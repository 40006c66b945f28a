/**
 * The schedule trigger fired twice: concurrently (EventBridge Scheduler's at-least-once delivery,
 * Lambda's async retries, `npm run schedules -- run-due` beside the hourly trigger), again later
 * the same day and days late, and crashed between starting a run and recording it. Each schedule
 * and issue date gets exactly one run (the deterministic run id and startRun's conditional put),
 * and every tenant of the schedule directory (more than one page of it) is judged.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { handler as schedulesApiHandler } from '#functions/statement-schedules-api/handler.ts';
import { dynamoDbClient } from '#shared/aws/dynamodb.ts';
import { getRun } from '#shared/aws/dynamodb-runs.ts';
import { getSchedule } from '#shared/aws/dynamodb-schedules.ts';
import { addDays, dateInTimeZone } from '#shared/domain/calendar-date.ts';
import { issueDateAfter, localNoon } from '#shared/domain/schedule-due.ts';
import {
  runScheduleTrigger,
  ScheduleTriggerFailedError,
  scheduleRunId,
  type TriggerReport,
  triggerDueSchedules,
} from '#shared/services/schedules/trigger-due-schedules.ts';
import { apiEvent, invoke } from '../support/api-events.ts';
import { tenantItems } from '../support/ledger-api.ts';
import { useRunFeedQueue } from '../support/run-queues.ts';
import { exampleTenant, seedTenants } from '../support/tenants.ts';
import { recordFigure } from './report.ts';

/** More than the trigger's page of 100 tenants, so that the directory is read in pages. */
const TENANTS = 110;
/** Tenants that also have a schedule of their own for customer 101. */
const WITH_CUSTOMER_SCHEDULE = 10;
/** Concurrent triggers of the same hour. */
const CONCURRENT_TRIGGERS = 6;

const today = dateInTimeZone(new Date(), 'Europe/London');
/** Not today's day of the month, so that a schedule saved today is first due on `issueDate`. */
const ISSUE_DAY = (Number(today.slice(8, 10)) % 28) + 1;
const issueDate = issueDateAfter(ISSUE_DAY, today);

async function saveSchedule(tenantId: string, code?: string): Promise<void> {
  const resource =
    code === undefined
      ? '/v2/customers/schedule-statement'
      : '/v2/customers/schedule-statement/{customerCode}';
  const response = await invoke(
    schedulesApiHandler,
    apiEvent({
      method: 'POST',
      resource,
      path: resource.replace('{customerCode}', code ?? ''),
      ...(code === undefined ? {} : { pathParameters: { customerCode: code } }),
      body: JSON.stringify({
        ...(code === undefined ? { Selection: 'Owing' } : {}),
        IssueDay: ISSUE_DAY,
        Period: 'LastMonth',
        SkipIfNothingOwed: true,
      }),
      tenantId,
    }),
  );
  expect(response.statusCode).toBe(201);
}

/** The run items of a tenant (SK `RUN` in its batch partitions). */
async function runItemsOf(tenantId: string): Promise<string[]> {
  return (await tenantItems(tenantId)).filter((item) => item.SK === 'RUN').map((item) => String(item.PK));
}

/** Runs `trigger`, keeping its report even when it throws ScheduleTriggerFailedError. */
async function reportOf(trigger: Promise<TriggerReport>): Promise<TriggerReport> {
  try {
    return await trigger;
  } catch (error) {
    if (error instanceof ScheduleTriggerFailedError) return error.report;
    throw error;
  }
}

describe('the schedule trigger fired twice', () => {
  const tenantIds: string[] = [];

  beforeAll(async () => {
    await useRunFeedQueue();
    const tenants = Array.from({ length: TENANTS }, () => exampleTenant());
    await seedTenants(...tenants);
    for (const [index, tenant] of tenants.entries()) {
      tenantIds.push(tenant.Id);
      await saveSchedule(tenant.Id);
      if (index < WITH_CUSTOMER_SCHEDULE) await saveSchedule(tenant.Id, '101');
    }
  }, 120_000);

  afterEach(() => {
    dynamoDbClient().middlewareStack.remove('schedule-record-fault');
  });

  it(`starts one run per schedule when ${CONCURRENT_TRIGGERS} triggers of the hour run at once, and none when fired again later`, async () => {
    const schedules = TENANTS + WITH_CUSTOMER_SCHEDULE;
    const noon = localNoon(issueDate, 'Europe/London');
    const reports = await Promise.all(
      Array.from({ length: CONCURRENT_TRIGGERS }, (_, index) =>
        reportOf(runScheduleTrigger(new Date(noon.getTime() + index * 1000))),
      ),
    );
    const ours = (report: TriggerReport) => report.runs.filter((run) => tenantIds.includes(run.tenantId));
    const created = reports.flatMap((report) => ours(report).filter((run) => run.created));
    expect(reports.flatMap((report) => report.failures)).toEqual([]);
    // Every schedule started by exactly one of the triggers; the others found it started or already recorded.
    expect(created).toHaveLength(schedules);
    expect(new Set(created.map((run) => run.runId)).size).toBe(schedules);

    // The same day, hours later, and days late (before the next issue date): nothing more.
    const later = await runScheduleTrigger(new Date(noon.getTime() + 6 * 3_600_000));
    const daysLate = await runScheduleTrigger(localNoon(addDays(issueDate, 5), 'Europe/London'));
    expect([...ours(later), ...ours(daysLate)]).toEqual([]);

    let runs = 0;
    for (const [index, tenantId] of tenantIds.entries()) {
      const expected = [scheduleRunId(tenantId, 'ALL', issueDate)];
      if (index < WITH_CUSTOMER_SCHEDULE) expected.push(scheduleRunId(tenantId, 'CUSTOMER#101', issueDate));
      const items = await runItemsOf(tenantId);
      expect(items.sort()).toEqual(expected.map((runId) => `TENANT#${tenantId}#BATCH#${runId}`).sort());
      runs += items.length;
      expect((await getSchedule(tenantId, 'ALL'))?.lastRun?.runId).toBe(expected[0]);
    }
    expect(runs).toBe(schedules);
    recordFigure(
      'schedules.concurrent_triggers',
      CONCURRENT_TRIGGERS,
      'triggers of the same hour run at once',
    );
    recordFigure(
      'schedules.runs_started',
      runs,
      `runs for ${schedules} schedules (expected exactly one each)`,
    );
    recordFigure(
      'schedules.duplicate_runs',
      runs - schedules,
      'runs beyond one per schedule and issue date after concurrent, later and late triggers (expected 0)',
    );
  });

  it('a trigger that crashes after starting a run and before recording it: the next finds the run, records it, starts no other', async () => {
    const tenant = exampleTenant();
    await seedTenants(tenant);
    await saveSchedule(tenant.Id);
    const runId = scheduleRunId(tenant.Id, 'ALL', issueDate);
    let failed = 0;
    // The schedule's record of its run (an UpdateItem of its SCHEDULE# item) fails, as if the trigger died there.
    dynamoDbClient().middlewareStack.add(
      (next, context) => async (args) => {
        if (
          context.commandName === 'UpdateItemCommand' &&
          JSON.stringify(args.input).includes('SCHEDULE#ALL')
        ) {
          failed += 1;
          throw new Error('the trigger died here');
        }
        return next(args);
      },
      { step: 'initialize', name: 'schedule-record-fault' },
    );
    const now = localNoon(issueDate, 'Europe/London');
    const crashed = await triggerDueSchedules({ now: () => now, tenantIds: [tenant.Id] });
    expect(failed).toBe(1);
    expect(crashed.failures).toHaveLength(1);
    expect(await getRun(tenant.Id, runId)).toBeDefined();
    expect((await getSchedule(tenant.Id, 'ALL'))?.lastRun).toBeUndefined();
    dynamoDbClient().middlewareStack.remove('schedule-record-fault');

    const next = await triggerDueSchedules({
      now: () => new Date(now.getTime() + 3_600_000),
      tenantIds: [tenant.Id],
    });
    expect(next.failures).toEqual([]);
    expect(next.runs.map((run) => [run.runId, run.created])).toEqual([[runId, false]]);
    expect((await getSchedule(tenant.Id, 'ALL'))?.lastRun?.runId).toBe(runId);
    expect(await runItemsOf(tenant.Id)).toEqual([`TENANT#${tenant.Id}#BATCH#${runId}`]);
  });
});
