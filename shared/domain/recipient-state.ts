/**
 * Where a sent statement got to for each of its recipients, and what that makes of the job's own
 * state. SES reports delivery, bounces and complaints per recipient; the job's state sums up the
 * customer's lines (To and Cc), never the tenant's blind copy:
 *
 * - `Complained` as soon as any To or Cc recipient complained (a complaint always shows);
 * - `Bounced` when every To and Cc recipient bounced (or complained): nobody at the customer has it;
 * - `Delivered` when at least one To or Cc recipient's server accepted it;
 * - else still `Sent`.
 *
 * Both only move forward (`STATE_RANK`), so a job once `Delivered` stays so when one of two
 * addresses bounces later; the recipient's own state says which.
 */
import { type JobState, STATE_RANK } from './job-state.ts';
import type { RecipientLine } from './statement-recipients.ts';

/** Every state of one recipient; `NotSent`: an address of the customer that was left off. */
export const RECIPIENT_STATES = ['NotSent', 'Sent', 'Delivered', 'Bounced', 'Complained'] as const;
/** One recipient's state. */
export type RecipientState = (typeof RECIPIENT_STATES)[number];

/** The states an SES event can move a recipient (and its job) to. */
export type EventState = 'Delivered' | 'Bounced' | 'Complained';

/** A recipient's order of states: as the job's, `NotSent` below all (no event ever moves it). */
export const RECIPIENT_RANK: Record<RecipientState, number> = {
  NotSent: -1,
  Sent: STATE_RANK.Sent,
  Delivered: STATE_RANK.Delivered,
  Bounced: STATE_RANK.Bounced,
  Complained: STATE_RANK.Complained,
};

/** What summing up needs of a recipient. */
interface LineState {
  line: RecipientLine;
  state: RecipientState;
}

/** The job's state that its recipients' states make (see the module's rules); `Sent` when none moved it. */
export function jobStateOf(recipients: readonly LineState[]): Extract<JobState, 'Sent' | EventState> {
  const customer = recipients.filter(({ line, state }) => line !== 'Bcc' && state !== 'NotSent');
  if (customer.some(({ state }) => state === 'Complained')) return 'Complained';
  if (customer.length > 0 && customer.every(({ state }) => state === 'Bounced')) return 'Bounced';
  // One of two bounced and the other not heard of yet is still Sent.
  if (customer.some(({ state }) => state === 'Delivered')) return 'Delivered';
  return 'Sent';
}

/** One recipient as a job's record keeps it (records.ts JobRecipient). */
export interface RecordedRecipient {
  address: string;
  line: RecipientLine;
  state: RecipientState;
  stateRank: number;
  detail?: string | undefined;
  at?: string | undefined;
}

/**
 * A job's recipients as its record has them; a job sent before recipients were recorded has its
 * one `sentTo` on To, in the job's own state (it was then the only recipient).
 */
export function jobRecipientsOf(record: {
  recipients?: readonly RecordedRecipient[] | undefined;
  sentTo?: string | undefined;
  state: JobState;
}): RecordedRecipient[] {
  if (record.recipients !== undefined) return [...record.recipients];
  if (record.sentTo === undefined) return [];
  const state: RecipientState =
    record.state === 'Delivered' || record.state === 'Bounced' || record.state === 'Complained'
      ? record.state
      : 'Sent';
  return [{ address: record.sentTo, line: 'To', state, stateRank: RECIPIENT_RANK[state] }];
}
