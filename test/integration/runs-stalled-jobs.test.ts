/**
 * The feeder's Drain stage and jobs whose worker died on their last receive (docs/runs.md,
 * "Completion and its limits"), step by step on the embedded emulators with the clock given to
 * each step: nothing is touched until the run's Queued count has been still for the jobs'
 * redelivery window (read from the job queue: 1 s visibility x 2 receives here); then a lapsed
 * `Claimed` or `Sending` job, or one a worker released and nobody took since, is recorded
 * dead-lettered (counted Queued -> Failed), a page at a time; a live claim, a job never received
 * and a finished one are left alone.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '#shared/aws/dynamodb.ts';
import { markJobFailed } from '#shared/aws/dynamodb-jobs.ts';
import { advanceFeed, createRun, type FedJob, getRun, putRunJobs } from '#shared/aws/dynamodb-runs.ts';
import { redeliveryWindowMs } from '#shared/aws/sqs-redelivery.ts';
import { jobKey } from '#shared/aws/table-keys.ts';
import { logger } from '#shared/observability/powertools.ts';
import { feedRun } from '#shared/services/runs/feed-run.ts';
import { STALLED_REASONS } from '#shared/services/runs/sweep-lapsed-jobs.ts';
import { useRunFeedQueue } from '../support/run-queues.ts';
import { countRunJobs } from '../support/runs.ts';

// Two jobs a page, so that one pass over the run's five jobs takes three steps.
process.env.RUN_PAGE_SIZE = '2';
process.env.RUN_FEED_DELAY_SECONDS = '1';

const period = { start: '2026-08-01', end: '2026-10-31', filterAll: false, excludePaid: false };
const t0 = Date.parse('2026-12-01T10:00:00.000Z');
const at = (ms: number) => new Date(t0 + ms);

/** A run in its Drain stage with five jobs, each stored as a worker would have left it. */
async function drainingRun(windowMs: number) {
  const tenantId = `stall-${randomUUID().slice(0, 8)}`;
  const runId = randomUUID();
  await createRun({
    tenantId,
    runId,
    selection: { type: 'All' },
    period,
    origin: { type: 'Api' },
    now: at(-60_000),
  });
  const codes = ['A', 'B', 'C', 'D', 'E'];
  const fed: FedJob[] = codes.map((customerCode) => ({
    customerCode,
    key: jobKey(tenantId, runId, customerCode),
    item: {
      type: 'Job',
      runJob: true,
      tenantId,
      batchId: runId,
      customerCode,
      state: 'Retrying',
      attempts: 0,
    },
  }));
  await putRunJobs(tenantId, runId, fed, at(-60_000));
  const stored = {
    // Its worker died on the last receive before sending: the lease lapsed long ago.
    A: { state: 'Claimed', owner: 'm-a', leaseUntil: t0 - 1_000, attempts: 5 },
    // Died on the last receive while sending (a timeout, a lost SES answer).
    B: { state: 'Sending', owner: 'm-b', leaseUntil: t0 - 1_000, attempts: 5 },
    // Held by a live worker: its lease runs well past every step below.
    C: { state: 'Claimed', owner: 'm-c', leaseUntil: t0 + 100 * windowMs, attempts: 1 },
    // Fed and never received: it waits its turn on the queue.
    D: { state: 'Retrying', attempts: 0 },
    // Released by a worker, then its message went to the DLQ without the dead-letter record.
    E: { state: 'Retrying', attempts: 5, lastError: 'SES did not send: Throttling' },
  } as const;
  for (const [code, fields] of Object.entries(stored)) {
    await documentClient().send(
      new PutCommand({
        TableName: process.env.TABLE_NAME,
        Item: {
          ...jobKey(tenantId, runId, code),
          type: 'Job',
          runJob: true,
          tenantId,
          batchId: runId,
          customerCode: code,
          updatedAt: at(-1_000).toISOString(),
          ...fields,
        },
      }),
    );
  }
  await advanceFeed(tenantId, runId, {
    seq: 0,
    stage: 'Drain',
    cursor: undefined,
    state: 'Sending',
    now: at(-1),
  });
  return { tenantId, runId };
}

describe('the feeder and jobs whose worker died on their last receive', () => {
  let windowMs = 0;
  beforeAll(async () => {
    await useRunFeedQueue();
    windowMs = await redeliveryWindowMs(process.env.JOB_QUEUE_URL ?? '');
  });

  it("reads the jobs' redelivery window from the job queue: visibility timeout x receives", () => {
    // test/support/integration-setup.ts: visibility 1 s, dead letters after 2 receives.
    expect(windowMs).toBe(2_000);
  });

  it('waits for the window, then records the stalled jobs dead-lettered a page at a time, counted Failed', async () => {
    const { tenantId, runId } = await drainingRun(windowMs);
    const step = (ms: number) => feedRun({ version: 1, tenantId, runId }, at(ms), logger);
    const state = async (code: string) =>
      (
        await documentClient().send(
          new GetCommand({
            TableName: process.env.TABLE_NAME,
            Key: jobKey(tenantId, runId, code),
            ConsistentRead: true,
          }),
        )
      ).Item;

    // The first look notes Queued = 5; until it has been still for the window, nothing is touched.
    expect(await step(0)).toBe('waiting');
    expect(await step(windowMs - 1)).toBe('waiting');
    expect((await getRun(tenantId, runId))?.counts).toMatchObject({ Queued: 5, Failed: 0 });

    // Then one pass, two jobs a step: A and B, then C (live) and D (never received), then E.
    expect(await step(windowMs + 1)).toBe('fed');
    expect((await getRun(tenantId, runId))?.counts).toMatchObject({ Queued: 3, Failed: 2 });
    expect(await step(windowMs + 2)).toBe('fed');
    expect(await step(windowMs + 3)).toBe('waiting');

    const run = await getRun(tenantId, runId);
    expect(run?.state).toBe('Sending');
    expect(run?.feed.stage).toBe('Drain');
    expect(run?.counts).toMatchObject({ Queued: 2, Failed: 3 });
    expect(run?.counts).toEqual((await countRunJobs(tenantId, runId)).counts);
    expect(await state('A')).toMatchObject({
      state: 'DeadLettered',
      reason: STALLED_REASONS.Claimed,
      stalledIn: 'Claimed',
    });
    expect(await state('A')).not.toHaveProperty('leaseUntil');
    expect(await state('B')).toMatchObject({
      state: 'DeadLettered',
      reason: STALLED_REASONS.Sending,
      stalledIn: 'Sending',
    });
    expect(await state('C')).toMatchObject({ state: 'Claimed', owner: 'm-c' });
    expect(await state('D')).toMatchObject({ state: 'Retrying', attempts: 0 });
    expect(await state('E')).toMatchObject({
      state: 'DeadLettered',
      reason: `${STALLED_REASONS.Retrying}; last error: SES did not send: Throttling`,
    });

    // The pass is over: the next one waits for another still window, and leaves the live claim alone.
    expect(await step(windowMs + 4)).toBe('waiting');
    expect((await getRun(tenantId, runId))?.feed.seq).toBe(run?.feed.seq);
    for (const ms of [3 * windowMs, 3 * windowMs + 1, 3 * windowMs + 2]) await step(ms);
    expect(await state('C')).toMatchObject({ state: 'Claimed', owner: 'm-c' });
    expect((await getRun(tenantId, runId))?.counts).toMatchObject({ Queued: 2, Failed: 3 });
  });

  it('restarts the still window whenever a job of the run ends', async () => {
    const { tenantId, runId } = await drainingRun(windowMs);
    const step = (ms: number) => feedRun({ version: 1, tenantId, runId }, at(ms), logger);
    const stateOf = async (code: string) =>
      (
        await documentClient().send(
          new GetCommand({
            TableName: process.env.TABLE_NAME,
            Key: jobKey(tenantId, runId, code),
            ConsistentRead: true,
          }),
        )
      ).Item?.state;
    expect(await step(0)).toBe('waiting');
    // C's live worker ends its job (counted Queued 5 -> 4) before the window has passed.
    await markJobFailed({ tenantId, batchId: runId, customerCode: 'C', run: {} }, 'm-c', 'Test', at(1));
    // Past the first window, but the run moved: the window starts again, nothing is touched.
    expect(await step(windowMs + 1)).toBe('waiting');
    expect(await stateOf('A')).toBe('Claimed');
    expect((await getRun(tenantId, runId))?.counts).toMatchObject({ Queued: 4, Failed: 1 });
    // Still for a whole window since then: the pass runs.
    for (const ms of [2 * windowMs + 2, 2 * windowMs + 3, 2 * windowMs + 4]) await step(ms);
    expect(await stateOf('A')).toBe('DeadLettered');
    expect((await getRun(tenantId, runId))?.counts).toMatchObject({ Queued: 1, Failed: 4 });
  });
});
