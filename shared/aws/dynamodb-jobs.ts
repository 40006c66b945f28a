/**
 * The worker's durable job records: one item per job (tenant + batch + customer) that moves
 * Claimed → Sending → Sent (or Failed, or back to Retrying), each step a conditional write, and
 * the customer notes, written exactly once. Works on DynamoDB, LocalStack and dynalite alike
 * (no transactions needed).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, paginateQuery, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { tableConfig } from '../config.ts';
import { type BatchRecord, BatchRecordSchema } from '../schemas/records.ts';
import { documentClient, writeIf } from './dynamodb.ts';
import { TABLE_DESIGN } from './table-design.ts';
import {
  batchPartition,
  customerKey,
  customerPartition,
  jobKey,
  noteCounterKey,
  noteKey,
  suppressionKey,
  type TableKey,
} from './table-keys.ts';

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
] as const;
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
  bounceNoteNumber: z.number().int().optional(),
  complaintNoteNumber: z.number().int().optional(),
  /** The SES event that set the state (Delivery, Bounce, Complaint), in SES's words. */
  lastEvent: z.string().optional(),
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
          'attribute_not_exists(#state) OR #state IN (:retrying, :deadLettered) OR (#state IN (:claimed, :sending) AND leaseUntil < :nowMs)',
        ExpressionAttributeNames: { '#state': 'state', '#owner': 'owner' },
        ExpressionAttributeValues: {
          ':claimed': 'Claimed',
          ':sending': 'Sending',
          ':retrying': 'Retrying',
          // An operator's redrive from the dead-letter queue takes a dead-lettered job up again.
          ':deadLettered': 'DeadLettered',
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
): Promise<void> {
  const { TABLE_NAME } = tableConfig();
  const applied = await writeIf(
    new UpdateCommand({
      TableName: TABLE_NAME,
      Key: keyOf(job),
      UpdateExpression: expression,
      ConditionExpression: '#owner = :owner',
      ExpressionAttributeNames: { '#owner': 'owner', ...names },
      ExpressionAttributeValues: { ':owner': owner, ...values },
    }),
  );
  if (!applied) throw new JobClaimLostError('The job was claimed by another worker');
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
 * Records that the job's last delivery failed and SQS now moves it to the dead-letter queue, so
 * that its batch reports it failed (with the reason) instead of `Queued` forever. A job that has
 * finished, or that another delivery holds, is left as it is. The job stays claimable: an
 * operator's redrive from the dead-letter queue sends it then.
 */
export async function markJobDeadLettered(
  job: JobRef,
  owner: string,
  reason: string,
  now: Date,
): Promise<boolean> {
  const { TABLE_NAME } = tableConfig();
  return writeIf(
    new UpdateCommand({
      TableName: TABLE_NAME,
      Key: keyOf(job),
      UpdateExpression:
        'SET #state = :deadLettered, reason = :reason, updatedAt = :now, tenantId = :tenant, batchId = :batch, customerCode = :code, expiresAt = if_not_exists(expiresAt, :expires) REMOVE #owner, leaseUntil',
      ConditionExpression:
        'attribute_not_exists(#state) OR #state = :retrying OR (#state IN (:claimed, :sending) AND (#owner = :owner OR leaseUntil < :nowMs))',
      ExpressionAttributeNames: { '#state': 'state', '#owner': 'owner' },
      ExpressionAttributeValues: {
        ':deadLettered': 'DeadLettered',
        ':owner': owner,
        ':retrying': 'Retrying',
        ':claimed': 'Claimed',
        ':sending': 'Sending',
        ':reason': reason,
        ':now': now.toISOString(),
        ':nowMs': now.getTime(),
        ':tenant': job.tenantId,
        ':batch': job.batchId,
        ':code': job.customerCode,
        ':expires': Math.floor(now.getTime() / 1000) + JOB_RETENTION_SECONDS,
      },
    }),
  );
}

/**
 * Makes sure a job that the API reports "Could not queue" is never sent, although SQS may have
 * taken the message after all (a SendMessageBatch that timed out): the job is recorded Failed
 * before any worker claimed it. Returns false when a worker already has it, i.e. it was queued.
 */
export async function cancelUnqueuedJob(job: JobRef, reason: string, now: Date): Promise<boolean> {
  const { TABLE_NAME } = tableConfig();
  return writeIf(
    new PutCommand({
      TableName: TABLE_NAME,
      Item: {
        ...keyOf(job),
        type: 'Job',
        tenantId: job.tenantId,
        batchId: job.batchId,
        customerCode: job.customerCode,
        state: 'Failed',
        reason,
        attempts: 0,
        updatedAt: now.toISOString(),
        expiresAt: Math.floor(now.getTime() / 1000) + JOB_RETENTION_SECONDS,
      },
      ConditionExpression: 'attribute_not_exists(PK)',
    }),
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
  return writeIf(
    new UpdateCommand({
      TableName: TABLE_NAME,
      Key: keyOf(job),
      UpdateExpression:
        'SET #state = :sent, stateRank = :rank, sesMessageId = :id, sentTo = :to, sentAt = :now, updatedAt = :now REMOVE #owner, leaseUntil',
      ConditionExpression: 'attribute_not_exists(sesMessageId)',
      ExpressionAttributeNames: { '#state': 'state', '#owner': 'owner' },
      ExpressionAttributeValues: {
        ':sent': 'Sent',
        ':rank': STATE_RANK.Sent,
        ':id': sesMessageId,
        ':to': sentTo,
        ':now': now.toISOString(),
      },
    }),
  );
}

/**
 * The job's note number, given out once: a number is taken from the customer's counter and kept
 * on the job only if the job has none yet, so every retry writes the note under the same number.
 */
export type NoteField = 'noteNumber' | 'bounceNoteNumber' | 'complaintNoteNumber';

export async function noteNumberFor(job: JobRef, field: NoteField = 'noteNumber'): Promise<number> {
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
        UpdateExpression: 'SET #field = :number',
        ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(#field)',
        ExpressionAttributeNames: { '#field': field },
        ExpressionAttributeValues: { ':number': candidate },
      }),
    );
    return candidate;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const existing = (await getJob(job))?.[field];
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
  return writeIf(
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
  const { TABLE_NAME } = tableConfig();
  return writeIf(
    new UpdateCommand({
      TableName: TABLE_NAME,
      Key: keyOf(job),
      UpdateExpression: 'SET #state = :state, stateRank = :rank, lastEvent = :detail, updatedAt = :at',
      ConditionExpression:
        'attribute_exists(sesMessageId) AND (attribute_not_exists(stateRank) OR stateRank < :rank)',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: {
        ':state': state,
        ':rank': STATE_RANK[state],
        ':detail': detail,
        ':at': at,
      },
    }),
  );
}

const JOB_PARTITION = /^TENANT#([^#]+)#BATCH#([^#]+)$/;

/** The job an SES message id belongs to, through the sparse BySesMessageId index. */
export async function findJobBySesMessageId(sesMessageId: string): Promise<JobRef | undefined> {
  const { TABLE_NAME } = tableConfig();
  const { Items = [] } = await documentClient.send(
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

/** Remembers that a customer's address bounced or complained; the latest event wins. */
export async function suppressAddress(
  job: JobRef,
  address: string,
  reason: 'Bounced' | 'Complained',
  at: string,
): Promise<void> {
  const { TABLE_NAME } = tableConfig();
  await documentClient.send(
    new PutCommand({
      TableName: TABLE_NAME,
      Item: {
        ...suppressionKey(job.tenantId, job.customerCode),
        type: 'Suppression',
        code: job.customerCode,
        address,
        reason,
        at,
      },
    }),
  );
}

export interface BatchWithJobs {
  batch: BatchRecord;
  /** The worker's records, by customer code; a code with none has not been picked up yet. */
  jobs: Map<string, JobRecord>;
}

/** A batch and all its job records: one Query on the batch's partition (paged). */
export async function getBatchWithJobs(
  tenantId: string,
  batchId: string,
): Promise<BatchWithJobs | undefined> {
  const { TABLE_NAME } = tableConfig();
  let batch: BatchRecord | undefined;
  const jobs = new Map<string, JobRecord>();
  const pages = paginateQuery(
    { client: documentClient },
    {
      TableName: TABLE_NAME,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': batchPartition(tenantId, batchId) },
      ConsistentRead: true,
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      if (item.SK === 'BATCH') batch = BatchRecordSchema.parse(item);
      else if (typeof item.SK === 'string' && item.SK.startsWith('ITEM#')) {
        jobs.set(item.SK.slice('ITEM#'.length), JobRecordSchema.parse(item));
      }
    }
  }
  return batch === undefined ? undefined : { batch, jobs };
}

export const NoteRecordSchema = z.object({
  number: z.number().int(),
  date: z.string(),
  text: z.string(),
  lastModifiedBy: z.string(),
});
export type NoteRecord = z.infer<typeof NoteRecordSchema>;

/** A customer's notes, newest first (the sort key holds the zero-padded note number). */
export async function listNotes(tenantId: string, code: string): Promise<NoteRecord[]> {
  const { TABLE_NAME } = tableConfig();
  const notes: NoteRecord[] = [];
  const pages = paginateQuery(
    { client: documentClient },
    {
      TableName: TABLE_NAME,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :note)',
      ExpressionAttributeValues: { ':pk': customerPartition(tenantId, code), ':note': 'NOTE#' },
      ScanIndexForward: false,
    },
  );
  for await (const page of pages)
    for (const item of page.Items ?? []) notes.push(NoteRecordSchema.parse(item));
  return notes;
}

/** True when the tenant has a customer with this code. */
export async function customerExists(tenantId: string, code: string): Promise<boolean> {
  const { TABLE_NAME } = tableConfig();
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: TABLE_NAME, Key: customerKey(tenantId, code), ProjectionExpression: 'PK' }),
  );
  return Item !== undefined;
}

/**
 * The number of the job's soft-bounce note, given out once as `noteNumberFor` gives out its
 * numbers (from the customer's counter, kept on the job only if it has none), so that every retry
 * of the event writes the note under one number. Kept apart from `bounceNoteNumber`, so that a
 * later permanent bounce still gets its own note.
 */
export async function softBounceNoteNumberFor(job: JobRef): Promise<number> {
  const { TABLE_NAME } = tableConfig();
  const kept = async () => {
    const { Item } = await documentClient.send(
      new GetCommand({
        TableName: TABLE_NAME,
        Key: keyOf(job),
        ConsistentRead: true,
        ProjectionExpression: 'softBounceNoteNumber',
      }),
    );
    return z.number().int().optional().parse(Item?.softBounceNoteNumber);
  };
  const existing = await kept();
  if (existing !== undefined) return existing;
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
  const stored = await writeIf(
    new UpdateCommand({
      TableName: TABLE_NAME,
      Key: keyOf(job),
      UpdateExpression: 'SET softBounceNoteNumber = :number',
      ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(softBounceNoteNumber)',
      ExpressionAttributeValues: { ':number': candidate },
    }),
  );
  if (stored) return candidate;
  const winner = await kept();
  if (winner === undefined) throw new Error('The job record is missing');
  return winner;
}
