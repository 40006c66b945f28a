/**
 * API token records. Their keys are the only ones in the table that do not start with a tenant
 * (docs/data-model.md), so one record decides which tenant a token opens: it is added only where
 * no record is, never replaced, and never moved to another tenant by a write.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { tableConfig } from '../config.ts';
import { writeIf } from './dynamodb.ts';
import { tokenKey } from './table-keys.ts';

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
