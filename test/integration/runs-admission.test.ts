/**
 * A run's feeder step by step (no pollers): the admission cap keeps at most RUN_QUEUED_CAP of a
 * run's jobs queued; a step fed twice writes and counts its page once; a duplicated feed message
 * stops at the cursor advance; SES events move a run's counters as they move its jobs.
 */
import { randomUUID } from 'node:crypto';
import type { Context, SNSEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as sesEvents } from '#functions/ses-events/handler.ts';
import { dynamoDbClient } from '#shared/aws/dynamodb.ts';
import { getJob, markJobSent } from '#shared/aws/dynamodb-jobs.ts';
import { getRun } from '#shared/aws/dynamodb-runs.ts';
import { handleRunFeedRecord } from '#shared/services/runs/consume-run-feeds.ts';
import { lambdaContext } from '../../infra/local/lambda-context.ts';
import { sesEvent, snsEnvelope } from '../../infra/local/ses-event.ts';
import { purge, receiveAll } from '../support/queues.ts';
import { useRunFeedQueue } from '../support/run-queues.ts';
import { allCustomersRun, countRunJobs } from '../support/runs.ts';
import { sqsRecord } from '../support/sqs-events.ts';

process.env.RUN_PAGE_SIZE = '7';
process.env.RUN_QUEUED_CAP = '10';
process.env.RUN_FEED_DELAY_SECONDS = '0';

let feedQueue = '';

/** One feed step, as the feeder's SQS consumer takes it. */
const step = (tenantId: string, runId: string) =>
  handleRunFeedRecord(sqsRecord(JSON.stringify({ version: 1, tenantId, runId })));

describe('the run feeder, step by step', () => {
  beforeAll(async () => {
    feedQueue = (await useRunFeedQueue()).queueUrl;
  });

  it('feeds while fewer than the cap are queued, then waits with a delayed message and writes nothing', async () => {
    const { tenant, codes, runId } = await allCustomersRun(30);
    await purge(feedQueue);
    expect(await step(tenant.Id, runId)).toBe('fed');
    expect((await getRun(tenant.Id, runId))?.counts.Queued).toBe(7);
    // Room for 3 more: the page is cut to the room left under the cap.
    expect(await step(tenant.Id, runId)).toBe('fed');
    expect((await getRun(tenant.Id, runId))?.counts.Queued).toBe(10);
    expect(await step(tenant.Id, runId)).toBe('waiting');
    const run = await getRun(tenant.Id, runId);
    expect(run).toMatchObject({ total: 10, state: 'Feeding' });
    expect((await countRunJobs(tenant.Id, runId)).total).toBe(10);
    const jobs = await receiveAll(process.env.JOB_QUEUE_URL ?? '');
    const ours = jobs
      .map((message) => JSON.parse(message.Body ?? '{}'))
      .filter((job) => job.batchId === runId);
    expect(ours.map((job) => job.customerCode).sort()).toEqual(codes.slice(0, 10));
    expect(ours[0]).toMatchObject({ version: 3, run: { selection: 'All' } });
    // Each step sent the next "feed run R": two at once, the wait's delayed.
    expect((await receiveAll(feedQueue)).length).toBeGreaterThanOrEqual(2);
  });

  it('writes and counts a page once when its step runs twice, and a second chain stops at the advance', async () => {
    const { tenant, runId } = await allCustomersRun(5);
    // Two deliveries of the same step, both past their reads and puts before either advances
    // (each cursor advance waits for the other): one advances, the other is superseded.
    const waiting: (() => void)[] = [];
    dynamoDbClient().middlewareStack.add(
      (next) => async (args) => {
        if (
          String((args.input as { UpdateExpression?: string }).UpdateExpression).startsWith(
            'SET feed = :feed',
          )
        ) {
          await new Promise<void>((resolve) => {
            waiting.push(resolve);
            if (waiting.length === 2) for (const release of waiting) release();
          });
        }
        return next(args);
      },
      { step: 'initialize', name: 'advance-barrier' },
    );
    const outcomes = await Promise.all([step(tenant.Id, runId), step(tenant.Id, runId)]);
    dynamoDbClient().middlewareStack.remove('advance-barrier');
    expect(outcomes.sort()).toEqual(['fed', 'superseded']);
    const run = await getRun(tenant.Id, runId);
    expect(run).toMatchObject({ total: 5, state: 'Sending', counts: expect.objectContaining({ Queued: 5 }) });
    expect((await countRunJobs(tenant.Id, runId)).total).toBe(5);
  });

  it("moves the run's counters with an SES event, which knows only the message id", async () => {
    const { tenant, codes, runId } = await allCustomersRun(2);
    await step(tenant.Id, runId);
    const job = { tenantId: tenant.Id, batchId: runId, customerCode: codes[0] ?? '' };
    const recipient = { address: 'a@run.example', line: 'To' as const, state: 'Sent' as const, stateRank: 1 };
    const sesMessageId = `run-${randomUUID()}`;
    // A sent marker without the message's run (as an SES event's path has none): counted all the same.
    expect(await markJobSent(job, sesMessageId, [recipient], new Date())).toBe(true);
    expect((await getRun(tenant.Id, runId))?.counts).toMatchObject({ Queued: 1, Sent: 1 });
    await (sesEvents as unknown as (e: SNSEvent, c: Context) => Promise<unknown>)(
      snsEnvelope(
        sesEvent('Delivery', sesMessageId, { recipients: ['a@run.example'] }),
      ) as unknown as SNSEvent,
      lambdaContext('ses-events'),
    );
    expect((await getJob(job))?.state).toBe('Delivered');
    const run = await getRun(tenant.Id, runId);
    expect(run?.counts).toMatchObject({ Queued: 1, Sent: 0, Delivered: 1 });
    expect(run?.counts).toEqual((await countRunJobs(tenant.Id, runId)).counts);
  });
});
