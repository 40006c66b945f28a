/**
 * A statement run (docs/runs.md): one tenant's statements for every customer a selection rule
 * picks, fed to the job pipeline a page at a time. A run is a batch: its id is the batch id of its
 * jobs, so the worker's at-most-once per job key, the SES events and the notes apply unchanged.
 */
import * as z from 'zod';
import { isLookupableCode } from './customer-status.ts';
import { StatementPeriodSchema } from './statement-period.ts';

/** Which customers a run is for: every one, those who owe, those with anything overdue, or a list. */
export const RUN_SELECTION_TYPES = ['All', 'Owing', 'Overdue', 'List'] as const;
/** One of RUN_SELECTION_TYPES. */
export type RunSelectionType = (typeof RUN_SELECTION_TYPES)[number];

/** A customer code of a run's list: the bulk endpoint's rule for a code that can be looked up. */
export const RunCustomerCodeSchema = z.string().refine(isLookupableCode, {
  message: 'must be 1 to 64 characters with no control characters',
});

/** A run's selection; only `List` carries codes (stored in chunk items, never on the run item). */
export const RunSelectionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.enum(['All', 'Owing', 'Overdue']) }),
  z.object({ type: z.literal('List'), customerCodes: z.array(RunCustomerCodeSchema).min(1) }),
]);
/** A run's selection as `startRun` takes it. */
export type RunSelection = z.infer<typeof RunSelectionSchema>;

/** Who started a run: the API, or a schedule (issue 14's schedules). */
export const RunOriginSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('Api') }),
  z.object({ type: z.literal('Schedule'), scheduleId: z.string().min(1) }),
]);
/** A run's origin. */
export type RunOrigin = z.infer<typeof RunOriginSchema>;

/**
 * A run id is a batch id: it sits inside the batch partition key (`TENANT#t#BATCH#<id>`), so it
 * may not hold `#`. API runs get a random UUID, schedules a deterministic UUID-shaped one
 * (`deterministicRunId`).
 */
export const RunIdSchema = z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, {
  message: 'a run id is 1 to 128 letters, digits or . _ : -',
});

/** The outward states of a run. `Sending`: every customer is fed; the last are being sent or retried. */
export const RUN_STATES = ['Feeding', 'Sending', 'Completed', 'Cancelled'] as const;
/** One of RUN_STATES. */
export type RunState = (typeof RUN_STATES)[number];

/** How a run's customers are reported: the job states as a client sees them (docs/runs.md). */
export const RUN_JOB_STATES = [
  'Queued',
  'Sent',
  'Delivered',
  'Bounced',
  'Complained',
  'Failed',
  'Skipped',
  'Cancelled',
] as const;
/** One customer's outward state in a run. */
export type RunJobState = (typeof RUN_JOB_STATES)[number];

/** The run item's counters: one per outward state, each changed in the same transaction as its job. */
export type RunCounts = Record<RunJobState, number>;

/** Every counter at zero: a new run's. */
export const zeroCounts = (): RunCounts =>
  Object.fromEntries(RUN_JOB_STATES.map((state) => [state, 0])) as RunCounts;

/**
 * The feeder's stages: `Select` feeds the selection a page at a time; `Drain` waits for the
 * queued jobs; `Retry` re-queues, once, the jobs that were dead-lettered; `Finish` waits for those,
 * then the run is Completed.
 */
export const FEED_STAGES = ['Select', 'Drain', 'Retry', 'Finish', 'Done'] as const;
/** One of FEED_STAGES. */
export type FeedStage = (typeof FEED_STAGES)[number];

/** The reason a cancelled run's unclaimed job is recorded with (state `Skipped`, reported `Cancelled`). */
export const RUN_CANCELLED_REASON = 'Run cancelled';
/** The reason an `Overdue` run's job ends `Skipped` with when nothing is overdue at send time. */
export const NOTHING_OVERDUE_REASON = 'Nothing overdue';

/**
 * The lapsed-job sweep's own state (docs/runs.md, "Completion and its limits"), kept beside the
 * stage's cursor, which `Select` and `Retry` use while they wait at the cap: the run's `Queued`
 * last seen, since when it has not moved, and where a pass over the run's jobs resumes. Dropped by
 * every advance of the stage (a page fed, a stage changed): the run moved.
 */
export const RunSweepSchema = z.object({
  queued: z.number().int(),
  since: z.iso.datetime(),
  next: z.record(z.string(), z.string()).optional(),
});
/** The sweep's state on the run item. */
export type RunSweep = z.infer<typeof RunSweepSchema>;

/** The run item (SK `RUN` in the run's batch partition), as stored and read back. */
export const RunRecordSchema = z.object({
  tenantId: z.string().min(1),
  runId: RunIdSchema,
  createdAt: z.iso.datetime(),
  updatedAt: z.string(),
  period: StatementPeriodSchema,
  selection: z.object({ type: z.enum(RUN_SELECTION_TYPES) }),
  /** `List` only: how many codes, and in how many chunk items (`RUNLIST#<n>`). */
  listSize: z.number().int().optional(),
  listChunks: z.number().int().optional(),
  origin: RunOriginSchema,
  state: z.enum(RUN_STATES),
  feed: z.object({
    stage: z.enum(FEED_STAGES),
    /** Increases with every advance: the advance is conditional on the value it read. */
    seq: z.number().int(),
    /** Where the stage resumes: a Query's ExclusiveStartKey as JSON, or the next chunk index. */
    cursor: z.string().optional(),
    /** The lapsed-job sweep's state while the run waits (`Select`/`Retry` at the cap, `Drain`, `Finish`). */
    sweep: RunSweepSchema.optional(),
  }),
  counts: z.object(
    Object.fromEntries(RUN_JOB_STATES.map((s) => [s, z.number().int()])) as {
      [K in RunJobState]: z.ZodNumber;
    },
  ),
  skippedReasons: z.record(z.string(), z.number().int()),
  /** Customers fed so far (jobs written), exact. */
  total: z.number().int(),
  /** Jobs the retry pass re-queued. */
  retried: z.number().int().default(0),
  cancelledAt: z.string().optional(),
  completedAt: z.string().optional(),
});
/** A stored run. */
export type RunRecord = z.infer<typeof RunRecordSchema>;

/** A `List` run's codes are stored at most this many per chunk item (well under DynamoDB's 400 KB). */
export const RUN_LIST_CHUNK_SIZE = 1_000;

/**
 * How a stored job state is reported in its run, and counted on the run item: what a client
 * sees. A claimed or retrying job is still `Queued`; a dead-lettered one `Failed`; a job skipped
 * because its run was cancelled `Cancelled`.
 */
export function runJobStateOf(state: string | undefined, reason?: string): RunJobState {
  switch (state) {
    case 'Sent':
    case 'Delivered':
    case 'Bounced':
    case 'Complained':
    case 'Failed':
      return state;
    case 'DeadLettered':
      return 'Failed';
    case 'Skipped':
      return reason === RUN_CANCELLED_REASON ? 'Cancelled' : 'Skipped';
    default:
      return 'Queued';
  }
}
