/**
 * Idempotency-Key records: one per tenant and key, claimed with a conditional put, completed with
 * the first response, kept 24 hours (DynamoDB TTL, and checked on read since TTL deletes late).
 */
import { createHash } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { tableConfig } from '../config.ts';
import { StatementPeriodSchema } from '../domain/statement-period.ts';
import { CustomerStatementEmailStatusSchema } from '../schemas/records.ts';
import { documentClient, writeIf } from './dynamodb.ts';
import { idempotencyKey } from './table-keys.ts';

/** How long a key answers with its first response. */
export const IDEMPOTENCY_WINDOW_SECONDS = 24 * 60 * 60;
/** How long a request may hold a key before another with the same key may take it over. */
const IN_PROGRESS_LOCK_MS = 60_000;

export const StoredOutcomeSchema = z.object({
  batchId: z.string(),
  period: StatementPeriodSchema,
  statuses: z.array(CustomerStatementEmailStatusSchema),
});
export type StoredOutcome = z.infer<typeof StoredOutcomeSchema>;

const RecordSchema = z.object({
  status: z.enum(['InProgress', 'Completed']),
  fingerprint: z.string(),
  expiresAt: z.number(),
  outcome: StoredOutcomeSchema.optional(),
});

export type IdempotencyClaim =
  | { kind: 'claimed' }
  | { kind: 'replay'; outcome: StoredOutcome }
  | { kind: 'in-progress' }
  | { kind: 'mismatch' };

const hash = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const keyOf = (tenantId: string, key: string) => idempotencyKey(tenantId, hash(key));

/** A stable digest of what makes two requests "the same request". */
export const fingerprintOf = (request: unknown) => hash(JSON.stringify(request));

/** Claims a key for a request, or says why not: its first response, still running, or another request. */
export async function claimIdempotencyKey(
  tenantId: string,
  key: string,
  fingerprint: string,
  now: Date,
): Promise<IdempotencyClaim> {
  const { TABLE_NAME } = tableConfig();
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const claimed = await writeIf(
    new PutCommand({
      TableName: TABLE_NAME,
      Item: {
        ...keyOf(tenantId, key),
        type: 'IdempotencyKey',
        status: 'InProgress',
        fingerprint,
        lockedUntil: now.getTime() + IN_PROGRESS_LOCK_MS,
        expiresAt: nowSeconds + IDEMPOTENCY_WINDOW_SECONDS,
      },
      ConditionExpression:
        'attribute_not_exists(PK) OR expiresAt < :nowSeconds OR (#status = :inProgress AND lockedUntil < :nowMs AND fingerprint = :fingerprint)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':nowSeconds': nowSeconds,
        ':nowMs': now.getTime(),
        ':inProgress': 'InProgress',
        ':fingerprint': fingerprint,
      },
    }),
  );
  if (claimed) return { kind: 'claimed' };
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: TABLE_NAME, Key: keyOf(tenantId, key), ConsistentRead: true }),
  );
  const record = RecordSchema.parse(Item);
  if (record.fingerprint !== fingerprint) return { kind: 'mismatch' };
  if (record.status === 'Completed' && record.outcome !== undefined)
    return { kind: 'replay', outcome: record.outcome };
  return { kind: 'in-progress' };
}

export async function completeIdempotencyKey(
  tenantId: string,
  key: string,
  outcome: StoredOutcome,
): Promise<void> {
  const { TABLE_NAME } = tableConfig();
  await documentClient.send(
    new UpdateCommand({
      TableName: TABLE_NAME,
      Key: keyOf(tenantId, key),
      UpdateExpression: 'SET #status = :completed, outcome = :outcome REMOVE lockedUntil',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':completed': 'Completed', ':outcome': outcome },
    }),
  );
}

/** Frees a key whose request failed before it queued anything, so that the client may retry it. */
export async function releaseIdempotencyKey(tenantId: string, key: string): Promise<void> {
  const { TABLE_NAME } = tableConfig();
  await documentClient.send(
    new DeleteCommand({
      TableName: TABLE_NAME,
      Key: keyOf(tenantId, key),
      ConditionExpression: '#status = :inProgress',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':inProgress': 'InProgress' },
    }),
  );
}
