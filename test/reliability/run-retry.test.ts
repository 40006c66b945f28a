/**
 * A failed customer retried in the same run (docs/runs.md, "Retry pass"): SES refuses one
 * customer's sends for every delivery of the first pass, so its job is dead-lettered; the run's
 * retry pass queues it once more and it is sent in the same run. A customer SES refuses for good
 * stays Failed after its one retry; a permanent failure (a malformed address) is never retried.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sesClient } from '#shared/aws/ses.ts';
import { importFixture } from '#shared/seed/import-fixture.ts';
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
// Redelivered every 2 s; the worker's lease (2 x 300 ms) lapses well before, even on a busy machine.
const jobs = await freshQueues(2);
process.env.JOB_QUEUE_URL = jobs.queueUrl;
process.env.JOB_DLQ_URL = jobs.deadLetterQueueUrl;

describe('a failed customer in a run', () => {
  // C0004 has a malformed address: a permanent failure.
  const { tenant } = manyCustomersTenant(5, { badAddress: (index) => index === 4 });
  const refusals = new Map<string, number>();
  let runId = '';
  /** The job item as stored (with `retryPass`, which the job record's schema leaves out). */
  const job = (code: string) => storedRunJob(tenant.Id, runId, code);
  /** C0001: refused until the retry pass has taken its job back; C0003: refused always. */
  const refuse = async (code: string) => {
    const refused =
      code === 'c0003' || (code === 'c0001' && (await job(code.toUpperCase()))?.retryPass === undefined);
    if (refused) refusals.set(code, (refusals.get(code) ?? 0) + 1);
    return refused;
  };
  let stop: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    await useRunFeedQueue();
    await importFixture({ Tenants: [tenant] }, '2026-11-24');
    sesClient().middlewareStack.add(
      (next, context) => async (args) => {
        const destinations = (args.input as { Destinations?: string[] }).Destinations ?? [];
        const code = /^(c\d{4})\./.exec(destinations[0] ?? '')?.[1];
        if (context.commandName === 'SendRawEmailCommand' && code !== undefined && (await refuse(code))) {
          throw Object.assign(new Error('Service unavailable'), {
            name: 'ServiceUnavailable',
            $metadata: { httpStatusCode: 503 },
          });
        }
        return next(args);
      },
      { step: 'initialize', name: 'ses-refuses-some' },
    );
    stop = await startRunPollers({ workerTimeoutMs: 300 });
  });
  afterAll(async () => {
    sesClient().middlewareStack.remove('ses-refuses-some');
    await stop();
  });

  it('sends it in the same run after the retry pass; one that keeps failing stays Failed with its reason', async () => {
    runId = randomUUID();
    await startAllCustomersRun(tenant.Id, runId);
    const run = await waitForRun(tenant.Id, runId, (r) => r.state === 'Completed', 50_000);
    expect(run?.state).toBe('Completed');
    expect(run?.retried).toBe(2);
    expect(run?.counts).toMatchObject({ Queued: 0, Sent: 3, Failed: 2 });
    expect(run?.counts).toEqual((await countRunJobs(tenant.Id, runId)).counts);

    // Dead-lettered after the first pass's deliveries, taken back once, sent by the retry pass.
    const retried = await job('C0001');
    expect(retried).toMatchObject({ state: 'Sent', retryPass: 1 });
    // Every delivery of its first pass was refused: it ended dead-lettered before the retry pass.
    expect(refusals.get('c0001')).toBeGreaterThanOrEqual(1);
    expect(retried?.attempts).toBeGreaterThan(1);
    expect(refusals.get('c0003')).toBeGreaterThan(refusals.get('c0001') ?? 0);
    const failing = await job('C0003');
    expect(failing).toMatchObject({ state: 'DeadLettered', retryPass: 1 });
    expect(failing?.reason).toContain('SES did not send: ServiceUnavailable');
    // A permanent failure: claimed once, failed, never taken back.
    const permanent = await job('C0004');
    expect(permanent).toMatchObject({ state: 'Failed', attempts: 1 });
    expect(permanent?.retryPass).toBeUndefined();
    expect(permanent?.reason).toContain('Invalid customer email address');

    const emails = await sentEmails(`.${tenant.Id}@run.example`);
    const codeOf = (to = '') => /<(c\d{4})\./.exec(to)?.[1]?.toUpperCase();
    expect(emails.map((email) => codeOf(email.destination.to[0])).sort()).toEqual([
      'C0000',
      'C0001',
      'C0002',
    ]);
    recordFigure(
      'run.retry.sent',
      1,
      'customers SES refused for a whole first pass, sent in the same run by its retry pass (of 1)',
    );
    recordFigure(
      'run.retry.permanentRetried',
      permanent?.retryPass === undefined ? 0 : 1,
      'permanent failures retried by the retry pass (must be 0)',
    );
  });
});
