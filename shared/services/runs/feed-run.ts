/**
 * The run feeder (docs/runs.md): one "feed run R" message, one step of one run. A step reads at
 * most one page (of customers, of a list chunk, or of the run's jobs), writes that page's job items
 * and their counters (conditional puts: a page fed twice writes each job once), queues the jobs,
 * then advances the run's position conditionally on the one it read and sends the next message.
 * A crash anywhere brings the message back, and the same page is fed again: no customer is lost,
 * and the worker sends each job key at most once, so none is emailed twice.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { expiresAfter } from '../../aws/dynamodb.ts';
import { requeueDeadLetteredJob } from '../../aws/dynamodb-jobs.ts';
import {
  advanceFeed,
  type FedJob,
  getRun,
  getRunListChunk,
  putRunJobs,
  queryCustomerCodes,
  queryRunJobs,
} from '../../aws/dynamodb-runs.ts';
import { sendMessages } from '../../aws/sqs.ts';
import { BATCH_RETENTION_SECONDS } from '../../aws/table-design.ts';
import { jobKey, type TableKey } from '../../aws/table-keys.ts';
import { jobQueueConfig, runConfig } from '../../config.ts';
import type { RunRecord } from '../../domain/run.ts';
import { DependencyUnavailableError } from '../../errors.ts';
import { METRIC } from '../../observability/metric-names.ts';
import { metrics } from '../../observability/powertools.ts';
import { jobVersionFor, type StatementJob, StatementJobSchema } from '../../schemas/statement-job.ts';
import type { RunFeedMessage } from './feed-message.ts';
import { type FeedLook, nextLook, refillPoint } from './next-look.ts';
import { sendFeedMessage } from './start-run.ts';
import { sweepLapsedJobs } from './sweep-lapsed-jobs.ts';

/**
 * How one step ended: `fed` a page, `waiting` (the cap, or jobs still queued; looked at again
 * after a delay), `advanced` to the next stage, `finished` (completed, cancelled or gone), or
 * `superseded` (another delivery of the message advanced first: this chain stops).
 */
export type FeedOutcome = 'fed' | 'waiting' | 'advanced' | 'finished' | 'superseded';

/** Where a `List` run resumes: the chunk, and the position in it. */
interface ListCursor {
  chunk: number;
  offset: number;
}

/** What a selection page gives: the codes to feed, and where the next page starts (none: the end). */
interface SelectionPage {
  codes: string[];
  cursor: string | undefined;
}

/** Feeds one step of a run; throws (the message comes back) when a dependency fails. */
export async function feedRun(message: RunFeedMessage, now: Date, log: Logger): Promise<FeedOutcome> {
  const { tenantId, runId } = message;
  const run = await getRun(tenantId, runId);
  if (run === undefined) {
    log.warn('A feed message for a run that does not exist; dropped');
    return 'finished';
  }
  if (run.state === 'Cancelled' || run.state === 'Completed' || run.feed.stage === 'Done') return 'finished';
  const { RUN_QUEUED_CAP, RUN_FEED_DELAY_SECONDS } = runConfig();
  const room = RUN_QUEUED_CAP - run.counts.Queued;
  // A full run is refilled when a quarter of its cap has drained.
  const refillAt = refillPoint(RUN_QUEUED_CAP);
  /**
   * The look the message being handled carried, less the jobs this step's sweep recorded
   * dead-lettered: they left `Queued` without draining, so they do not count as drain measured.
   */
  const previousLook = (swept: number): FeedLook | undefined =>
    message.look === undefined || swept === 0
      ? message.look
      : { ...message.look, queued: Math.max(0, message.look.queued - swept) };
  /**
   * The next "feed run R" after this step queued `fed` jobs (or swept `swept`). Selecting: at once
   * while the run has room under the cap, else when its Queued should have drained to `refillAt`;
   * draining: when it should have drained to none (next-look.ts). It carries what this step left
   * queued, when, and the drain rate estimated: the next step measures from it.
   */
  const lookAgain = async (fed: number, draining: boolean, swept = 0): Promise<void> => {
    const before = run.counts.Queued - swept;
    const queued = before + fed;
    const { seconds, rate } = nextLook({
      queued: before,
      fed,
      target: draining ? 0 : refillAt,
      previous: previousLook(swept),
      now,
      maxSeconds: RUN_FEED_DELAY_SECONDS,
    });
    const delay = !draining && queued < RUN_QUEUED_CAP ? 0 : seconds;
    await sendFeedMessage(tenantId, runId, delay, {
      queued,
      at: now.getTime(),
      ...(rate === undefined ? {} : { rate }),
    });
  };
  /**
   * A run that waits with jobs `Queued` (at the cap while selecting or retrying, or draining): a
   * job whose worker died on its last receive, or never claimed it, would hold it there for ever,
   * so the lapsed-job sweep looks first (sweep-lapsed-jobs.ts). Then the run waits, or the sweep's
   * next page is read at once, carrying this message's look so the wait goes on from it.
   */
  const sweepAndWait = async (): Promise<FeedOutcome> => {
    const sweep = await sweepLapsedJobs(run, now, log);
    if (sweep.next === 'superseded') return 'superseded';
    if (sweep.next === 'wait') {
      await lookAgain(0, run.feed.stage !== 'Select' && run.feed.stage !== 'Retry', sweep.swept);
      return 'waiting';
    }
    await sendFeedMessage(tenantId, runId, 0, previousLook(sweep.swept));
    return 'fed';
  };

  switch (run.feed.stage) {
    case 'Select': {
      // Admission: at most RUN_QUEUED_CAP of this run's jobs wait on the shared queue at once;
      // a full run is looked at again when a quarter of that has drained.
      if (room <= 0) {
        metrics.addMetric(METRIC.RunFeedsDeferred, 'Count', 1);
        return sweepAndWait();
      }
      const page = await selectionPage(run, room);
      const written = await feedJobs(run, page.codes, now);
      const exhausted = page.cursor === undefined;
      const advanced = await advanceFeed(tenantId, runId, {
        seq: run.feed.seq,
        stage: exhausted ? 'Drain' : 'Select',
        cursor: page.cursor,
        ...(exhausted ? { state: 'Sending' as const } : {}),
        now,
      });
      if (!advanced) return 'superseded';
      log.info('Run page fed', { customers: page.codes.length, exhausted });
      await lookAgain(written, exhausted);
      return 'fed';
    }
    case 'Drain':
    case 'Finish': {
      if (run.counts.Queued > 0) return sweepAndWait();
      const retry = run.feed.stage === 'Drain';
      const advanced = await advanceFeed(tenantId, runId, {
        seq: run.feed.seq,
        stage: retry ? 'Retry' : 'Done',
        cursor: undefined,
        ...(retry ? {} : { state: 'Completed' as const }),
        now,
      });
      if (!advanced) return 'superseded';
      if (retry) await sendFeedMessage(tenantId, runId, 0);
      else log.info('Run completed', { total: run.total });
      return retry ? 'advanced' : 'finished';
    }
    case 'Retry': {
      if (room <= 0) return sweepAndWait();
      const startKey = run.feed.cursor === undefined ? undefined : (JSON.parse(run.feed.cursor) as TableKey);
      const page = await queryRunJobs(tenantId, runId, room, startKey, ['DeadLettered', 'Retrying']);
      const codes: string[] = [];
      let retried = 0;
      for (const item of page.items) {
        const customerCode = String(item.customerCode);
        const job = { tenantId, batchId: runId, customerCode, run: run.selection };
        if (item.state === 'DeadLettered' && item.retryPass === undefined) {
          if (await requeueDeadLetteredJob(job, now)) {
            retried += 1;
            codes.push(customerCode);
          }
        } else if (item.state === 'Retrying' && item.retryPass === 1) {
          // Taken back by an earlier delivery of this step that stopped before queueing it.
          codes.push(customerCode);
        }
      }
      await queueJobs(run, codes);
      const done = page.next === undefined;
      const advanced = await advanceFeed(tenantId, runId, {
        seq: run.feed.seq,
        stage: done ? 'Finish' : 'Retry',
        cursor: page.next === undefined ? undefined : JSON.stringify(page.next),
        retried,
        now,
      });
      if (!advanced) return 'superseded';
      if (retried > 0) log.info('Retry pass re-queued dead-lettered jobs', { retried });
      metrics.addMetric(METRIC.RunJobsRetried, 'Count', retried);
      await lookAgain(retried, done);
      return 'fed';
    }
    default:
      return 'finished';
  }
}

/** The next page of the run's selection, at most `limit` codes. */
async function selectionPage(run: RunRecord, limit: number): Promise<SelectionPage> {
  const { RUN_PAGE_SIZE } = runConfig();
  const size = Math.min(limit, RUN_PAGE_SIZE);
  if (run.selection.type !== 'List') {
    const startKey = run.feed.cursor === undefined ? undefined : (JSON.parse(run.feed.cursor) as TableKey);
    const page = await queryCustomerCodes(run.tenantId, size, startKey);
    return { codes: page.codes, cursor: page.next === undefined ? undefined : JSON.stringify(page.next) };
  }
  const at: ListCursor =
    run.feed.cursor === undefined ? { chunk: 0, offset: 0 } : (JSON.parse(run.feed.cursor) as ListCursor);
  // One chunk item (at most RUN_LIST_CHUNK_SIZE codes) a step: a page never spans two.
  const chunk = await getRunListChunk(run.tenantId, run.runId, at.chunk);
  const codes = chunk.slice(at.offset, at.offset + size);
  const offset = at.offset + codes.length;
  const next: ListCursor | undefined =
    offset < chunk.length
      ? { chunk: at.chunk, offset }
      : at.chunk + 1 < (run.listChunks ?? 0)
        ? { chunk: at.chunk + 1, offset: 0 }
        : undefined;
  return { codes, cursor: next === undefined ? undefined : JSON.stringify(next) };
}

/** The job message of one customer of a run: `Owing` takes the skipnothingowed path. */
function toJob(run: RunRecord, customerCode: string): StatementJob {
  const period =
    run.selection.type === 'Owing' ? { ...run.period, skipNothingOwed: true as const } : run.period;
  const runInfo = { selection: run.selection.type };
  return StatementJobSchema.parse({
    version: jobVersionFor(period, runInfo),
    tenantId: run.tenantId,
    batchId: run.runId,
    customerCode,
    period,
    requestedAt: run.createdAt,
    run: runInfo,
  });
}

/** Writes the page's job items (and counters), then queues every job of the page; the jobs written. */
async function feedJobs(run: RunRecord, codes: readonly string[], now: Date): Promise<number> {
  const expiresAt = expiresAfter(now, BATCH_RETENTION_SECONDS);
  const jobs: FedJob[] = codes.map((customerCode) => ({
    customerCode,
    key: jobKey(run.tenantId, run.runId, customerCode),
    item: {
      type: 'Job',
      runJob: true,
      tenantId: run.tenantId,
      batchId: run.runId,
      customerCode,
      // Claimable as a new job is; reported Queued. Attempts count the worker's claims.
      state: 'Retrying',
      attempts: 0,
      updatedAt: now.toISOString(),
      expiresAt,
    },
  }));
  const { written, cancelled } = await putRunJobs(run.tenantId, run.runId, jobs, now);
  metrics.addMetric(METRIC.RunJobsFed, 'Count', written);
  if (cancelled) return written;
  // Every job of the page is queued, also those an earlier delivery wrote: it may have stopped
  // before queueing them. A job queued twice is sent once (the worker's at-most-once per key).
  await queueJobs(run, codes);
  return written;
}

/** Queues jobs on the shared statement queue, the tenant as message group; throws if any is left. */
async function queueJobs(run: RunRecord, codes: readonly string[]): Promise<void> {
  if (codes.length === 0) return;
  const messages = codes.map((code, index) => ({
    id: String(index),
    body: JSON.stringify(toJob(run, code)),
    messageGroupId: run.tenantId,
  }));
  const notSent = await sendMessages(jobQueueConfig().JOB_QUEUE_URL, messages);
  if (notSent.size > 0) {
    // The feed message comes back and the page is fed again: nothing is dropped.
    throw new DependencyUnavailableError({
      dependency: 'SQS',
      cause: new Error(`${notSent.size} of ${codes.length} jobs were not queued`),
    });
  }
}
