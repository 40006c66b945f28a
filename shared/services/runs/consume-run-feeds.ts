/**
 * The SQS side of the run feeder: each "feed run R" record is parsed at the trust boundary and
 * fed alone, reported in batchItemFailures when it must come back (a dependency failed mid-page:
 * the same page is fed again). A malformed body fails alone on every receive and reaches the DLQ.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { METRIC } from '../../observability/metric-names.ts';
import { logger, metrics } from '../../observability/powertools.ts';
import { parseJsonBody } from '../../schemas/parse-json.ts';
import { RunFeedMessageSchema } from './feed-message.ts';
import { type FeedOutcome, feedRun } from './feed-run.ts';

/** The feed message is not one this feeder can read. */
export class MalformedRunFeedError extends Error {
  override readonly name = 'MalformedRunFeedError';
}

/** One feed record alone: it throws to come back. */
export async function handleRunFeedRecord(record: SQSRecord): Promise<FeedOutcome> {
  const log = logger.createChild({ persistentKeys: { messageId: record.messageId } });
  const parsed = parseJsonBody(RunFeedMessageSchema, record.body);
  if (!parsed.success) {
    metrics.addMetric(METRIC.MalformedRunFeeds, 'Count', 1);
    log.error('Malformed run feed message; it will reach the dead-letter queue', {
      problems: parsed.problems,
    });
    throw new MalformedRunFeedError(parsed.problems.join('; '));
  }
  const message = parsed.data;
  log.appendKeys({ tenantId: message.tenantId, runId: message.runId, batchId: message.runId });
  try {
    return await feedRun(message, new Date(), log);
  } catch (error) {
    log.warn('Run feed step not finished; SQS will deliver it again', {
      errorName: error instanceof Error ? error.name : 'Error',
    });
    throw error;
  }
}

/** Processes a run-feeds event record by record and reports the ones to retry. */
export function processRunFeedBatch(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  const processor = new BatchProcessor(EventType.SQS);
  return processPartialResponse(event, handleRunFeedRecord, processor, {
    context,
    throwOnFullBatchFailure: false,
  });
}
