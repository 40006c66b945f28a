import { randomUUID } from 'node:crypto';
import { retry } from '../aws/backoff.ts';
import { getBatchWithJobs, putBatch, updateBatchStatuses } from '../aws/dynamodb-batches.ts';
import { cancelUnqueuedJob } from '../aws/dynamodb-jobs.ts';
import { sendMessages } from '../aws/sqs.ts';
import { jobQueueConfig } from '../config.ts';
import { STATUS_MESSAGES, toStatus, toStorableStatuses } from '../domain/customer-status.ts';
import type { StatementPeriod } from '../domain/statement-period.ts';
import { METRIC } from '../observability/metric-names.ts';
import { logger, metrics } from '../observability/powertools.ts';
import type { CustomerStatementEmailStatus } from '../schemas/records.ts';
import { jobVersionFor, type StatementJob, StatementJobSchema } from '../schemas/statement-job.ts';
import { judgeRequest, type StatementEmailRequest } from './judge-request.ts';
import type { BatchAssignment } from './with-idempotency-key.ts';

/** A real run's answer: the batch, its period and a status per code, kept with the Idempotency-Key. */
export interface StatementEmailOutcome {
  batchId: string;
  period: StatementPeriod;
  /** One per code, in request order. */
  statuses: CustomerStatementEmailStatus[];
}

/**
 * KashFlow's bulk statement email: judges each code (one batch read), records the batch, queues
 * one job per customer that can be emailed and reports each code's status in request order. One
 * bad code never stops the others.
 *
 * `batch` comes from the Idempotency-Key claim. A resumed batch that was recorded is finished,
 * not judged again: its jobs are queued once more (the worker sends each job at most once) and
 * its recorded answer is the answer. Nothing here throws once a job may be on the queue.
 */
export async function queueStatementEmails(
  request: StatementEmailRequest,
  batch: BatchAssignment = { batchId: randomUUID(), resumed: false },
): Promise<StatementEmailOutcome> {
  const { tenantId, customerCodes, now } = request;
  const { batchId } = batch;
  if (batch.resumed) {
    const found = await getBatchWithJobs(tenantId, batchId);
    if (found !== undefined) {
      const { batch: recorded, jobs } = found;
      // A job cancelled as not queued stays so, even where the batch record did not learn it.
      const statuses = recorded.statuses.map((status) => {
        const job = jobs.get(status.CustomerCode);
        const cancelled = job?.state === 'Failed' && job.reason === STATUS_MESSAGES.notQueued;
        return status.Sent && cancelled ? toStatus(status.CustomerCode, 'notQueued') : status;
      });
      const toSend = statuses.filter((status) => status.Sent).map((status) => status.CustomerCode);
      const jobBase = { tenantId, batchId, period: recorded.period, requestedAt: recorded.createdAt };
      return {
        batchId,
        period: recorded.period,
        statuses: await queueJobs(jobBase, toJobs(jobBase, toSend), statuses, now),
      };
    }
  }
  const { period, verdicts } = await judgeRequest(request);
  const requestedAt = now.toISOString();
  const statuses = customerCodes.map((code) => toStatus(code, verdicts.get(code) ?? 'invalidCode'));
  const toSend = customerCodes.filter((code) => verdicts.get(code) === 'send');
  const jobBase = { tenantId, batchId, period, requestedAt };
  // Each job passes the worker's own schema before anything is written: the API never queues a
  // job that the worker would refuse (and dead-letter).
  const jobs = toJobs(jobBase, toSend);
  // Recorded before queueing, so a worker never finishes a job of a batch that does not exist yet,
  // and a resumed request knows from it whether jobs may be on the queue.
  await putBatch({
    tenantId,
    batchId,
    createdAt: requestedAt,
    period,
    statuses: toStorableStatuses(statuses),
  });
  metrics.addMetric(METRIC.CustomerCodesRefused, 'Count', customerCodes.length - toSend.length);
  return {
    batchId,
    period,
    statuses: await queueJobs(jobBase, jobs, statuses, now),
  };
}

/** Attempts at cancelling one unqueued job before it is reported not queued regardless. */
const CANCEL_RETRIES = { attempts: 4, baseMs: 50, capMs: 500 };

type JobBase = Pick<StatementJob, 'tenantId' | 'batchId' | 'period' | 'requestedAt'>;

function toJobs(base: JobBase, codes: readonly string[]): StatementJob[] {
  const version = jobVersionFor(base.period);
  return codes.map((customerCode) => StatementJobSchema.parse({ version, ...base, customerCode }));
}

/**
 * Queues the jobs (one per code, all of one batch) and returns the statuses as they stand after it. A job SQS did not take
 * (or whose SendMessageBatch ended without an answer) is cancelled before it is reported
 * `Could not queue statement, please retry`, so that a copy SQS took after all is never sent and
 * the client's retry cannot make a second email; a job a worker already holds was queued.
 */
async function queueJobs(
  { tenantId, batchId }: JobBase,
  jobs: readonly StatementJob[],
  statuses: CustomerStatementEmailStatus[],
  now: Date,
): Promise<CustomerStatementEmailStatus[]> {
  const messages = jobs.map((job, index) => ({ id: String(index), body: JSON.stringify(job) }));
  const notSent = await sendMessages(jobQueueConfig().JOB_QUEUE_URL, messages);
  const notQueued = new Set<string>();
  for (const id of notSent) {
    const customerCode = jobs[Number(id)]?.customerCode ?? '';
    // Retried in place: a cancel that cannot be written leaves a copy SQS took free to send.
    const cancelled = await retry(
      () => cancelUnqueuedJob({ tenantId, batchId, customerCode }, STATUS_MESSAGES.notQueued, now),
      CANCEL_RETRIES,
    ).catch((error: unknown) => {
      // Neither queued nor cancelled for sure: reported not queued, and counted for an operator.
      logger.error('Could not cancel a job that was not queued', { batchId, error });
      metrics.addMetric(METRIC.UnqueuedJobNotCancelled, 'Count', 1);
      return true;
    });
    if (cancelled) notQueued.add(customerCode);
  }
  metrics.addMetric(METRIC.StatementsMarkedToSend, 'Count', jobs.length - notQueued.size);
  if (notQueued.size === 0) return statuses;

  metrics.addMetric(METRIC.StatementsNotQueued, 'Count', notQueued.size);
  const finalStatuses = statuses.map((status) =>
    notQueued.has(status.CustomerCode) ? toStatus(status.CustomerCode, 'notQueued') : status,
  );
  await updateBatchStatuses(tenantId, batchId, toStorableStatuses(finalStatuses)).catch((error: unknown) => {
    // The caller still learns which codes to retry; the batch record alone is stale.
    logger.error('Could not record the codes that were not queued', { batchId, error });
    metrics.addMetric(METRIC.BatchRecordStale, 'Count', 1);
  });
  return finalStatuses;
}
