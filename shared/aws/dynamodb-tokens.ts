/**
 * API token records. Their keys are the only ones in the table that do not start with a tenant
 * (docs/data-model.md), so one record decides which tenant a token opens: it is added only where
 * no record is, never replaced, and never moved to another tenant by a write. Tokens are stored
 * only as their SHA-256 digest, so the table never holds a usable token.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { tableConfig } from '../config.ts';
import { type TokenRecord, TokenRecordSchema } from '../schemas/records.ts';
import { sha256Hex } from '../sha256.ts';
import { documentClient, writeIf } from './dynamodb.ts';
import { tokenKey } from './table-keys.ts';

/** The digest a token is stored and looked up under. */
export const hashToken = (token: string): string => sha256Hex(token);

/**
 * The token record for a token hash, if there is one. Read consistently, so that a revocation
 * holds from the moment it is written (then only the authorizer cache's 60 s remain).
 */
export async function getTokenRecord(tokenHash: string): Promise<TokenRecord | undefined> {
  const { TABLE_NAME } = tableConfig();
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: TABLE_NAME, Key: tokenKey(tokenHash), ConsistentRead: true }),
  );
  return Item === undefined ? undefined : TokenRecordSchema.parse(Item);
}

/**
 * Stores a token hash for a tenant unless the hash has a record already (any tenant's, revoked or
 * not); false when it had one, which is then left exactly as it was.
 */
export async function addTokenIfAbsent(tokenHash: string, tenantId: string): Promise<boolean> {
  const { TABLE_NAME } = tableConfig();
  return writeIf(
    new PutCommand({
      TableName: TABLE_NAME,
      Item: { ...tokenKey(tokenHash), type: 'Token', tenantId },
      ConditionExpression: 'attribute_not_exists(PK)',
    }),
  );
}
