/**
 * What operators do to tenants and tokens (`npm run tenants`, `npm run tokens`), without a Scan:
 * a directory item per tenant in one fixed partition (tenantDirectoryKey) lists the tenants, and an
 * index item per token in its tenant's partition (tenantTokenKey) lists a tenant's tokens. The
 * tenant record and the token record (read by the authorizer) stay the truth; the other items
 * only point at them. DynamoDB Local emulators lack transactions, so each pair is written in the
 * order that a failure between the two writes leaves harmless (see each function).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { tableConfig } from '../config.ts';
import { type TenantRecord, TenantRecordSchema, TokenRecordSchema } from '../schemas/records.ts';
import {
  BATCH_GET_LIMIT,
  batchGet,
  documentClient,
  type Item,
  queryItems,
  updateCommand,
  writeIf,
} from './dynamodb.ts';
import {
  tenantDirectoryKey,
  tenantDirectoryPartition,
  tenantKey,
  tenantTokenKey,
  tokenKey,
} from './table-keys.ts';

/**
 * A tenant's entry in the tenant directory. It holds the id only (the name and addresses live in
 * the tenant record, which the settings API may change), so writing it again changes nothing; the
 * fixture importer writes it with each tenant it loads, so that every tenant is listed.
 */
export function tenantDirectoryItem(tenantId: string): Item {
  return { ...tenantDirectoryKey(tenantId), type: 'TenantDirectoryEntry', tenantId };
}

/** The tenant record, read consistently: an operator's next step depends on it. */
export async function getTenant(tenantId: string): Promise<TenantRecord | undefined> {
  const { TABLE_NAME } = tableConfig();
  const { Item: item } = await documentClient().send(
    new GetCommand({ TableName: TABLE_NAME, Key: tenantKey(tenantId), ConsistentRead: true }),
  );
  return item === undefined ? undefined : TenantRecordSchema.parse(item);
}

/**
 * Creates a tenant once: false, and the stored tenant left as it was, when its id has a record
 * already (created before, or loaded by a fixture). The record is written first and the directory
 * entry after it; should the second write fail, creating the tenant again is refused but writes
 * the missing entry, so a retry always ends with the tenant listed.
 */
export async function createTenant(tenant: TenantRecord): Promise<boolean> {
  const { TABLE_NAME } = tableConfig();
  const created = await writeIf(
    new PutCommand({
      TableName: TABLE_NAME,
      Item: { ...tenantKey(tenant.tenantId), type: 'Tenant', ...TenantRecordSchema.parse(tenant) },
      ConditionExpression: 'attribute_not_exists(PK)',
    }),
  );
  await documentClient().send(
    new PutCommand({ TableName: TABLE_NAME, Item: tenantDirectoryItem(tenant.tenantId) }),
  );
  return created;
}

/** One tenant of the directory, with its record (`undefined` when it has none that can be read). */
export interface TenantListing {
  tenantId: string;
  tenant: TenantRecord | undefined;
}

/**
 * Every tenant of the directory in id order: one Query of the directory partition, every page
 * read, and the tenant records read 100 at a time (BatchGetItem's limit).
 */
export async function* listTenants(): AsyncGenerator<TenantListing> {
  const ids: string[] = [];
  const flush = async function* () {
    const records = new Map<string, TenantRecord>();
    for (const item of await batchGet(ids.map(tenantKey))) {
      const parsed = TenantRecordSchema.safeParse(item);
      if (parsed.success) records.set(parsed.data.tenantId, parsed.data);
    }
    for (const tenantId of ids) yield { tenantId, tenant: records.get(tenantId) };
    ids.length = 0;
  };
  for await (const entry of queryItems({ partition: tenantDirectoryPartition(), projection: 'SK' })) {
    ids.push(String(entry.SK));
    if (ids.length === BATCH_GET_LIMIT) yield* flush();
  }
  if (ids.length > 0) yield* flush();
}

/** The token id operators see and type: the first 12 hex digits of the token's hash, never the token. */
export const tokenIdOf = (tokenHash: string): string => tokenHash.slice(0, 12);

/** A token's issue: whose it is, when it was made and when (epoch seconds) it stops working. */
export interface TokenIssue {
  tenantId: string;
  tokenHash: string;
  createdAt: Date;
  /** Epoch seconds after which the authorizer refuses it (and DynamoDB's TTL removes both items). */
  expiresAt?: number;
}

/**
 * A token's index item in its tenant's partition. It carries the token's `expiresAt`, the table's
 * TTL attribute, so that DynamoDB removes it with the token record. The fixture importer may write
 * it for each token it adds (only for tokens the tenant holds: it lists whatever it points at).
 */
export function tokenIndexItem({ tenantId, tokenHash, createdAt, expiresAt }: TokenIssue): Item {
  return {
    ...tenantTokenKey(tenantId, tokenHash),
    type: 'TenantToken',
    tokenHash,
    createdAt: createdAt.toISOString(),
    ...(expiresAt === undefined ? {} : { expiresAt }),
  };
}

/**
 * Stores a new token's hash for its tenant, as addTokenIfAbsent does, and its index item: false,
 * and nothing written, when the hash has a record already. The token record is written first, so
 * a failure before the index item leaves a token that is not listed but was never shown to anyone
 * either (the CLI prints it only after both writes).
 */
export async function addTenantToken(issue: TokenIssue): Promise<boolean> {
  const { TABLE_NAME } = tableConfig();
  const added = await writeIf(
    new PutCommand({
      TableName: TABLE_NAME,
      Item: {
        ...tokenKey(issue.tokenHash),
        type: 'Token',
        tenantId: issue.tenantId,
        createdAt: issue.createdAt.toISOString(),
        ...(issue.expiresAt === undefined ? {} : { expiresAt: issue.expiresAt }),
      },
      ConditionExpression: 'attribute_not_exists(PK)',
    }),
  );
  if (!added) return false;
  await documentClient().send(new PutCommand({ TableName: TABLE_NAME, Item: tokenIndexItem(issue) }));
  return true;
}

const TokenIndexSchema = z.object({
  tokenHash: z.string(),
  createdAt: z.string().optional(),
  revoked: z.boolean().optional(),
});

/** A token of a tenant as `npm run tokens -- list` shows it: never the token, only its hash. */
export interface TenantToken {
  tokenHash: string;
  /** ISO timestamp of its issue; absent for a token indexed without one. */
  createdAt?: string;
  expiresAt?: number;
  revoked: boolean;
  /** False when no token record of this tenant backs the index item: the token opens nothing. */
  usable: boolean;
}

/**
 * The tenant's tokens whose hash starts with `hashPrefix` (all of them by default), in hash order:
 * one Query of the tenant's `TOKEN#` index items, then their token records, which decide the state.
 */
export async function listTenantTokens(tenantId: string, hashPrefix = ''): Promise<TenantToken[]> {
  const index: z.infer<typeof TokenIndexSchema>[] = [];
  const { PK: partition, SK: prefix } = tenantTokenKey(tenantId, hashPrefix);
  for await (const item of queryItems({ partition, prefix, consistent: true }))
    index.push(TokenIndexSchema.parse(item));
  const records = new Map<string, z.infer<typeof TokenRecordSchema>>();
  for (let start = 0; start < index.length; start += BATCH_GET_LIMIT) {
    const keys = index.slice(start, start + BATCH_GET_LIMIT).map((entry) => tokenKey(entry.tokenHash));
    for (const item of await batchGet(keys)) {
      records.set(String(item.PK).slice('TOKEN#'.length), TokenRecordSchema.parse(item));
    }
  }
  return index.map((entry) => {
    const record = records.get(entry.tokenHash);
    const usable = record?.tenantId === tenantId;
    return {
      tokenHash: entry.tokenHash,
      ...(entry.createdAt === undefined ? {} : { createdAt: entry.createdAt }),
      ...(usable && record.expiresAt !== undefined ? { expiresAt: record.expiresAt } : {}),
      // The index item says so too: the Query is consistent, the batch read of the records is not.
      revoked: entry.revoked === true || (usable && record.revoked === true),
      usable,
    };
  });
}

/** What revoking a token did. */
export type RevokeOutcome = 'revoked' | 'already-revoked' | 'not-this-tenant';

/**
 * Marks a token revoked, only if it is this tenant's (`not-this-tenant` for another tenant's or an
 * unknown hash, and nothing written). The token record, which the authorizer reads, is changed
 * first; then the index item, which is created if the token had none (a token from a fixture), so
 * that the revoked token is listed.
 */
export async function revokeTenantToken(
  tenantId: string,
  tokenHash: string,
  now: Date,
): Promise<RevokeOutcome> {
  let before: Item | undefined;
  try {
    ({ Attributes: before } = await documentClient().send(
      updateCommand(
        tokenKey(tokenHash),
        {
          update: 'SET revoked = :true, revokedAt = if_not_exists(revokedAt, :now)',
          condition: 'tenantId = :tenant',
          values: { ':true': true, ':now': now.toISOString(), ':tenant': tenantId },
        },
        'ALL_OLD',
      ),
    ));
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return 'not-this-tenant';
    throw error;
  }
  const { expiresAt, revoked } = TokenRecordSchema.parse(before);
  const revokedAt = typeof before?.revokedAt === 'string' ? before.revokedAt : now.toISOString();
  await documentClient().send(
    updateCommand(tenantTokenKey(tenantId, tokenHash), {
      update: `SET revoked = :true, revokedAt = :revokedAt, tokenHash = :hash, #type = :type${expiresAt === undefined ? '' : ', expiresAt = :expiresAt'}`,
      names: { '#type': 'type' },
      values: {
        ':true': true,
        ':revokedAt': revokedAt,
        ':hash': tokenHash,
        ':type': 'TenantToken',
        ...(expiresAt === undefined ? {} : { ':expiresAt': expiresAt }),
      },
    }),
  );
  return revoked === true ? 'already-revoked' : 'revoked';
}
