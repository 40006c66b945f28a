/**
 * A failed customer retried in the same run (docs/runs.md, "Retry pass"): SES refuses one
 * customer's sends for every delivery of the first pass, so its job is dead-lettered; the run's
 * retry pass queues it once more and it is sent in the same run. A customer SES refuses for good
 * stays Failed after its one retry; a permanent failure (a malformed address) is never retried.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJob } from '#shared/aws/dynamodb-jobs.ts';
import { sesClient } from '#shared/aws/ses.ts';
import { JOB_MAX_RECEIVE_COUNT } from '#shared/aws/table-design.ts';
import { importFixture } from '#shared/seed/import-fixture.ts';
import { startRun } from '#shared/services/runs/start-run.ts';
import { useRunFeedQueue } from '../support/run-queues.ts';
import { countRunJobs, manyCustomersTenant, startRunPollers, waitForRun } from '../support/runs.ts';
import { sentEmails } from '../support/ses.ts';
import { freshQueues } from './harness.ts';
import { recordFigure } from './report.ts';

process.env.RUN_FEED_DELAY_SECONDS = '1';
// Redelivered every second; the worker's lease (2 x 300 ms) lapses before.
const jobs = await freshQueues(1);
process.env.JOB_QUEUE_URL = jobs.queueUrl;
process.env.JOB_DLQ_URL = jobs.deadLetterQueueUrl;

describe('a failed customer in a run', () => {
  // C0004 has a malformed address: a permanent failure.
  const { tenant } = manyCustomersTenant(5, { badAddress: (index) => index === 4 });
  const refusals = new Map<string, number>();
  /** C0001: refused for the whole first pass; C0003: refused always. */
  const refuse = (code: string) => {
    const seen = refusals.get(code) ?? 0;
    refusals.set(code, seen + 1);
    return code === 'c0003' || (code === 'c0001' && seen < JOB_MAX_RECEIVE_COUNT);
  };
  let stop: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    await useRunFeedQueue();
    await importFixture({ Tenants: [tenant] }, '2026-11-24');
    sesClient().middlewareStack.add(
      (next, context) => async (args) => {
        const destinations = (args.input as { Destinations?: string[] }).Destinations ?? [];
        const code = /^(c\d{4})\./.exec(destinations[0] ?? '')?.[1];
        if (context.commandName === 'SendRawEmailCommand' && code !== undefined && refuse(code)) {
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
    const runId = randomUUID();
    await startRun({
      tenantId: tenant.Id,
      runId,
      selection: { type: 'All' },
      period: { start: '2026-08-01', end: '2026-10-31', filterAll: false, excludePaid: false },
      origin: { type: 'Api' },
      now: new Date(),
    });
    const run = await waitForRun(tenant.Id, runId, (r) => r.state === 'Completed', 50_000);
    expect(run?.state).toBe('Completed');
    expect(run?.retried).toBe(2);
    expect(run?.counts).toMatchObject({ Queued: 0, Sent: 3, Failed: 2 });
    expect(run?.counts).toEqual((await countRunJobs(tenant.Id, runId)).counts);

    const job = (code: string) => getJob({ tenantId: tenant.Id, batchId: runId, customerCode: code });
    const retried = await job('C0001');
    expect(retried).toMatchObject({ state: 'Sent', attempts: JOB_MAX_RECEIVE_COUNT + 1 });
    const failing = await job('C0003');
    expect(failing?.state).toBe('DeadLettered');
    expect(failing?.attempts).toBe(2 * JOB_MAX_RECEIVE_COUNT);
    expect(failing?.reason).toContain('SES did not send: ServiceUnavailable');
    const permanent = await job('C0004');
    expect(permanent).toMatchObject({ state: 'Failed', attempts: 1 });
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
      permanent?.attempts === 1 ? 0 : 1,
      'permanent failures retried by the retry pass (must be 0)',
    );
  });
});
