/**
 * When the run feeder looks at a run again (docs/runs.md, Admission), step by step on the embedded
 * emulators: a run at its cap is looked at when a quarter of the cap should have drained at the
 * rate measured since the last look, not after the longest wait; a run with nothing drained is
 * looked at less and less often; a run whose selection is exhausted, when none should be left.
 * Never more than the cap queued.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { markJobSent } from '#shared/aws/dynamodb-jobs.ts';
import { getRun } from '#shared/aws/dynamodb-runs.ts';
import { sqsClient } from '#shared/aws/sqs.ts';
import { handleRunFeedRecord } from '#shared/services/runs/consume-run-feeds.ts';
import type { FeedLook } from '#shared/services/runs/next-look.ts';
import { useRunFeedQueue } from '../support/run-queues.ts';
import { allCustomersRun } from '../support/runs.ts';
import { sqsRecord } from '../support/sqs-events.ts';

// Read once per file (shared/config.ts): a cap of 10 (refilled at 8) and the AWS longest wait.
process.env.RUN_PAGE_SIZE = '500';
process.env.RUN_QUEUED_CAP = '10';
process.env.RUN_FEED_DELAY_SECONDS = '15';

let feedQueue = '';

/** The feed messages the steps sent: their delay and what they carry. */
const sentFeeds: { delaySeconds: number; look?: FeedLook }[] = [];

/** One feed step, as the feeder's SQS consumer takes it, with the look its message carries. */
const step = (tenantId: string, runId: string, look?: FeedLook) =>
  handleRunFeedRecord(
    sqsRecord(JSON.stringify({ version: 1, tenantId, runId, ...(look === undefined ? {} : { look }) })),
  );

/** The last feed message sent. */
const lastFeed = () => sentFeeds.at(-1);

/** Marks `count` of the run's jobs sent (a counted transition each: Queued - 1, Sent + 1). */
async function send(tenantId: string, runId: string, codes: readonly string[]) {
  for (const customerCode of codes) {
    const recipient = { address: 'a@run.example', line: 'To' as const, state: 'Sent' as const, stateRank: 1 };
    const job = { tenantId, batchId: runId, customerCode };
    expect(await markJobSent(job, `run-${randomUUID()}`, [recipient], new Date())).toBe(true);
  }
}

describe("the run feeder's next look", () => {
  beforeAll(async () => {
    feedQueue = (await useRunFeedQueue()).queueUrl;
    sqsClient().middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { QueueUrl?: string; DelaySeconds?: number; MessageBody?: string };
        if (input.QueueUrl === feedQueue && input.MessageBody !== undefined) {
          const body = JSON.parse(input.MessageBody) as { look?: FeedLook };
          sentFeeds.push({
            delaySeconds: input.DelaySeconds ?? 0,
            ...(body.look ? { look: body.look } : {}),
          });
        }
        return next(args);
      },
      { step: 'initialize', name: 'feed-delays' },
    );
  });
  afterEach(() => {
    sentFeeds.length = 0;
  });

  it('refills a run at its cap when a quarter of it should have drained at the measured rate', async () => {
    const { tenantId, codes, runId } = await allCustomersRun(40);
    const first = Date.now();
    expect(await step(tenantId, runId)).toBe('fed');
    // At the cap: nothing measured yet, looked at after 1 s (not at once, not the longest wait).
    expect((await getRun(tenantId, runId))?.counts.Queued).toBe(10);
    expect(lastFeed()?.delaySeconds).toBe(1);
    expect(lastFeed()?.look?.queued).toBe(10);

    // 2 sent in the 4 s since that look (0.5 a second): 8 left, 2 fed, 10 again; refilled at 8
    // (a quarter of the cap drained) in 4 s, and the rate passed on.
    await send(tenantId, runId, codes.slice(0, 2));
    expect(await step(tenantId, runId, { queued: 10, at: Date.now() - 4_000 })).toBe('fed');
    const run = await getRun(tenantId, runId);
    expect(run?.counts.Queued).toBe(10);
    expect(run?.total).toBe(12);
    expect(lastFeed()).toMatchObject({ delaySeconds: 4, look: { queued: 10 } });
    expect(lastFeed()?.look?.rate).toBeCloseTo(0.5, 1);
    expect(lastFeed()?.look?.at).toBeGreaterThanOrEqual(first);
  });

  it('waits at a full run, twice as long each time nothing drained, up to the longest wait', async () => {
    const { tenantId, runId } = await allCustomersRun(20);
    expect(await step(tenantId, runId)).toBe('fed');
    // (Each wait is twice the time since the look, rounded up: 0.7 s ago is 2 s, 3.6 s ago 8 s.)
    expect(await step(tenantId, runId, { queued: 10, at: Date.now() - 700 })).toBe('waiting');
    expect(lastFeed()).toMatchObject({ delaySeconds: 2, look: { queued: 10 } });
    expect(await step(tenantId, runId, { queued: 10, at: Date.now() - 3_600 })).toBe('waiting');
    expect(lastFeed()?.delaySeconds).toBe(8);
    expect(await step(tenantId, runId, { queued: 10, at: Date.now() - 8_000 })).toBe('waiting');
    expect(lastFeed()?.delaySeconds).toBe(15);
    // Never more than the cap queued, and nothing written while waiting.
    expect(await getRun(tenantId, runId)).toMatchObject({
      total: 10,
      counts: expect.objectContaining({ Queued: 10 }),
    });
  });

  it('looks for the end of a run whose selection is exhausted when none should be left', async () => {
    const { tenantId, codes, runId } = await allCustomersRun(12);
    expect(await step(tenantId, runId)).toBe('fed');
    await send(tenantId, runId, codes.slice(0, 6));
    // 6 sent in 2.5 s; the last 2 fed: the selection is exhausted with 6 queued, none left in 2.5 s:
    // a look after 3 s (no earlier than the end).
    expect(await step(tenantId, runId, { queued: 10, at: Date.now() - 2_500 })).toBe('fed');
    expect(await getRun(tenantId, runId)).toMatchObject({ total: 12, state: 'Sending' });
    expect(lastFeed()).toMatchObject({ delaySeconds: 3, look: { queued: 6 } });
  });
});
