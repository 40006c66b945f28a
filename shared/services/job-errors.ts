/**
 * The statement worker's edge for errors: what each error means for a statement job, decided in
 * one place. A job fails for good when no retry can mend it; otherwise it is given back for SQS to
 * deliver again (and on its last receive the consumer records it dead-lettered).
 */
import * as z from 'zod';
import { SesRejectedError, SesUnavailableError } from '../aws/ses.ts';
import { redactAddresses } from '../domain/email-address.ts';
import { StatementNotSendableError } from '../errors.ts';
import { MailAddressError } from '../render/mime.ts';

/** What the worker does with a job that threw: fail it for good or give it back to SQS, and why. */
export interface JobDisposition {
  action: 'fail' | 'retry';
  /** Stored on the job and logged: addresses are redacted. */
  reason: string;
}

/** The one place an error becomes fail or retry: errors no retry mends fail, anything unknown retries. */
export function dispositionOf(error: unknown): JobDisposition {
  const message = redactAddresses(error instanceof Error ? error.message : String(error));
  if (error instanceof StatementNotSendableError || error instanceof MailAddressError)
    return { action: 'fail', reason: message };
  // In the worker only stored records are parsed where they throw (the job body is parsed apart):
  // a record that breaks its schema was changed behind the importer, and no retry mends it.
  if (error instanceof z.ZodError) {
    const problems = error.issues.map((issue) => `${issue.path.join('.') || 'record'}: ${issue.message}`);
    return { action: 'fail', reason: `A stored record is not valid (${problems.join('; ')})` };
  }
  if (error instanceof SesRejectedError)
    return { action: 'fail', reason: `SES rejected the message: ${message}` };
  if (error instanceof SesUnavailableError)
    return { action: 'retry', reason: `SES did not send: ${message}` };
  return { action: 'retry', reason: redactAddresses(String(error)) };
}
