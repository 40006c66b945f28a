/**
 * SES delivery events, mapped back to their job and to each recipient SES names: Delivered,
 * Bounced and Complained move each recipient, and the job, forward (never back, so duplicate and
 * out-of-order events change nothing); the job's state sums up its To and Cc recipients
 * (shared/domain/recipient-state.ts). A permanent bounce or a complaint also adds a customer note,
 * once, and suppresses only the addresses SES names, so that the customer's other addresses are
 * still emailed and the next request reports `Invalid customer email address` only when none is
 * left. The tenant's Bcc copy is never suppressed (it is not the customer's address): its bounce
 * shows on its recipient line only. A soft (transient or undetermined) bounce is only noted: it
 * says nothing final about the address.
 *
 * An event that names no recipient of the job (SES names the addresses it was sent to; a replayed
 * or hand-made event may not) counts for every To and Cc recipient, as events did before they
 * were matched per recipient, and suppresses nothing: no address of the customer is known to be
 * bad.
 *
 * The job is named by the tags the worker put on the send (docs/exactly-once.md); events of mails
 * sent untagged are matched through the message-id index. An event of ours whose job cannot be
 * read, or has no sent marker yet, is never dropped: it fails the invocation, so that Lambda's
 * asynchronous retries, and then the function's dead-letter queue, keep it.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import {
  advanceJobState,
  advanceRecipientState,
  advanceRecipientsAndJob,
  findJobBySesMessageId,
  getJobWithRef,
  type JobRef,
  recordJobRecipients,
} from '../aws/dynamodb-jobs.ts';
import {
  type NoteField,
  noteNumberFor,
  putNoteOnce,
  softBounceNoteNumberFor,
} from '../aws/dynamodb-notes.ts';
import { suppressAddresses } from '../aws/dynamodb-suppressions.ts';
import { jobFromEventTags } from '../aws/ses-message-tags.ts';
import { STATE_RANK } from '../domain/job-state.ts';
import {
  type EventState,
  jobRecipientsOf,
  jobStateOf,
  RECIPIENT_RANK,
  type RecordedRecipient,
} from '../domain/recipient-state.ts';
import { addressKey } from '../domain/statement-recipients.ts';
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
  const found = await getJobWithRef(job);
  const record = found?.record;
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
  // The ref says whether it is a run's job, so that its transitions go straight to the counted path.
  return { job: found?.ref ?? job, record };
}

/** A recipient of the job, with its place in the job's list (which never changes). */
type Target = RecordedRecipient & { index: number };

/** The addresses the event names, lower-cased: SES's delivered, bounced or complained recipients. */
function namedAddresses(event: SesEvent): Set<string> {
  const named = [
    ...(event.delivery?.recipients ?? []),
    ...(event.bounce?.bouncedRecipients ?? []).map((recipient) => recipient.emailAddress),
    ...(event.complaint?.complainedRecipients ?? []).map((recipient) => recipient.emailAddress),
  ];
  return new Set(named.map(addressKey));
}

/**
 * The recipients the event is about: those it names, else (it names none of them) every To and
 * Cc recipient. `named` says which it was.
 */
function targetsOf(event: SesEvent, recipients: readonly RecordedRecipient[]) {
  const sent = recipients
    .map((recipient, index) => ({ ...recipient, index }))
    .filter((recipient) => recipient.state !== 'NotSent');
  const names = namedAddresses(event);
  const named = sent.filter((recipient) => names.has(addressKey(recipient.address)));
  if (named.length > 0) return { targets: named, named: true, strangers: false };
  // Addresses named, none of them the job's: worth a warning (an event without any is not).
  const strangers = names.size > 0;
  return { targets: sent.filter((recipient) => recipient.line !== 'Bcc'), named: false, strangers };
}

/**
 * Moves the targets to `state`, then the job to what its recipients now make of it. A recipient
 * moved by an earlier attempt of this event is at its state already, so the job's state is summed
 * up whatever this attempt changed: a retry finishes what a failed attempt began. True when
 * anything changed.
 */
async function advance(
  job: JobRef,
  record: JobRecord,
  recipients: readonly RecordedRecipient[],
  targets: readonly Target[],
  move: { state: EventState; detail: string; at: string },
): Promise<boolean> {
  const { state, detail, at } = move;
  // What the record read says: a recipient at or past the event's state stays (states never go
  // back), so an event repeated or out of order costs no write at all.
  const rank = RECIPIENT_RANK[state];
  const moving = targets.filter(
    (target) => target.stateRank < rank && target.stateRank >= RECIPIENT_RANK.Sent,
  );
  const movingIndexes = new Set(moving.map((target) => target.index));
  const after = recipients.map((recipient, index) =>
    movingIndexes.has(index) ? { ...recipient, state, stateRank: rank, detail, at } : recipient,
  );
  const expected = recipients.length === 0 ? state : jobStateOf(after);
  const jobBehind = expected !== 'Sent' && STATE_RANK[record.state] < STATE_RANK[expected];
  if (moving.length === 0 && !jobBehind) return false;
  if (moving.length > 0 && jobBehind && record.recipients !== undefined) {
    // The recipients and the job in one write, unless another event moved one of them meanwhile.
    const cause = after.find((recipient) => recipient.line !== 'Bcc' && recipient.state === expected);
    const unchanged = recipients
      .map((recipient, index) => ({ index, stateRank: recipient.stateRank }))
      .filter(({ index }) => !movingIndexes.has(index));
    const jobDetail = expected === state ? detail : (cause?.detail ?? detail);
    if (await advanceRecipientsAndJob(job, moving, unchanged, move, expected, jobDetail)) return true;
  }
  let latest: readonly RecordedRecipient[] = recipients;
  let changed = false;
  for (const target of moving) {
    const updated = await advanceRecipientState(job, target.index, target.address, state, detail, at);
    if (updated?.recipients !== undefined) {
      latest = updated.recipients;
      changed = true;
    }
  }
  // A job with no recipients recorded at all moves as the event says.
  const jobState = recipients.length === 0 ? state : jobStateOf(latest);
  if (jobState === 'Sent') return changed;
  // The job's detail is the event that put a recipient in the job's state (this one, mostly).
  const cause = latest.find((recipient) => recipient.line !== 'Bcc' && recipient.state === jobState);
  const jobDetail = jobState === state ? detail : (cause?.detail ?? detail);
  return (await advanceJobState(job, jobState, jobDetail, at)) || changed;
}

const listOf = (targets: readonly Target[]) => targets.map((target) => target.address).join(', ');

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
  const recipients = jobRecipientsOf(record);
  // A job sent before recipients were recorded gets its list first, so each can move by index.
  if (record.recipients === undefined && recipients.length > 0) await recordJobRecipients(job, recipients);
  const { targets, named, strangers } = targetsOf(event, recipients);
  if (strangers) log.warn('SES event names no recipient of its job; applied to every To and Cc recipient');
  // The customer's own addresses among the targets: a Bcc copy is the tenant's.
  const customerTargets = targets.filter((target) => target.line !== 'Bcc');
  const to = customerTargets.length === 0 ? '' : ` to ${listOf(customerTargets)}`;

  if (event.type === 'Delivery' && event.delivery !== undefined) {
    const applied = await advance(job, record, recipients, targets, {
      state: 'Delivered',
      detail: 'Delivery',
      at: event.delivery.timestamp,
    });
    metrics.addMetric(applied ? METRIC.StatementsDelivered : METRIC.SesEventsStale, 'Count', 1);
    return applied ? 'applied' : 'stale';
  }

  if (event.type === 'Bounce' && event.bounce !== undefined) {
    const { bounceType, bounceSubType, timestamp } = event.bounce;
    const kind = `${bounceType}${bounceSubType === undefined ? '' : `, ${bounceSubType}`}`;
    if (bounceType !== 'Permanent') {
      // Transient or Undetermined (a full mailbox, an auto-reply after delivery): the email may
      // still arrive and the address stays good, so the state and the address are left alone.
      if (customerTargets.length === 0) return 'noted';
      const number = await softBounceNoteNumberFor(job);
      await noteOnce(
        job,
        number,
        `Statement email${to} got a soft bounce (${kind}). ${customerTargets.length === 1 ? 'The address stays' : 'The addresses stay'} in use.`,
        timestamp,
      );
      metrics.addMetric(METRIC.StatementsSoftBounced, 'Count', 1);
      return 'noted';
    }
    const detail = `Bounce: ${bounceType}${bounceSubType === undefined ? '' : ` (${bounceSubType})`}`;
    const applied = await advance(job, record, recipients, targets, {
      state: 'Bounced',
      detail,
      at: timestamp,
    });
    if (customerTargets.length > 0) {
      if (named)
        await suppressAddresses(
          job,
          customerTargets.map((target) => target.address),
          'Bounced',
          timestamp,
        );
      await noteOnce(
        job,
        await numberFor(job, record, 'bounceNoteNumber'),
        `Statement email${to} bounced (${kind}). ${named ? suppressedWords(customerTargets.length) : NOTHING_SUPPRESSED}`,
        timestamp,
      );
    }
    metrics.addMetric(METRIC.StatementsBounced, 'Count', 1);
    return applied ? 'applied' : 'stale';
  }

  if (event.type === 'Complaint' && event.complaint !== undefined) {
    const { timestamp, complaintFeedbackType } = event.complaint;
    const detail = `Complaint${complaintFeedbackType ? `: ${complaintFeedbackType}` : ''}`;
    const applied = await advance(job, record, recipients, targets, {
      state: 'Complained',
      detail,
      at: timestamp,
    });
    if (customerTargets.length > 0) {
      if (named)
        await suppressAddresses(
          job,
          customerTargets.map((target) => target.address),
          'Complained',
          timestamp,
        );
      const who = customerTargets.length === 1 ? 'The recipient' : 'The recipients';
      await noteOnce(
        job,
        await numberFor(job, record, 'complaintNoteNumber'),
        `${who} ${listOf(customerTargets)} marked the statement email as spam. ${named ? suppressedWords(customerTargets.length) : NOTHING_SUPPRESSED}`,
        timestamp,
      );
    }
    metrics.addMetric(METRIC.StatementsComplained, 'Count', 1);
    return applied ? 'applied' : 'stale';
  }

  return 'ignored';
}

const suppressedWords = (count: number) =>
  count === 1
    ? 'The address will not be emailed again until it changes.'
    : 'These addresses will not be emailed again until they change.';

const NOTHING_SUPPRESSED = 'SES named no address it was sent to, so no address is suppressed.';
