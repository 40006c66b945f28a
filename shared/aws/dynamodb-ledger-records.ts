/**
 * The ledger API's reads and writes of the table. A record's items (its canonical item and its
 * projections, docs/data-model.md) are written together by one TransactWriteItems, conditional on
 * the canonical item being what the write path judged: either all of a record is written or none
 * of it, and a concurrent writer makes the transaction fail instead of being overwritten. Many
 * records share one transaction (at most 100 items), so a bulk call costs a few requests per
 * hundred records. Reads are consistent: a decision rests on what was written just before.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { forEachConcurrently } from '../concurrency.ts';
import { tableConfig } from '../config.ts';
import { DependencyUnavailableError } from '../errors.ts';
import { chunk } from './backoff.ts';
import { BATCH_GET_LIMIT, batchGet, documentClient, type Item } from './dynamodb.ts';
import type { TableKey } from './table-keys.ts';

/** `PK|SK`: a key as a map key. */
export const keyId = (key: TableKey): string => `${key.PK}|${key.SK}`;

/** Reads items consistently, 100 keys a BatchGetItem and a few at once; the found ones by `keyId`. */
export async function readItems(keys: readonly TableKey[]): Promise<Map<string, Item>> {
  const unique = [...new Map(keys.map((key) => [keyId(key), key])).values()];
  const found = new Map<string, Item>();
  await forEachConcurrently(chunk(unique, BATCH_GET_LIMIT), 4, async (group) => {
    for (const item of await batchGet(group, undefined, true)) {
      found.set(keyId({ PK: String(item.PK), SK: String(item.SK) }), item);
    }
  });
  return found;
}

/** A condition on one item of a transaction. */
export interface ItemCondition {
  expression: string;
  names?: Record<string, string>;
  values?: Record<string, unknown>;
}

/** One write of a transaction: a whole item put, or a key deleted, each optionally conditional. */
export type TableWrite =
  | { put: Item; condition?: ItemCondition }
  | { delete: TableKey; condition?: ItemCondition };

/** The key a write is to. */
export const writeKey = (write: TableWrite): TableKey =>
  'put' in write ? { PK: String(write.put.PK), SK: String(write.put.SK) } : write.delete;

/** What a transaction of writes came to. */
export type TransactionOutcome =
  | { written: true }
  /** Nothing was written; `failed` are the indexes of the writes whose condition did not hold. */
  | { written: false; failed: number[] };

/** AWS's limit of items in one TransactWriteItems. */
export const TRANSACTION_ITEM_LIMIT = 100;
/** AWS's limit is 4 MB a transaction; this leaves room for the request's own framing. */
export const TRANSACTION_BYTE_LIMIT = 3_500_000;

function conditionInput(condition: ItemCondition | undefined) {
  if (condition === undefined) return {};
  return {
    ConditionExpression: condition.expression,
    ...(condition.names === undefined ? {} : { ExpressionAttributeNames: condition.names }),
    ...(condition.values === undefined ? {} : { ExpressionAttributeValues: condition.values }),
  };
}

/**
 * Writes all of `writes` or none of them. One write goes as a conditional PutItem or DeleteItem
 * (half the write units of a transaction); more as one TransactWriteItems. A condition that does
 * not hold is an answer, not an error: `{written: false, failed}`. A transaction cancelled for
 * another reason (a conflicting transaction, throttling) is reported with `failed` empty, to be
 * retried; any other failure is a DependencyUnavailableError.
 */
export async function writeAtomically(writes: readonly TableWrite[]): Promise<TransactionOutcome> {
  const { TABLE_NAME } = tableConfig();
  if (writes.length === 0) return { written: true };
  if (writes.length > TRANSACTION_ITEM_LIMIT) {
    throw new RangeError(`At most ${TRANSACTION_ITEM_LIMIT} writes a transaction`);
  }
  try {
    const [only] = writes;
    if (writes.length === 1 && only !== undefined) {
      const command =
        'put' in only
          ? new PutCommand({ TableName: TABLE_NAME, Item: only.put, ...conditionInput(only.condition) })
          : new DeleteCommand({ TableName: TABLE_NAME, Key: only.delete, ...conditionInput(only.condition) });
      await documentClient().send(command as PutCommand);
      return { written: true };
    }
    await documentClient().send(
      new TransactWriteCommand({
        TransactItems: writes.map((write) =>
          'put' in write
            ? { Put: { TableName: TABLE_NAME, Item: write.put, ...conditionInput(write.condition) } }
            : { Delete: { TableName: TABLE_NAME, Key: write.delete, ...conditionInput(write.condition) } },
        ),
      }),
    );
    return { written: true };
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'ConditionalCheckFailedException') return { written: false, failed: [0] };
    if (error instanceof TransactionCanceledException || name === 'TransactionCanceledException') {
      const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
      const failed = reasons.flatMap((reason, index) =>
        reason.Code === 'ConditionalCheckFailed' ? [index] : [],
      );
      return { written: false, failed };
    }
    if (name === 'TransactionConflictException' || name === 'ProvisionedThroughputExceededException') {
      return { written: false, failed: [] };
    }
    throw new DependencyUnavailableError({ cause: error });
  }
}

/** A page of one partition's items whose sort key starts with a prefix. */
export interface PageQuery {
  partition: string;
  prefix: string;
  /** At most this many items are read (a filter may leave fewer). */
  limit: number;
  /** Continue after this sort key (the previous page's `lastSortKey`). */
  after?: string;
  /** Leave out tombstones (items with `deleted`). */
  liveOnly?: boolean;
}

/** One page: its items and, when there may be more, the sort key to continue after. */
export interface Page {
  items: Item[];
  lastSortKey?: string;
}

/** One page of a partition, read consistently, in sort-key order. */
export async function queryPage(query: PageQuery): Promise<Page> {
  const { TABLE_NAME } = tableConfig();
  const input: QueryCommandInput = {
    TableName: TABLE_NAME,
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': query.partition, ':prefix': query.prefix },
    ConsistentRead: true,
    Limit: query.limit,
    ...(query.after === undefined ? {} : { ExclusiveStartKey: { PK: query.partition, SK: query.after } }),
    ...(query.liveOnly === true ? { FilterExpression: 'attribute_not_exists(deleted)' } : {}),
  };
  try {
    const output = await documentClient().send(new QueryCommand(input));
    const last = output.LastEvaluatedKey?.SK;
    return { items: output.Items ?? [], ...(typeof last === 'string' ? { lastSortKey: last } : {}) };
  } catch (error) {
    throw new DependencyUnavailableError({ cause: error });
  }
}
