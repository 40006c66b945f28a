/**
 * The worker's durable job records: one item per job (tenant + batch + customer) that moves
 * Claimed → Sending → Sent (or Failed, or back to Retrying), each step a conditional write, and
 * the customer notes, written exactly once. Works on DynamoDB, LocalStack and dynalite alike
 * (no transactions needed).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { tableConfig } from '../config.ts';
import { documentClient } from './dynamodb.ts';
import { jobKey, noteCounterKey, noteKey, type TableKey } from './table-keys.ts';

export const JOB_STATES = [
  'Claimed',
  'Sending',
  'Retrying',
  'Sent',
  'Delivered',
  'Bounced',
  'Complained',
  'Failed',
] as const;
export type JobState = (typeof JOB_STATES)[number];

/** States after which a job must never send again. */
export const FINISHED_STATES: ReadonlySet<JobState> = new Set([
  'Sent',
  'Delivered',
  'Bounced',
  'Complained',
  'Failed',
]);

export const JobRecordSchema = z.object({
  state: z.enum(JOB_STATES),
  owner: z.string().optional(),
  /** Epoch ms until which the owner's claim holds. */
  leaseUntil: z.number().optional(),
  attempts: z.number().int().default(0),
  sesMessageId: z.string().optional(),
  sentAt: z.string().optional(),
  /** The address SES accepted the email for (kept for the customer note). */
  sentTo: z.string().optional(),
  reason: z.string().optional(),
  lastError: z.string().optional(),
  noteNumber: z.number().int().optional(),
  updatedAt: z.string(),
});
export type JobRecord = z.infer<typeof JobRecordSchema>;

export interface JobRef {
  tenantId: string;
  batchId: string;
  customerCode: string;
}

/** The claim of a job is held by another worker, or was taken over: this one must stop. */
export class JobClaimLostError extends Error {
  override readonly name = 'JobClaimLostError';
}

/** Job records live as long as their batch (400 days), then TTL removes them. */
const JOB_RETENTION_SECONDS = 400 * 24 * 60 * 60;

const keyOf = (job: JobRef): TableKey => jobKey(job.tenantId, job.batchId, job.customerCode);
const isConditionFailure = (error: unknown) => error instanceof ConditionalCheckFailedException;

/** The job's record, read consistently (a decision to send depends on it). */
export async function getJob(job: JobRef): Promise<JobRecord | undefined> {
  const { TABLE_NAME } = tableConfig();
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: TABLE_NAME, Key: keyOf(job), ConsistentRead: true }),
  );
  return Item === undefined ? undefined : JobRecordSchema.parse(Item);
}

export type ClaimResult =
  | { claimed: true; previous: JobRecord | undefined }
  | { claimed: false; current: JobRecord | undefined };

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
  const { TABLE_NAME } = tableConfig();
  try {
    const { Attributes } = await documentClient.send(
      new UpdateCommand({
        TableName: TABLE_NAME,
        Key: keyOf(job),
        UpdateExpression:
          'SET #state = :claimed, #owner = :owner, leaseUntil = :lease, updatedAt = :now, tenantId = :tenant, batchId = :batch, customerCode = :code, expiresAt = if_not_exists(expiresAt, :expires) ADD attempts :one',
        ConditionExpression:
          'attribute_not_exists(#state) OR #state = :retrying OR (#state IN (:claimed, :sending) AND leaseUntil < :nowMs)',
        ExpressionAttributeNames: { '#state': 'state', '#owner': 'owner' },
        ExpressionAttributeValues: {
          ':claimed': 'Claimed',
          ':sending': 'Sending',
          ':retrying': 'Retrying',
          ':owner': owner,
          ':lease': leaseUntil,
          ':now': now.toISOString(),
          ':nowMs': now.getTime(),
          ':tenant': job.tenantId,
          ':batch': job.batchId,
          ':code': job.customerCode,
          ':expires': Math.floor(now.getTime() / 1000) + JOB_RETENTION_SECONDS,
          ':one': 1,
        },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return {
      claimed: true,
      previous: Attributes?.state === undefined ? undefined : JobRecordSchema.parse(Attributes),
    };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    return { claimed: false, current: await getJob(job) };
  }
}

async function updateOwned(
  job: JobRef,
  owner: string,
  expression: string,
  values: Record<string, unknown>,
  names = {},
) {
  const { TABLE_NAME } = tableConfig();
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: TABLE_NAME,
        Key: keyOf(job),
        UpdateExpression: expression,
        ConditionExpression: '#owner = :owner',
        ExpressionAttributeNames: { '#owner': 'owner', ...names },
        ExpressionAttributeValues: { ':owner': owner, ...values },
      }),
    );
  } catch (error) {
    if (isConditionFailure(error))
      throw new JobClaimLostError('The job was claimed by another worker', { cause: error });
    throw error;
  }
}

/**
 * Marks the moment before SES is called. A later worker that finds a lapsed claim in this state
 * knows SES may have accepted the email already: the one window where a duplicate can happen.
 */
export function markJobSending(job: JobRef, owner: string, now: Date): Promise<void> {
  return updateOwned(
    job,
    owner,
    'SET #state = :sending, updatedAt = :now, sendingSince = :now',
    {
      ':sending': 'Sending',
      ':now': now.toISOString(),
    },
    { '#state': 'state' },
  );
}

/** Gives the job back for a retry (a transient failure), with the reason for the record. */
export function releaseJob(job: JobRef, owner: string, reason: string, now: Date): Promise<void> {
  return updateOwned(
    job,
    owner,
    'SET #state = :retrying, lastError = :reason, updatedAt = :now REMOVE #owner, leaseUntil',
    {
      ':retrying': 'Retrying',
      ':reason': reason,
      ':now': now.toISOString(),
    },
    { '#state': 'state' },
  );
}

/** A permanent failure: the job is finished, with its reason, and will never send. */
export function markJobFailed(job: JobRef, owner: string, reason: string, now: Date): Promise<void> {
  return updateOwned(
    job,
    owner,
    'SET #state = :failed, reason = :reason, updatedAt = :now REMOVE #owner, leaseUntil',
    {
      ':failed': 'Failed',
      ':reason': reason,
      ':now': now.toISOString(),
    },
    { '#state': 'state' },
  );
}

/**
 * The durable "sent" marker, written as soon as SES accepts. The first marker wins whoever owns
 * the claim (an email that went out must be recorded); returns false when the job was already
 * marked sent, i.e. this send was a duplicate.
 */
export async function markJobSent(
  job: JobRef,
  sesMessageId: string,
  sentTo: string,
  now: Date,
): Promise<boolean> {
  const { TABLE_NAME } = tableConfig();
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: TABLE_NAME,
        Key: keyOf(job),
        UpdateExpression:
          'SET #state = :sent, sesMessageId = :id, sentTo = :to, sentAt = :now, updatedAt = :now REMOVE #owner, leaseUntil',
        ConditionExpression: 'attribute_not_exists(sesMessageId)',
        ExpressionAttributeNames: { '#state': 'state', '#owner': 'owner' },
        ExpressionAttributeValues: {
          ':sent': 'Sent',
          ':id': sesMessageId,
          ':to': sentTo,
          ':now': now.toISOString(),
        },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/**
 * The job's note number, given out once: a number is taken from the customer's counter and kept
 * on the job only if the job has none yet, so every retry writes the note under the same number.
 */
export async function noteNumberFor(job: JobRef): Promise<number> {
  const { TABLE_NAME } = tableConfig();
  const { Attributes } = await documentClient.send(
    new UpdateCommand({
      TableName: TABLE_NAME,
      Key: noteCounterKey(job.tenantId, job.customerCode),
      UpdateExpression: 'ADD lastNumber :one',
      ExpressionAttributeValues: { ':one': 1 },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  const candidate = z.number().int().parse(Attributes?.lastNumber);
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: TABLE_NAME,
        Key: keyOf(job),
        UpdateExpression: 'SET noteNumber = :number',
        ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(noteNumber)',
        ExpressionAttributeValues: { ':number': candidate },
      }),
    );
    return candidate;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const existing = (await getJob(job))?.noteNumber;
    if (existing === undefined) throw new Error('The job record is missing', { cause: error });
    return existing;
  }
}

export interface NoteInput {
  number: number;
  date: string;
  text: string;
  lastModifiedBy: string;
}

/** Puts a customer note unless one with its number exists; true when this call wrote it. */
export async function putNoteOnce(job: JobRef, note: NoteInput): Promise<boolean> {
  const { TABLE_NAME } = tableConfig();
  try {
    await documentClient.send(
      new PutCommand({
        TableName: TABLE_NAME,
        Item: {
          ...noteKey(job.tenantId, job.customerCode, note.number),
          type: 'Note',
          ...note,
          batchId: job.batchId,
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
