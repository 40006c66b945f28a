/**
 * The feeder's look for jobs that will never end by themselves (docs/runs.md, "Completion and its
 * limits"). A worker that dies on a job's last receive (a timeout, a crash, a lost SES answer)
 * leaves it `Claimed` or `Sending` without the dead-letter record its catch would have written,
 * and SQS moves the message to the jobs' DLQ: the job stays counted `Queued`, and its run would
 * wait in `Drain` or `Finish` for ever. Once the run's `Queued` count has not moved for the jobs'
 * whole redelivery window (visibility timeout x receives, read from the queue), the feeder reads
 * the run's unfinished jobs a page at a time and records each one whose last claim ended before
 * that window as dead-lettered (counted `Queued → Failed`), so the retry pass takes it back once
 * and the run completes.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod';
import type { Item } from '../../aws/dynamodb.ts';
import {
  advanceFeed,
  deadLetterStalledRunJob,
  queryRunJobs,
  type StalledRunJob,
} from '../../aws/dynamodb-runs.ts';
import { redeliveryWindowMs } from '../../aws/sqs-redelivery.ts';
import type { TableKey } from '../../aws/table-keys.ts';
import { jobQueueConfig, runConfig } from '../../config.ts';
import type { RunRecord } from '../../domain/run.ts';
import { METRIC } from '../../observability/metric-names.ts';
import { metrics } from '../../observability/powertools.ts';

/**
 * What the sweep keeps in the run's `feed.cursor` while the run is in `Drain` or `Finish` (a cursor
 * those stages do not otherwise use): the `Queued` count last seen, since when it has not moved,
 * and where a pass over the run's jobs resumes.
 */
const SweepCursorSchema = z.object({
  queued: z.number().int(),
  since: z.iso.datetime(),
  next: z.record(z.string(), z.string()).optional(),
});
type SweepCursor = z.infer<typeof SweepCursorSchema>;

/**
 * How a look ended: `wait` (look again after the feeder's delay), `continue` (the next page at
 * once), or `superseded` (another delivery of the feed message advanced first: this chain stops).
 */
export type SweepOutcome = 'wait' | 'continue' | 'superseded';

/** Reasons recorded on a job found stalled, by the state it was found in. */
export const STALLED_REASONS = {
  Claimed: 'In the dead-letter queue: the worker stopped during its last attempt, before sending',
  Sending:
    'In the dead-letter queue: the worker stopped during its last attempt, while sending; SES may have sent it',
  Retrying: 'In the dead-letter queue after its last attempt',
} as const;

const STALLABLE_STATES = ['Claimed', 'Sending', 'Retrying'] as const;

function cursorOf(run: RunRecord): SweepCursor | undefined {
  if (run.feed.cursor === undefined) return undefined;
  try {
    const parsed = SweepCursorSchema.safeParse(JSON.parse(run.feed.cursor));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The job as a stalled one, or undefined while it may still end by itself: a claim whose lease
 * ended before `cutoff`, or a job a worker released (attempts > 0) and nobody took since `cutoff`.
 * A job fed and never received (attempts 0) waits its turn on the queue and is never stalled.
 */
function stalledJob(item: Item, cutoff: Date): StalledRunJob | undefined {
  if (item.sesMessageId !== undefined) return undefined;
  const customerCode = String(item.customerCode);
  switch (item.state) {
    case 'Claimed':
    case 'Sending': {
      const lease = Number(item.leaseUntil);
      if (!Number.isFinite(lease) || lease >= cutoff.getTime()) return undefined;
      return { customerCode, state: item.state, reason: STALLED_REASONS[item.state] };
    }
    case 'Retrying': {
      const attempts = Number(item.attempts ?? 0);
      if (!(attempts > 0) || String(item.updatedAt ?? '') >= cutoff.toISOString()) return undefined;
      const lastError = typeof item.lastError === 'string' ? `; last error: ${item.lastError}` : '';
      return { customerCode, state: 'Retrying', reason: `${STALLED_REASONS.Retrying}${lastError}` };
    }
    default:
      return undefined;
  }
}

/**
 * One look of the `Drain`/`Finish` stage at a run with jobs still `Queued`: notes when the count
 * moved (the quiet period restarts), and once it has been still for the redelivery window, reads
 * one page of the run's unfinished jobs and dead-letters the stalled ones. A job found `Sending`
 * may have been accepted by SES: while the retry pass is still to come (`Drain`) its retry is a
 * possible duplicate, counted as the worker counts its takeover of a `Sending` job
 * (PossibleDuplicateEmail, docs/exactly-once.md).
 */
export async function sweepLapsedJobs(run: RunRecord, now: Date, log: Logger): Promise<SweepOutcome> {
  const { tenantId, runId } = run;
  const seen = cursorOf(run);
  const queued = run.counts.Queued;
  const keep = async (cursor: SweepCursor): Promise<boolean> =>
    advanceFeed(tenantId, runId, {
      seq: run.feed.seq,
      stage: run.feed.stage,
      cursor: JSON.stringify(cursor),
      now,
    });

  if (seen === undefined || seen.queued !== queued) {
    // Jobs ended since the last look: the run is moving; the quiet period starts again now.
    return (await keep({ queued, since: now.toISOString() })) ? 'wait' : 'superseded';
  }
  const windowMs = await redeliveryWindowMs(jobQueueConfig().JOB_QUEUE_URL);
  if (seen.next === undefined && now.getTime() - Date.parse(seen.since) < windowMs) return 'wait';

  const cutoff = new Date(now.getTime() - windowMs);
  const page = await queryRunJobs(
    tenantId,
    runId,
    runConfig().RUN_PAGE_SIZE,
    seen.next as TableKey | undefined,
    STALLABLE_STATES,
  );
  let swept = 0;
  for (const item of page.items) {
    const job = stalledJob(item, cutoff);
    if (job === undefined || !(await deadLetterStalledRunJob(tenantId, runId, job, cutoff, now))) continue;
    swept += 1;
    metrics.addMetric(METRIC.JobsDeadLettered, 'Count', 1);
    if (job.state === 'Sending' && run.feed.stage === 'Drain') {
      metrics.addMetric(METRIC.PossibleDuplicateEmail, 'Count', 1);
      log.warn('A job left Sending by its last delivery is retried: a duplicate email is possible', {
        customerCode: job.customerCode,
      });
    }
  }
  if (swept > 0)
    log.warn('Jobs whose worker stopped on their last receive recorded dead-lettered', { swept });
  // The jobs swept leave Queued in this look's own transactions: counted as seen, not as movement.
  const next: SweepCursor =
    page.next === undefined
      ? { queued: queued - swept, since: now.toISOString() }
      : { queued: queued - swept, since: seen.since, next: { ...page.next } };
  if (!(await keep(next))) return 'superseded';
  return page.next === undefined ? 'wait' : 'continue';
}
