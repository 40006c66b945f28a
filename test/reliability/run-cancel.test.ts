/**
 * A run cancelled mid-run (docs/runs.md, "Cancellation"): after the DELETE is answered nothing is
 * sent but the jobs a worker had already claimed; the feeder feeds nothing more; every other job
 * on the queue ends Cancelled; the counters equal the job items by state.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as runsApi } from '#functions/statement-runs-api/handler.ts';
import { importFixture } from '#shared/seed/import-fixture.ts';
import type { RunView } from '#shared/services/runs/run-requests.ts';
import { apiEvent, invoke, jsonBody } from '../support/api-events.ts';
import { useRunFeedQueue } from '../support/run-queues.ts';
import {
  countRunJobs,
  manyCustomersTenant,
  runJobStates,
  startRunPollers,
  waitForRun,
} from '../support/runs.ts';
import { sentEmails } from '../support/ses.ts';
import { freshQueues } from './harness.ts';
import { recordFigure } from './report.ts';

process.env.RUN_PAGE_SIZE = '20';
process.env.RUN_QUEUED_CAP = '40';
process.env.RUN_FEED_DELAY_SECONDS = '1';
const jobs = await freshQueues(4);
process.env.JOB_QUEUE_URL = jobs.queueUrl;
process.env.JOB_DLQ_URL = jobs.deadLetterQueueUrl;

const CUSTOMERS = 300;
const RUNS_PATH = '/v2/customerstatements/runs';

describe('a run cancelled mid-run', () => {
  const { tenant } = manyCustomersTenant(CUSTOMERS);
  let stop: () => Promise<void> = async () => undefined;
  /** While set, deliveries wait before the worker: jobs fed meanwhile stay unclaimed. */
  let held: Promise<void> | undefined;

  beforeAll(async () => {
    await useRunFeedQueue();
    await importFixture({ Tenants: [tenant] }, '2026-11-24');
    stop = await startRunPollers({
      workerConcurrency: 2,
      workerTimeoutMs: 1_500,
      beforeWorker: () => held ?? Promise.resolve(),
    });
  });
  afterAll(async () => {
    await stop();
  });

  it('sends nothing after the cancel is answered except jobs already claimed', async () => {
    const call = (method: string, runId?: string) =>
      invoke(
        runsApi,
        apiEvent({
          method,
          tenantId: tenant.Id,
          path: runId === undefined ? RUNS_PATH : `${RUNS_PATH}/${runId}`,
          resource: runId === undefined ? RUNS_PATH : `${RUNS_PATH}/{runId}`,
          ...(runId === undefined ? {} : { pathParameters: { runId } }),
          body: method === 'POST' ? JSON.stringify({ Selection: 'All' }) : null,
          query: { startdate: '20260801', enddate: '20261031' },
        }),
      );
    const { RunId: runId } = jsonBody<RunView>(await call('POST'));
    await waitForRun(tenant.Id, runId, (run) => run.counts.Sent >= 30);
    // Hold the next deliveries before the worker, so that the cancel surely finds jobs on the
    // queue that no worker has claimed (how many otherwise depends on the machine's speed).
    let release: () => void = () => undefined;
    held = new Promise((resolve) => {
      release = resolve;
    });
    // ...and wait until the feeder has fed some while they are held (its next look may be a
    // second away): a fed job no worker claimed is `Retrying` with no attempt.
    const deadline = Date.now() + 20_000;
    while (![...(await runJobStates(tenant.Id, runId)).values()].includes('Retrying')) {
      if (Date.now() > deadline) throw new Error('The feeder fed nothing while deliveries were held');
      await sleep(100);
    }

    const answer = await call('DELETE', runId);
    expect(answer.statusCode).toBe(202);
    // Claims after the cancel are refused, so what is claimed or sent now is all that may be sent.
    const atCancel = await runJobStates(tenant.Id, runId);
    const mayBeSent = new Set(
      [...atCancel]
        .filter(([, state]) => ['Claimed', 'Sending', 'Sent'].includes(state))
        .map(([code]) => code),
    );
    held = undefined;
    release();
    const run = await waitForRun(tenant.Id, runId, (r) => r.counts.Queued === 0, 40_000);
    await sleep(1_500);
    const final = await runJobStates(tenant.Id, runId);
    const sentAfter = [...final].filter(([, state]) => state === 'Sent').map(([code]) => code);
    const sentUnclaimed = sentAfter.filter((code) => !mayBeSent.has(code));
    expect(sentUnclaimed).toEqual([]);
    expect(run?.state).toBe('Cancelled');
    expect(run?.total).toBeLessThan(CUSTOMERS);
    expect(run?.counts.Cancelled).toBeGreaterThan(0);
    const counted = await countRunJobs(tenant.Id, runId);
    const latest = await waitForRun(tenant.Id, runId, () => true);
    expect(latest?.counts).toEqual(counted.counts);
    expect(latest?.total).toBe(counted.total);
    // One email per Sent job, none for the cancelled.
    expect(await sentEmails(`.${tenant.Id}@run.example`)).toHaveLength(counted.counts.Sent);
    // The feeder fed nothing after the cancel: every job is one it had fed before.
    expect(counted.total).toBe(atCancel.size);

    recordFigure(
      'run.cancel.sentUnclaimed',
      sentUnclaimed.length,
      'emails sent after a run cancel was answered for jobs not claimed before it (must be 0)',
    );
    recordFigure(
      'run.cancel.cancelled',
      counted.counts.Cancelled,
      `jobs on the queue that ended Cancelled (of ${CUSTOMERS}; ${counted.counts.Sent} sent)`,
    );
  });
});
