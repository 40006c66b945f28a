/**
 * Statement runs in the table (docs/runs.md): the run item (SK `RUN`) and a `List` run's chunk
 * items (SK `RUNLIST#<n>`) in the run's batch partition, beside its job items (SK `ITEM#<code>`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandOutput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { tableConfig } from '../config.ts';
import {
  RUN_LIST_CHUNK_SIZE,
  type RunJobState,
  type RunOrigin,
  type RunRecord,
  RunRecordSchema,
  type RunSelection,
  type RunSweep,
  runJobStateOf,
  zeroCounts,
} from '../domain/run.ts';
import type { StatementPeriod } from '../domain/statement-period.ts';
import { DependencyUnavailableError } from '../errors.ts';
import { chunk } from './backoff.ts';
import {
  documentClient,
  expiresAfter,
  type Item,
  type ItemUpdate,
  updateCommand,
  writeIf,
  writeItems,
} from './dynamodb.ts';
import { BATCH_RETENTION_SECONDS } from './table-design.ts';
import { batchPartition, jobKey, runKey, runListChunkKey, type TableKey } from './table-keys.ts';

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
  /** The lapsed-job sweep's state to keep (a look that changes only it); dropped when absent. */
  sweep?: RunSweep;
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
      ...(advance.sweep === undefined ? {} : { sweep: advance.sweep }),
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
 * on the feeder feeds nothing, and a job of the run claimed after the cancel is not sent: the
 * claim is one conditional write, after which the worker reads the run item (consistent) and ends
 * its own claim `Skipped`, `Run cancelled` (docs/runs.md, Cancellation). Returns the run as it is after, or undefined when there is no such run.
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

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** The state a job transition writes, and its reason where the report depends on it. */
export interface TransitionTarget {
  state: string;
  reason?: string;
}

/** How a counted transition ended. `previous`: the job item it changed, as it was. */
export type CountedTransitionResult =
  | { applied: true; previous: Item | undefined }
  | { applied: false; current: Item | undefined; runCancelled: boolean };

/** Attempts of one counted transition before a job that keeps changing under it is given up. */
const COUNTED_ATTEMPTS = 8;

const transactionReasons = (error: unknown): (string | undefined)[] | undefined => {
  const name = (error as { name?: string }).name;
  if (!(error instanceof TransactionCanceledException) && name !== 'TransactionCanceledException')
    return undefined;
  return ((error as TransactionCanceledException).CancellationReasons ?? []).map((reason) => reason.Code);
};

const isConflict = (error: unknown): boolean => {
  const name = (error as { name?: string }).name;
  return name === 'TransactionConflictException' || name === 'TransactionInProgressException';
};

/**
 * Moves one job of a run and the run's counters together (docs/runs.md, "Exact progress"): reads
 * the job, then writes in ONE TransactWriteItems the job's update, conditioned on its own rule AND
 * on the exact state it was read in, and the run item's counters (`counts.<from> - 1`,
 * `counts.<to> + 1`, a Skipped job's reason). When the job changed in between, it is read again
 * and the transition re-judged; when its rule does not hold, nothing is written. The run item
 * must exist: a job whose run is gone is refused (`runCancelled`), as a cancelled one's would be.
 * (A claim checks cancellation itself, with a read after it: claimJob.)
 */
export async function countedJobTransition(
  tenantId: string,
  runId: string,
  key: TableKey,
  update: ItemUpdate,
  target: TransitionTarget | undefined,
): Promise<CountedTransitionResult> {
  const { TABLE_NAME } = tableConfig();
  for (let attempt = 0; ; attempt += 1) {
    const { Item: current } = await documentClient().send(
      new GetCommand({ TableName: TABLE_NAME, Key: key, ConsistentRead: true }),
    );
    const currentState = current?.state === undefined ? undefined : String(current.state);
    const from = runJobStateOf(currentState, current?.reason as string | undefined);
    const to = target === undefined ? from : runJobStateOf(target.state, target.reason);
    const stateCondition =
      currentState === undefined ? 'attribute_not_exists(#state)' : '#state = :previousState';
    const jobUpdate = {
      TableName: TABLE_NAME,
      Key: key,
      UpdateExpression: update.update,
      ConditionExpression:
        update.condition === undefined ? stateCondition : `(${update.condition}) AND ${stateCondition}`,
      ExpressionAttributeNames: { ...update.names, '#state': 'state' },
      ExpressionAttributeValues: {
        ...update.values,
        ...(currentState === undefined ? {} : { ':previousState': currentState }),
      },
    };
    const items: TransactItem[] = [{ Update: jobUpdate }];
    const counted = runCounterUpdate(from, to, target);
    if (counted !== undefined) {
      items.push({
        Update: {
          TableName: TABLE_NAME,
          Key: runKey(tenantId, runId),
          UpdateExpression: counted.update,
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeNames: counted.names,
          ExpressionAttributeValues: counted.values,
        },
      });
    }
    try {
      if (items.length === 1)
        await documentClient().send(
          updateCommand(key, {
            ...update,
            condition: jobUpdate.ConditionExpression,
            names: jobUpdate.ExpressionAttributeNames,
            values: jobUpdate.ExpressionAttributeValues,
          }),
        );
      else await documentClient().send(new TransactWriteCommand({ TransactItems: items }));
      return { applied: true, previous: current };
    } catch (error) {
      const reasons = transactionReasons(error);
      const jobFailed =
        error instanceof ConditionalCheckFailedException || reasons?.[0] === 'ConditionalCheckFailed';
      if (reasons?.[1] === 'ConditionalCheckFailed') {
        return { applied: false, current, runCancelled: true };
      }
      const conflict = isConflict(error) || reasons?.includes('TransactionConflict') === true;
      if (!jobFailed && !conflict) throw error;
      if (attempt + 1 >= COUNTED_ATTEMPTS) {
        if (conflict) throw new DependencyUnavailableError({ cause: error });
        return { applied: false, current, runCancelled: false };
      }
      if (conflict) {
        await sleep(Math.min(1_000, 20 * 2 ** attempt) * Math.random());
        continue;
      }
      // The job's condition failed: was it its rule, or did its state move since it was read?
      const { Item: now } = await documentClient().send(
        new GetCommand({ TableName: TABLE_NAME, Key: key, ConsistentRead: true }),
      );
      if (now?.state === current?.state) return { applied: false, current: now, runCancelled: false };
    }
  }
}

/** The run item's update for a job moving `from` → `to` (nothing when its report stays the same). */
function runCounterUpdate(
  from: RunJobState,
  to: RunJobState,
  target: TransitionTarget | undefined,
): ItemUpdate | undefined {
  if (from === to) return undefined;
  const sets = ['counts.#from = counts.#from - :one', 'counts.#to = counts.#to + :one', 'updatedAt = :now'];
  const names: Record<string, string> = { '#from': from, '#to': to };
  const values: Record<string, unknown> = { ':one': 1, ':now': new Date().toISOString() };
  if (to === 'Skipped') {
    sets.push('skippedReasons.#reason = if_not_exists(skippedReasons.#reason, :zero) + :one');
    names['#reason'] = target?.reason ?? 'Skipped';
    values[':zero'] = 0;
  }
  return { update: `SET ${sets.join(', ')}`, names, values };
}

/** What the feeder writes for one customer of a run: its job item, ready to be claimed. */
export interface FedJob {
  customerCode: string;
  /** The job item's attributes besides its key (state `Retrying`, attempts 0, identity, expiry). */
  item: Item;
  key: TableKey;
}

/** AWS: one TransactWriteItems holds at most 100 actions (here 99 job puts and the run's counters). */
const FEED_TRANSACTION_JOBS = 99;

/**
 * Writes a page's job items, each only if it does not exist yet, and adds the ones written to the
 * run's `Queued` counter and `total` in the same transactions: a page fed again after a crash
 * writes and counts only what it had not. Returns false when the run was cancelled meanwhile.
 * `skipped`: the items are `Skipped` with that reason (a tenant-wide schedule's customers with
 * their own schedule), counted `Skipped` and in `skippedReasons` instead of `Queued`.
 */
export async function putRunJobs(
  tenantId: string,
  runId: string,
  jobs: readonly FedJob[],
  now: Date,
  skipped?: { reason: string },
): Promise<{ written: number; cancelled: boolean }> {
  const { TABLE_NAME } = tableConfig();
  const counter: { update: string; names: Record<string, string>; values: Record<string, unknown> } =
    skipped === undefined
      ? { update: 'counts.#counted = counts.#counted + :n', names: { '#counted': 'Queued' }, values: {} }
      : {
          update:
            'counts.#counted = counts.#counted + :n, skippedReasons.#reason = if_not_exists(skippedReasons.#reason, :zero) + :n',
          names: { '#counted': 'Skipped', '#reason': skipped.reason },
          values: { ':zero': 0 },
        };
  let written = 0;
  for (const group of chunk(jobs, FEED_TRANSACTION_JOBS)) {
    let pending = [...group];
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      const items: TransactItem[] = pending.map((job) => ({
        Put: {
          TableName: TABLE_NAME,
          Item: { ...job.key, ...job.item },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      }));
      items.push({
        Update: {
          TableName: TABLE_NAME,
          Key: runKey(tenantId, runId),
          UpdateExpression: `SET ${counter.update}, #total = #total + :n, updatedAt = :now`,
          ConditionExpression: 'attribute_exists(PK) AND #state <> :cancelled',
          ExpressionAttributeNames: { ...counter.names, '#total': 'total', '#state': 'state' },
          ExpressionAttributeValues: {
            ...counter.values,
            ':n': pending.length,
            ':now': now.toISOString(),
            ':cancelled': 'Cancelled',
          },
        },
      });
      try {
        await documentClient().send(new TransactWriteCommand({ TransactItems: items }));
        written += pending.length;
        break;
      } catch (error) {
        const reasons = transactionReasons(error);
        if (reasons?.[pending.length] === 'ConditionalCheckFailed') return { written, cancelled: true };
        const exists = new Set(
          reasons?.flatMap((code, index) => (code === 'ConditionalCheckFailed' ? [index] : [])),
        );
        const conflict = isConflict(error) || reasons?.includes('TransactionConflict') === true;
        if (exists.size === 0 && !conflict) throw new DependencyUnavailableError({ cause: error });
        if (attempt >= COUNTED_ATTEMPTS) throw new DependencyUnavailableError({ cause: error });
        // Jobs written by an earlier delivery of this page are left out: written and counted then.
        pending = pending.filter((_, index) => !exists.has(index));
        if (conflict) await sleep(Math.min(1_000, 20 * 2 ** attempt) * Math.random());
      }
    }
  }
  return { written, cancelled: false };
}

/**
 * One page of a tenant's live customer codes, in code order, after `startKey`: a single Query on
 * the tenant's `CUSTOMER#` items (tombstones left out), never the whole tenant.
 */
export async function queryCustomerCodes(
  tenantId: string,
  limit: number,
  startKey: TableKey | undefined,
): Promise<{ codes: string[]; next: TableKey | undefined }> {
  let output: QueryCommandOutput;
  try {
    output = await documentClient().send(
      new QueryCommand({
        TableName: tableConfig().TABLE_NAME,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        FilterExpression: 'attribute_not_exists(deleted)',
        ExpressionAttributeValues: { ':pk': `TENANT#${tenantId}`, ':prefix': 'CUSTOMER#' },
        ProjectionExpression: 'PK, SK',
        Limit: limit,
        ConsistentRead: true,
        ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
      }),
    );
  } catch (error) {
    throw new DependencyUnavailableError({ cause: error });
  }
  const codes = (output.Items ?? []).map((item) => String(item.SK).slice('CUSTOMER#'.length));
  return { codes, next: output.LastEvaluatedKey as TableKey | undefined };
}

/** A run's job the feeder found stalled: its state as read, and what it says of its last claim. */
export interface StalledRunJob {
  customerCode: string;
  /** The state it was read in (`Claimed`, `Sending`, or `Retrying`: released by a worker, or never claimed). */
  state: 'Claimed' | 'Sending' | 'Retrying';
  reason: string;
}

/**
 * Records a run's job whose worker stopped on its last receive as dead-lettered (docs/runs.md,
 * "Completion and its limits"): the transition the worker's own dead-letter record makes, counted
 * `Queued → Failed` in the same transaction, so the retry pass then takes it back once. Written
 * only if the job is still in the state it was read in, without a sent marker, and its last claim
 * (a lease, or the `updatedAt` of a release or of its feed when no worker ever claimed it) ended
 * before `cutoff`: a claim or release since then, or a send, leaves it as it is. `stalledIn` keeps the state it was found in: `Sending` means SES may
 * have accepted its email. Returns whether it was recorded now.
 */
export async function deadLetterStalledRunJob(
  tenantId: string,
  runId: string,
  job: StalledRunJob,
  cutoff: Date,
  now: Date,
): Promise<boolean> {
  const lapsed =
    job.state === 'Retrying'
      ? 'updatedAt < :cutoffIso'
      : 'attribute_exists(leaseUntil) AND leaseUntil < :cutoffMs';
  const values: Record<string, unknown> = {
    ':deadLettered': 'DeadLettered',
    ':expected': job.state,
    ':reason': job.reason,
    ':now': now.toISOString(),
    ...(job.state === 'Retrying'
      ? { ':cutoffIso': cutoff.toISOString() }
      : { ':cutoffMs': cutoff.getTime() }),
  };
  const result = await countedJobTransition(
    tenantId,
    runId,
    jobKey(tenantId, runId, job.customerCode),
    {
      update:
        'SET #state = :deadLettered, reason = :reason, stalledIn = :expected, updatedAt = :now REMOVE #owner, leaseUntil',
      condition: `#state = :expected AND attribute_not_exists(sesMessageId) AND ${lapsed}`,
      names: { '#owner': 'owner' },
      values,
    },
    { state: 'DeadLettered', reason: job.reason },
  );
  return result.applied;
}
