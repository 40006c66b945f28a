/**
 * The states of a statement job (tenant + batch + customer) and the order in which SES events may
 * move a sent job: the worker and the SES events function decide from these, the job records store
 * them (shared/schemas/records.ts).
 */

/** Every state a job record can hold. */
export const JOB_STATES = [
  'Claimed',
  'Sending',
  'Retrying',
  'Sent',
  'Delivered',
  'Bounced',
  'Complained',
  'Failed',
  'DeadLettered',
  /** `skipnothingowed=1` and nothing was owed when the worker came to send: no email, no note. */
  'Skipped',
] as const;
/** One job's state. */
export type JobState = (typeof JOB_STATES)[number];

/**
 * How far a job has got: SES events only ever move a job forward, so a duplicate or late event
 * (a Delivery after its Bounce) changes nothing.
 */
export const STATE_RANK: Record<JobState, number> = {
  Claimed: 0,
  Sending: 0,
  Retrying: 0,
  Failed: 0,
  DeadLettered: 0,
  Skipped: 0,
  Sent: 1,
  Delivered: 2,
  Bounced: 3,
  Complained: 4,
};

/** States after which a job must never send again. */
export const FINISHED_STATES: ReadonlySet<JobState> = new Set([
  'Sent',
  'Delivered',
  'Bounced',
  'Complained',
  'Failed',
  'Skipped',
]);
