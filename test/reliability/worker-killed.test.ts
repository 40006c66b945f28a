/**
 * The worker killed at each step of a job, then the job redelivered: the job still ends sent with
 * one note, and a second email happens only when the worker died after SES accepted the first
 * (the documented window), where it is counted.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as worker } from '#functions/statement-worker/handler.ts';
import { importFixture } from '#shared/seed/import-fixture.ts';
import { lambdaContext } from '../../infra/local/lambda-context.ts';
import { sqsEvent, sqsRecord } from '../support/sqs-events.ts';
import { uniqueTenantId } from '../support/tenants.ts';
import { checkInvariants, jobsFor, tenantWithCustomers } from './harness.ts';
import type { KillPoint } from './kill-worker-thread.ts';
import { recordFigure } from './report.ts';

// The redelivery's own timeout is long; the killed worker's claim (150 ms in the thread) lapses first.
const runWorker = (event: SQSEvent) =>
  (worker as unknown as (e: SQSEvent, c: Context) => Promise<SQSBatchResponse>)(
    event,
    lambdaContext('worker', 10_000),
  );

function deliverInThread(body: string, killAt: KillPoint): Promise<string> {
  return new Promise((resolve, reject) => {
    const thread = new Worker(new URL('./kill-worker-bootstrap.mjs', import.meta.url), {
      workerData: { record: sqsRecord(body), killAt },
    });
    let outcome = 'exited';
    thread.on('message', (message: string) => {
      outcome = message;
    });
    thread.on('error', reject);
    thread.on('exit', () => resolve(outcome));
  });
}

/** SQS redelivers once the visibility timeout passes; by then the dead worker's lease has lapsed. */
async function redeliver(body: string): Promise<void> {
  for (let receive = 2; receive <= 6; receive += 1) {
    await sleep(400);
    const { batchItemFailures } = await runWorker(sqsEvent(sqsRecord(body, receive)));
    if (batchItemFailures.length === 0) return;
  }
  throw new Error('the job was still not done after five redeliveries');
}

const POINTS: KillPoint[] = ['before-read', 'after-render', 'after-ses-accepted', 'after-note'];
const JOBS_PER_POINT = 3;

describe('the worker killed at each step, then the job redelivered', () => {
  const tenantId = uniqueTenantId('killed');

  beforeAll(async () => {
    await importFixture(
      { Tenants: [tenantWithCustomers(tenantId, POINTS.length * JOBS_PER_POINT)] },
      '2026-11-24',
    );
  });

  it.each(POINTS.map((point, index) => [point, index] as const))('killed %s', async (point, index) => {
    const codes = Array.from(
      { length: JOBS_PER_POINT },
      (_, offset) => `C${index * JOBS_PER_POINT + offset}`,
    );
    const jobs = jobsFor(tenantId, codes);
    for (const job of jobs) {
      expect(await deliverInThread(JSON.stringify(job), point)).toBe('killed');
      await redeliver(JSON.stringify(job));
    }
    const ours = (to: string) => codes.some((code) => to.includes(`<${code.toLowerCase()}.${tenantId}@`));
    const outcome = await checkInvariants(jobs, String(process.env.JOB_DLQ_URL), ours);
    expect(outcome).toMatchObject({ sent: JOBS_PER_POINT, failed: 0, deadLettered: 0 });
    // Only a worker that died after SES accepted leaves an email the redelivery repeats.
    expect(outcome.duplicates).toBe(point === 'after-ses-accepted' ? JOBS_PER_POINT : 0);
    recordFigure(
      `kill.${point}`,
      outcome.duplicates,
      `duplicate emails after killing the worker ${point} for ${JOBS_PER_POINT} jobs and redelivering (all sent, one note each)`,
    );
  });
});
