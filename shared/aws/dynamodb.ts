/**
 * The DynamoDB adapter: one module-scope client, verbs that hide the commands and return domain
 * records. The endpoint comes from the environment (AWS_ENDPOINT_URL_DYNAMODB locally).
 */
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  BatchWriteCommand,
  type DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  type GetCommandOutput,
  PutCommand,
  paginateQuery,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { tableConfig } from '../config.ts';
import { DependencyUnavailableError } from '../errors.ts';
import {
  type BatchRecord,
  BatchRecordSchema,
  type CustomerRecord,
  CustomerRecordSchema,
  type CustomerStatementEmailStatus,
  type SuppressionRecord,
  SuppressionRecordSchema,
  type TenantRecord,
  TenantRecordSchema,
  type TokenRecord,
  TokenRecordSchema,
} from '../schemas/records.ts';
import { chunk, retryRemaining } from './backoff.ts';
import { batchKey, customerKey, suppressionKey, type TableKey, tenantKey, tokenKey } from './table-keys.ts';

export const dynamoDbClient = new DynamoDBClient({});
export const documentClient = DynamoDBDocumentClient.from(dynamoDbClient, {
  marshallOptions: { removeUndefinedValues: true },
});

/** BatchGetItem takes at most 100 keys a call. */
const BATCH_GET_LIMIT = 100;
/** BatchWriteItem takes at most 25 puts a call. */
const BATCH_WRITE_LIMIT = 25;

type Item = Record<string, unknown>;

/** Reads up to 100 keys in one BatchGetItem, retrying `UnprocessedKeys` with backoff. */
async function batchGet(keys: TableKey[], projection?: string): Promise<Item[]> {
  const { TABLE_NAME } = tableConfig();
  const found: Item[] = [];
  const left = await retryRemaining(keys, async (remaining) => {
    let output: BatchGetCommandOutput;
    try {
      output = await documentClient.send(
        new BatchGetCommand({
          RequestItems: {
            [TABLE_NAME]: {
              Keys: remaining,
              ...(projection === undefined ? {} : { ProjectionExpression: projection }),
            },
          },
        }),
      );
    } catch (error) {
      if (error instanceof ProvisionedThroughputExceededException) return remaining;
      throw new DependencyUnavailableError({ cause: error });
    }
    found.push(...(output.Responses?.[TABLE_NAME] ?? []));
    return (output.UnprocessedKeys?.[TABLE_NAME]?.Keys ?? []) as TableKey[];
  });
  if (left.length > 0) {
    throw new DependencyUnavailableError({
      cause: new Error(`${left.length} keys unprocessed after retries`),
    });
  }
  return found;
}

export interface TenantWithCustomers {
  tenant: TenantRecord | undefined;
  /** The customers that exist, by code. */
  customers: Map<string, CustomerRecord>;
  /** The customers' suppressed addresses (bounced or complained), by code. */
  suppressions: Map<string, SuppressionRecord>;
}

/**
 * Reads a tenant and up to 49 of its customers, each with its address suppression, with one
 * BatchGetItem (plus retries of what DynamoDB leaves unprocessed), never one read per customer.
 */
export async function getTenantWithCustomers(
  tenantId: string,
  codes: readonly string[],
): Promise<TenantWithCustomers> {
  if (codes.length * 2 + 1 > BATCH_GET_LIMIT) {
    throw new RangeError(`At most ${(BATCH_GET_LIMIT - 1) / 2} customers a read`);
  }
  const items = await batchGet([
    tenantKey(tenantId),
    ...codes.flatMap((code) => [customerKey(tenantId, code), suppressionKey(tenantId, code)]),
  ]);
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

/**
 * The token record for a token hash, if there is one. Read consistently, so that a revocation
 * holds from the moment it is written (then only the authorizer cache's 60 s remain).
 */
export async function getTokenRecord(tokenHash: string): Promise<TokenRecord | undefined> {
  const { TABLE_NAME } = tableConfig();
  const output = await documentClient.send(
    new GetCommand({ TableName: TABLE_NAME, Key: tokenKey(tokenHash), ConsistentRead: true }),
  );
  return output.Item === undefined ? undefined : TokenRecordSchema.parse(output.Item);
}

/** Batches are kept for 400 days, then DynamoDB's TTL removes them. */
const BATCH_RETENTION_SECONDS = 400 * 24 * 60 * 60;

/** Records a new batch; its id is fresh, so an existing one is a fault, never overwritten. */
export async function putBatch(batch: BatchRecord): Promise<void> {
  const { TABLE_NAME } = tableConfig();
  const expiresAt = Math.floor(Date.parse(batch.createdAt) / 1000) + BATCH_RETENTION_SECONDS;
  try {
    await documentClient.send(
      new PutCommand({
        TableName: TABLE_NAME,
        Item: { ...batchKey(batch.tenantId, batch.batchId), type: 'Batch', ...batch, expiresAt },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  } catch (error) {
    throw new DependencyUnavailableError({ cause: error });
  }
}

/** A batch record, read consistently (a retry decides from it whether the batch was recorded). */
export async function getBatch(tenantId: string, batchId: string): Promise<BatchRecord | undefined> {
  const { TABLE_NAME } = tableConfig();
  let output: GetCommandOutput;
  try {
    output = await documentClient.send(
      new GetCommand({ TableName: TABLE_NAME, Key: batchKey(tenantId, batchId), ConsistentRead: true }),
    );
  } catch (error) {
    throw new DependencyUnavailableError({ cause: error });
  }
  return output.Item === undefined ? undefined : BatchRecordSchema.parse(output.Item);
}

/** Replaces a batch's statuses after queueing (used only when some jobs could not be queued). */
export async function updateBatchStatuses(
  tenantId: string,
  batchId: string,
  statuses: CustomerStatementEmailStatus[],
): Promise<void> {
  const { TABLE_NAME } = tableConfig();
  await documentClient.send(
    new UpdateCommand({
      TableName: TABLE_NAME,
      Key: batchKey(tenantId, batchId),
      UpdateExpression: 'SET statuses = :statuses',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':statuses': statuses },
    }),
  );
}

/** Runs `task` over `items` with at most `limit` of them in flight. */
async function forEachConcurrently<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>) {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await task(item);
    }
  });
  await Promise.all(workers);
}

export interface WriteSet {
  puts: Item[];
  deletes: TableKey[];
}

type WriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: TableKey } };

/**
 * Writes and deletes items with BatchWriteItem, 25 a call and a few calls at once, retrying
 * `UnprocessedItems` with backoff. Puts replace whole items, so writing the same set again
 * changes nothing.
 */
export async function writeItems({ puts, deletes }: WriteSet, concurrency = 4): Promise<void> {
  const { TABLE_NAME } = tableConfig();
  const requests: WriteRequest[] = [
    ...puts.map((Item) => ({ PutRequest: { Item } })),
    ...deletes.map((Key) => ({ DeleteRequest: { Key } })),
  ];
  await forEachConcurrently(chunk(requests, BATCH_WRITE_LIMIT), concurrency, async (group) => {
    const left = await retryRemaining(group, async (remaining) => {
      const output = await documentClient.send(
        new BatchWriteCommand({ RequestItems: { [TABLE_NAME]: remaining } }),
      );
      return (output.UnprocessedItems?.[TABLE_NAME] ?? []) as WriteRequest[];
    });
    if (left.length > 0) throw new Error(`${left.length} writes were not done after retries`);
  });
}

/** The keys of a partition's items whose sort key starts with `prefix`, every page read. */
export async function listKeys(partition: string, prefix: string): Promise<TableKey[]> {
  const { TABLE_NAME } = tableConfig();
  const keys: TableKey[] = [];
  const pages = paginateQuery(
    { client: documentClient },
    {
      TableName: TABLE_NAME,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': partition, ':prefix': prefix },
      ProjectionExpression: 'PK, SK',
    },
  );
  for await (const page of pages) keys.push(...((page.Items ?? []) as TableKey[]));
  return keys;
}

/**
 * Sends a conditional write: true when it was applied, false when its condition did not hold
 * (ConditionalCheckFailedException). Any other failure is thrown.
 */
export async function writeIf(command: PutCommand | UpdateCommand | DeleteCommand): Promise<boolean> {
  try {
    // The three command types share the client's send; the union only needs one call site.
    await documentClient.send(command as UpdateCommand);
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
