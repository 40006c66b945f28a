import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { METRIC } from '../observability/metric-names.ts';
import { logger, metrics } from '../observability/powertools.ts';
import { kashflowErrorHandler } from './error-handler.ts';

/**
 * An API Gateway proxy handler with the middlewares every route has: the Lambda context on each
 * log line, metrics flushed, and every error mapped once to KashFlow's shape (registered last,
 * so that its onError runs first and sees the errors of the others).
 */
export function apiHandler(
  handle: (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>,
) {
  return (
    middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
      .use(injectLambdaContext(logger, { resetKeys: true }))
      .use(logMetrics(metrics))
      // Every request counts once, so no invocation flushes an empty metric set.
      // A value returned from `before` would end the request early in middy: return nothing.
      .use({
        before: () => {
          metrics.addMetric(METRIC.Requests, 'Count', 1);
        },
      })
      .use(kashflowErrorHandler())
      .handler(handle)
  );
}
