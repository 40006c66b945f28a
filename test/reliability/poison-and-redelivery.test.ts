import { setTimeout as sleep } from 'node:timers/promises';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as worker } from '#functions/statement-worker/handler.ts';
import { importFixture } from '#shared/seed/import-fixture.ts';
import { lambdaContext } from '../../infra/local/lambda-context.ts';
import { sentEmails } from '../support/ses.ts';
import { sqsEvent, sqsRecord } from '../support/sqs-events.ts';
import { uniqueTenantId } from '../support/tenants.ts';
import { checkInvariants, drain, enqueue, freshQueues, jobsFor, tenantWithCustomers } from './harness.ts';
import { recordFigure } from './report.ts';

// A long worker timeout: these deliveries wait for each other to finish; no claim should lapse.
const runWorker = (event: SQSEvent) =>
  (worker as unknown as (e: SQSEvent, c: Context) => Promise<SQSBatchResponse>)(
    event,
    lambdaContext('worker', 10_000),
  );

describe('poison jobs', () => {
  const tenantId = uniqueTenantId('poison');

  beforeAll(async () => {
    await importFixture({ Tenants: [tenantWithCustomers(tenantId, 20)] }, '2026-11-24');
  });

  it('dead-letters malformed and schema-invalid bodies after the receive limit and fails nothing else', async () => {
    const queues = await freshQueues();
    const valid = jobsFor(
      tenantId,
      Array.from({ length: 20 }, (_, index) => `C${index}`),
    );
    const poison = [
      '{"version":1,"tenantId":',
      'not json at all',
      '',
      JSON.stringify({ version: 2, tenantId }),
      JSON.stringify({ ...valid[0], customerCode: '' }),
      JSON.stringify({ ...valid[0], period: { start: '2013-02-30' } }),
    ];
    await enqueue(queues.queueUrl, [...valid.map((job) => JSON.stringify(job)), ...poison]);

    const stats = await drain(queues.queueUrl, runWorker);
    const outcome = await checkInvariants(valid, queues.deadLetterQueueUrl, tenantId);

    expect(outcome).toMatchObject({ sent: 20, failed: 0, deadLettered: 0, duplicates: 0 });
    expect([...outcome.deadLetterBodies].sort()).toEqual([...poison].sort());
    expect(stats.failed).toBeGreaterThanOrEqual(poison.length * 5);
    recordFigure(
      'poison.dead_lettered',
      poison.length,
      `poison jobs dead-lettered after 5 receives, 20 valid neighbours all sent (${stats.seconds.toFixed(0)} s)`,
    );
  });
});

describe('redelivery', () => {
  const tenantId = uniqueTenantId('redeliver');

  beforeAll(async () => {
    await importFixture({ Tenants: [tenantWithCustomers(tenantId, 1_300)] }, '2026-11-24');
  });

  /** Delivers records until none is reported failed, as SQS redelivers busy ones. */
  async function deliverUntilDone(event: SQSEvent): Promise<number> {
    let pending = event.Records;
    let redeliveries = 0;
    for (let receive = 2; pending.length > 0; receive += 1) {
      const { batchItemFailures } = await runWorker({ Records: pending });
      const failed = new Set(batchItemFailures.map((failure) => failure.itemIdentifier));
      pending = pending
        .filter((record) => failed.has(record.messageId))
        .map((record) => sqsRecord(record.body, receive));
      redeliveries += pending.length;
      if (pending.length > 0) await sleep(100);
    }
    return redeliveries;
  }

  it('sends one email per job when 1,000 jobs are each delivered twice', async () => {
    const jobs = jobsFor(
      tenantId,
      Array.from({ length: 1_000 }, (_, index) => `C${index}`),
    );
    const events = [];
    for (let start = 0; start < jobs.length; start += 10) {
      events.push(jobs.slice(start, start + 10));
    }
    const started = Date.now();
    for (const group of events) await deliverUntilDone(sqsEvent(...group.map((job) => sqsRecord(job))));
    for (const group of events) await deliverUntilDone(sqsEvent(...group.map((job) => sqsRecord(job, 2))));
    const seconds = (Date.now() - started) / 1000;

    const outcome = await checkInvariants(jobs, String(process.env.JOB_DLQ_URL), tenantId);
    expect(outcome).toMatchObject({ sent: 1_000, failed: 0, deadLettered: 0, duplicates: 0 });
    recordFigure(
      'redelivery.twice',
      1_000,
      `jobs delivered twice: 1,000 emails, 0 duplicates, 1,000 notes (${seconds.toFixed(0)} s)`,
    );
  });

  it('sends one email per job when 300 jobs are each delivered three times at once', async () => {
    const jobs = jobsFor(
      tenantId,
      Array.from({ length: 300 }, (_, index) => `C${1_000 + index}`),
    );
    let redeliveries = 0;
    for (let start = 0; start < jobs.length; start += 10) {
      const group = jobs.slice(start, start + 10);
      const copies = [1, 2, 3].map(() => deliverUntilDone(sqsEvent(...group.map((job) => sqsRecord(job)))));
      redeliveries += (await Promise.all(copies)).reduce((sum, count) => sum + count, 0);
    }

    const outcome = await checkInvariants(jobs, String(process.env.JOB_DLQ_URL), tenantId);
    expect(outcome).toMatchObject({ sent: 300, failed: 0, deadLettered: 0 });
    expect((await sentEmails(tenantId)).length).toBe(1_300);
    expect(outcome.duplicates).toBe(0);
    recordFigure(
      'redelivery.three_concurrent',
      300,
      `jobs delivered three times at once: 300 emails, 0 duplicates; ${redeliveries} deliveries found the job busy and were retried`,
    );
  });
});
