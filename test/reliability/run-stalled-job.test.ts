/**
 * A run whose job's worker died on its last receive (docs/runs.md, "Completion and its limits"):
 * every delivery of one customer's first pass loses SES's answer (the connection drops; SES did
 * not send), so the worker leaves the job `Sending` each time and, on the last receive, its
 * dead-letter record cannot move it (SES may have sent it). SQS dead-letters the message; the job
 * stays counted `Queued`. The feeder's Drain stage must record it dead-lettered once the jobs'
 * redelivery window has passed (counted Failed), the retry pass take it back once, and the run
 * complete with that customer sent exactly once.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sesClient } from '#shared/aws/ses.ts';
import { importFixture } from '#shared/seed/import-fixture.ts';
import { STALLED_REASONS } from '#shared/services/runs/sweep-lapsed-jobs.ts';
import { useRunFeedQueue } from '../support/run-queues.ts';
import {
  countRunJobs,
  manyCustomersTenant,
  startAllCustomersRun,
  startRunPollers,
  storedRunJob,
  waitForRun,
} from '../support/runs.ts';
import { sentEmails } from '../support/ses.ts';
import { freshQueues } from './harness.ts';
import { recordFigure } from './report.ts';

process.env.RUN_FEED_DELAY_SECONDS = '1';
// Redelivered every 2 s, 5 receives: the redelivery window is 10 s. The worker's lease (2 x 300
// ms) lapses well before each redelivery.
const jobs = await freshQueues(2);
process.env.JOB_QUEUE_URL = jobs.queueUrl;
process.env.JOB_DLQ_URL = jobs.deadLetterQueueUrl;

describe('a run whose job was left Sending by its last delivery', () => {
  const { tenant } = manyCustomersTenant(3);
  let runId = '';
  let lostAnswers = 0;
  const job = (code: string) => storedRunJob(tenant.Id, runId, code);
  let stop: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    await useRunFeedQueue();
    await importFixture({ Tenants: [tenant] }, '2026-11-24');
    sesClient().middlewareStack.add(
      (next, context) => async (args) => {
        const destinations = (args.input as { Destinations?: string[] }).Destinations ?? [];
        const stalls =
          context.commandName === 'SendRawEmailCommand' &&
          destinations[0]?.startsWith('c0001.') === true &&
          (await job('C0001'))?.retryPass === undefined;
        if (stalls) {
          // The connection drops before SES answers: the worker cannot know whether it sent.
          lostAnswers += 1;
          throw Object.assign(new Error('socket hang up'), { name: 'Error', code: 'ECONNRESET' });
        }
        return next(args);
      },
      { step: 'initialize', name: 'ses-answer-lost' },
    );
    stop = await startRunPollers({ workerTimeoutMs: 300 });
  });
  afterAll(async () => {
    sesClient().middlewareStack.remove('ses-answer-lost');
    await stop();
  });

  it('records the customer dead-lettered after the redelivery window, retries it once, and completes', async () => {
    runId = randomUUID();
    await startAllCustomersRun(tenant.Id, runId);
    const run = await waitForRun(tenant.Id, runId, (r) => r.state === 'Completed', 90_000);
    expect(run?.state).toBe('Completed');
    // Recorded dead-lettered (counted Failed) once the window had passed, then taken back by the
    // retry pass, once: it runs at once after the sweep's last page (the swept job left Queued),
    // so the moment it is counted Failed is too short to poll for; the retry pass takes back only
    // dead-lettered jobs, and the counters below equal the job items.
    expect(run?.retried).toBe(1);
    expect(run?.counts).toMatchObject({ Queued: 0, Sent: 3, Failed: 0 });
    expect(run?.counts).toEqual((await countRunJobs(tenant.Id, runId)).counts);

    const stalled = await job('C0001');
    expect(stalled).toMatchObject({ state: 'Sent', retryPass: 1, stalledIn: 'Sending' });
    // The dead-letter reason the sweep recorded, kept by the retry pass as the last error.
    expect(stalled?.lastError).toBe(STALLED_REASONS.Sending);
    // Every delivery of the first pass lost its answer, up to the queue's receive limit.
    expect(lostAnswers).toBeGreaterThanOrEqual(1);
    expect(stalled?.attempts).toBeGreaterThan(lostAnswers);

    const emails = await sentEmails(`.${tenant.Id}@run.example`);
    const codeOf = (to = '') => /<(c\d{4})\./.exec(to)?.[1]?.toUpperCase();
    expect(emails.map((email) => codeOf(email.destination.to[0])).sort()).toEqual([
      'C0000',
      'C0001',
      'C0002',
    ]);
    recordFigure(
      'run.stalled.completed',
      run?.state === 'Completed' ? 1 : 0,
      'runs completed whose job was left Sending by its last delivery (of 1)',
    );
  });
});
