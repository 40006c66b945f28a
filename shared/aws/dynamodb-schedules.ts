/**
 * Statement schedules in the table (docs/schedules.md, docs/data-model.md): one item per schedule
 * in its tenant's partition, and the schedule directory (`SCHEDULES`) that the hourly trigger pages
 * through instead of scanning. Every write of a schedule is conditional on the revision it read.
 */
import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { tableConfig } from '../config.ts';
import { type StoredLastRun, type StoredSchedule, StoredScheduleSchema } from '../domain/schedule.ts';
import { DependencyUnavailableError } from '../errors.ts';
import { BATCH_GET_LIMIT, batchGet, documentClient, queryItems, updateCommand, writeIf } from './dynamodb.ts';
import { queryPage } from './dynamodb-ledger-records.ts';
import {
  runKey,
  SCHEDULE_PREFIX,
  scheduleDirectoryKey,
  scheduleDirectoryPartition,
  scheduleKey,
} from './table-keys.ts';

/** The sort-key prefix of customers' schedules (the tenant-wide one is `SCHEDULE#ALL`). */
export const CUSTOMER_SCHEDULE_PREFIX = `${SCHEDULE_PREFIX}CUSTOMER#`;

const toSchedule = (item: Record<string, unknown>): StoredSchedule => StoredScheduleSchema.parse(item);

async function send<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw new DependencyUnavailableError({ cause: error });
  }
}

/** One schedule, read consistently (a save judges the one it read); undefined when there is none. */
export async function getSchedule(tenantId: string, scheduleId: string): Promise<StoredSchedule | undefined> {
  const { Item } = await send(() =>
    documentClient().send(
      new GetCommand({
        TableName: tableConfig().TABLE_NAME,
        Key: scheduleKey(tenantId, scheduleId),
        ConsistentRead: true,
      }),
    ),
  );
  return Item === undefined ? undefined : toSchedule(Item);
}

/**
 * Writes a schedule if the stored one is still at `expectedRevision` (undefined: there is none),
 * after the tenant's directory entry (idempotent, so a failed save leaves at most an entry the
 * trigger finds no schedule under). False when another save or delete came first.
 */
export async function putSchedule(
  tenantId: string,
  schedule: StoredSchedule,
  expectedRevision: number | undefined,
): Promise<boolean> {
  const { TABLE_NAME } = tableConfig();
  await send(() =>
    documentClient().send(
      new PutCommand({ TableName: TABLE_NAME, Item: { ...scheduleDirectoryKey(tenantId), tenantId } }),
    ),
  );
  return send(() =>
    writeIf(
      new PutCommand({
        TableName: TABLE_NAME,
        Item: { ...scheduleKey(tenantId, schedule.scheduleId), ...schedule },
        ...(expectedRevision === undefined
          ? { ConditionExpression: 'attribute_not_exists(PK)' }
          : {
              ConditionExpression: 'revision = :revision',
              ExpressionAttributeValues: { ':revision': expectedRevision },
            }),
      }),
    ),
  );
}

/** Deletes a schedule if it is still at `expectedRevision`; false when it changed or went first. */
export function deleteSchedule(
  tenantId: string,
  scheduleId: string,
  expectedRevision: number,
): Promise<boolean> {
  return send(() =>
    writeIf(
      new DeleteCommand({
        TableName: tableConfig().TABLE_NAME,
        Key: scheduleKey(tenantId, scheduleId),
        ConditionExpression: 'revision = :revision',
        ExpressionAttributeValues: { ':revision': expectedRevision },
      }),
    ),
  );
}

/**
 * Records the run a schedule started, unless a run of this or a later issue date is recorded
 * already (the trigger fired twice) or the schedule is gone. Not conditional on the revision: a
 * save in between keeps the last run (it carries it over), so this only adds what it knows.
 */
export function recordScheduleRun(
  tenantId: string,
  scheduleId: string,
  lastRun: StoredLastRun,
  next: string | undefined,
): Promise<boolean> {
  return send(() =>
    writeIf(
      updateCommand(scheduleKey(tenantId, scheduleId), {
        update:
          next === undefined
            ? 'SET lastRun = :run REMOVE nextIssueDate'
            : 'SET lastRun = :run, nextIssueDate = :next',
        condition: 'attribute_exists(PK) AND (attribute_not_exists(lastRun) OR lastRun.issueDate < :issue)',
        values: {
          ':run': lastRun,
          ':issue': lastRun.issueDate,
          ...(next === undefined ? {} : { ':next': next }),
        },
      }),
    ),
  );
}

/** Every schedule of a tenant (the tenant-wide one first), every page read. */
export async function* listTenantSchedules(tenantId: string): AsyncGenerator<StoredSchedule> {
  for await (const item of queryItems({
    partition: `TENANT#${tenantId}`,
    prefix: SCHEDULE_PREFIX,
    consistent: true,
  }))
    yield toSchedule(item);
}

/** One page of a tenant's customer schedules, by code, and the sort key to continue after. */
export async function listCustomerSchedulePage(
  tenantId: string,
  limit: number,
  after?: string,
): Promise<{ schedules: StoredSchedule[]; lastSortKey?: string }> {
  const page = await queryPage({
    partition: `TENANT#${tenantId}`,
    prefix: CUSTOMER_SCHEDULE_PREFIX,
    limit,
    ...(after === undefined ? {} : { after }),
  });
  return {
    schedules: page.items.map(toSchedule),
    ...(page.lastSortKey === undefined ? {} : { lastSortKey: page.lastSortKey }),
  };
}

/** A page of the tenants that have (or had) a schedule, and where the next page starts. */
export async function listScheduledTenantPage(
  limit: number,
  after?: string,
): Promise<{ tenantIds: string[]; lastSortKey?: string }> {
  const partition = scheduleDirectoryPartition();
  const output = await send(() =>
    documentClient().send(
      new QueryCommand({
        TableName: tableConfig().TABLE_NAME,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': partition },
        Limit: limit,
        ...(after === undefined ? {} : { ExclusiveStartKey: { PK: partition, SK: after } }),
      }),
    ),
  );
  const last = output.LastEvaluatedKey?.SK;
  return {
    tenantIds: (output.Items ?? []).map((item) => String(item.SK)),
    ...(typeof last === 'string' ? { lastSortKey: last } : {}),
  };
}

/**
 * The state (`Feeding`, `Sending`, `Completed`, `Cancelled`) of each of a tenant's runs, by run id,
 * read with BatchGetItem 100 at a time: what a schedule's `LastRun.State` shows. A run not found
 * (expired, or never written) is left out.
 */
export async function getRunStates(
  tenantId: string,
  runIds: readonly string[],
): Promise<Map<string, string>> {
  const states = new Map<string, string>();
  const unique = [...new Set(runIds)];
  for (let start = 0; start < unique.length; start += BATCH_GET_LIMIT) {
    const items = await batchGet(
      unique.slice(start, start + BATCH_GET_LIMIT).map((runId) => runKey(tenantId, runId)),
    );
    for (const item of items) {
      if (typeof item.runId === 'string' && typeof item.state === 'string')
        states.set(item.runId, item.state);
    }
  }
  return states;
}
