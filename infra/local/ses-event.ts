/**
 * `npm run ses:event -- <Delivery|Bounce|Complaint> <sesMessageId> [--bounce-type Permanent]`
 * or `npm run ses:event -- --file event.json`: replays an SES event (as a configuration set
 * publishes it) into the real ses-events handler, against the local stack of `npm start` (or
 * whatever AWS_ENDPOINT_URL_DYNAMODB and TABLE_NAME name). SES's emulator sends no events, so
 * this is how the delivery, bounce and complaint paths run locally. A replayed event carries the
 * job's tags, as SES reports the tags the worker put on the send, so it takes the same path as in
 * AWS.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { findJobBySesMessageId, getJob } from '#shared/aws/dynamodb-jobs.ts';
import { jobMessageTags } from '#shared/aws/ses-message-tags.ts';
import { configureLocalEnvironment, portFromEnv } from './environment.ts';
import { lambdaContext } from './lambda-context.ts';

const USAGE = `usage: npm run ses:event -- <Delivery|Bounce|Complaint> <sesMessageId> [--bounce-type Permanent|Transient|Undetermined]
       npm run ses:event -- --file <ses-event.json>`;

/**
 * The `mail.tags` of an SES event: each message tag the send set, as a list of one value, and the
 * tags SES adds itself (`ses:configuration-set` when the send named one).
 */
export function eventTags(
  tags: readonly { Name?: string | undefined; Value?: string | undefined }[],
  configurationSet?: string,
): Record<string, string[]> {
  return {
    ...(configurationSet === undefined ? {} : { 'ses:configuration-set': [configurationSet] }),
    ...Object.fromEntries(tags.map((tag) => [String(tag.Name), [String(tag.Value)]])),
  };
}

export interface SesEventOptions {
  /** `Permanent` (the default), `Transient` or `Undetermined`. */
  bounceType?: string;
  bounceSubType?: string;
  /** The message tags SES reports with the event (`mail.tags`); none for a mail sent untagged. */
  tags?: Record<string, string[]>;
  /** The addresses the event is about, as SES names them; absent: one stranger's. */
  recipients?: readonly string[];
  now?: Date;
}

const DEFAULT_BOUNCE_SUBTYPE: Record<string, string> = {
  Permanent: 'General',
  Transient: 'MailboxFull',
  Undetermined: 'Undetermined',
};

/** An SES event as event publishing writes it, for one message and the recipients it names. */
export function sesEvent(type: string, messageId: string, options: SesEventOptions = {}) {
  const { bounceType = 'Permanent', tags, now = new Date() } = options;
  const bounceSubType = options.bounceSubType ?? DEFAULT_BOUNCE_SUBTYPE[bounceType] ?? 'General';
  const timestamp = now.toISOString();
  const recipients = options.recipients?.length ? [...options.recipients] : ['recipient@example.invalid'];
  const mail = {
    timestamp,
    messageId,
    source: 'sender@example.invalid',
    destination: recipients,
    ...(tags === undefined ? {} : { tags }),
  };
  switch (type) {
    case 'Delivery':
      return {
        eventType: 'Delivery',
        mail,
        delivery: { timestamp, recipients, smtpResponse: '250 2.0.0 OK' },
      };
    case 'Bounce':
      return {
        eventType: 'Bounce',
        mail,
        bounce: {
          bounceType,
          bounceSubType,
          timestamp,
          bouncedRecipients: recipients.map((emailAddress) => ({
            emailAddress,
            action: 'failed',
            status: bounceType === 'Permanent' ? '5.1.1' : '4.2.2',
          })),
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
          complainedRecipients: recipients.map((emailAddress) => ({ emailAddress })),
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

/**
 * The addresses SES would name in an event of a local send: the job's To and Cc recipients (its
 * one address, for a job recorded before recipients were); none for a message not ours.
 */
export async function recipientsOfSend(messageId: string): Promise<string[] | undefined> {
  const ref = await findJobBySesMessageId(messageId);
  const job = ref === undefined ? undefined : await getJob(ref);
  if (job === undefined) return undefined;
  const addresses = (job.recipients ?? [])
    .filter((recipient) => recipient.line !== 'Bcc' && recipient.state !== 'NotSent')
    .map((recipient) => recipient.address);
  return addresses.length > 0 ? addresses : job.sentTo === undefined ? undefined : [job.sentTo];
}

/**
 * The tags SES would report for a local send: the job's key, as the worker tagged the email, found
 * here through the message-id index (SES's emulator keeps no tags); none for a message not ours.
 */
export async function tagsOfSend(messageId: string): Promise<Record<string, string[]> | undefined> {
  const job = await findJobBySesMessageId(messageId);
  return job === undefined ? undefined : eventTags(jobMessageTags(job), process.env.SES_CONFIGURATION_SET);
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
  // Imported only now: its Powertools logger reads POWERTOOLS_LOG_LEVEL when the module loads.
  const { handler } = await import('#functions/ses-events/handler.ts');
  const body =
    values.file === undefined
      ? sesEvent(type ?? '', messageId ?? '', {
          bounceType: values['bounce-type'],
          tags: await tagsOfSend(messageId ?? ''),
          recipients: await recipientsOfSend(messageId ?? ''),
        })
      : JSON.parse(await readFile(values.file, 'utf8'));
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
