/**
 * A run held at its cap by jobs no worker ever claimed (docs/runs.md, "Completion and its
 * limits"): every first-pass delivery of the first page's jobs fails before the worker's claim (an
 * init crash, out of memory, a timeout before the handler), so SQS dead-letters them with the jobs
 * still as fed, counted `Queued`, and the run at its cap in `Select` would never feed again. The
 * feeder's sweep must record them dead-lettered once the run has been still for the redelivery
 * window and the job queue is idle (counted Failed, once), the run feed on, the retry pass take
 * them back once, and the run complete with every customer sent exactly once.
 */
import { randomUUID } from 'node:crypto';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as runFeeder } from '#functions/run-feeder/handler.ts';
import { handler as worker } from '#functions/statement-worker/handler.ts';
import type { RunRecord } from '#shared/domain/run.ts';
import { importFixture } from '#shared/seed/import-fixture.ts';
import { STALLED_REASONS } from '#shared/services/runs/sweep-lapsed-jobs.ts';
import { type Poller, startPoller } from '../../infra/local/poller.ts';
import { useRunFeedQueue } from '../support/run-queues.ts';
import {
  countRunJobs,
  manyCustomersTenant,
  startAllCustomersRun,
  storedRunJob,
  waitForRun,
} from '../support/runs.ts';
import { sentEmails } from '../support/ses.ts';
import { freshQueues } from './harness.ts';
import { recordFigure } from './report.ts';

type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

// A cap of 4: the first page is exactly the four customers whose first pass never gets claimed.
process.env.RUN_QUEUED_CAP = '4';
process.env.RUN_FEED_DELAY_SECONDS = '1';
// Redelivered every 1 s, 5 receives: the redelivery window is 5 s.
const jobs = await freshQueues(1);
process.env.JOB_QUEUE_URL = jobs.queueUrl;
process.env.JOB_DLQ_URL = jobs.deadLetterQueueUrl;

const DOOMED = new Set(['C0000', 'C0001', 'C0002', 'C0003']);

describe('a run held at its cap by jobs no worker claimed', () => {
  const { tenant, codes } = manyCustomersTenant(10);
  let runId = '';
  let failedBeforeClaim = 0;
  const job = (code: string) => storedRunJob(tenant.Id, runId, code);
  let pollers: Poller[] = [];

  beforeAll(async () => {
    await useRunFeedQueue();
    await importFixture({ Tenants: [tenant] }, '2026-11-24');
    // The worker fails before its claim on every first-pass delivery of the doomed customers.
    const failingWorker: SqsHandler = async (event, context) => {
      const failed: string[] = [];
      const passed = [];
      for (const record of event.Records) {
        const code = String((JSON.parse(record.body) as { customerCode?: unknown }).customerCode);
        if (DOOMED.has(code) && (await job(code))?.retryPass === undefined) failed.push(record.messageId);
        else passed.push(record);
      }
      failedBeforeClaim += failed.length;
      const result =
        passed.length === 0
          ? { batchItemFailures: [] }
          : await (worker as unknown as SqsHandler)({ Records: passed }, context);
      return {
        batchItemFailures: [
          ...(result?.batchItemFailures ?? []),
          ...failed.map((itemIdentifier) => ({ itemIdentifier })),
        ],
      };
    };
    pollers = await Promise.all([
      startPoller({
        queueUrl: process.env.RUN_FEED_QUEUE_URL ?? '',
        handler: runFeeder as unknown as SqsHandler,
        functionName: 'run-feeder',
        functionTimeoutMs: 5_000,
        waitTimeSeconds: 0,
        onError: () => undefined,
      }),
      startPoller({
        queueUrl: jobs.queueUrl,
        handler: failingWorker,
        concurrency: 2,
        functionTimeoutMs: 150,
        waitTimeSeconds: 0,
        onError: () => undefined,
      }),
    ]);
  });
  afterAll(async () => {
    await Promise.all(pollers.map((poller) => poller.stop()));
  });

  it('records them dead-lettered after the window, feeds on, retries them once, and completes', async () => {
    runId = randomUUID();
    await startAllCustomersRun(tenant.Id, runId);
    let failedSeen: RunRecord | undefined;
    const run = await waitForRun(
      tenant.Id,
      runId,
      (r) => {
        if (r.counts.Failed > 0) failedSeen ??= r;
        return r.state === 'Completed';
      },
      90_000,
    );
    expect(run?.state).toBe('Completed');
    // Swept while the run was still selecting (its cap held), counted Failed once, retried once.
    expect(failedSeen?.feed.stage).toBe('Select');
    expect(failedSeen?.counts.Failed).toBe(4);
    expect(run).toMatchObject({ total: 10, retried: 4 });
    expect(run?.counts).toMatchObject({ Queued: 0, Sent: 10, Failed: 0 });
    expect(run?.counts).toEqual((await countRunJobs(tenant.Id, runId)).counts);
    for (const code of DOOMED) {
      const item = await job(code);
      expect(item).toMatchObject({ state: 'Sent', retryPass: 1, stalledIn: 'Retrying' });
      expect(item?.lastError).toBe(STALLED_REASONS.Unclaimed);
    }
    // Every first-pass delivery of the four failed before the claim, up to the receive limit.
    expect(failedBeforeClaim).toBeGreaterThanOrEqual(4);

    const emails = await sentEmails(`.${tenant.Id}@run.example`);
    const codeOf = (to = '') => /<(c\d{4})\./.exec(to)?.[1]?.toUpperCase();
    expect(emails.map((email) => codeOf(email.destination.to[0])).sort()).toEqual(codes);
    recordFigure(
      'run.stalled-at-cap.completed',
      run?.state === 'Completed' ? 1 : 0,
      'runs completed whose cap was held by jobs no worker claimed (of 1)',
    );
  });
});
