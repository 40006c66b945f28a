import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { logger, metrics } from '#shared/observability/powertools.ts';
import { processStatementBatch } from '#shared/services/consume-statement-jobs.ts';

/**
 * SQS statement-jobs consumer, with ReportBatchItemFailures. middy's early timeout is off: it
 * would fail the whole batch while the records go on running in the background; Lambda's own
 * timeout governs instead, and the job claims are sized to it.
 */
export const handler = middy<SQSEvent, SQSBatchResponse>({ timeoutEarlyInMillis: 0 })
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler((event, context) => processStatementBatch(event, context));
