/**
 * Retries after failures never email a statement twice: an Idempotency-Key whose answer could not
 * be recorded, a request that failed part way, and a SendMessageBatch that ended without an answer
 * although SQS took the message.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler as bulkEmail } from '#functions/bulk-email-api/handler.ts';
import { handler as worker } from '#functions/statement-worker/handler.ts';
import { dynamoDbClient } from '#shared/aws/dynamodb.ts';
import { getJob } from '#shared/aws/dynamodb-jobs.ts';
import { sqsClient } from '#shared/aws/sqs.ts';
import { lambdaContext } from '../../infra/local/lambda-context.ts';
import { apiEvent, invoke, jsonBody } from '../support/api-events.ts';
import { jobQueueUrl, purge, receiveAll } from '../support/queues.ts';
import { sentEmails } from '../support/ses.ts';
import { sqsEvent, sqsRecord } from '../support/sqs-events.ts';
import { exampleTenant, seedTenants } from '../support/tenants.ts';

const FAULTS = ['lose-completion', 'fail-batch-read', 'sqs-timeout'];

const post = (tenantId: string, body: string[], headers: Record<string, string> = {}) =>
  invoke(bulkEmail, apiEvent({ tenantId, body, headers }));

/** Every message on the job queue through the real worker, one delivery after another. */
async function runWorkerOnQueue(): Promise<number> {
  const messages = await receiveAll(jobQueueUrl());
  for (const message of messages) {
    const result = await (worker as unknown as (e: SQSEvent, c: Context) => Promise<SQSBatchResponse>)(
      sqsEvent(sqsRecord(message.Body ?? '', 1, message.MessageId)),
      lambdaContext('worker'),
    );
    expect(result.batchItemFailures).toEqual([]);
  }
  return messages.length;
}

/** Fails every request of one kind on the real DynamoDB client until removed. */
function failDynamoDb(name: string, matches: (command: string, input: Record<string, unknown>) => boolean) {
  let failures = 0;
  dynamoDbClient().middlewareStack.add(
    (next, context) => async (args) => {
      if (matches(String(context.commandName), args.input as Record<string, unknown>)) {
        failures += 1;
        throw Object.assign(new Error('injected fault'), { name: 'InternalServerError', $fault: 'server' });
      }
      return next(args);
    },
    { step: 'initialize', name },
  );
  return { failures: () => failures };
}

/** SQS takes every SendMessageBatch, then its answer is lost (as a socket timeout loses it). */
function loseSendMessageBatchAnswers(): void {
  sqsClient().middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'SendMessageBatchCommand')
        throw Object.assign(new Error('socket timed out'), { name: 'TimeoutError' });
      return result;
    },
    { step: 'initialize', name: 'sqs-timeout' },
  );
}

const isCompletion = (command: string, input: Record<string, unknown>) =>
  command === 'UpdateItemCommand' &&
  JSON.stringify(input.ExpressionAttributeValues ?? {}).includes('"Completed"');

describe('retries after failures send each statement once', () => {
  const tenant = exampleTenant();
  const recipients = [`ann.${tenant.Id}@acme.example`, `accounts.${tenant.Id}@northwind.example`];

  beforeAll(async () => {
    await seedTenants(tenant);
  });

  beforeEach(async () => {
    await purge(jobQueueUrl());
  });

  afterEach(() => {
    vi.useRealTimers();
    for (const name of FAULTS) {
      dynamoDbClient().middlewareStack.remove(name);
      sqsClient().middlewareStack.remove(name);
    }
  });

  it('answers 200 when the Idempotency-Key answer cannot be recorded, and a retry after the lock lapses resumes the same batch', async () => {
    const key = { 'Idempotency-Key': `lost-completion-${Date.now()}` };
    const fault = failDynamoDb('lose-completion', isCompletion);

    const first = await post(tenant.Id, ['101', '0065', 'CUST123'], key);
    expect(first.statusCode).toBe(200);
    expect(fault.failures()).toBeGreaterThan(0);
    // Within the lock the first request may still be running, as far as anyone can tell.
    expect((await post(tenant.Id, ['101', '0065', 'CUST123'], key)).statusCode).toBe(409);

    dynamoDbClient().middlewareStack.remove('lose-completion');
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 61_000);
    const retry = await post(tenant.Id, ['101', '0065', 'CUST123'], key);
    const replay = await post(tenant.Id, ['101', '0065', 'CUST123'], key);
    vi.useRealTimers();

    expect(retry.statusCode).toBe(200);
    expect(retry.headers?.['X-Batch-Id']).toBe(first.headers?.['X-Batch-Id']);
    expect(jsonBody(retry)).toEqual(jsonBody(first));
    expect(replay.headers?.['Idempotent-Replayed']).toBe('true');
    expect(replay.headers?.['X-Batch-Id']).toBe(first.headers?.['X-Batch-Id']);
    // Both requests queued the batch's two jobs; the worker sends each job once.
    expect(await runWorkerOnQueue()).toBe(4);
    for (const recipient of recipients) expect(await sentEmails(recipient)).toHaveLength(1);
  });

  it('lets a retry go on at once after a request failed, finishing the batch that request chose', async () => {
    const key = { 'Idempotency-Key': `failed-${Date.now()}` };
    failDynamoDb('fail-batch-read', (command) => command === 'BatchGetItemCommand');

    const failed = await post(tenant.Id, ['101'], key);
    expect(failed.statusCode).toBe(503);
    dynamoDbClient().middlewareStack.remove('fail-batch-read');

    const retry = await post(tenant.Id, ['101'], key);
    expect(retry.statusCode).toBe(200);
    expect(jsonBody(retry)).toEqual([{ CustomerCode: '101', Sent: true, Message: 'Marked to send' }]);
    expect(await receiveAll(jobQueueUrl())).toHaveLength(1);
  });

  it('resumes a batch without undoing a cancel its record never learned: the code stays not queued', async () => {
    const other = exampleTenant();
    await seedTenants(other);
    const key = { 'Idempotency-Key': `stale-${Date.now()}` };
    // SQS takes 101's message and the answer is lost, so 101 is cancelled; then both the write
    // that records that in the batch and the one that completes the key are lost.
    loseSendMessageBatchAnswers();
    failDynamoDb(
      'lose-completion',
      (command, input) =>
        command === 'UpdateItemCommand' && /"(Completed|:statuses)"|":statuses"/.test(JSON.stringify(input)),
    );

    const first = await post(other.Id, ['101'], key);
    sqsClient().middlewareStack.remove('sqs-timeout');
    dynamoDbClient().middlewareStack.remove('lose-completion');
    expect(jsonBody(first)).toEqual([
      { CustomerCode: '101', Sent: false, Message: 'Could not queue statement, please retry' },
    ]);

    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 61_000);
    const retry = await post(other.Id, ['101'], key);
    vi.useRealTimers();

    expect(retry.headers?.['X-Batch-Id']).toBe(first.headers?.['X-Batch-Id']);
    expect(jsonBody(retry)).toEqual(jsonBody(first));
  });

  it.each([
    ['refused before it was written', 'before'],
    ['whose answer was lost after it was written', 'after'],
  ] as const)('retries a cancel %s until it holds: the copy on the queue sends nothing', async (_, when) => {
    const other = exampleTenant();
    await seedTenants(other);
    loseSendMessageBatchAnswers();
    let lostCancels = 0;
    dynamoDbClient().middlewareStack.add(
      (next, context) => async (args) => {
        const isCancel =
          context.commandName === 'PutItemCommand' &&
          JSON.stringify(args.input).includes('"Could not queue statement, please retry"');
        if (!isCancel || lostCancels > 0) return next(args);
        lostCancels += 1;
        const fault = Object.assign(new Error('injected'), { name: 'InternalServerError', $fault: 'server' });
        if (when === 'before') throw fault;
        await next(args);
        throw fault;
      },
      { step: 'initialize', name: 'lose-completion' },
    );

    const result = await post(other.Id, ['101']);
    sqsClient().middlewareStack.remove('sqs-timeout');
    dynamoDbClient().middlewareStack.remove('lose-completion');

    expect(lostCancels).toBe(1);
    expect(jsonBody(result)).toEqual([
      { CustomerCode: '101', Sent: false, Message: 'Could not queue statement, please retry' },
    ]);
    expect(await runWorkerOnQueue()).toBeGreaterThan(0);
    expect(await sentEmails(`ann.${other.Id}@acme.example`)).toHaveLength(0);
  });

  it('frees the key of a request refused before it recorded anything, for the corrected request', async () => {
    const key = { 'Idempotency-Key': `refused-${Date.now()}` };
    // A start date after today is refused only once the tenant's time zone is known (a read).
    const refused = await invoke(
      bulkEmail,
      apiEvent({ tenantId: tenant.Id, body: ['101'], headers: key, query: { startdate: '29991231' } }),
    );
    expect(refused.statusCode).toBe(400);

    const corrected = await invoke(
      bulkEmail,
      apiEvent({ tenantId: tenant.Id, body: ['101'], headers: key, query: { startdate: '20260101' } }),
    );
    expect(corrected.statusCode).toBe(200);
    expect(jsonBody(corrected)).toEqual([{ CustomerCode: '101', Sent: true, Message: 'Marked to send' }]);
  });

  it('cancels a job whose SendMessageBatch timed out after SQS took it: reported not queued, never sent', async () => {
    const other = exampleTenant();
    await seedTenants(other);
    loseSendMessageBatchAnswers();

    const result = await post(other.Id, ['101']);
    sqsClient().middlewareStack.remove('sqs-timeout');

    expect(jsonBody(result)).toEqual([
      { CustomerCode: '101', Sent: false, Message: 'Could not queue statement, please retry' },
    ]);
    expect(await runWorkerOnQueue()).toBeGreaterThan(0);
    expect(await sentEmails(`ann.${other.Id}@acme.example`)).toHaveLength(0);
    const job = await getJob({
      tenantId: other.Id,
      batchId: String(result.headers?.['X-Batch-Id']),
      customerCode: '101',
    });
    expect(job).toMatchObject({ state: 'Failed', reason: 'Could not queue statement, please retry' });

    // The client's retry (a new batch) is the one email.
    expect(jsonBody(await post(other.Id, ['101']))).toEqual([
      { CustomerCode: '101', Sent: true, Message: 'Marked to send' },
    ]);
    await runWorkerOnQueue();
    expect(await sentEmails(`ann.${other.Id}@acme.example`)).toHaveLength(1);
  });
});
