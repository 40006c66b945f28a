/**
 * The feeder and jobs that will never end by themselves (docs/runs.md, "Completion and its
 * limits"), step by step on the embedded emulators with the clock given to each step: nothing is
 * touched until the run's Queued count has been still for the jobs' redelivery window (read from
 * the job queue: 1 s visibility x 2 receives here) and the job queue holds no message (visible,
 * delayed or in flight); then a lapsed `Claimed` or `Sending` job, one a worker released and
 * nobody took since, or one fed and never claimed, is recorded dead-lettered (counted Queued ->
 * Failed), a page at a time; a live claim and a finished job are left alone. The sweep runs
 * wherever a run waits with jobs Queued: at the cap in Select, in Drain and Finish.
 */
import { randomUUID } from 'node:crypto';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SQS_CLIENT_CONFIG } from '#shared/aws/client-config.ts';
import { documentClient } from '#shared/aws/dynamodb.ts';
import { markJobFailed } from '#shared/aws/dynamodb-jobs.ts';
import { advanceFeed, createRun, type FedJob, getRun, putRunJobs } from '#shared/aws/dynamodb-runs.ts';
import { redeliveryWindowMs } from '#shared/aws/sqs-redelivery.ts';
import { jobKey } from '#shared/aws/table-keys.ts';
import { logger } from '#shared/observability/powertools.ts';
import { feedRun } from '#shared/services/runs/feed-run.ts';
import { STALLED_REASONS } from '#shared/services/runs/sweep-lapsed-jobs.ts';
import { jobQueueUrl, purge, receiveAll } from '../support/queues.ts';
import { useRunFeedQueue } from '../support/run-queues.ts';
import { countRunJobs, manyCustomersTenant, storedRunJob } from '../support/runs.ts';
import { seedTenants } from '../support/tenants.ts';

// Two jobs a page, so that one pass over the run's five jobs takes three steps; a cap of two.
process.env.RUN_PAGE_SIZE = '2';
process.env.RUN_QUEUED_CAP = '2';
process.env.RUN_FEED_DELAY_SECONDS = '1';

const period = { start: '2026-08-01', end: '2026-10-31', filterAll: false, excludePaid: false };
const t0 = Date.parse('2026-12-01T10:00:00.000Z');
const at = (ms: number) => new Date(t0 + ms);

/** Stores a run's job item as a worker would have left it, with these fields. */
async function storeRunJob(tenantId: string, runId: string, code: string, fields: Record<string, unknown>) {
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
        ...fields,
      },
    }),
  );
}

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
    // Fed and never claimed: every receive failed before the claim, the message is in the DLQ.
    D: { state: 'Retrying', attempts: 0 },
    // Released by a worker, then its message went to the DLQ without the dead-letter record.
    E: { state: 'Retrying', attempts: 5, lastError: 'SES did not send: Throttling' },
  } as const;
  for (const [code, fields] of Object.entries(stored))
    await storeRunJob(tenantId, runId, code, { updatedAt: at(-1_000).toISOString(), ...fields });
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
  let feedQueueUrl = '';
  beforeAll(async () => {
    feedQueueUrl = (await useRunFeedQueue()).queueUrl;
    windowMs = await redeliveryWindowMs(process.env.JOB_QUEUE_URL ?? '');
  });
  afterEach(async () => {
    // What a test queued is gone (as if dead-lettered): the next one starts with an idle queue.
    await purge(jobQueueUrl());
  });

  it("reads the jobs' redelivery window from the job queue: visibility timeout x receives", () => {
    // test/support/integration-setup.ts: visibility 1 s, dead letters after 2 receives.
    expect(windowMs).toBe(2_000);
  });

  it('waits for the window, then records the stalled jobs dead-lettered a page at a time, counted Failed', async () => {
    const { tenantId, runId } = await drainingRun(windowMs);
    const step = (ms: number) => feedRun({ version: 1, tenantId, runId }, at(ms), logger);
    const state = (code: string) => storedRunJob(tenantId, runId, code);

    // The first look notes Queued = 5; until it has been still for the window, nothing is touched.
    expect(await step(0)).toBe('waiting');
    expect(await step(windowMs - 1)).toBe('waiting');
    expect((await getRun(tenantId, runId))?.counts).toMatchObject({ Queued: 5, Failed: 0 });

    // Then one pass, two jobs a step: A and B, then C (live) and D (never claimed), then E.
    expect(await step(windowMs + 1)).toBe('fed');
    expect((await getRun(tenantId, runId))?.counts).toMatchObject({ Queued: 3, Failed: 2 });
    expect(await step(windowMs + 2)).toBe('fed');
    expect(await step(windowMs + 3)).toBe('waiting');

    const run = await getRun(tenantId, runId);
    expect(run?.state).toBe('Sending');
    expect(run?.feed.stage).toBe('Drain');
    expect(run?.counts).toMatchObject({ Queued: 1, Failed: 4 });
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
    expect(await state('D')).toMatchObject({
      state: 'DeadLettered',
      reason: STALLED_REASONS.Unclaimed,
      stalledIn: 'Retrying',
      attempts: 0,
    });
    expect(await state('E')).toMatchObject({
      state: 'DeadLettered',
      reason: `${STALLED_REASONS.Retrying}; last error: SES did not send: Throttling`,
    });

    // The pass is over: the next one waits for another still window, and leaves the live claim alone.
    expect(await step(windowMs + 4)).toBe('waiting');
    expect((await getRun(tenantId, runId))?.feed.seq).toBe(run?.feed.seq);
    for (const ms of [3 * windowMs, 3 * windowMs + 1, 3 * windowMs + 2]) await step(ms);
    expect(await state('C')).toMatchObject({ state: 'Claimed', owner: 'm-c' });
    expect((await getRun(tenantId, runId))?.counts).toMatchObject({ Queued: 1, Failed: 4 });
  });

  it('restarts the still window whenever a job of the run ends', async () => {
    const { tenantId, runId } = await drainingRun(windowMs);
    const step = (ms: number) => feedRun({ version: 1, tenantId, runId }, at(ms), logger);
    const stateOf = async (code: string) => (await storedRunJob(tenantId, runId, code))?.state;
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
    expect((await getRun(tenantId, runId))?.counts).toMatchObject({ Queued: 0, Failed: 5 });
  });

  it('sweeps a run held at its cap in Select by jobs whose worker died, feeds on, and completes', async () => {
    const { tenant } = manyCustomersTenant(4);
    await seedTenants(tenant);
    const tenantId = tenant.Id;
    const runId = randomUUID();
    await createRun({
      tenantId,
      runId,
      selection: { type: 'All' },
      period,
      origin: { type: 'Api' },
      now: at(0),
    });
    const step = (ms: number) => feedRun({ version: 1, tenantId, runId }, at(ms), logger);
    const jobItem = (code: string) => storedRunJob(tenantId, runId, code);

    // The first page fills the cap (2); both workers die on their last receive while sending,
    // and SQS moves the messages to the jobs' DLQ (the queue is left empty).
    expect(await step(0)).toBe('fed');
    await purge(jobQueueUrl());
    for (const code of ['C0000', 'C0001'])
      await storeRunJob(tenantId, runId, code, {
        state: 'Sending',
        owner: `m-${code}`,
        leaseUntil: t0 + 1_000,
        attempts: 5,
        updatedAt: at(1).toISOString(),
      });

    // At the cap, nothing is fed; once Queued has been still for the window, the two are swept.
    expect(await step(10)).toBe('waiting');
    expect(await step(windowMs)).toBe('waiting');
    expect((await getRun(tenantId, runId))?.counts).toMatchObject({ Queued: 2, Failed: 0 });
    await step(windowMs + 1_001);
    expect(await jobItem('C0000')).toMatchObject({ state: 'DeadLettered', stalledIn: 'Sending' });
    expect(await jobItem('C0001')).toMatchObject({ state: 'DeadLettered', reason: STALLED_REASONS.Sending });
    let run = await getRun(tenantId, runId);
    expect(run?.counts).toMatchObject({ Queued: 0, Failed: 2 });
    expect(run?.feed.stage).toBe('Select');

    // The run feeds on: the next page, the selection's last two customers.
    expect(await step(windowMs + 1_002)).toBe('fed');
    run = await getRun(tenantId, runId);
    expect(run).toMatchObject({ total: 4 });
    expect(run?.counts).toMatchObject({ Queued: 2, Failed: 2 });
    expect(await jobItem('C0002')).toMatchObject({ state: 'Retrying', attempts: 0 });

    // Those two never reach a worker's claim (it fails before it on every receive), and the
    // retry pass takes all four back, to die again: each is swept once the queue is idle and the
    // run still for the window, wherever the run waits (Select and Retry at the cap, Finish), and
    // the run completes with every job counted once.
    await purge(jobQueueUrl());
    let ms = 10 * windowMs;
    for (let steps = 0; run?.state !== 'Completed' && steps < 60; steps += 1) {
      await step(ms);
      await purge(jobQueueUrl());
      ms += windowMs / 2;
      run = await getRun(tenantId, runId);
    }
    expect(run?.state).toBe('Completed');
    expect(run).toMatchObject({ total: 4, retried: 4 });
    expect(run?.counts).toMatchObject({ Queued: 0, Failed: 4 });
    expect(run?.counts).toEqual((await countRunJobs(tenantId, runId)).counts);
    expect(await jobItem('C0002')).toMatchObject({
      state: 'DeadLettered',
      reason: STALLED_REASONS.Unclaimed,
    });
    expect(await jobItem('C0000')).toMatchObject({ state: 'DeadLettered', retryPass: 1 });
  });

  it('sweeps nothing while the job queue holds a message that could still reach a worker', async () => {
    const { tenantId, runId } = await drainingRun(windowMs);
    const step = (ms: number) => feedRun({ version: 1, tenantId, runId }, at(ms), logger);
    const sqs = new SQSClient(SQS_CLIENT_CONFIG);
    const stateOf = async (code: string) => (await storedRunJob(tenantId, runId, code))?.state;

    expect(await step(0)).toBe('waiting');
    // D's message waits behind other tenants' jobs (visible), then is delayed, then in flight.
    await sqs.send(new SendMessageCommand({ QueueUrl: jobQueueUrl(), MessageBody: '{}' }));
    expect(await step(windowMs + 1)).toBe('waiting');
    expect(await step(10 * windowMs)).toBe('waiting');
    await purge(jobQueueUrl());
    await sqs.send(new SendMessageCommand({ QueueUrl: jobQueueUrl(), MessageBody: '{}', DelaySeconds: 60 }));
    expect(await step(20 * windowMs)).toBe('waiting');
    await purge(jobQueueUrl());
    await sqs.send(new SendMessageCommand({ QueueUrl: jobQueueUrl(), MessageBody: '{}' }));
    await sqs.send(new ReceiveMessageCommand({ QueueUrl: jobQueueUrl(), VisibilityTimeout: 60 }));
    expect(await step(30 * windowMs)).toBe('waiting');
    for (const code of ['A', 'B', 'D', 'E']) expect(await stateOf(code)).not.toBe('DeadLettered');
    expect((await getRun(tenantId, runId))?.counts).toMatchObject({ Queued: 5, Failed: 0 });

    // The queue is idle: the pass runs.
    await purge(jobQueueUrl());
    for (const ms of [40 * windowMs, 40 * windowMs + 1, 40 * windowMs + 2]) await step(ms);
    for (const code of ['A', 'B', 'D', 'E']) expect(await stateOf(code)).toBe('DeadLettered');
    expect(await stateOf('C')).toBe('Claimed');
    expect((await getRun(tenantId, runId))?.counts).toMatchObject({ Queued: 1, Failed: 4 });
  });

  it("carries the look of the message it handles to a sweep's next page, less the jobs swept", async () => {
    const { tenantId, runId } = await drainingRun(windowMs);
    expect(await feedRun({ version: 1, tenantId, runId }, at(0), logger)).toBe('waiting');
    await purge(feedQueueUrl);
    // The wait before this look had grown (nothing drained for a while): the next page of the
    // pass must not start it again from 1 s.
    const look = { queued: 5, at: at(-8_000).getTime() };
    expect(await feedRun({ version: 1, tenantId, runId, look }, at(windowMs + 1), logger)).toBe('fed');
    const sent = (await receiveAll(feedQueueUrl)).map((message) => JSON.parse(message.Body ?? '{}'));
    // A and B were swept: they left Queued without draining, so the look counts them gone.
    expect(sent).toEqual([{ version: 1, tenantId, runId, look: { queued: 3, at: look.at } }]);
  });
});
