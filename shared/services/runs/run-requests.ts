/**
 * The statement runs API's services (docs/api.md, "Statement runs"): start a run (at most once
 * per Idempotency-Key), read a run with one page of its customers, cancel a run.
 */
import { cancelRun, getRun, queryRunJobs } from '../../aws/dynamodb-runs.ts';
import { getTenantWithCustomers } from '../../aws/dynamodb-tenants.ts';
import { batchPartition } from '../../aws/table-keys.ts';
import { dateInTimeZone } from '../../domain/calendar-date.ts';
import {
  RUN_JOB_STATES,
  type RunJobState,
  type RunRecord,
  type RunSelection,
  type RunState,
  runJobStateOf,
} from '../../domain/run.ts';
import {
  type PeriodRequest,
  resolveStatementPeriod,
  type StatementType,
  statementTypeOf,
} from '../../domain/statement-period.ts';
import { UnknownTenantError } from '../../errors.ts';
import { logger } from '../../observability/powertools.ts';
import { withIdempotencyKey } from '../with-idempotency-key.ts';
import { startRun } from './start-run.ts';

/** One customer of a run, as the run resource lists it. */
export interface RunCustomerView {
  CustomerCode: string;
  State: RunJobState;
  Reason?: string;
  UpdatedAt: string;
}

/** The run resource: its options, state, exact counters and one page of its customers. */
export interface RunView {
  RunId: string;
  State: RunState;
  Selection: RunSelection['type'];
  /** `List` runs: how many distinct codes the list holds. */
  CustomerCount?: number;
  Origin: 'Api' | 'Schedule';
  ScheduleId?: string;
  CreatedAt: string;
  UpdatedAt: string;
  CompletedAt?: string;
  CancelledAt?: string;
  StartDate: string;
  EndDate: string;
  FilterBy: string;
  ExcludePaidInvoices: boolean;
  StatementType: StatementType;
  SkipNothingOwed: boolean;
  /** Customers fed so far (exact): the sum of Counts. */
  Total: number;
  Counts: Record<RunJobState, number>;
  SkippedReasons: Record<string, number>;
  /** Dead-lettered customers the retry pass sent once more. */
  Retried: number;
  Customers: RunCustomerView[];
  /** The sort key after which the next page starts; absent on the last page. */
  nextAfter?: string;
}

/** What the POST answers: the run, and whether this is the first answer to its Idempotency-Key replayed. */
export interface StartedRun {
  run: RunView;
  replayed: boolean;
}

/**
 * Starts a run for a validated request: resolves the period in the tenant's time zone (a bad one
 * is refused before anything is written), then `startRun`, at most once per Idempotency-Key (the
 * key's batch id is the run id, so a retry after a lost answer resumes the same run).
 */
export async function startRunRequest(
  tenantId: string,
  request: { period: PeriodRequest; selection: RunSelection; idempotencyKey: string | undefined },
  now: Date,
): Promise<StartedRun> {
  const { tenant } = await getTenantWithCustomers(tenantId, []);
  if (tenant === undefined) throw new UnknownTenantError();
  const period = resolveStatementPeriod(request.period, dateInTimeZone(now, tenant.timeZone));
  const { outcome, replayed } = await withIdempotencyKey(
    tenantId,
    request.idempotencyKey,
    { runs: true, selection: request.selection, period: request.period },
    async ({ batchId: runId }) => {
      try {
        await startRun({
          tenantId,
          runId,
          selection: request.selection,
          period,
          origin: { type: 'Api' },
          now,
        });
      } catch (error) {
        // The key is let go of (no batch item): a retry starts another run, so this one, if it was
        // recorded without its first feed message, is cancelled rather than left Feeding for ever.
        await cancelRun(tenantId, runId, now).catch(() => undefined);
        throw error;
      }
      return { batchId: runId, period, statuses: [] };
    },
    now,
  );
  const run = await getRunView(tenantId, outcome.batchId, { perPage: 0, after: undefined });
  if (run === undefined) throw new Error('The run just started cannot be read');
  logger.info('Statement run requested', { runId: run.RunId, replayed });
  return { run, replayed };
}

/**
 * The run and one page of its customers: the run item and ONE Query of its job items (never the
 * whole run). undefined when the tenant has no such run.
 */
export async function getRunView(
  tenantId: string,
  runId: string,
  page: { perPage: number; after: string | undefined },
): Promise<RunView | undefined> {
  const run = await getRun(tenantId, runId);
  if (run === undefined) return undefined;
  const view = toRunView(run);
  if (page.perPage === 0) return view;
  const startKey =
    page.after === undefined ? undefined : { PK: batchPartition(tenantId, runId), SK: page.after };
  const jobs = await queryRunJobs(tenantId, runId, page.perPage, startKey);
  view.Customers = jobs.items.map(toCustomerView);
  if (jobs.next !== undefined) view.nextAfter = jobs.next.SK;
  return view;
}

/** Cancels a run (once; again changes nothing) and answers it as it is then; undefined: no such run. */
export async function cancelRunRequest(
  tenantId: string,
  runId: string,
  now: Date,
): Promise<RunView | undefined> {
  const run = await cancelRun(tenantId, runId, now);
  if (run !== undefined) logger.info('Statement run cancel requested', { runId, state: run.state });
  return run === undefined ? undefined : toRunView(run);
}

function toRunView(run: RunRecord): RunView {
  const { period } = run;
  return {
    RunId: run.runId,
    State: run.state,
    Selection: run.selection.type,
    ...(run.listSize === undefined ? {} : { CustomerCount: run.listSize }),
    Origin: run.origin.type,
    ...(run.origin.type === 'Schedule' ? { ScheduleId: run.origin.scheduleId } : {}),
    CreatedAt: run.createdAt,
    UpdatedAt: run.updatedAt,
    ...(run.completedAt === undefined ? {} : { CompletedAt: run.completedAt }),
    ...(run.cancelledAt === undefined ? {} : { CancelledAt: run.cancelledAt }),
    StartDate: period.start,
    EndDate: period.end,
    FilterBy: period.filterAll ? 'All' : '',
    ExcludePaidInvoices: period.excludePaid,
    StatementType: statementTypeOf(period),
    SkipNothingOwed: period.skipNothingOwed === true || run.selection.type === 'Owing',
    Total: run.total,
    Counts: Object.fromEntries(RUN_JOB_STATES.map((state) => [state, run.counts[state]])) as Record<
      RunJobState,
      number
    >,
    SkippedReasons: run.skippedReasons,
    Retried: run.retried,
    Customers: [],
  };
}

function toCustomerView(item: Record<string, unknown>): RunCustomerView {
  const state = typeof item.state === 'string' ? item.state : undefined;
  const reason = typeof item.reason === 'string' ? item.reason : undefined;
  const outward = runJobStateOf(state, reason);
  const lastError = typeof item.lastError === 'string' ? item.lastError : undefined;
  const shown =
    outward === 'Queued'
      ? lastError === undefined
        ? undefined
        : `Retrying: ${lastError}`
      : outward === 'Failed' || outward === 'Skipped'
        ? reason
        : outward === 'Bounced' || outward === 'Complained'
          ? (item.lastEvent as string | undefined)
          : undefined;
  return {
    CustomerCode: String(item.customerCode ?? String(item.SK).slice('ITEM#'.length)),
    State: outward,
    ...(shown === undefined ? {} : { Reason: shown }),
    UpdatedAt: String(item.updatedAt ?? ''),
  };
}
