/**
 * A run of 2,000 customers interrupted at each stage and resumed (docs/runs.md, "Failure
 * analysis"): the feeder stopped after writing a page's job items and before queueing them all,
 * and after queueing them before its cursor advanced; the worker stopped after SES accepted an
 * email and before its sent marker. Every customer is reached, none is lost, the counters equal
 * the job items by state, and the only second emails are the documented window's (the worker
 * stopped after SES accepted), counted.
 */
import { randomUUID } from 'node:crypto';
import type { MiddlewareStack } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDbClient } from '#shared/aws/dynamodb.ts';
import { sqsClient } from '#shared/aws/sqs.ts';
import { importFixture } from '#shared/seed/import-fixture.ts';
import { startRun } from '#shared/services/runs/start-run.ts';
import { useRunFeedQueue } from '../support/run-queues.ts';
import { countRunJobs, manyCustomersTenant, startRunPollers, waitForRun } from '../support/runs.ts';
import { sentEmails } from '../support/ses.ts';
import { freshQueues } from './harness.ts';
import { recordFigure } from './report.ts';

// Read once per file (shared/config.ts): the stack's page and cap, a short wait between looks.
process.env.RUN_PAGE_SIZE = '500';
process.env.RUN_QUEUED_CAP = '200';
process.env.RUN_FEED_DELAY_SECONDS = '1';
// The worker's lease (2 x 1.5 s) lapses before SQS shows a message again (4 s), as in AWS (6x).
const jobs = await freshQueues(4);
process.env.JOB_QUEUE_URL = jobs.queueUrl;
process.env.JOB_DLQ_URL = jobs.deadLetterQueueUrl;

const CUSTOMERS = 2_000;
/** Every tenth customer owes (an email); the others end Skipped, Nothing owed: a cheap job each. */
const owes = (index: number) => index % 10 === 0;
/** The worker stops after SES accepted these customers' emails, before the sent marker. */
const KILLED_AFTER_SES = ['C0010', 'C1990'];

// biome-ignore lint/suspicious/noExplicitAny: each client's stack has its own input and output types
type AwsClient = { middlewareStack: MiddlewareStack<any, any> };

/** Throws (as a crash would end the step there) on the calls `fails` picks; counts what it failed. */
function injectFaults(client: AwsClient, name: string, fails: (input: Record<string, unknown>) => boolean) {
  const failed: string[] = [];
  const stack = client.middlewareStack;
  stack.add(
    (next) => async (args) => {
      if (fails(args.input as Record<string, unknown>)) {
        failed.push(name);
        throw Object.assign(new Error(`injected fault: ${name}`), { name: 'InjectedFault' });
      }
      return next(args);
    },
    { step: 'initialize', name },
  );
  return { failed, remove: () => stack.remove(name) };
}

describe('a 2,000-customer run interrupted at each stage', () => {
  const { tenant, codes } = manyCustomersTenant(CUSTOMERS, { owes });
  let stop: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    await useRunFeedQueue();
    await importFixture({ Tenants: [tenant] }, '2026-11-24');
    stop = await startRunPollers({ workerConcurrency: 3, workerTimeoutMs: 1_500 });
  });
  afterAll(async () => {
    await stop();
  });

  it('loses no customer, emails each once outside the documented window, and counts exactly', async () => {
    const jobQueue = process.env.JOB_QUEUE_URL ?? '';
    let jobSends = 0;
    // The feeder stops after its job puts, in the middle of queueing its second page.
    const afterPuts = injectFaults(sqsClient(), 'feeder-after-puts', (input) => {
      if (input.QueueUrl !== jobQueue || input.Entries === undefined) return false;
      jobSends += 1;
      return jobSends === 25;
    });
    // The feeder stops after queueing a page, before its cursor advances (the 3rd advance).
    let advances = 0;
    const beforeAdvance = injectFaults(dynamoDbClient(), 'feeder-before-advance', (input) => {
      if (!String(input.UpdateExpression ?? '').startsWith('SET feed = :feed')) return false;
      advances += 1;
      return advances === 3;
    });
    // The worker stops after SES accepted, before the sent marker, for KILLED_AFTER_SES: every
    // marker write of theirs fails until the worker has given up (its in-place retries included).
    const markerFailures = new Map<string, number>();
    const afterSes = injectFaults(dynamoDbClient(), 'worker-after-ses', (input) => {
      const text = JSON.stringify(input);
      if (!text.includes('sesMessageId = :id')) return false;
      const code = KILLED_AFTER_SES.find((killed) => text.includes(`"ITEM#${killed}"`));
      if (code === undefined) return false;
      const seen = markerFailures.get(code) ?? 0;
      markerFailures.set(code, seen + 1);
      return seen < 8;
    });

    const runId = randomUUID();
    const started = Date.now();
    await startRun({
      tenantId: tenant.Id,
      runId,
      selection: { type: 'Owing' },
      period: { start: '2026-08-01', end: '2026-10-31', filterAll: false, excludePaid: false },
      origin: { type: 'Api' },
      now: new Date(),
    });
    const run = await waitForRun(tenant.Id, runId, (r) => r.state === 'Completed', 120_000);
    const seconds = (Date.now() - started) / 1000;
    afterPuts.remove();
    beforeAdvance.remove();
    afterSes.remove();

    expect(afterPuts.failed.length).toBe(1);
    expect(beforeAdvance.failed.length).toBe(1);
    expect(afterSes.failed.length).toBe(KILLED_AFTER_SES.length * 8);
    expect(run?.state).toBe('Completed');
    const owing = codes.filter((_, index) => owes(index));
    // 0 lost: every customer has its job, the counters equal them, each owing customer is Sent.
    const counted = await countRunJobs(tenant.Id, runId);
    expect(counted.total).toBe(CUSTOMERS);
    expect(run?.total).toBe(CUSTOMERS);
    expect(run?.counts).toEqual(counted.counts);
    expect(run?.counts).toMatchObject({
      Queued: 0,
      Sent: owing.length,
      Skipped: CUSTOMERS - owing.length,
      Failed: 0,
    });
    // Emails: one per owing customer, two for those whose worker stopped after SES accepted.
    const emails = await sentEmails(`.${tenant.Id}@run.example`);
    const perCustomer = new Map<string, number>();
    for (const email of emails) {
      const code =
        /^(c\d{4})\./i.exec(email.destination.to[0]?.replace(/^.*</, '') ?? '')?.[1]?.toUpperCase() ?? '?';
      perCustomer.set(code, (perCustomer.get(code) ?? 0) + 1);
    }
    expect([...perCustomer.keys()].sort()).toEqual(owing);
    const duplicates = [...perCustomer.entries()].filter(([, count]) => count > 1).map(([code]) => code);
    expect(duplicates.sort()).toEqual(KILLED_AFTER_SES);
    expect(emails.length).toBe(owing.length + KILLED_AFTER_SES.length);

    recordFigure(
      'run.interrupted.lost',
      CUSTOMERS - counted.total,
      `customers without a job after a ${CUSTOMERS}-customer run interrupted at each stage`,
    );
    recordFigure(
      'run.interrupted.duplicates',
      duplicates.length,
      `second emails in that run: only where the worker stopped after SES accepted (${KILLED_AFTER_SES.length} injected, the documented window)`,
    );
    recordFigure(
      'run.interrupted.seconds',
      Math.round(seconds),
      `seconds for that run (${owing.length} emails, ${CUSTOMERS - owing.length} skipped)`,
    );
  });
});
