/**
 * SES delivery events, mapped back to their job: Delivered, Bounced and Complained move the job
 * forward (never back, so duplicate and out-of-order events change nothing); a permanent bounce
 * or a complaint also adds a customer note, once, and suppresses the address so that the next
 * request reports `Invalid customer email address` until the customer's address changes. A soft
 * (transient or undetermined) bounce is only noted: it says nothing final about the address.
 *
 * The job is named by the tags the worker put on the send (docs/exactly-once.md); events of mails
 * sent untagged are matched through the message-id index. An event of ours whose job cannot be
 * read, or has no sent marker yet, is never dropped: it fails the invocation, so that Lambda's
 * asynchronous retries, and then the function's dead-letter queue, keep it.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { advanceJobState, findJobBySesMessageId, getJob, type JobRef } from '../aws/dynamodb-jobs.ts';
import {
  type NoteField,
  noteNumberFor,
  putNoteOnce,
  softBounceNoteNumberFor,
} from '../aws/dynamodb-notes.ts';
import { suppressAddress } from '../aws/dynamodb-suppressions.ts';
import { jobFromEventTags } from '../aws/ses-message-tags.ts';
import { METRIC } from '../observability/metric-names.ts';
import { metrics } from '../observability/powertools.ts';
import type { JobRecord } from '../schemas/records.ts';
import type { SesEvent } from '../schemas/ses-event.ts';

/** What an SES event did to its job: the ses-events handler returns one per event. */
export type SesEventOutcome = 'applied' | 'stale' | 'noted' | 'ignored' | 'unknown-message';

/**
 * The event is ours but its job cannot be matched yet (the sent marker is written just after SES
 * accepts, and SES's events can be quicker): retry the whole invocation later.
 */
export class SesEventNotReadyError extends Error {
  override readonly name = 'SesEventNotReadyError';
}

const NOTE_AUTHOR = 'statement mailer (SES event)';

async function noteOnce(job: JobRef, number: number, text: string, date: string): Promise<void> {
  await putNoteOnce(job, { number, date, text, lastModifiedBy: NOTE_AUTHOR });
}

async function numberFor(job: JobRef, record: JobRecord, field: NoteField): Promise<number> {
  return record[field] ?? (await noteNumberFor(job, field));
}

const isTracked = (event: SesEvent) =>
  (event.type === 'Delivery' && event.delivery !== undefined) ||
  (event.type === 'Bounce' && event.bounce !== undefined) ||
  (event.type === 'Complaint' && event.complaint !== undefined);

/**
 * The event's job and its record, marked sent. Returns undefined only for an event that is
 * demonstrably not ours: no tags of ours, and its message id is not in the index.
 */
async function sentJobOf(
  event: SesEvent,
  log: Logger,
): Promise<{ job: JobRef; record: JobRecord } | undefined> {
  const tags = jobFromEventTags(event.mail.tags);
  if (tags.kind === 'malformed') {
    log.error('SES event whose job tags cannot be read; looking it up by message id');
    metrics.addMetric(METRIC.SesEventTagsMalformed, 'Count', 1);
  }
  const job = tags.kind === 'tagged' ? tags.job : await findJobBySesMessageId(event.mail.messageId);
  if (job === undefined) {
    if (tags.kind === 'untagged') return undefined;
    metrics.addMetric(METRIC.SesEventsDeferred, 'Count', 1);
    throw new SesEventNotReadyError('The SES event carries tags of ours, but its job is not found');
  }
  log.appendKeys({ tenantId: job.tenantId, batchId: job.batchId, customerCode: job.customerCode });
  const record = await getJob(job);
  if (record?.sesMessageId === undefined) {
    // The worker writes the sent marker right after SES accepts; the index follows it.
    metrics.addMetric(METRIC.SesEventsDeferred, 'Count', 1);
    log.warn('SES event before its job was marked sent; failing the invocation for a retry', {
      state: record?.state ?? 'no record',
    });
    throw new SesEventNotReadyError(
      record === undefined ? 'The job of the SES event is not found yet' : 'The job is not marked sent yet',
    );
  }
  if (record.sesMessageId !== event.mail.messageId) {
    // The one duplicate window: a second email of the job went out; its events count alike.
    log.warn('SES event for another email of this job than the one recorded', {
      recordedSesMessageId: record.sesMessageId,
    });
  }
  return { job, record };
}

/** Applies one SES event to its job: forward only, notes once; an event of ours that is early throws. */
export async function recordSesEvent(event: SesEvent, log: Logger): Promise<SesEventOutcome> {
  if (!isTracked(event)) {
    log.info('SES event type not tracked', { eventType: event.type });
    return 'ignored';
  }
  const found = await sentJobOf(event, log);
  if (found === undefined) {
    // Not a statement this service sent (or its record has expired): nothing to update.
    log.warn('SES event for an unknown message', {
      eventType: event.type,
      sesMessageId: event.mail.messageId,
    });
    metrics.addMetric(METRIC.SesEventsUnmatched, 'Count', 1);
    return 'unknown-message';
  }
  const { job, record } = found;
  const sentTo = record.sentTo;
  const to = sentTo === undefined ? '' : ` to ${sentTo}`;

  // A sent marker is never removed, so from here a refused advance means a stale event.
  if (event.type === 'Delivery' && event.delivery !== undefined) {
    const applied = await advanceJobState(job, 'Delivered', 'Delivery', event.delivery.timestamp);
    metrics.addMetric(applied ? METRIC.StatementsDelivered : METRIC.SesEventsStale, 'Count', 1);
    return applied ? 'applied' : 'stale';
  }

  if (event.type === 'Bounce' && event.bounce !== undefined) {
    const { bounceType, bounceSubType, timestamp } = event.bounce;
    const kind = `${bounceType}${bounceSubType === undefined ? '' : `, ${bounceSubType}`}`;
    if (bounceType !== 'Permanent') {
      // Transient or Undetermined (a full mailbox, an auto-reply after delivery): the email may
      // still arrive and the address stays good, so the state and the address are left alone.
      const number = await softBounceNoteNumberFor(job);
      await noteOnce(
        job,
        number,
        `Statement email${to} got a soft bounce (${kind}). The address stays in use.`,
        timestamp,
      );
      metrics.addMetric(METRIC.StatementsSoftBounced, 'Count', 1);
      return 'noted';
    }
    const detail = `Bounce: ${bounceType}${bounceSubType === undefined ? '' : ` (${bounceSubType})`}`;
    const applied = await advanceJobState(job, 'Bounced', detail, timestamp);
    if (sentTo !== undefined) await suppressAddress(job, sentTo, 'Bounced', timestamp);
    await noteOnce(
      job,
      await numberFor(job, record, 'bounceNoteNumber'),
      `Statement email${to} bounced (${kind}). The address will not be emailed again until it changes.`,
      timestamp,
    );
    metrics.addMetric(METRIC.StatementsBounced, 'Count', 1);
    return applied ? 'applied' : 'stale';
  }

  if (event.type === 'Complaint' && event.complaint !== undefined) {
    const { timestamp, complaintFeedbackType } = event.complaint;
    const applied = await advanceJobState(
      job,
      'Complained',
      `Complaint${complaintFeedbackType ? `: ${complaintFeedbackType}` : ''}`,
      timestamp,
    );
    if (sentTo !== undefined) await suppressAddress(job, sentTo, 'Complained', timestamp);
    await noteOnce(
      job,
      await numberFor(job, record, 'complaintNoteNumber'),
      `The recipient${sentTo === undefined ? '' : ` ${sentTo}`} marked the statement email as spam. The address will not be emailed again until it changes.`,
      timestamp,
    );
    metrics.addMetric(METRIC.StatementsComplained, 'Count', 1);
    return applied ? 'applied' : 'stale';
  }

  return 'ignored';
}
