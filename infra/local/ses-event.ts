/**
 * `npm run ses:event -- <Delivery|Bounce|Complaint> <sesMessageId> [--bounce-type Permanent]`
 * or `npm run ses:event -- --file event.json`: replays an SES event (as a configuration set
 * publishes it) into the real ses-events handler, against the local stack of `npm start` (or
 * whatever AWS_ENDPOINT_URL_DYNAMODB and TABLE_NAME name). SES's emulator sends no events, so
 * this is how the delivery, bounce and complaint paths run locally.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { configureLocalEnvironment, portFromEnv } from './environment.ts';
import { lambdaContext } from './lambda-context.ts';

const USAGE = `usage: npm run ses:event -- <Delivery|Bounce|Complaint> <sesMessageId> [--bounce-type Permanent|Transient]
       npm run ses:event -- --file <ses-event.json>`;

/** An SES event as event publishing writes it, for one message and its one recipient. */
export function sesEvent(type: string, messageId: string, bounceType = 'Permanent', now = new Date()) {
  const timestamp = now.toISOString();
  const recipient = 'recipient@example.invalid';
  const mail = { timestamp, messageId, source: 'sender@example.invalid', destination: [recipient] };
  switch (type) {
    case 'Delivery':
      return {
        eventType: 'Delivery',
        mail,
        delivery: { timestamp, recipients: [recipient], smtpResponse: '250 2.0.0 OK' },
      };
    case 'Bounce':
      return {
        eventType: 'Bounce',
        mail,
        bounce: {
          bounceType,
          bounceSubType: bounceType === 'Permanent' ? 'General' : 'MailboxFull',
          timestamp,
          bouncedRecipients: [{ emailAddress: recipient, action: 'failed', status: '5.1.1' }],
          feedbackId: randomUUID(),
        },
      };
    case 'Complaint':
      return {
        eventType: 'Complaint',
        mail,
        complaint: {
          timestamp,
          complaintFeedbackType: 'abuse',
          complainedRecipients: [{ emailAddress: recipient }],
          feedbackId: randomUUID(),
        },
      };
    default:
      throw new Error(`Unknown event type ${type}: use Delivery, Bounce or Complaint`);
  }
}

/** The SNS notification that carries an SES event to the function. */
export function snsEnvelope(sesEventBody: unknown) {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: 'arn:aws:sns:eu-west-2:000000000000:statement-mailer-local-ses-events:local',
        Sns: {
          Type: 'Notification',
          MessageId: randomUUID(),
          TopicArn: 'arn:aws:sns:eu-west-2:000000000000:statement-mailer-local-ses-events',
          Subject: null,
          Message: JSON.stringify(sesEventBody),
          Timestamp: new Date().toISOString(),
          SignatureVersion: '1',
          Signature: 'local',
          SigningCertUrl: 'https://example.invalid/cert.pem',
          UnsubscribeUrl: 'https://example.invalid/unsubscribe',
          MessageAttributes: {},
        },
      },
    ],
  };
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      file: { type: 'string' },
      'bounce-type': { type: 'string', default: 'Permanent' },
      help: { type: 'boolean' },
    },
  });
  const [type, messageId] = positionals;
  if (values.help || (values.file === undefined && (type === undefined || messageId === undefined))) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  configureLocalEnvironment({
    dynamodb:
      process.env.AWS_ENDPOINT_URL_DYNAMODB ?? `http://127.0.0.1:${portFromEnv('DYNAMODB_PORT', 8000)}`,
  });
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  const body =
    values.file === undefined
      ? sesEvent(type ?? '', messageId ?? '', values['bounce-type'])
      : JSON.parse(await readFile(values.file, 'utf8'));
  // Imported only now: the handler's DynamoDB client reads its endpoint when it is created.
  const { handler } = await import('#functions/ses-events/handler.ts');
  const [outcome] = await handler(snsEnvelope(body) as never, lambdaContext('ses-events'));
  console.log(`${body.eventType ?? body.notificationType} for ${body.mail?.messageId}: ${outcome}`);
  return outcome === 'unknown-message' ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error('ses:event failed:', error);
      process.exit(1);
    },
  );
}
