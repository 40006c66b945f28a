/**
 * SES delivery events, mapped back to their job: Delivered, Bounced and Complained move the job
 * forward (never back, so duplicate and out-of-order events change nothing); a bounce or a
 * complaint also adds a customer note, once, and suppresses the address so that the next request
 * reports `Invalid customer email address` until the customer's address changes.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import {
  advanceJobState,
  findJobBySesMessageId,
  getJob,
  type JobRef,
  type NoteField,
  noteNumberFor,
  putNoteOnce,
  suppressAddress,
} from '../aws/dynamodb-jobs.ts';
import { metrics } from '../observability/powertools.ts';
import type { SesEvent } from '../schemas/ses-event.ts';

export type SesEventOutcome = 'applied' | 'stale' | 'ignored' | 'unknown-message';

async function noteOnce(job: JobRef, field: NoteField, text: string, date: string): Promise<void> {
  const number = (await getJob(job))?.[field] ?? (await noteNumberFor(job, field));
  await putNoteOnce(job, { number, date, text, lastModifiedBy: 'statement mailer (SES event)' });
}

export async function recordSesEvent(event: SesEvent, log: Logger): Promise<SesEventOutcome> {
  const job = await findJobBySesMessageId(event.mail.messageId);
  if (job === undefined) {
    // Not a statement this service sent (or its record has expired): nothing to update.
    log.warn('SES event for an unknown message', {
      eventType: event.type,
      sesMessageId: event.mail.messageId,
    });
    metrics.addMetric('SesEventsUnmatched', 'Count', 1);
    return 'unknown-message';
  }
  log.appendKeys({ tenantId: job.tenantId, batchId: job.batchId, customerCode: job.customerCode });
  const sentTo = (await getJob(job))?.sentTo;

  if (event.type === 'Delivery' && event.delivery !== undefined) {
    const applied = await advanceJobState(job, 'Delivered', 'Delivery', event.delivery.timestamp);
    metrics.addMetric(applied ? 'StatementsDelivered' : 'SesEventsStale', 'Count', 1);
    return applied ? 'applied' : 'stale';
  }

  if (event.type === 'Bounce' && event.bounce !== undefined) {
    const { bounceType, bounceSubType, timestamp } = event.bounce;
    const detail = `Bounce: ${bounceType}${bounceSubType === undefined ? '' : ` (${bounceSubType})`}`;
    const applied = await advanceJobState(job, 'Bounced', detail, timestamp);
    // Only a permanent bounce says the address is bad; a transient one may deliver next time.
    if (bounceType === 'Permanent' && sentTo !== undefined)
      await suppressAddress(job, sentTo, 'Bounced', timestamp);
    await noteOnce(
      job,
      'bounceNoteNumber',
      `Statement email${sentTo === undefined ? '' : ` to ${sentTo}`} bounced (${bounceType}${bounceSubType === undefined ? '' : `, ${bounceSubType}`}).${bounceType === 'Permanent' ? ' The address will not be emailed again until it changes.' : ''}`,
      timestamp,
    );
    metrics.addMetric('StatementsBounced', 'Count', 1);
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
      'complaintNoteNumber',
      `The recipient${sentTo === undefined ? '' : ` ${sentTo}`} marked the statement email as spam. The address will not be emailed again until it changes.`,
      timestamp,
    );
    metrics.addMetric('StatementsComplained', 'Count', 1);
    return applied ? 'applied' : 'stale';
  }

  log.info('SES event type not tracked', { eventType: event.type });
  return 'ignored';
}
