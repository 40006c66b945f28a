/**
 * The statement worker's job: read, compute, render, send, record — at most one email per job
 * (tenant + batch + customer) however often SQS delivers it, except in one window that cannot be
 * closed: SES accepted the email and the worker died before the "sent" marker was written
 * (docs/exactly-once.md). That window is kept to one DynamoDB write and is counted when hit.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { retry } from '../aws/backoff.ts';
import {
  claimJob,
  getJob,
  type JobRef,
  markJobFailed,
  markJobSending,
  markJobSent,
  markJobSkipped,
  releaseJob,
} from '../aws/dynamodb-jobs.ts';
import { getCustomerAccount } from '../aws/dynamodb-ledger.ts';
import { getLogo } from '../aws/dynamodb-logo.ts';
import { noteNumberFor, putNoteOnce, takeNoteNumber } from '../aws/dynamodb-notes.ts';
import { SesOutcomeUnknownError, SesRejectedError, SesUnavailableError, sendRawEmail } from '../aws/ses.ts';
import { FINISHED_STATES } from '../domain/job-state.ts';
import { jobRecipientsOf, RECIPIENT_RANK } from '../domain/recipient-state.ts';
import { NOTHING_OVERDUE_REASON } from '../domain/run.ts';
import {
  addressedCustomer,
  DROP_REASONS,
  type DroppedRecipient,
  describeDropped,
  type RecipientLine,
  type StatementRecipients,
  sentRecipients,
  statementRecipients,
} from '../domain/statement-recipients.ts';
import { StatementNotSendableError } from '../errors.ts';
import { METRIC } from '../observability/metric-names.ts';
import { metrics } from '../observability/powertools.ts';
import type { ComposedEmail } from '../render/statement-email.ts';
import { renderStatementPdf } from '../render/statement-pdf.ts';
import type { JobRecipient, JobRecord } from '../schemas/records.ts';
import type { StatementJob } from '../schemas/statement-job.ts';
import { dispositionOf } from './job-errors.ts';
import {
  computeCustomerStatement,
  NothingOwedError,
  prepareStatementEmail,
} from './prepare-statement-email.ts';

/** What a delivery brings besides the job: its message id (the claim's owner), lease and logger. */
export interface JobContext {
  /** The SQS message id: the claim's owner, and on every log line. */
  messageId: string;
  /** How long this worker may hold the job (its remaining time plus a margin). */
  leaseMs: number;
  log: Logger;
  now?: () => Date;
}

/**
 * How a delivery ended, for the consumer's logs and tests; a retry is thrown, never returned.
 * `skipped`: `skipnothingowed=1` and nothing was owed at send time (or an `Overdue` run's
 * customer had nothing overdue); `cancelled`: the job's run was cancelled before it was claimed.
 */
export type JobOutcome = 'sent' | 'already-done' | 'failed' | 'skipped' | 'cancelled';

/** Another delivery of the job holds a live claim: retry this one later, do not drop it. */
export class JobBusyError extends Error {
  override readonly name = 'JobBusyError';
}

/** A transient failure: the job was given back and SQS will deliver it again. */
export class JobRetryError extends Error {
  override readonly name = 'JobRetryError';
}

/** The email, and its recipients as the job's record keeps them (with the addresses left off). */
interface RenderedJob {
  email: ComposedEmail;
  recipients: JobRecipient[];
}

/** An `Overdue` run's customer with nothing overdue at send time: finished on purpose, like NothingOwedError. */
export class NothingOverdueError extends Error {
  override readonly name = 'NothingOverdueError';
}

async function renderJob(job: StatementJob, now: Date, log: Logger): Promise<RenderedJob> {
  const account = await getCustomerAccount(job.tenantId, job.customerCode);
  if (account === undefined) throw new StatementNotSendableError('Invalid customer code');
  const { tenant, customer, suppression } = account;
  // An address may have bounced or complained since the job was queued: judged again, per address.
  const addressing = statementRecipients(customer, { bcc: tenant.bcc, suppressed: suppression?.addresses });
  if (addressing.to.length === 0) {
    throw new StatementNotSendableError(
      `Invalid customer email address (${describeDropped(addressing.dropped)})`,
    );
  }
  if (job.run?.selection === 'Overdue') {
    // Judged at send time, as skipnothingowed is: the ledger may have changed since the run began.
    const statement = await computeCustomerStatement(tenant, customer.code, job.period, now, log);
    if (statement.overdueMinor <= 0) throw new NothingOverdueError(NOTHING_OVERDUE_REASON);
  }
  const email = await prepareStatementEmail({
    tenant,
    customer: addressedCustomer(customer, addressing),
    period: job.period,
    now,
    log,
    renderPdf: renderStatementPdf,
    readLogo: getLogo,
  });
  return { email, recipients: toJobRecipients(email.recipients, addressing.dropped) };
}

/**
 * What the job's record keeps: each address the message went to (`Sent`), then each the worker
 * left off (`NotSent`, why). The message's own addressing found the same lines (addressedCustomer).
 */
function toJobRecipients(sent: StatementRecipients, leftOff: readonly DroppedRecipient[]): JobRecipient[] {
  return [
    ...sentRecipients(sent).map(({ address, line }) => ({
      address,
      line,
      state: 'Sent' as const,
      stateRank: RECIPIENT_RANK.Sent,
    })),
    ...leftOff.map(({ address, line, reason }) => ({
      address,
      line,
      state: 'NotSent' as const,
      stateRank: RECIPIENT_RANK.NotSent,
      detail: DROP_REASONS[reason],
    })),
  ];
}

/** The addresses of a note: To first, then `(cc …)` and the tenant's `(bcc …)` copy. */
function addressesOf(record: Pick<JobRecord, 'recipients' | 'sentTo' | 'state'>): string {
  const recipients = jobRecipientsOf(record).filter((recipient) => recipient.state !== 'NotSent');
  const on = (line: RecipientLine) =>
    recipients
      .filter((recipient) => recipient.line === line)
      .map((recipient) => recipient.address)
      .join(', ');
  const to = on('To');
  if (to === '') return '';
  const copies = [on('Cc') && `cc ${on('Cc')}`, on('Bcc') && `bcc ${on('Bcc')}`].filter(
    (part) => part !== '',
  );
  return ` to ${to}${copies.length === 0 ? '' : ` (${copies.join('; ')})`}`;
}

/** Writes the job's customer note once, whatever the retries (KashFlow: a note per emailed statement). */
async function recordNote(
  job: StatementJob,
  record: Pick<JobRecord, 'noteNumber' | 'sesMessageId' | 'sentAt' | 'sentTo' | 'recipients' | 'state'>,
) {
  const number = record.noteNumber ?? (await noteNumberFor(job));
  const period = job.period.filterAll ? 'all invoices' : `${job.period.start} to ${job.period.end}`;
  const written = await putNoteOnce(job, {
    number,
    date: record.sentAt ?? new Date().toISOString(),
    text: `Statement (${period}) emailed${addressesOf(record)}. SES message id ${record.sesMessageId ?? 'unknown'}.`,
    lastModifiedBy: 'statement mailer',
  });
  if (written) metrics.addMetric(METRIC.NotesWritten, 'Count', 1);
}

async function writeSentMarker(
  job: JobRef,
  sesMessageId: string,
  recipients: readonly JobRecipient[],
  now: Date,
  log: Logger,
): Promise<boolean> {
  // The window between SES accepting and this write is the one duplicate risk: retry hard, in place.
  try {
    return await retry(
      async () => {
        try {
          return await markJobSent(job, sesMessageId, recipients, now);
        } catch (error) {
          log.warn('Could not write the sent marker yet', { error });
          throw error;
        }
      },
      { attempts: 8, baseMs: 50, capMs: 2_000 },
    );
  } catch (error) {
    metrics.addMetric(METRIC.SentMarkerNotWritten, 'Count', 1);
    log.error(
      'Email accepted by SES but the sent marker could not be written: a redelivery may send it again',
      {
        sesMessageId,
      },
    );
    throw new JobRetryError('The sent marker could not be written', { cause: error });
  }
}

/**
 * Processes one statement job. Returns how it ended; throws JobBusyError or JobRetryError (and
 * any unexpected error) for SQS to deliver the job again.
 */
export async function processStatementJob(job: StatementJob, context: JobContext): Promise<JobOutcome> {
  const { messageId, log } = context;
  const clock = context.now ?? (() => new Date());
  const now = clock();

  // One conditional write decides: a new, released or lapsed job is claimed; a finished one is
  // refused, and the record it returns says what to do instead.
  const claim = await claimJob(job, messageId, now.getTime() + context.leaseMs, now);
  if (!claim.claimed) {
    if (claim.runCancelled === true) {
      // The run was cancelled before this claim: the job ended Cancelled (claimJob), never sent.
      log.info("The job's run was cancelled; statement not sent");
      return 'cancelled';
    }
    const current = claim.current;
    if (current === undefined || !FINISHED_STATES.has(current.state)) {
      throw new JobBusyError('Another delivery of this job is in progress');
    }
    if (current.state !== 'Failed' && current.sesMessageId !== undefined) await recordNote(job, current);
    log.info('Job already finished; acknowledged without sending', { state: current.state });
    metrics.addMetric(METRIC.DuplicateDeliveriesAbsorbed, 'Count', 1);
    return 'already-done';
  }
  if (claim.previous?.state === 'Sending') {
    // A worker died after deciding to send: SES may have accepted that email. Sending now is the
    // one possible duplicate, counted here so that an operator sees it.
    metrics.addMetric(METRIC.PossibleDuplicateEmail, 'Count', 1);
    log.warn('Taking over a job whose previous send has no outcome: a duplicate email is possible', {
      previousAttempts: claim.previous.attempts,
    });
  }

  let rendered: RenderedJob;
  try {
    rendered = await renderJob(job, now, log);
  } catch (error) {
    if (error instanceof NothingOwedError || error instanceof NothingOverdueError) {
      // Finished on purpose, before any send: no email, no note; the batch reports it Skipped.
      await markJobSkipped(job, messageId, error.message, clock());
      log.info('Statement not sent on purpose', { reason: error.message });
      return 'skipped';
    }
    const { action, reason } = dispositionOf(error);
    if (action === 'fail') return failJob(job, messageId, reason, clock(), log);
    // If the release fails too, the claim simply lapses and the redelivery takes the job over.
    await releaseJob(job, messageId, reason, clock()).catch((releaseError: unknown) =>
      log.warn('Could not release the job', { error: releaseError }),
    );
    throw error;
  }

  const { email, recipients } = rendered;
  // The note's number is kept by the Sending write (a job taken over keeps the one it has).
  const noteNumber = claim.previous?.noteNumber ?? (await takeNoteNumber(job));
  await markJobSending(job, messageId, clock(), noteNumber);
  let sesMessageId: string;
  try {
    // The envelope: every To, Cc and Bcc address; a Bcc is in no header.
    const destinations = sentRecipients(email.recipients).map((recipient) => recipient.address);
    sesMessageId = await sendRawEmail(email.raw, { job, destinations });
  } catch (error) {
    if (error instanceof SesRejectedError || error instanceof SesUnavailableError) {
      const { action, reason } = dispositionOf(error);
      if (action === 'fail') return failJob(job, messageId, reason, clock(), log);
      await releaseJob(job, messageId, reason, clock());
      metrics.addMetric(METRIC.SendsDeferred, 'Count', 1);
      log.warn('SES did not send the statement now; it will be retried', { reason });
      throw new JobRetryError(reason, { cause: error });
    }
    if (error instanceof SesOutcomeUnknownError) {
      // Left in Sending: the claim lapses and the next delivery takes over, counted as a possible duplicate.
      metrics.addMetric(METRIC.SendOutcomeUnknown, 'Count', 1);
      log.error('The SES call ended without an answer; SES may have sent the email', {
        reason: dispositionOf(error).reason,
      });
    }
    throw error;
  }

  const sentAt = clock();
  const first = await writeSentMarker(job, sesMessageId, recipients, sentAt, log);
  if (first) {
    metrics.addMetric(METRIC.StatementsSent, 'Count', 1);
    await recordNote(job, {
      sesMessageId,
      sentAt: sentAt.toISOString(),
      recipients,
      state: 'Sent',
      noteNumber,
    });
  } else {
    metrics.addMetric(METRIC.DuplicateEmailSent, 'Count', 1);
    log.error('This job was already marked sent: the email just sent is a duplicate', { sesMessageId });
    const recorded = await getJob(job);
    if (recorded !== undefined) await recordNote(job, recorded);
  }
  log.info('Statement emailed', {
    sesMessageId,
    lines: email.lineCount,
    bytes: email.bytes,
    recipients: email.recipients.to.length + email.recipients.cc.length,
    bcc: email.recipients.bcc.length,
    leftOff: recipients.filter((recipient) => recipient.state === 'NotSent').length,
  });
  return 'sent';
}

/** A permanent failure: recorded with its reason, never retried. */
async function failJob(
  job: StatementJob,
  owner: string,
  reason: string,
  now: Date,
  log: Logger,
): Promise<JobOutcome> {
  await markJobFailed(job, owner, reason, now);
  metrics.addMetric(METRIC.StatementsFailed, 'Count', 1);
  log.error('Statement job failed permanently', { reason });
  return 'failed';
}
