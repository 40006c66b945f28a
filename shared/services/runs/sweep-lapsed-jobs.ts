/**
 * The feeder's look for jobs that will never end by themselves (docs/runs.md, "Completion and its
 * limits"). A worker that dies on a job's last receive (a timeout, a crash, a lost SES answer)
 * leaves it `Claimed` or `Sending` without the dead-letter record its catch would have written; one
 * that fails before its claim on every receive (an init crash, out of memory) leaves it as fed.
 * Either way SQS moves the message to the jobs' DLQ and the job stays counted `Queued`: its run
 * would wait for ever, at the cap in `Select` or `Retry`, or in `Drain` or `Finish`. Once the
 * run's `Queued` count has not moved for the jobs' whole redelivery window (visibility timeout x
 * receives, read from the queue) AND the job queue holds no message that could still reach a
 * worker (none visible, delayed or in flight: no backlog it could wait behind), the feeder reads
 * the run's unfinished jobs a page at a time and records each one whose last claim (or feed)
 * ended before that window as dead-lettered (counted `Queued → Failed`), so the retry pass takes
 * it back once and the run goes on.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Item } from '../../aws/dynamodb.ts';
import {
  advanceFeed,
  deadLetterStalledRunJob,
  queryRunJobs,
  type StalledRunJob,
} from '../../aws/dynamodb-runs.ts';
import { queueIsIdle, redeliveryWindowMs } from '../../aws/sqs-redelivery.ts';
import type { TableKey } from '../../aws/table-keys.ts';
import { jobQueueConfig, runConfig } from '../../config.ts';
import type { RunRecord, RunSweep } from '../../domain/run.ts';
import { METRIC } from '../../observability/metric-names.ts';
import { metrics } from '../../observability/powertools.ts';

/**
 * How a look ended: `wait` (look again after the feeder's delay), `continue` (the next page at
 * once), or `superseded` (another delivery of the feed message advanced first: this chain stops);
 * `swept`: the jobs it recorded dead-lettered (they left `Queued`, but not by draining).
 */
export interface SweepOutcome {
  next: 'wait' | 'continue' | 'superseded';
  swept: number;
}

/** Reasons recorded on a job found stalled, by the state it was found in. */
export const STALLED_REASONS = {
  Claimed: 'In the dead-letter queue: the worker stopped during its last attempt, before sending',
  Sending:
    'In the dead-letter queue: the worker stopped during its last attempt, while sending; SES may have sent it',
  Retrying: 'In the dead-letter queue after its last attempt',
  Unclaimed:
    'In the dead-letter queue: no worker claimed it on any receive (the worker failed before its claim)',
} as const;

const STALLABLE_STATES = ['Claimed', 'Sending', 'Retrying'] as const;

/**
 * The job as a stalled one, or undefined while it may still end by itself: a claim whose lease
 * ended before `cutoff`, or a job released by a worker, or fed and never claimed (attempts 0),
 * that nobody took since `cutoff`. Judged only while the job queue is idle: a message of a job
 * never claimed is then gone, not waiting its turn.
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
      if (typeof item.updatedAt !== 'string' || item.updatedAt >= cutoff.toISOString()) return undefined;
      if (!(Number(item.attempts ?? 0) > 0))
        return { customerCode, state: 'Retrying', reason: STALLED_REASONS.Unclaimed };
      const lastError = typeof item.lastError === 'string' ? `; last error: ${item.lastError}` : '';
      return { customerCode, state: 'Retrying', reason: `${STALLED_REASONS.Retrying}${lastError}` };
    }
    default:
      return undefined;
  }
}

/**
 * One look at a run that waits with jobs still `Queued` (`Select` or `Retry` at the cap, `Drain`,
 * `Finish`): notes when the count moved (the quiet period restarts), and once it has been still
 * for the redelivery window and the job queue is idle, reads one page of the run's unfinished jobs
 * and dead-letters the stalled ones. Its state is the run's `feed.sweep`; the stage's own cursor is
 * kept as it is. A job found `Sending` may have been accepted by SES: while the retry pass is
 * still to come (`Select`, `Drain`) its retry is a possible duplicate, counted as the worker
 * counts its takeover of a `Sending` job (PossibleDuplicateEmail, docs/exactly-once.md).
 */
export async function sweepLapsedJobs(run: RunRecord, now: Date, log: Logger): Promise<SweepOutcome> {
  const { tenantId, runId } = run;
  const seen = run.feed.sweep;
  const queued = run.counts.Queued;
  const keep = async (sweep: RunSweep): Promise<boolean> =>
    advanceFeed(tenantId, runId, {
      seq: run.feed.seq,
      stage: run.feed.stage,
      cursor: run.feed.cursor,
      sweep,
      now,
    });
  const wait: SweepOutcome = { next: 'wait', swept: 0 };

  if (seen === undefined || seen.queued !== queued) {
    // Jobs ended since the last look: the run is moving; the quiet period starts again now.
    return (await keep({ queued, since: now.toISOString() })) ? wait : { next: 'superseded', swept: 0 };
  }
  const { JOB_QUEUE_URL } = jobQueueConfig();
  const windowMs = await redeliveryWindowMs(JOB_QUEUE_URL);
  if (seen.next === undefined && now.getTime() - Date.parse(seen.since) < windowMs) return wait;
  // A message waiting behind other tenants' jobs (or in a worker's hands) may still come: none is swept.
  if (!(await queueIsIdle(JOB_QUEUE_URL))) return wait;

  const cutoff = new Date(now.getTime() - windowMs);
  const page = await queryRunJobs(
    tenantId,
    runId,
    runConfig().RUN_PAGE_SIZE,
    seen.next as TableKey | undefined,
    STALLABLE_STATES,
  );
  // The retry pass is still to come: a job found Sending will be sent again.
  const retriedLater = run.feed.stage === 'Select' || run.feed.stage === 'Drain';
  let swept = 0;
  for (const item of page.items) {
    const job = stalledJob(item, cutoff);
    if (job === undefined || !(await deadLetterStalledRunJob(tenantId, runId, job, cutoff, now))) continue;
    swept += 1;
    metrics.addMetric(METRIC.JobsDeadLettered, 'Count', 1);
    if (job.state === 'Sending' && retriedLater) {
      metrics.addMetric(METRIC.PossibleDuplicateEmail, 'Count', 1);
      log.warn('A job left Sending by its last delivery is retried: a duplicate email is possible', {
        customerCode: job.customerCode,
      });
    }
  }
  if (swept > 0)
    log.warn('Jobs whose worker stopped on their last receive recorded dead-lettered', { swept });
  // The jobs swept leave Queued in this look's own transactions: counted as seen, not as movement.
  const next: RunSweep =
    page.next === undefined
      ? { queued: queued - swept, since: now.toISOString() }
      : { queued: queued - swept, since: seen.since, next: { ...page.next } };
  if (!(await keep(next))) return { next: 'superseded', swept };
  return { next: page.next === undefined ? 'wait' : 'continue', swept };
}
