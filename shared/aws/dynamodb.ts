/**
 * The DynamoDB adapter's base: the one client of the process, created at its first use (so the
 * endpoint, AWS_ENDPOINT_URL_DYNAMODB locally, is read then, whatever was imported before), and
 * the generic verbs the record modules (dynamodb-*.ts) build on.
 */
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  type ReturnValue,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  BatchWriteCommand,
  type DeleteCommand,
  DynamoDBDocumentClient,
  type PutCommand,
  paginateQuery,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { forEachConcurrently } from '../concurrency.ts';
import { tableConfig } from '../config.ts';
import { DependencyUnavailableError } from '../errors.ts';
import { chunk, retryRemaining } from './backoff.ts';
import type { TableKey } from './table-keys.ts';

let baseClient: DynamoDBClient | undefined;
let docClient: DynamoDBDocumentClient | undefined;

/** The process's DynamoDB client, made at the first call; tests add middleware to its stack. */
export function dynamoDbClient(): DynamoDBClient {
  baseClient ??= new DynamoDBClient({});
  return baseClient;
}

/** The document client over `dynamoDbClient()` (same middleware stack), made at the first call. */
export function documentClient(): DynamoDBDocumentClient {
  docClient ??= DynamoDBDocumentClient.from(dynamoDbClient(), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return docClient;
}

/** BatchGetItem takes at most 100 keys a call. */
export const BATCH_GET_LIMIT = 100;
/** BatchWriteItem takes at most 25 puts a call. */
const BATCH_WRITE_LIMIT = 25;

/** An item as the document client returns it. */
export type Item = Record<string, unknown>;

/**
 * Reads up to 100 keys in one BatchGetItem, retrying `UnprocessedKeys` with backoff; a read that
 * still fails is a DependencyUnavailableError. `consistent` reads what was written just before
 * (read-your-writes), at twice the read units.
 */
export async function batchGet(keys: TableKey[], projection?: string, consistent = false): Promise<Item[]> {
  const { TABLE_NAME } = tableConfig();
  const found: Item[] = [];
  const left = await retryRemaining(keys, async (remaining) => {
    let output: BatchGetCommandOutput;
    try {
      output = await documentClient().send(
        new BatchGetCommand({
          RequestItems: {
            [TABLE_NAME]: {
              Keys: remaining,
              ...(consistent ? { ConsistentRead: true } : {}),
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

/** What `queryItems` reads: one partition, optionally only the sort keys with a prefix. */
export interface PartitionQuery {
  partition: string;
  /** Only items whose sort key starts with this. */
  prefix?: string;
  /** Read consistently (a decision depends on what was just written). */
  consistent?: boolean;
  /** Highest sort key first. */
  descending?: boolean;
  projection?: string;
}

/** The items of one partition, every page read (Query pages at 1 MB). */
export async function* queryItems(query: PartitionQuery): AsyncGenerator<Item> {
  const { TABLE_NAME } = tableConfig();
  const input: QueryCommandInput = {
    TableName: TABLE_NAME,
    KeyConditionExpression: query.prefix === undefined ? 'PK = :pk' : 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: {
      ':pk': query.partition,
      ...(query.prefix === undefined ? {} : { ':prefix': query.prefix }),
    },
    ...(query.consistent === true ? { ConsistentRead: true } : {}),
    ...(query.descending === true ? { ScanIndexForward: false } : {}),
    ...(query.projection === undefined ? {} : { ProjectionExpression: query.projection }),
  };
  for await (const page of paginateQuery({ client: documentClient() }, input)) yield* page.Items ?? [];
}

/** The keys of a partition's items whose sort key starts with `prefix`, every page read. */
export async function listKeys(partition: string, prefix: string): Promise<TableKey[]> {
  const keys: TableKey[] = [];
  for await (const item of queryItems({ partition, prefix, projection: 'PK, SK' }))
    keys.push(item as unknown as TableKey);
  return keys;
}

/** Items to put and keys to delete, written by `writeItems`. */
export interface WriteSet {
  puts: Item[];
  deletes: TableKey[];
}

type WriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: TableKey } };

/**
 * Writes and deletes items with BatchWriteItem, 25 a call and a few calls at once, retrying
 * `UnprocessedItems` with backoff (DependencyUnavailableError when some are left). Puts replace
 * whole items, so writing the same set again changes nothing.
 */
export async function writeItems({ puts, deletes }: WriteSet, concurrency = 4): Promise<void> {
  const { TABLE_NAME } = tableConfig();
  const requests: WriteRequest[] = [
    ...puts.map((Item) => ({ PutRequest: { Item } })),
    ...deletes.map((Key) => ({ DeleteRequest: { Key } })),
  ];
  await forEachConcurrently(chunk(requests, BATCH_WRITE_LIMIT), concurrency, async (group) => {
    const left = await retryRemaining(group, async (remaining) => {
      const output = await documentClient().send(
        new BatchWriteCommand({ RequestItems: { [TABLE_NAME]: remaining } }),
      );
      return (output.UnprocessedItems?.[TABLE_NAME] ?? []) as WriteRequest[];
    });
    if (left.length > 0) {
      throw new DependencyUnavailableError({
        cause: new Error(`${left.length} writes were not done after retries`),
      });
    }
  });
}

/** An update of one item: its update expression, an optional condition, their names and values. */
export interface ItemUpdate {
  update: string;
  condition?: string;
  names?: Record<string, string>;
  values?: Record<string, unknown>;
}

/** The UpdateCommand of one item of the table, to send or to give `writeIf`. */
export function updateCommand(key: TableKey, item: ItemUpdate, returnValues?: ReturnValue): UpdateCommand {
  return new UpdateCommand({
    TableName: tableConfig().TABLE_NAME,
    Key: key,
    UpdateExpression: item.update,
    ...(item.condition === undefined ? {} : { ConditionExpression: item.condition }),
    ...(item.names === undefined ? {} : { ExpressionAttributeNames: item.names }),
    ...(item.values === undefined ? {} : { ExpressionAttributeValues: item.values }),
    ...(returnValues === undefined ? {} : { ReturnValues: returnValues }),
  });
}

/**
 * Sends a conditional write: true when it was applied, false when its condition did not hold
 * (ConditionalCheckFailedException). Any other failure is thrown.
 */
export async function writeIf(command: PutCommand | UpdateCommand | DeleteCommand): Promise<boolean> {
  try {
    // The three command types share the client's send; the union only needs one call site.
    await documentClient().send(command as UpdateCommand);
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** The stored epoch second (DynamoDB's TTL attribute) `seconds` after `from`. */
export const expiresAfter = (from: Date, seconds: number): number =>
  Math.floor(from.getTime() / 1000) + seconds;
