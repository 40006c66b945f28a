/**
 * The SES adapter. SendRawEmail is not idempotent: if the response is lost, SES may have accepted
 * the email, so the SDK must never retry it on its own (maxAttempts: 1). This adapter retries only
 * what SES says is safe to retry (Throttling for the sending rate) and turns every other failure
 * into a domain error that tells the worker what to do.
 */
import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { sesConfig } from '../config.ts';
import { MAX_RECIPIENTS } from '../domain/statement-recipients.ts';
import { retry } from './backoff.ts';
import { SendPacer } from './send-pacer.ts';
import { jobMessageTags, type TaggedJob } from './ses-message-tags.ts';

let client: SESClient | undefined;

/** The process's SES client, made at the first call (endpoint from the environment then). */
export function sesClient(): SESClient {
  client ??= new SESClient({ maxAttempts: 1 });
  return client;
}

/** SES will not send this message: retrying cannot help. */
export class SesRejectedError extends Error {
  override readonly name = 'SesRejectedError';
}

/** SES did not send it now (rate, daily quota, account or configuration state): retry later. */
export class SesUnavailableError extends Error {
  override readonly name = 'SesUnavailableError';
}

/** The request may or may not have reached SES (connection lost, timeout): a retry may duplicate. */
export class SesOutcomeUnknownError extends Error {
  override readonly name = 'SesOutcomeUnknownError';
}

interface AwsError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

const REJECTED = new Set(['MessageRejected', 'InvalidParameterValue', 'MailFromDomainNotVerifiedException']);
const NOT_SENT_NETWORK = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/** Retries of Throttling ("Maximum sending rate exceeded") before giving the job back to SQS. */
const THROTTLE_RETRIES = { attempts: 6, baseMs: 200, capMs: 5_000 };

function isRateThrottle(error: AwsError): boolean {
  // Both the sending rate and the daily quota answer Throttling; only the rate passes in seconds.
  return error.name === 'Throttling' && !/daily/i.test(error.message ?? '');
}

function classify(error: unknown): Error {
  const failure = (error ?? {}) as AwsError;
  const name = failure.name ?? 'Error';
  const detail = `${name}: ${failure.message ?? ''}`.trim();
  if (REJECTED.has(name)) return new SesRejectedError(detail, { cause: error });
  const status = failure.$metadata?.httpStatusCode;
  // Any answer from SES, error or not, means SES decided: it did not send.
  if (status !== undefined) return new SesUnavailableError(detail, { cause: error });
  if (NOT_SENT_NETWORK.has(failure.code ?? '')) return new SesUnavailableError(detail, { cause: error });
  return new SesOutcomeUnknownError(detail, { cause: error });
}

let pacer: SendPacer | undefined;

/** The job's tags for the message, so that an SES event names its job, and the envelope's recipients. */
export interface SendOptions {
  /** The job the email is for: its key goes on the message as tags, which SES copies to its events. */
  job?: TaggedJob;
  /**
   * Every address the message goes to (To, Cc and Bcc), as SES's `Destinations`: the envelope. A
   * blind copy is only here, never in a header. Absent: SES takes the To and Cc headers.
   */
  destinations?: readonly string[];
}

/**
 * Sends a raw MIME message, paced to this worker's share of the SES rate (SES counts each
 * recipient as one email against the rate and the daily quota, so a message to three takes three
 * slots); returns SES's message id.
 */
export async function sendRawEmail(raw: Uint8Array, options: SendOptions = {}): Promise<string> {
  const { SES_CONFIGURATION_SET, SES_SEND_RATE_PER_WORKER } = sesConfig();
  pacer ??= new SendPacer(SES_SEND_RATE_PER_WORKER);
  const sendPacer = pacer;
  const tags = options.job === undefined ? [] : jobMessageTags(options.job);
  const destinations = options.destinations === undefined ? undefined : [...options.destinations];
  if (destinations !== undefined && (destinations.length === 0 || destinations.length > MAX_RECIPIENTS)) {
    throw new SesRejectedError(
      `A message goes to 1 to ${MAX_RECIPIENTS} recipients, not ${destinations.length}`,
    );
  }
  const send = async () => {
    await Promise.all(Array.from({ length: destinations?.length ?? 1 }, () => sendPacer.take()));
    const output = await sesClient().send(
      new SendRawEmailCommand({
        RawMessage: { Data: raw },
        ...(destinations === undefined ? {} : { Destinations: destinations }),
        ...(SES_CONFIGURATION_SET === undefined ? {} : { ConfigurationSetName: SES_CONFIGURATION_SET }),
        ...(tags.length === 0 ? {} : { Tags: tags }),
      }),
    );
    if (output.MessageId === undefined) throw new SesOutcomeUnknownError('SES answered without a message id');
    return output.MessageId;
  };
  try {
    return await retry(send, { ...THROTTLE_RETRIES, retryIf: (error) => isRateThrottle(error as AwsError) });
  } catch (error) {
    throw error instanceof SesOutcomeUnknownError ? error : classify(error);
  }
}
