/**
 * The SQS side of the statement worker: each record is parsed at the trust boundary, processed
 * alone, and reported in batchItemFailures when it must be delivered again, so one bad job never
 * fails its neighbours. A malformed body fails alone on every receive and reaches the DLQ.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { markJobDeadLettered } from '../aws/dynamodb-jobs.ts';
import { JOB_MAX_RECEIVE_COUNT } from '../aws/table-design.ts';
import { redactAddresses } from '../domain/email-address.ts';
import { METRIC } from '../observability/metric-names.ts';
import { logger, metrics } from '../observability/powertools.ts';
import { parseJsonBody } from '../schemas/parse-json.ts';
import { type StatementJob, StatementJobSchema } from '../schemas/statement-job.ts';
import { JobBusyError, type JobOutcome, processStatementJob } from './process-statement-job.ts';

/** The job body is not a statement job this worker can read. */
export class MalformedJobError extends Error {
  override readonly name = 'MalformedJobError';
}

/**
 * How long past the function's own deadline a claim still holds, at most. The lease (remaining
 * time plus up to the same again) must end before SQS shows the message again (its visibility
 * timeout is 6x the function timeout), so that a redelivery after a crash finds it lapsed.
 */
const LEASE_MARGIN_MS = 30_000;

/** One SQS record alone: it throws to be redelivered, and on its last receive records the dead letter. */
export async function handleStatementRecord(record: SQSRecord, context?: Context): Promise<JobOutcome> {
  const receiveCount = Number(record.attributes.ApproximateReceiveCount);
  const log = logger.createChild({ persistentKeys: { messageId: record.messageId, receiveCount } });
  const parsed = parseJsonBody(StatementJobSchema, record.body);
  if (!parsed.success) {
    metrics.addMetric(METRIC.MalformedJobs, 'Count', 1);
    const { problems } = parsed;
    log.error('Malformed statement job; it will reach the dead-letter queue', { problems });
    throw new MalformedJobError(problems.join('; '));
  }
  const job = parsed.data;
  log.appendKeys({ tenantId: job.tenantId, batchId: job.batchId, customerCode: job.customerCode });
  const remaining = context?.getRemainingTimeInMillis() ?? 60_000;
  const leaseMs = remaining + Math.min(remaining, LEASE_MARGIN_MS);
  try {
    return await processStatementJob(job, { messageId: record.messageId, leaseMs, log });
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    const reason = redactAddresses(error instanceof Error ? error.message : String(error));
    if (receiveCount >= JOB_MAX_RECEIVE_COUNT && !(error instanceof JobBusyError)) {
      // SQS moves the message to the dead-letter queue now: the batch must say so, not `Queued`.
      await recordDeadLetter(job, record.messageId, `${name}: ${reason}`, receiveCount, log);
      throw error;
    }
    metrics.addMetric(METRIC.JobsRetried, 'Count', 1);
    log.warn('Statement job not finished; SQS will deliver it again', { errorName: name, reason });
    throw error;
  }
}

async function recordDeadLetter(
  job: StatementJob,
  messageId: string,
  reason: string,
  receiveCount: number,
  log: Logger,
): Promise<void> {
  metrics.addMetric(METRIC.JobsDeadLettered, 'Count', 1);
  log.error('Statement job failed on its last delivery; it goes to the dead-letter queue', {
    receiveCount,
    reason,
  });
  const text = `In the dead-letter queue after ${receiveCount} attempts; last error: ${reason}`;
  await markJobDeadLettered(job, messageId, text, new Date()).catch((error: unknown) =>
    log.error('Could not record the dead-lettered job in its batch', { error }),
  );
}

/** Processes an SQS event record by record and reports the ones to retry. */
export function processStatementBatch(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  // One processor per event: it keeps the run's state, and the local poller may run events at once.
  const processor = new BatchProcessor(EventType.SQS);
  return processPartialResponse(event, handleStatementRecord, processor, {
    context,
    throwOnFullBatchFailure: false,
  });
}
