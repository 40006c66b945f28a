/**
 * Idempotency-Key records: one per tenant and key, claimed with a conditional put, completed with
 * the first response, kept 24 hours (DynamoDB TTL, and checked on read since TTL deletes late).
 */
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { tableConfig } from '../config.ts';
import { StatementPeriodSchema } from '../domain/statement-period.ts';
import { CustomerStatementEmailStatusSchema } from '../schemas/records.ts';
import { sha256Hex } from '../sha256.ts';
import { documentClient, updateCommand, writeIf } from './dynamodb.ts';
import { idempotencyKey } from './table-keys.ts';

/** How long a key answers with its first response. */
export const IDEMPOTENCY_WINDOW_SECONDS = 24 * 60 * 60;
/** How long a request may hold a key before another with the same key may take it over. */
const IN_PROGRESS_LOCK_MS = 60_000;

/** A completed key's answer, parsed when read back: a retry with the same key gets exactly this. */
export const StoredOutcomeSchema = z.object({
  batchId: z.string(),
  period: StatementPeriodSchema,
  statuses: z.array(CustomerStatementEmailStatusSchema),
});
/** The first answer to a key, as a retry with the same key gets it back. */
export type StoredOutcome = z.infer<typeof StoredOutcomeSchema>;

const RecordSchema = z.object({
  status: z.enum(['InProgress', 'Completed']),
  fingerprint: z.string(),
  expiresAt: z.number(),
  /** Epoch ms until which the running request holds the key (absent once completed). */
  lockedUntil: z.number().optional(),
  /** The batch the key's request records and queues, chosen when the key is first claimed. */
  batchId: z.string().optional(),
  outcome: StoredOutcomeSchema.optional(),
});

/**
 * What a claim found. `claimed` gives the batch id to use: a fresh one for a new key, or, when
 * the first request's lock lapsed without completing (`resumed`), the batch that request chose,
 * so that a retry finishes the same batch instead of queueing a second one.
 */
export type IdempotencyClaim =
  | { kind: 'claimed'; batchId: string; resumed: boolean }
  | { kind: 'replay'; outcome: StoredOutcome }
  | { kind: 'in-progress' }
  | { kind: 'mismatch' };

const keyOf = (tenantId: string, key: string) => idempotencyKey(tenantId, sha256Hex(key));
/** `status` is a DynamoDB reserved word. */
const STATUS = { '#status': 'status' };

/** A stable digest of what makes two requests "the same request". */
export const fingerprintOf = (request: unknown) => sha256Hex(JSON.stringify(request));

/**
 * Claims a key for a request, or says why not: its first response, still running, or another
 * request. A new key (or one past its 24 hours) is claimed with `freshBatchId`; a key whose
 * request stopped without completing is taken over once its lock lapses, with that request's
 * batch id.
 */
export async function claimIdempotencyKey(
  tenantId: string,
  key: string,
  fingerprint: string,
  now: Date,
  freshBatchId: string,
): Promise<IdempotencyClaim> {
  const { TABLE_NAME } = tableConfig();
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const lockedUntil = now.getTime() + IN_PROGRESS_LOCK_MS;
  const claimed = await writeIf(
    new PutCommand({
      TableName: TABLE_NAME,
      Item: {
        ...keyOf(tenantId, key),
        type: 'IdempotencyKey',
        status: 'InProgress',
        fingerprint,
        batchId: freshBatchId,
        lockedUntil,
        expiresAt: nowSeconds + IDEMPOTENCY_WINDOW_SECONDS,
      },
      ConditionExpression: 'attribute_not_exists(PK) OR expiresAt < :nowSeconds',
      ExpressionAttributeValues: { ':nowSeconds': nowSeconds },
    }),
  );
  if (claimed) return { kind: 'claimed', batchId: freshBatchId, resumed: false };
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: TABLE_NAME, Key: keyOf(tenantId, key), ConsistentRead: true }),
  );
  const record = RecordSchema.parse(Item);
  if (record.fingerprint !== fingerprint) return { kind: 'mismatch' };
  if (record.status === 'Completed' && record.outcome !== undefined)
    return { kind: 'replay', outcome: record.outcome };
  if (record.status !== 'InProgress' || (record.lockedUntil ?? 0) >= now.getTime())
    return { kind: 'in-progress' };
  // The first request stopped (or could not record its answer): take its lock over, exactly one
  // of several retries, and finish its batch.
  const batchId = record.batchId ?? freshBatchId;
  const taken = await writeIf(
    updateCommand(keyOf(tenantId, key), {
      update: 'SET lockedUntil = :lock, batchId = :batchId',
      condition: '#status = :inProgress AND lockedUntil = :seen AND fingerprint = :fingerprint',
      names: STATUS,
      values: {
        ':lock': lockedUntil,
        ':batchId': batchId,
        ':inProgress': 'InProgress',
        ':seen': record.lockedUntil ?? 0,
        ':fingerprint': fingerprint,
      },
    }),
  );
  return taken ? { kind: 'claimed', batchId, resumed: true } : { kind: 'in-progress' };
}

/** Stores the first response of a key's request, which every later request with the key gets. */
export async function completeIdempotencyKey(
  tenantId: string,
  key: string,
  outcome: StoredOutcome,
): Promise<void> {
  await documentClient().send(
    updateCommand(keyOf(tenantId, key), {
      update: 'SET #status = :completed, outcome = :outcome REMOVE lockedUntil',
      names: STATUS,
      values: { ':completed': 'Completed', ':outcome': outcome },
    }),
  );
}

/**
 * Lets a retry take the key over at once after the request failed: the lock lapses, the batch id
 * stays, so the retry resumes the same batch whether or not the failed request had recorded it.
 */
export async function releaseIdempotencyLock(tenantId: string, key: string): Promise<void> {
  await documentClient().send(
    updateCommand(keyOf(tenantId, key), {
      update: 'SET lockedUntil = :lapsed',
      condition: '#status = :inProgress',
      names: STATUS,
      values: { ':inProgress': 'InProgress', ':lapsed': 0 },
    }),
  );
}

/**
 * Frees a key whose request failed before it recorded its batch (a refused period, a failed read):
 * nothing can be on the queue, so the client may use the key again for a corrected request. Only
 * the request's own claim is deleted (its batch id), never a later one's.
 */
export async function forgetIdempotencyKey(tenantId: string, key: string, batchId: string): Promise<void> {
  const { TABLE_NAME } = tableConfig();
  await writeIf(
    new DeleteCommand({
      TableName: TABLE_NAME,
      Key: keyOf(tenantId, key),
      ConditionExpression: '#status = :inProgress AND batchId = :batchId',
      ExpressionAttributeNames: STATUS,
      ExpressionAttributeValues: { ':inProgress': 'InProgress', ':batchId': batchId },
    }),
  );
}
