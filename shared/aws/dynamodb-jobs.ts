/**
 * The worker's durable job records: one item per job (tenant + batch + customer) that moves
 * Claimed → Sending → Sent (or Failed, or back to Retrying), each step a conditional write, then
 * forward only on SES events. Works on DynamoDB, LocalStack and dynalite alike. A job of a
 * statement run (its item has `runJob`) moves in the same transaction as its run's counters
 * (countedJobTransition, docs/runs.md); a plain batch's job takes one single-item update, as
 * before runs existed. The job's notes are in dynamodb-notes.ts, its batch in dynamodb-batches.ts.
 *
 * Over 250 lines on purpose: it is one state machine, and each transition's condition expression
 * is the rule of that transition; kept in one file, every rule can be read beside the others.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { tableConfig } from '../config.ts';
import { STATE_RANK } from '../domain/job-state.ts';
import { type EventState, RECIPIENT_RANK } from '../domain/recipient-state.ts';
import { RUN_CANCELLED_REASON } from '../domain/run.ts';
import { type JobRecipient, type JobRecord, JobRecordSchema } from '../schemas/records.ts';
import {
  documentClient,
  expiresAfter,
  type Item,
  type ItemUpdate,
  updateCommand,
  writeIf,
} from './dynamodb.ts';
import { countedJobTransition, type TransitionTarget } from './dynamodb-runs.ts';
import { BATCH_RETENTION_SECONDS, TABLE_DESIGN } from './table-design.ts';
import { jobKey, runKey, type TableKey } from './table-keys.ts';

/** The key of a job: tenant + batch + customer. */
export interface JobRef {
  tenantId: string;
  batchId: string;
  customerCode: string;
  /** Present on a run's job message (version 3): its transitions go straight to the counted path. */
  run?: unknown;
}

/** The claim of a job is held by another worker, or was taken over: this one must stop. */
export class JobClaimLostError extends Error {
  override readonly name = 'JobClaimLostError';
}

/** The table key of a job's record. */
export const jobRecordKey = (job: JobRef): TableKey => jobKey(job.tenantId, job.batchId, job.customerCode);

/** `state` and `owner` are DynamoDB reserved words. */
const STATE_AND_OWNER = { '#state': 'state', '#owner': 'owner' };

/**
 * What the first write of a job's record sets besides its state: the key's parts, to read it back
 * by, and its expiry (job records live as long as their batch, then TTL removes them).
 */
const IDENTITY =
  'tenantId = :tenant, batchId = :batch, customerCode = :code, expiresAt = if_not_exists(expiresAt, :expires)';
const identityValues = (job: JobRef, now: Date) => ({
  ':tenant': job.tenantId,
  ':batch': job.batchId,
  ':code': job.customerCode,
  ':expires': expiresAfter(now, BATCH_RETENTION_SECONDS),
});

/** One transition of a job's record; its condition is the transition's rule. */
const transition = (job: JobRef, update: ItemUpdate, returnValues?: 'ALL_OLD' | 'ALL_NEW') =>
  updateCommand(jobRecordKey(job), update, returnValues);

/** How a transition ended: applied (with the item as it was), or refused by its rule or the run. */
type TransitionResult =
  | { applied: true; previous: Item | undefined }
  | { applied: false; runCancelled: boolean };

/**
 * Applies one state transition of a job. A plain batch's job: one conditional update, refused for
 * a run's job (`attribute_not_exists(runJob)`), which an SES event cannot tell apart by its id; a
 * run's job (the message says so, or its item does): the job and its run's counters in one
 * transaction (countedJobTransition). `target` is the state written (none: the state stays).
 */
async function applyTransition(
  job: JobRef,
  update: ItemUpdate,
  target: TransitionTarget | undefined,
): Promise<TransitionResult> {
  if (job.run === undefined) {
    const plain: ItemUpdate = {
      ...update,
      condition:
        update.condition === undefined
          ? 'attribute_not_exists(runJob)'
          : `(${update.condition}) AND attribute_not_exists(runJob)`,
    };
    try {
      const { Attributes } = await documentClient().send(transition(job, plain, 'ALL_OLD'));
      return { applied: true, previous: Attributes };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const { Item } = await documentClient().send(
      new GetCommand({ TableName: tableConfig().TABLE_NAME, Key: jobRecordKey(job), ConsistentRead: true }),
    );
    if (Item?.runJob !== true) return { applied: false, runCancelled: false };
  }
  const result = await countedJobTransition(job.tenantId, job.batchId, jobRecordKey(job), update, target);
  return result.applied
    ? { applied: true, previous: result.previous }
    : { applied: false, runCancelled: result.runCancelled };
}

/** The job's record, read consistently (a decision to send depends on it). */
export async function getJob(job: JobRef): Promise<JobRecord | undefined> {
  const { TABLE_NAME } = tableConfig();
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: TABLE_NAME, Key: jobRecordKey(job), ConsistentRead: true }),
  );
  return Item === undefined ? undefined : JobRecordSchema.parse(Item);
}

/**
 * The job's record, read consistently, and its ref marked as a run's job when its item is one,
 * so that its transitions go straight to the counted path (no refused single-item write first).
 */
export async function getJobWithRef(job: JobRef): Promise<{ record: JobRecord; ref: JobRef } | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableConfig().TABLE_NAME, Key: jobRecordKey(job), ConsistentRead: true }),
  );
  if (Item === undefined) return undefined;
  return { record: JobRecordSchema.parse(Item), ref: Item.runJob === true ? { ...job, run: true } : job };
}

/** What a claim found: the record before this claim, or the one that kept it from claiming. */
export type ClaimResult =
  | { claimed: true; previous: JobRecord | undefined }
  | { claimed: false; current: JobRecord | undefined; runCancelled?: boolean };

/**
 * Claims a job for `owner` until `leaseUntil`: only a new job, one released for retry, or one
 * whose previous claim has lapsed (its worker died) can be claimed. Of concurrent deliveries of
 * one job, exactly one wins.
 */
export async function claimJob(
  job: JobRef,
  owner: string,
  leaseUntil: number,
  now: Date,
): Promise<ClaimResult> {
  const claim: ItemUpdate = {
    update: `SET #state = :claimed, #owner = :owner, leaseUntil = :lease, updatedAt = :now, ${IDENTITY} ADD attempts :one`,
    condition:
      'attribute_not_exists(#state) OR #state IN (:retrying, :deadLettered) OR (#state IN (:claimed, :sending) AND leaseUntil < :nowMs)',
    names: STATE_AND_OWNER,
    values: {
      ':claimed': 'Claimed',
      ':sending': 'Sending',
      ':retrying': 'Retrying',
      // An operator's redrive from the dead-letter queue takes a dead-lettered job up again.
      ':deadLettered': 'DeadLettered',
      ':owner': owner,
      ':lease': leaseUntil,
      ':now': now.toISOString(),
      ':nowMs': now.getTime(),
      ...identityValues(job, now),
      ':one': 1,
    },
  };
  const result = await applyTransition(job, claim, { state: 'Claimed' });
  if (!result.applied)
    return { claimed: false, current: await getJob(job), runCancelled: result.runCancelled };
  const { previous } = result;
  // A run's job is sent only if its run was not cancelled when the claim was written: the run is
  // read after the claim, consistently (docs/runs.md, "Cancellation"). A cancel answered before
  // the claim is seen, and the claim ends `Skipped` (`Run cancelled`); a cancel after the read
  // finds the job claimed, which it never takes from its worker. One read instead of a
  // ConditionCheck in the claim's transaction: 1 RRU instead of 3 WRU a statement.
  if (job.run !== undefined || previous?.runJob === true) {
    const run = await runStateOf(job, owner, now);
    // A run item that is gone (expired past its retention, or never written) sends nothing either,
    // as the ConditionCheck this read replaced refused such a claim; there is no run to count it in,
    // so the job keeps this claim until its partition expires.
    if (run === 'Gone') return { claimed: false, current: await getJob(job), runCancelled: true };
    if (run === 'Cancelled') {
      await endClaim(job, owner, 'Skipped', 'reason', RUN_CANCELLED_REASON, now);
      return { claimed: false, current: await getJob(job), runCancelled: true };
    }
  }
  return {
    claimed: true,
    previous: previous?.state === undefined ? undefined : JobRecordSchema.parse(previous),
  };
}

/** The job's run's state (`Gone`: no run item), read consistently; on a failed read the claim is given back. */
async function runStateOf(job: JobRef, owner: string, now: Date): Promise<string> {
  try {
    const { Item } = await documentClient().send(
      new GetCommand({
        TableName: tableConfig().TABLE_NAME,
        Key: runKey(job.tenantId, job.batchId),
        ConsistentRead: true,
        ProjectionExpression: '#state',
        ExpressionAttributeNames: { '#state': 'state' },
      }),
    );
    return Item === undefined ? 'Gone' : String(Item.state);
  } catch (error) {
    await releaseJob(job, owner, 'The run could not be read', now).catch(() => undefined);
    throw error;
  }
}

/**
 * The run's retry pass (docs/runs.md): a dead-lettered job of a run goes back to `Retrying`, once
 * (`retryPass`), and is counted `Queued` again, before the feeder queues its message. Returns
 * whether it was taken back now.
 */
export async function requeueDeadLetteredJob(job: JobRef, now: Date): Promise<boolean> {
  const result = await applyTransition(
    job,
    {
      update: 'SET #state = :retrying, retryPass = :one, lastError = reason, updatedAt = :now REMOVE reason',
      condition: '#state = :deadLettered AND attribute_not_exists(retryPass)',
      names: { '#state': 'state' },
      values: {
        ':retrying': 'Retrying',
        ':deadLettered': 'DeadLettered',
        ':one': 1,
        ':now': now.toISOString(),
      },
    },
    { state: 'Retrying' },
  );
  return result.applied;
}

/** A transition only the claim's owner may make; JobClaimLostError when it no longer owns it. */
async function updateOwned(
  job: JobRef,
  owner: string,
  update: string,
  values: Record<string, unknown>,
  names: Record<string, string>,
  target: TransitionTarget,
): Promise<void> {
  const owned: ItemUpdate = {
    update,
    condition: '#owner = :owner',
    names: { '#owner': 'owner', ...names },
    values: { ':owner': owner, ...values },
  };
  if (!(await applyTransition(job, owned, target)).applied)
    throw new JobClaimLostError('The job was claimed by another worker');
}

/**
 * Marks the moment before SES is called. A later worker that finds a lapsed claim in this state
 * knows SES may have accepted the email already: the one window where a duplicate can happen.
 * The same write keeps the job's note number (`noteNumber`) unless it has one, so that every
 * retry writes the note under that number without a write of its own.
 */
export function markJobSending(job: JobRef, owner: string, now: Date, noteNumber?: number): Promise<void> {
  const keepNote = noteNumber === undefined ? '' : ', noteNumber = if_not_exists(noteNumber, :note)';
  return updateOwned(
    job,
    owner,
    `SET #state = :sending, updatedAt = :now, sendingSince = :now${keepNote}`,
    {
      ':sending': 'Sending',
      ':now': now.toISOString(),
      ...(noteNumber === undefined ? {} : { ':note': noteNumber }),
    },
    { '#state': 'state' },
    { state: 'Sending' },
  );
}

/** Ends `owner`'s claim without sending: `state` with its reason in `field`, for the record. */
function endClaim(
  job: JobRef,
  owner: string,
  state: 'Retrying' | 'Failed' | 'Skipped',
  field: 'lastError' | 'reason',
  reason: string,
  now: Date,
): Promise<void> {
  return updateOwned(
    job,
    owner,
    'SET #state = :state, #reasonField = :reason, updatedAt = :now REMOVE #owner, leaseUntil',
    { ':state': state, ':reason': reason, ':now': now.toISOString() },
    { '#state': 'state', '#reasonField': field },
    field === 'reason' ? { state, reason } : { state },
  );
}

/** Gives the job back for a retry (a transient failure), with the reason for the record. */
export function releaseJob(job: JobRef, owner: string, reason: string, now: Date): Promise<void> {
  return endClaim(job, owner, 'Retrying', 'lastError', reason, now);
}

/** A permanent failure: the job is finished, with its reason, and will never send. */
export function markJobFailed(job: JobRef, owner: string, reason: string, now: Date): Promise<void> {
  return endClaim(job, owner, 'Failed', 'reason', reason, now);
}

/** Finished without an email on purpose (`skipnothingowed=1` and nothing owed), with its reason. */
export function markJobSkipped(job: JobRef, owner: string, reason: string, now: Date): Promise<void> {
  return endClaim(job, owner, 'Skipped', 'reason', reason, now);
}

/**
 * Records that the job's last delivery failed and SQS now moves it to the dead-letter queue, so
 * that its batch reports it failed (with the reason) instead of `Queued` forever. A job that has
 * finished, or that another delivery holds, is left as it is. The job stays claimable: an
 * operator's redrive from the dead-letter queue sends it then.
 *
 * A job in `Sending` keeps its state and only gains `deadLetterReason`: SES may have accepted its
 * email, and a redrive must still take it over as a possible duplicate (docs/exactly-once.md).
 */
export async function markJobDeadLettered(
  job: JobRef,
  owner: string,
  reason: string,
  now: Date,
): Promise<boolean> {
  const values = { ':reason': reason, ':now': now.toISOString() };
  const { applied: marked } = await applyTransition(
    job,
    {
      update: `SET #state = :deadLettered, reason = :reason, updatedAt = :now, ${IDENTITY} REMOVE #owner, leaseUntil`,
      condition:
        'attribute_not_exists(#state) OR #state = :retrying OR (#state = :claimed AND (#owner = :owner OR leaseUntil < :nowMs))',
      names: STATE_AND_OWNER,
      values: {
        ':deadLettered': 'DeadLettered',
        ':owner': owner,
        ':retrying': 'Retrying',
        ':claimed': 'Claimed',
        ':nowMs': now.getTime(),
        ...values,
        ...identityValues(job, now),
      },
    },
    { state: 'DeadLettered', reason },
  );
  if (marked) return true;
  return writeIf(
    transition(job, {
      update: 'SET deadLetterReason = :reason, updatedAt = :now',
      condition: '#state = :sending',
      names: { '#state': 'state' },
      values: { ':sending': 'Sending', ...values },
    }),
  );
}

/**
 * Makes sure a job that the API reports "Could not queue" is never sent, although SQS may have
 * taken the message after all (a SendMessageBatch that timed out): the job is recorded Failed
 * before any worker claimed it. Returns false when a worker already has it, i.e. it was queued.
 */
export async function cancelUnqueuedJob(job: JobRef, reason: string, now: Date): Promise<boolean> {
  const written = await writeIf(
    new PutCommand({
      TableName: tableConfig().TABLE_NAME,
      Item: {
        ...jobRecordKey(job),
        type: 'Job',
        tenantId: job.tenantId,
        batchId: job.batchId,
        customerCode: job.customerCode,
        state: 'Failed',
        reason,
        attempts: 0,
        updatedAt: now.toISOString(),
        expiresAt: identityValues(job, now)[':expires'],
      },
      ConditionExpression: 'attribute_not_exists(PK)',
    }),
  );
  if (written) return true;
  // Already there: this cancel (an earlier attempt whose answer was lost), or a worker's claim.
  const current = await getJob(job);
  return current?.state === 'Failed' && current.reason === reason && current.attempts === 0;
}

/**
 * The durable "sent" marker, written as soon as SES accepts, with every recipient of the email
 * (and each address of the customer left off). The first marker wins whoever owns the claim (an
 * email that went out must be recorded); returns false when the job was already marked sent,
 * i.e. this send was a duplicate.
 */
export async function markJobSent(
  job: JobRef,
  sesMessageId: string,
  recipients: readonly JobRecipient[],
  now: Date,
): Promise<boolean> {
  const result = await applyTransition(
    job,
    {
      update:
        'SET #state = :sent, stateRank = :rank, sesMessageId = :id, recipients = :recipients, sentAt = :now, updatedAt = :now REMOVE #owner, leaseUntil',
      condition: 'attribute_not_exists(sesMessageId)',
      names: STATE_AND_OWNER,
      values: {
        ':sent': 'Sent',
        ':rank': STATE_RANK.Sent,
        ':id': sesMessageId,
        ':recipients': recipients,
        ':now': now.toISOString(),
      },
    },
    { state: 'Sent' },
  );
  return result.applied;
}

/**
 * Gives a job marked sent before recipients were recorded (it has only `sentTo`) its recipients
 * list, so that SES events can move each recipient; a job that has one keeps it.
 */
export function recordJobRecipients(job: JobRef, recipients: readonly JobRecipient[]): Promise<boolean> {
  return writeIf(
    transition(job, {
      update: 'SET recipients = :recipients',
      condition: 'attribute_exists(sesMessageId) AND attribute_not_exists(recipients)',
      values: { ':recipients': recipients },
    }),
  );
}

/**
 * Moves one recipient of a sent job (the one at `index` of its list, which never changes once
 * written) to a later state from an SES event; never backwards, never twice. Returns the job's
 * record as it is after the change, or undefined when the recipient was at or past that state.
 * Of two events for two recipients, the later write sees both: the job's state is summed up from
 * the record it returns (shared/domain/recipient-state.ts).
 */
export async function advanceRecipientState(
  job: JobRef,
  index: number,
  address: string,
  state: EventState,
  detail: string,
  at: string,
): Promise<JobRecord | undefined> {
  const recipient = `recipients[${index}]`;
  try {
    const { Attributes } = await documentClient().send(
      transition(
        job,
        {
          update: `SET ${recipient}.#state = :state, ${recipient}.stateRank = :rank, ${recipient}.detail = :detail, ${recipient}.#at = :at`,
          condition: `${recipient}.address = :address AND ${recipient}.stateRank < :rank AND ${recipient}.stateRank >= :sentRank`,
          names: { '#state': 'state', '#at': 'at' },
          values: {
            ':state': state,
            ':rank': RECIPIENT_RANK[state],
            ':sentRank': RECIPIENT_RANK.Sent,
            ':detail': detail,
            ':at': at,
            ':address': address,
          },
        },
        'ALL_NEW',
      ),
    );
    return JobRecordSchema.parse(Attributes);
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}

/** One recipient an SES event moves: its place in the job's list and its address. */
export interface RecipientMove {
  index: number;
  address: string;
}

/**
 * Moves the recipients at `moves` to `state` and the job to `jobState` in ONE write (with its
 * run's counters, for a run's job), when the job's state is what its recipients will make of it:
 * the write requires each moved recipient below `state`, every other recipient at the rank it was
 * read at (`unchanged`), and the job below `jobState`. Returns false, writing nothing, when any of
 * that no longer holds: the caller then moves them one write at a time (advanceRecipientState,
 * advanceJobState), as concurrent events need. A recipient and its job cost one write, not two.
 */
export async function advanceRecipientsAndJob(
  job: JobRef,
  moves: readonly RecipientMove[],
  unchanged: readonly { index: number; stateRank: number }[],
  recipient: { state: EventState; detail: string; at: string },
  jobState: 'Delivered' | 'Bounced' | 'Complained',
  jobDetail: string,
): Promise<boolean> {
  const sets = ['#state = :jobState', 'stateRank = :jobRank', 'lastEvent = :jobDetail', 'updatedAt = :at'];
  const conditions = [
    'attribute_exists(sesMessageId)',
    '(attribute_not_exists(stateRank) OR stateRank < :jobRank)',
  ];
  const values: Record<string, unknown> = {
    ':jobState': jobState,
    ':jobRank': STATE_RANK[jobState],
    ':jobDetail': jobDetail,
    ':at': recipient.at,
    ':state': recipient.state,
    ':rank': RECIPIENT_RANK[recipient.state],
    ':sentRank': RECIPIENT_RANK.Sent,
    ':detail': recipient.detail,
  };
  for (const [position, { index, address }] of moves.entries()) {
    const path = `recipients[${index}]`;
    sets.push(
      `${path}.#state = :state`,
      `${path}.stateRank = :rank`,
      `${path}.detail = :detail`,
      `${path}.#at = :at`,
    );
    conditions.push(
      `${path}.address = :a${position}`,
      `${path}.stateRank < :rank`,
      `${path}.stateRank >= :sentRank`,
    );
    values[`:a${position}`] = address;
  }
  for (const [position, { index, stateRank }] of unchanged.entries()) {
    conditions.push(`recipients[${index}].stateRank = :u${position}`);
    values[`:u${position}`] = stateRank;
  }
  const result = await applyTransition(
    job,
    {
      update: `SET ${sets.join(', ')}`,
      condition: conditions.join(' AND '),
      names: { '#state': 'state', '#at': 'at' },
      values,
    },
    { state: jobState },
  );
  return result.applied;
}

/**
 * Moves a sent job to a later state from an SES event; never backwards, never twice. Returns
 * whether the state changed.
 */
export async function advanceJobState(
  job: JobRef,
  state: 'Delivered' | 'Bounced' | 'Complained',
  detail: string,
  at: string,
): Promise<boolean> {
  const result = await applyTransition(
    job,
    {
      update: 'SET #state = :state, stateRank = :rank, lastEvent = :detail, updatedAt = :at',
      condition: 'attribute_exists(sesMessageId) AND (attribute_not_exists(stateRank) OR stateRank < :rank)',
      names: { '#state': 'state' },
      values: { ':state': state, ':rank': STATE_RANK[state], ':detail': detail, ':at': at },
    },
    { state },
  );
  return result.applied;
}

const JOB_PARTITION = /^TENANT#([^#]+)#BATCH#([^#]+)$/;

/** The job an SES message id belongs to, through the sparse BySesMessageId index. */
export async function findJobBySesMessageId(sesMessageId: string): Promise<JobRef | undefined> {
  const { TABLE_NAME } = tableConfig();
  const { Items = [] } = await documentClient().send(
    new QueryCommand({
      TableName: TABLE_NAME,
      IndexName: TABLE_DESIGN.sesMessageIndex.name,
      KeyConditionExpression: 'sesMessageId = :id',
      ExpressionAttributeValues: { ':id': sesMessageId },
      Limit: 1,
    }),
  );
  const [item] = Items;
  const partition = JOB_PARTITION.exec(String(item?.PK ?? ''));
  const sortKey = String(item?.SK ?? '');
  if (partition === null || !sortKey.startsWith('ITEM#')) return undefined;
  return {
    tenantId: partition[1] ?? '',
    batchId: partition[2] ?? '',
    customerCode: sortKey.slice('ITEM#'.length),
  };
}
