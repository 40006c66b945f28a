import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { logger, metrics } from '#shared/observability/powertools.ts';
import { runScheduleTrigger, type TriggerReport } from '#shared/services/schedules/trigger-due-schedules.ts';

/** Invoked hourly by EventBridge Scheduler: starts every due scheduled statement run (docs/schedules.md). */
export const handler = middy<unknown, Pick<TriggerReport, 'tenants' | 'failures'> & { runs: number }>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(async () => {
    const report = await runScheduleTrigger(new Date());
    return { tenants: report.tenants, runs: report.runs.length, failures: report.failures };
  });
