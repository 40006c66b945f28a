/**
 * The schedule trigger (docs/schedules.md): pages through the tenants that have schedules (the
 * `SCHEDULES` directory, never a Scan), judges each schedule at the tenant's local date and starts
 * each due run through the runs service. The run id is made from tenant, schedule and issue date,
 * so a trigger that fires twice, late, or in two places at once starts exactly one run (startRun's
 * conditional put). A tenant's or schedule's failure is reported and retried by the next trigger;
 * it never stops the others.
 */

import { getTenant } from '../../aws/dynamodb-operators.ts';
import {
  listScheduledTenantPage,
  listTenantSchedules,
  recordScheduleRun,
} from '../../aws/dynamodb-schedules.ts';
import { forEachConcurrently } from '../../concurrency.ts';
import { dateInTimeZone } from '../../domain/calendar-date.ts';
import type { StoredSchedule } from '../../domain/schedule.ts';
import { dueIssueDate, nextIssueDate, scheduleStatementPeriod } from '../../domain/schedule-due.ts';
import { METRIC } from '../../observability/metric-names.ts';
import { logger, metrics } from '../../observability/powertools.ts';
import { deterministicRunId, type StartRunInput, startRun } from '../runs/start-run.ts';
import { prepareTenantWideRun } from './own-schedule-skips.ts';

/** Tenants read from the directory a page at a time. */
const TENANT_PAGE_SIZE = 100;
/** Tenants judged at once: each is a few reads and a run start per due schedule. */
const TENANT_CONCURRENCY = 8;

/**
 * The run id of a schedule's issue: the same tenant, schedule and issue date always give the same
 * id (UUID-shaped, so that it is also a batch id the batch status resource accepts).
 */
export const scheduleRunId = (tenantId: string, scheduleId: string, issueDate: string): string =>
  deterministicRunId('schedule', tenantId, scheduleId, issueDate);

/** One run a trigger started (or found started: `created` false). */
export interface ScheduledRun {
  tenantId: string;
  scheduleId: string;
  customerCode?: string;
  issueDate: string;
  runId: string;
  created: boolean;
  periodStart: string;
  periodEnd: string;
}

/** A tenant or schedule the trigger could not handle, and why (an error's name and message, no data). */
export interface TriggerFailure {
  tenantId: string;
  scheduleId?: string;
  reason: string;
}

/** What one trigger did. */
export interface TriggerReport {
  tenants: number;
  runs: ScheduledRun[];
  failures: TriggerFailure[];
}

/** How a trigger runs; the defaults are the hourly trigger's. */
export interface TriggerOptions {
  /** The instant each tenant is judged at, given its time zone (the CLI's: that date's local noon). */
  now: (timeZone: string) => Date;
  /** Only these tenants (the CLI's `--tenant`); default: every tenant of the schedule directory. */
  tenantIds?: readonly string[];
  /**
   * The real time, which runs and schedules record as when they started (default: the clock).
   * `now` may be another day (`run-due --date`); only the due rules read it.
   */
  clock?: () => Date;
  /** The runs service's startRun; a unit test gives its own. */
  startRun?: (input: StartRunInput) => Promise<{ runId: string; created: boolean }>;
}

const reasonOf = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 300) : 'Unknown error';

async function* scheduledTenants(only: readonly string[] | undefined): AsyncGenerator<string> {
  if (only !== undefined) {
    yield* only;
    return;
  }
  let after: string | undefined;
  do {
    const page = await listScheduledTenantPage(TENANT_PAGE_SIZE, after);
    yield* page.tenantIds;
    after = page.lastSortKey;
  } while (after !== undefined);
}

/** Starts the run of one due schedule and records it on the schedule. */
async function startDueRun(
  tenantId: string,
  schedule: StoredSchedule,
  issueDate: string,
  today: string,
  startedAt: Date,
  start: NonNullable<TriggerOptions['startRun']>,
): Promise<ScheduledRun> {
  const period = scheduleStatementPeriod(schedule, issueDate);
  const runId = scheduleRunId(tenantId, schedule.scheduleId, issueDate);
  const origin = { type: 'Schedule' as const, scheduleId: schedule.scheduleId };
  // A customer's own schedule replaces the tenant-wide one: its skip is written before any feeding.
  const prepared =
    schedule.customerCode === undefined &&
    (await prepareTenantWideRun(
      { tenantId, runId, selection: { type: schedule.selection }, period, origin, now: startedAt },
      issueDate,
    ));
  const started = await start({
    tenantId,
    runId,
    selection:
      schedule.customerCode === undefined
        ? { type: schedule.selection }
        : { type: 'List', customerCodes: [schedule.customerCode] },
    period,
    origin,
    now: startedAt,
  });
  const created = prepared || started.created;
  const lastRun = {
    runId,
    issueDate,
    periodStart: period.start,
    periodEnd: period.end,
    state: 'Started',
    startedAt: startedAt.toISOString(),
  };
  // Recorded after the run exists: should this fail, the next trigger finds the run started
  // (created false) and records it then.
  await recordScheduleRun(
    tenantId,
    schedule.scheduleId,
    lastRun,
    nextIssueDate({ ...schedule, lastRun }, today),
  );
  return {
    tenantId,
    scheduleId: schedule.scheduleId,
    ...(schedule.customerCode === undefined ? {} : { customerCode: schedule.customerCode }),
    issueDate,
    runId,
    created,
    periodStart: period.start,
    periodEnd: period.end,
  };
}

async function triggerTenant(
  tenantId: string,
  options: TriggerOptions,
  report: TriggerReport,
): Promise<void> {
  const start = options.startRun ?? startRun;
  const tenant = await getTenant(tenantId);
  if (tenant === undefined) return;
  const now = options.now(tenant.timeZone);
  const today = dateInTimeZone(now, tenant.timeZone);
  for await (const schedule of listTenantSchedules(tenantId)) {
    const issueDate = dueIssueDate(schedule, today);
    if (issueDate === undefined) continue;
    try {
      const startedAt = options.clock?.() ?? new Date();
      const run = await startDueRun(tenantId, schedule, issueDate, today, startedAt, start);
      report.runs.push(run);
      if (run.created) metrics.addMetric(METRIC.ScheduledRunsStarted, 'Count', 1);
      logger.info('Scheduled run', {
        tenantId,
        scheduleId: schedule.scheduleId,
        issueDate,
        runId: run.runId,
        created: run.created,
      });
    } catch (error) {
      report.failures.push({ tenantId, scheduleId: schedule.scheduleId, reason: reasonOf(error) });
      logger.error('Scheduled run not started; the next trigger retries it', {
        tenantId,
        scheduleId: schedule.scheduleId,
        issueDate,
        error,
      });
    }
  }
}

/**
 * Starts every due scheduled run of every tenant with schedules (or of `options.tenantIds`), each
 * tenant judged at `options.now(its time zone)`. Never throws for one tenant's or schedule's
 * failure: each is in the report's `failures`, and the next trigger tries again.
 */
export async function triggerDueSchedules(options: TriggerOptions): Promise<TriggerReport> {
  const report: TriggerReport = { tenants: 0, runs: [], failures: [] };
  const batch: string[] = [];
  const flush = async () => {
    await forEachConcurrently(batch.splice(0), TENANT_CONCURRENCY, async (tenantId) => {
      report.tenants += 1;
      try {
        await triggerTenant(tenantId, options, report);
      } catch (error) {
        report.failures.push({ tenantId, reason: reasonOf(error) });
        logger.error('Tenant schedules not judged; the next trigger retries them', { tenantId, error });
      }
    });
  };
  for await (const tenantId of scheduledTenants(options.tenantIds)) {
    batch.push(tenantId);
    if (batch.length >= TENANT_PAGE_SIZE) await flush();
  }
  await flush();
  if (report.failures.length > 0)
    metrics.addMetric(METRIC.ScheduleTriggerFailures, 'Count', report.failures.length);
  return report;
}

/** Some schedules could not be started or recorded: Lambda retries the trigger, then dead-letters it. */
export class ScheduleTriggerFailedError extends Error {
  override readonly name = 'ScheduleTriggerFailedError';
  constructor(readonly report: TriggerReport) {
    super(
      `${report.failures.length} schedule(s) of ${report.tenants} tenant(s) failed; the next trigger retries them`,
    );
  }
}

/**
 * The hourly trigger (EventBridge Scheduler in AWS, the local clock in `npm start`): every tenant
 * judged at `now`. Throws ScheduleTriggerFailedError after judging every tenant when any failed,
 * so that the failure is retried, counted by the function's Errors alarm and dead-lettered, never
 * silent; the runs it did start stay started (a retry finds them, created false).
 */
export async function runScheduleTrigger(now: Date): Promise<TriggerReport> {
  const report = await triggerDueSchedules({ now: () => now, clock: () => now });
  if (report.failures.length > 0) throw new ScheduleTriggerFailedError(report);
  return report;
}
