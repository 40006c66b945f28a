/**
 * Test helpers for statement runs: the feeder and the worker polling their queues as the local
 * stack runs them, a tenant with many customers, and the run's job items counted by state.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { handler as runFeeder } from '#functions/run-feeder/handler.ts';
import { handler as worker } from '#functions/statement-worker/handler.ts';
import { documentClient } from '#shared/aws/dynamodb.ts';
import { getRun, queryRunJobs } from '#shared/aws/dynamodb-runs.ts';
import { jobKey, type TableKey } from '#shared/aws/table-keys.ts';
import { type RunCounts, type RunRecord, runJobStateOf, zeroCounts } from '#shared/domain/run.ts';
import { startRun } from '#shared/services/runs/start-run.ts';
import { type Poller, startPoller } from '../../infra/local/poller.ts';
import { exampleTenant, seedTenants } from './tenants.ts';

type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/** The feeder on RUN_FEED_QUEUE_URL and the worker on JOB_QUEUE_URL, polling until stopped. */
export async function startRunPollers(
  options: {
    workerConcurrency?: number;
    workerTimeoutMs?: number;
    /** Awaited before each delivery reaches the worker: a test holds deliveries unclaimed with it. */
    beforeWorker?: () => Promise<void>;
  } = {},
): Promise<() => Promise<void>> {
  const { beforeWorker } = options;
  const gatedWorker: SqsHandler =
    beforeWorker === undefined
      ? (worker as unknown as SqsHandler)
      : async (event, context) => {
          await beforeWorker();
          return (worker as unknown as SqsHandler)(event, context);
        };
  const pollers: Poller[] = await Promise.all([
    startPoller({
      queueUrl: process.env.RUN_FEED_QUEUE_URL ?? '',
      handler: runFeeder as unknown as SqsHandler,
      functionName: 'run-feeder',
      functionTimeoutMs: 5_000,
      waitTimeSeconds: 0,
      onError: () => undefined,
    }),
    startPoller({
      queueUrl: process.env.JOB_QUEUE_URL ?? '',
      handler: gatedWorker,
      functionName: 'statement-worker',
      concurrency: options.workerConcurrency ?? 2,
      functionTimeoutMs: options.workerTimeoutMs ?? 5_000,
      waitTimeSeconds: 0,
      onError: () => undefined,
    }),
  ]);
  return async () => {
    await Promise.all(pollers.map((poller) => poller.stop()));
  };
}

/** Waits until the run is in one of `states`; the run as it is then (or at the deadline). */
export async function waitForRun(
  tenantId: string,
  runId: string,
  done: (run: RunRecord) => boolean,
  timeoutMs = 40_000,
): Promise<RunRecord | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await getRun(tenantId, runId);
    if ((run !== undefined && done(run)) || Date.now() > deadline) return run;
    await sleep(100);
  }
}

/** Every job item of a run, counted by how the run reports it (a full read: tests only). */
export async function countRunJobs(
  tenantId: string,
  runId: string,
): Promise<{ counts: RunCounts; total: number }> {
  const counts = zeroCounts();
  let total = 0;
  let startKey: TableKey | undefined;
  do {
    const page = await queryRunJobs(tenantId, runId, 1_000, startKey);
    for (const item of page.items) {
      counts[runJobStateOf(item.state as string | undefined, item.reason as string | undefined)] += 1;
      total += 1;
    }
    startKey = page.next;
  } while (startKey !== undefined);
  return { counts, total };
}

/**
 * A tenant with `count` customers `C0000`…: those whose index `owes(i)` has a 120.00 invoice due
 * long ago (owing and overdue); `badAddress(i)` has a malformed address.
 */
export function manyCustomersTenant(
  count: number,
  {
    owes = () => true,
    badAddress = () => false,
  }: { owes?: (index: number) => boolean; badAddress?: (index: number) => boolean } = {},
) {
  const base = exampleTenant();
  const codes = Array.from({ length: count }, (_, index) => `C${String(index).padStart(4, '0')}`);
  return {
    codes,
    tenant: exampleTenant({
      Id: base.Id,
      Customers: codes.map((code, index) => ({
        Code: code,
        Name: `Customer ${code}`,
        Email: badAddress(index)
          ? `${code}.${base.Id}.example`
          : `${code.toLowerCase()}.${base.Id}@run.example`,
      })),
      Invoices: codes.flatMap((code, index) =>
        owes(index)
          ? [
              {
                Number: 10_000 + index,
                CustomerCode: code,
                IssuedDate: '2026-09-01',
                DueDate: '2026-09-30',
                Total: '120.00',
              },
            ]
          : [],
      ),
    }),
  };
}

/** Every job item of a run: its stored state by customer code (a full read: tests only). */
export async function runJobStates(tenantId: string, runId: string): Promise<Map<string, string>> {
  const states = new Map<string, string>();
  let startKey: TableKey | undefined;
  do {
    const page = await queryRunJobs(tenantId, runId, 1_000, startKey);
    for (const item of page.items) states.set(String(item.customerCode), String(item.state));
    startKey = page.next;
  } while (startKey !== undefined);
  return states;
}

/**
 * A run's job item as stored, read consistently: with what the job record's schema leaves out
 * (`retryPass`, `stalledIn`), which the reliability scenarios check.
 */
export async function storedRunJob(tenantId: string, runId: string, customerCode: string) {
  const { Item } = await documentClient().send(
    new GetCommand({
      TableName: process.env.TABLE_NAME,
      Key: jobKey(tenantId, runId, customerCode),
      ConsistentRead: true,
    }),
  );
  return Item;
}

/** The statement period the run tests start their runs with. */
export const RUN_TEST_PERIOD = {
  start: '2026-08-01',
  end: '2026-10-31',
  filterAll: false,
  excludePaid: false,
};

/** Starts a run of every customer of the tenant through startRun, as the runs API does. */
export function startAllCustomersRun(tenantId: string, runId: string) {
  return startRun({
    tenantId,
    runId,
    selection: { type: 'All' },
    period: RUN_TEST_PERIOD,
    origin: { type: 'Api' },
    now: new Date(),
  });
}

/** A tenant of `count` customers, seeded, and a run for all of them started through startRun. */
export async function allCustomersRun(count: number) {
  const { tenant, codes } = manyCustomersTenant(count);
  await seedTenants(tenant);
  const runId = randomUUID();
  await startAllCustomersRun(tenant.Id, runId);
  return { tenant, tenantId: tenant.Id, codes, runId };
}
