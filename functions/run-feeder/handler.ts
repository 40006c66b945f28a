import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { logger, metrics } from '#shared/observability/powertools.ts';
import { processRunFeedBatch } from '#shared/services/runs/consume-run-feeds.ts';

/**
 * SQS run-feeds consumer (docs/runs.md), with ReportBatchItemFailures: each message feeds one
 * page of one statement run. middy's early timeout is off, as in the worker: a page is small
 * enough to finish well inside Lambda's timeout, and an unfinished one comes back whole.
 */
export const handler = middy<SQSEvent, SQSBatchResponse>({ timeoutEarlyInMillis: 0 })
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler((event, context) => processRunFeedBatch(event, context));
