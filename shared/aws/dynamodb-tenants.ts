/**
 * Reads of a tenant and its customers: the request path judges every customer code of a request
 * from one batch read, the notes resource asks whether one customer exists.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { tableConfig } from '../config.ts';
import {
  type CustomerRecord,
  CustomerRecordSchema,
  type SuppressionRecord,
  SuppressionRecordSchema,
  type TenantRecord,
  TenantRecordSchema,
} from '../schemas/records.ts';
import { BATCH_GET_LIMIT, batchGet, documentClient } from './dynamodb.ts';
import { customerKey, suppressionKey, tenantKey } from './table-keys.ts';

/** A tenant with the customers (and their address suppressions) one request names. */
export interface TenantWithCustomers {
  tenant: TenantRecord | undefined;
  /** The customers that exist, by code. */
  customers: Map<string, CustomerRecord>;
  /** The customers' suppressed addresses (bounced or complained), by code; none for most. */
  suppressions: Map<string, SuppressionRecord>;
}

/**
 * Reads a tenant and up to 49 of its customers, each with its address suppressions (one item per
 * customer holds every suppressed address of it), with one BatchGetItem (plus retries of what
 * DynamoDB leaves unprocessed), never one read per customer. Consistent, so a customer written
 * through the ledger API just before is seen (read-your-writes: one read unit per item instead of
 * a half).
 */
export async function getTenantWithCustomers(
  tenantId: string,
  codes: readonly string[],
): Promise<TenantWithCustomers> {
  if (codes.length * 2 + 1 > BATCH_GET_LIMIT) {
    throw new RangeError(`At most ${(BATCH_GET_LIMIT - 1) / 2} customers a read`);
  }
  const items = await batchGet(
    [
      tenantKey(tenantId),
      ...codes.flatMap((code) => [customerKey(tenantId, code), suppressionKey(tenantId, code)]),
    ],
    undefined,
    true,
  );
  let tenant: TenantRecord | undefined;
  const customers = new Map<string, CustomerRecord>();
  const suppressions = new Map<string, SuppressionRecord>();
  for (const item of items) {
    if (item.SK === 'TENANT') tenant = TenantRecordSchema.parse(item);
    else if (item.SK === 'EMAIL_SUPPRESSION') {
      const suppression = SuppressionRecordSchema.parse(item);
      suppressions.set(suppression.code, suppression);
    } else {
      const customer = CustomerRecordSchema.parse(item);
      customers.set(customer.code, customer);
    }
  }
  return { tenant, customers, suppressions };
}

/** True when the tenant has a customer with this code. */
export async function customerExists(tenantId: string, code: string): Promise<boolean> {
  const { TABLE_NAME } = tableConfig();
  const { Item } = await documentClient().send(
    new GetCommand({
      TableName: TABLE_NAME,
      Key: customerKey(tenantId, code),
      ProjectionExpression: 'PK',
      ConsistentRead: true,
    }),
  );
  return Item !== undefined;
}
