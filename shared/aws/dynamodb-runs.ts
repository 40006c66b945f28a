/**
 * Statement runs in the table (docs/runs.md): the run item (SK `RUN`) and a `List` run's chunk
 * items (SK `RUNLIST#<n>`) in the run's batch partition, beside its job items (SK `ITEM#<code>`).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { tableConfig } from '../config.ts';
import {
  RUN_LIST_CHUNK_SIZE,
  type RunOrigin,
  type RunRecord,
  RunRecordSchema,
  type RunSelection,
  zeroCounts,
} from '../domain/run.ts';
import type { StatementPeriod } from '../domain/statement-period.ts';
import { DependencyUnavailableError } from '../errors.ts';
import { chunk } from './backoff.ts';
import { documentClient, expiresAfter, type Item, updateCommand, writeIf, writeItems } from './dynamodb.ts';
import { BATCH_RETENTION_SECONDS } from './table-design.ts';
import { batchPartition, runKey, runListChunkKey, type TableKey } from './table-keys.ts';

/** What a new run is made of. */
export interface NewRun {
  tenantId: string;
  runId: string;
  selection: RunSelection;
  period: StatementPeriod;
  origin: RunOrigin;
  now: Date;
}

/** The run item, read consistently (the feeder and the canceller decide from it). */
export async function getRun(tenantId: string, runId: string): Promise<RunRecord | undefined> {
  const { TABLE_NAME } = tableConfig();
  let output: { Item?: Item };
  try {
    output = await documentClient().send(
      new GetCommand({ TableName: TABLE_NAME, Key: runKey(tenantId, runId), ConsistentRead: true }),
    );
  } catch (error) {
    throw new DependencyUnavailableError({ cause: error });
  }
  return output.Item === undefined ? undefined : RunRecordSchema.parse(output.Item);
}

/**
 * Records a new run: a `List` run's chunks first (so that the feeder never finds a run without
 * them), then the run item, conditionally. Returns false, changing nothing, when the run exists.
 */
export async function createRun(run: NewRun): Promise<boolean> {
  const { tenantId, runId, selection, period, origin, now } = run;
  if ((await getRun(tenantId, runId)) !== undefined) return false;
  const expiresAt = expiresAfter(now, BATCH_RETENTION_SECONDS);
  let listSize: number | undefined;
  let listChunks: number | undefined;
  if (selection.type === 'List') {
    const chunks = chunk([...new Set(selection.customerCodes)], RUN_LIST_CHUNK_SIZE);
    listSize = chunks.reduce((sum, codes) => sum + codes.length, 0);
    listChunks = chunks.length;
    await writeItems({
      puts: chunks.map((codes, index) => ({
        ...runListChunkKey(tenantId, runId, index),
        type: 'RunList',
        codes,
        expiresAt,
      })),
      deletes: [],
    });
  }
  const iso = now.toISOString();
  const record: RunRecord = {
    tenantId,
    runId,
    createdAt: iso,
    updatedAt: iso,
    period,
    selection: { type: selection.type },
    ...(listSize === undefined ? {} : { listSize, listChunks }),
    origin,
    state: 'Feeding',
    feed: { stage: 'Select', seq: 0 },
    counts: zeroCounts(),
    skippedReasons: {},
    total: 0,
    retried: 0,
  };
  try {
    return await writeIf(
      new PutCommand({
        TableName: tableConfig().TABLE_NAME,
        Item: { ...runKey(tenantId, runId), type: 'Run', ...record, expiresAt },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  } catch (error) {
    throw new DependencyUnavailableError({ cause: error });
  }
}

/** One chunk of a `List` run's codes; an empty list past the last chunk. */
export async function getRunListChunk(tenantId: string, runId: string, index: number): Promise<string[]> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableConfig().TABLE_NAME, Key: runListChunkKey(tenantId, runId, index) }),
  );
  const codes = Item?.codes;
  return Array.isArray(codes) ? codes.map(String) : [];
}

/** Where the feeder's stage goes next, written only if the run is still at the `seq` it read. */
export interface FeedAdvance {
  seq: number;
  stage: RunRecord['feed']['stage'];
  cursor: string | undefined;
  /** The run's outward state after the advance, when it changes. */
  state?: 'Sending' | 'Completed';
  /** Jobs the retry pass re-queued in this step. */
  retried?: number;
  now: Date;
}

/**
 * Advances the feeder's position conditionally on the one it read (and on the run not being
 * cancelled): of two deliveries of one feed message, one advances, the other learns it lost
 * (false) and stops, so that one chain of feed messages goes on.
 */
export async function advanceFeed(tenantId: string, runId: string, advance: FeedAdvance): Promise<boolean> {
  const sets = ['feed = :feed', 'updatedAt = :now'];
  const values: Record<string, unknown> = {
    ':feed': {
      stage: advance.stage,
      seq: advance.seq + 1,
      ...(advance.cursor === undefined ? {} : { cursor: advance.cursor }),
    },
    ':now': advance.now.toISOString(),
    ':seq': advance.seq,
    ':cancelled': 'Cancelled',
  };
  if (advance.state !== undefined) {
    sets.push('#state = :state');
    values[':state'] = advance.state;
    if (advance.state === 'Completed') sets.push('completedAt = :now');
  }
  const adds = advance.retried === undefined || advance.retried === 0 ? '' : ' ADD retried :retried';
  if (adds !== '') values[':retried'] = advance.retried;
  return writeIf(
    updateCommand(runKey(tenantId, runId), {
      update: `SET ${sets.join(', ')}${adds}`,
      condition: 'feed.seq = :seq AND #state <> :cancelled',
      names: { '#state': 'state' },
      values,
    }),
  );
}

/**
 * Cancels a run: its state becomes `Cancelled` (once; a second cancel changes nothing). From then
 * on no job of the run can be claimed (the claim checks the run's state in its transaction).
 * Returns the run as it is after, or undefined when there is no such run.
 */
export async function cancelRun(tenantId: string, runId: string, now: Date): Promise<RunRecord | undefined> {
  try {
    await documentClient().send(
      updateCommand(runKey(tenantId, runId), {
        update: 'SET #state = :cancelled, cancelledAt = :now, updatedAt = :now',
        condition: 'attribute_exists(PK) AND #state IN (:feeding, :sending)',
        names: { '#state': 'state' },
        values: {
          ':cancelled': 'Cancelled',
          ':feeding': 'Feeding',
          ':sending': 'Sending',
          ':now': now.toISOString(),
        },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  return getRun(tenantId, runId);
}

/** One page of a run's job items, and the key to read the next page from. */
export interface JobItemPage {
  items: Item[];
  next: TableKey | undefined;
}

/**
 * One page of a run's job items (`ITEM#<code>`, in code order): a single Query, never the whole
 * run. `filter` keeps only the items whose state is one of those (the retry pass's dead letters).
 */
export async function queryRunJobs(
  tenantId: string,
  runId: string,
  limit: number,
  startKey: TableKey | undefined,
  onlyStates?: readonly string[],
): Promise<JobItemPage> {
  const stateValues = Object.fromEntries((onlyStates ?? []).map((state, index) => [`:s${index}`, state]));
  let output: QueryCommandOutput;
  try {
    output = await documentClient().send(
      new QueryCommand({
        TableName: tableConfig().TABLE_NAME,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: {
          ':pk': batchPartition(tenantId, runId),
          ':prefix': 'ITEM#',
          ...stateValues,
        },
        ...(onlyStates === undefined
          ? {}
          : {
              FilterExpression: `#state IN (${Object.keys(stateValues).join(', ')})`,
              ExpressionAttributeNames: { '#state': 'state' },
            }),
        Limit: limit,
        ConsistentRead: true,
        ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
      }),
    );
  } catch (error) {
    throw new DependencyUnavailableError({ cause: error });
  }
  return { items: output.Items ?? [], next: output.LastEvaluatedKey as TableKey | undefined };
}
