import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { logger, metrics } from '#shared/observability/powertools.ts';
import { processStatementBatch } from '#shared/services/statement-worker.ts';

/** SQS statement-jobs consumer, with ReportBatchItemFailures. */
export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler((event, context) => processStatementBatch(event, context));
