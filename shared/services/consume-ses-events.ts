import type { Context, SNSEvent } from 'aws-lambda';
import { METRIC } from '../observability/metric-names.ts';
import { logger, metrics } from '../observability/powertools.ts';
import { parseJsonBody } from '../schemas/parse-json.ts';
import { SesEventSchema } from '../schemas/ses-event.ts';
import { recordSesEvent, type SesEventOutcome } from './record-ses-event.ts';

/**
 * Handles the SNS notifications of the configuration set's event destination. An error fails the
 * invocation, so Lambda's asynchronous retries (two, a minute or two apart) and then the function's
 * dead-letter queue keep the event: nothing is dropped silently. That includes an event of ours
 * whose job is not marked sent yet (SesEventNotReadyError).
 */
export async function handleSesNotifications(
  event: SNSEvent,
  _context?: Context,
): Promise<SesEventOutcome[]> {
  const outcomes: SesEventOutcome[] = [];
  metrics.addMetric(METRIC.SesEventsReceived, 'Count', event.Records.length);
  for (const record of event.Records) {
    const log = logger.createChild({ persistentKeys: { snsMessageId: record.Sns.MessageId } });
    const parsed = parseJsonBody(SesEventSchema, record.Sns.Message);
    if (!parsed.success) {
      log.error('Not an SES event; dropped', { problems: parsed.problems });
      outcomes.push('ignored');
      continue;
    }
    log.appendKeys({ sesMessageId: parsed.data.mail.messageId, eventType: parsed.data.type });
    outcomes.push(await recordSesEvent(parsed.data, log));
  }
  return outcomes;
}
