/**
 * What the reliability scenarios share: fresh queues (visibility 1 s, dead letters after 5
 * receives), jobs put on them, the local poller draining them through the real worker, and the
 * invariants every scenario checks.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSHandler } from 'aws-lambda';
import { expect } from 'vitest';
import { SQS_CLIENT_CONFIG } from '#shared/aws/client-config.ts';
import { documentClient } from '#shared/aws/dynamodb.ts';
import { getJob } from '#shared/aws/dynamodb-jobs.ts';
import { JOB_MAX_RECEIVE_COUNT } from '#shared/aws/table-design.ts';
import { customerPartition } from '#shared/aws/table-keys.ts';
import type { StatementJob } from '#shared/schemas/statement-job.ts';
import { importFixture } from '#shared/seed/import-fixture.ts';
import { type Poller, type SqsHandler, startPoller } from '../../infra/local/poller.ts';
import { ensureJobQueues, type JobQueues } from '../../infra/local/resources.ts';
import { receiveAll } from '../support/queues.ts';
import { sentEmails } from '../support/ses.ts';
import { uniqueTenantId } from '../support/tenants.ts';

const sqs = new SQSClient(SQS_CLIENT_CONFIG);
export const MAX_RECEIVES = JOB_MAX_RECEIVE_COUNT;

/**
 * A new job queue and DLQ. Keep the visibility timeout at least 6x the worker timeout given to
 * `drain`, as in AWS: locally nothing stops a slow delivery, so a shorter visibility timeout would
 * let SQS redeliver a message that is still being worked on.
 */
export function freshQueues(visibilityTimeoutSeconds = 1): Promise<JobQueues> {
  return ensureJobQueues(`rel-${randomUUID().slice(0, 8)}`, {
    visibilityTimeoutSeconds,
    maxReceiveCount: MAX_RECEIVES,
  });
}

export function jobsFor(tenantId: string, codes: string[], batchId = randomUUID()): StatementJob[] {
  const today = new Date().toISOString().slice(0, 10);
  return codes.map((customerCode) => ({
    version: 1,
    tenantId,
    batchId,
    customerCode,
    period: { start: today, end: today, filterAll: false, excludePaid: false },
    requestedAt: new Date().toISOString(),
  }));
}

export async function enqueue(queueUrl: string, bodies: string[]): Promise<void> {
  for (let start = 0; start < bodies.length; start += 10) {
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: bodies
          .slice(start, start + 10)
          .map((MessageBody, index) => ({ Id: String(index), MessageBody })),
      }),
    );
  }
}

async function queueDepth(queueUrl: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/**
 * Drains a queue with the local poller and the real worker until it is empty (every message
 * deleted or dead-lettered), or the time runs out. The worker is told a short function timeout,
 * so that a lapsed claim lapses before SQS shows the message again.
 */
export async function drain(
  queueUrl: string,
  handler: SQSHandler | SqsHandler,
  { concurrency = 2, timeoutMs = 120_000, functionTimeoutMs = 150 } = {},
): Promise<Poller['stats'] & { seconds: number }> {
  const started = Date.now();
  const poller = await startPoller({
    queueUrl,
    handler: handler as SqsHandler,
    concurrency,
    functionTimeoutMs,
    waitTimeSeconds: 0,
    onError: () => undefined,
  });
  while (Date.now() - started < timeoutMs) {
    await sleep(250);
    if ((await queueDepth(queueUrl)) === 0) break;
  }
  await poller.stop();
  expect(await queueDepth(queueUrl)).toBe(0);
  return { ...poller.stats, seconds: (Date.now() - started) / 1000 };
}

export interface Outcome {
  sent: number;
  failed: number;
  deadLettered: number;
  /** Emails beyond the first to one recipient (each job here has its own recipient). */
  duplicates: number;
  failures: Map<string, string>;
  /** Every body found in the dead-letter queue, the scenario's own jobs or not. */
  deadLetterBodies: string[];
}

/**
 * The invariants: each job ends as exactly one of (Sent with one note), (Failed with its
 * reason) or (a message in the dead-letter queue), and none is lost.
 */
export async function checkInvariants(
  jobs: StatementJob[],
  deadLetterQueueUrl: string,
  recipients: string | ((to: string) => boolean),
): Promise<Outcome> {
  const deadLetterBodies = (await receiveAll(deadLetterQueueUrl)).map((message) => message.Body ?? '');
  const deadLetters = new Set(deadLetterBodies);
  const outcome: Outcome = {
    sent: 0,
    failed: 0,
    deadLettered: 0,
    duplicates: 0,
    failures: new Map(),
    deadLetterBodies,
  };
  for (const job of jobs) {
    const record = await getJob(job);
    const inDeadLetters = deadLetters.has(JSON.stringify(job));
    if (record?.state === 'Sent') {
      const { Items = [] } = await documentClient().send(
        new QueryCommand({
          TableName: process.env.TABLE_NAME,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :note)',
          FilterExpression: 'batchId = :batch',
          ExpressionAttributeValues: {
            ':pk': customerPartition(job.tenantId, job.customerCode),
            ':note': 'NOTE#',
            ':batch': job.batchId,
          },
        }),
      );
      expect(Items, `one note for ${job.customerCode}`).toHaveLength(1);
      expect(inDeadLetters).toBe(false);
      outcome.sent += 1;
    } else if (record?.state === 'Failed') {
      expect(record.reason, `a reason for ${job.customerCode}`).toBeTruthy();
      outcome.failed += 1;
      outcome.failures.set(job.customerCode, String(record.reason));
    } else {
      expect(inDeadLetters, `job ${job.customerCode} (${record?.state ?? 'no record'}) is lost`).toBe(true);
      outcome.deadLettered += 1;
    }
  }
  const perRecipient = new Map<string, number>();
  const tenantPart = typeof recipients === 'string' ? recipients : '@';
  const wanted = typeof recipients === 'string' ? () => true : recipients;
  for (const email of await sentEmails(tenantPart)) {
    const to = email.destination.to[0] ?? '';
    if (!wanted(to)) continue;
    perRecipient.set(to, (perRecipient.get(to) ?? 0) + 1);
  }
  outcome.duplicates = [...perRecipient.values()].reduce((sum, count) => sum + Math.max(0, count - 1), 0);
  return outcome;
}

/** A tenant with `count` customers, each with its own address (which contains the tenant id). */
export function tenantWithCustomers(id: string, count: number, prefix = 'C') {
  return {
    Id: id,
    Name: 'Reliability Ltd',
    FromEmail: 'accounts@reliability.example',
    TimeZone: 'Europe/London',
    Currency: 'GBP',
    ApiTokens: [`token-${id}`],
    Customers: Array.from({ length: count }, (_, index) => ({
      Code: `${prefix}${index}`,
      Name: `Customer ${index}`,
      Email: `c${index}.${id}@reliability.example`,
    })),
  };
}

export interface RunOptions {
  /** Must cover the slowest delivery of the scenario (see freshQueues). */
  workerTimeoutMs?: number;
  visibilitySeconds?: number;
}

/**
 * A scenario's common course: a tenant with `count` customers, one job each on a fresh queue,
 * drained through `handler`, then the invariants checked.
 */
export async function runJobs(
  name: string,
  count: number,
  handler: SQSHandler | SqsHandler,
  options: RunOptions = {},
) {
  const { workerTimeoutMs = 150, visibilitySeconds = 1 } = options;
  const tenantId = uniqueTenantId(name);
  await importFixture({ Tenants: [tenantWithCustomers(tenantId, count)] }, '2026-11-24');
  const queues = await freshQueues(visibilitySeconds);
  const jobs = jobsFor(
    tenantId,
    Array.from({ length: count }, (_, index) => `C${index}`),
  );
  await enqueue(
    queues.queueUrl,
    jobs.map((job) => JSON.stringify(job)),
  );
  const stats = await drain(queues.queueUrl, handler, { functionTimeoutMs: workerTimeoutMs });
  return { tenantId, jobs, stats, outcome: await checkInvariants(jobs, queues.deadLetterQueueUrl, tenantId) };
}
