import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { SNSEvent } from 'aws-lambda';
import { logger, metrics } from '#shared/observability/powertools.ts';
import { handleSesNotifications } from '#shared/services/consume-ses-events.ts';
import type { SesEventOutcome } from '#shared/services/record-ses-event.ts';

/** SES delivery, bounce and complaint events (configuration set → SNS) → job states and notes. */
export const handler = middy<SNSEvent, SesEventOutcome[]>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler((event, context) => handleSesNotifications(event, context));
