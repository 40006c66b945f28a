/**
 * A job that fails on its last delivery goes to the dead-letter queue; its batch must say so
 * (Failed, with the reason) rather than `Queued` forever, and an operator's redrive still sends it.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handler as batchStatus } from '#functions/batch-status/handler.ts';
import { handler as bulkEmail } from '#functions/bulk-email-api/handler.ts';
import { handler as worker } from '#functions/statement-worker/handler.ts';
import { documentClient } from '#shared/aws/dynamodb.ts';
import { claimJob, getJob } from '#shared/aws/dynamodb-jobs.ts';
import { sesClient } from '#shared/aws/ses.ts';
import { JOB_MAX_RECEIVE_COUNT } from '#shared/aws/table-design.ts';
import { templateKey, tenantKey } from '#shared/aws/table-keys.ts';
import type { BatchStatusView } from '#shared/services/get-batch-status.ts';
import { lambdaContext } from '../../infra/local/lambda-context.ts';
import { apiEvent, BULK_EMAIL_PATH, invoke, jsonBody } from '../support/api-events.ts';
import { jobQueueUrl, purge, receiveAll } from '../support/queues.ts';
import { sentEmails } from '../support/ses.ts';
import { sqsEvent, sqsRecord, statementJob } from '../support/sqs-events.ts';
import { exampleTenant, seedTenants } from '../support/tenants.ts';

const tenant = exampleTenant();

async function deliver(body: string, receiveCount: number): Promise<SQSBatchResponse> {
  return (worker as unknown as (e: SQSEvent, c: Context) => Promise<SQSBatchResponse>)(
    sqsEvent(sqsRecord(body, receiveCount)),
    lambdaContext('worker'),
  );
}

async function stateOf(batchId: string, tenantId = tenant.Id) {
  const result = await invoke(
    batchStatus,
    apiEvent({
      method: 'GET',
      tenantId,
      path: `${BULK_EMAIL_PATH}/${batchId}`,
      resource: `${BULK_EMAIL_PATH}/{batchId}`,
      pathParameters: { batchId },
      body: null,
    }),
  );
  return jsonBody<BatchStatusView>(result).Customers[0];
}

describe('a dead-lettered job in its batch', () => {
  beforeAll(async () => {
    await seedTenants(tenant);
  });

  beforeEach(async () => {
    await purge(jobQueueUrl());
  });

  afterEach(() => {
    sesClient().middlewareStack.remove('ses-down');
  });

  it('shows Failed with the reason once the last delivery fails, and is sent when redriven', async () => {
    const posted = await invoke(bulkEmail, apiEvent({ tenantId: tenant.Id, body: ['101'] }));
    const batchId = String(posted.headers?.['X-Batch-Id']);
    const [message] = await receiveAll(jobQueueUrl());
    const body = message?.Body ?? '';
    sesClient().middlewareStack.add(
      () => async () => {
        throw Object.assign(new Error('Service Unavailable'), {
          name: 'ServiceUnavailable',
          $fault: 'server',
          $metadata: { httpStatusCode: 503 },
        });
      },
      { step: 'initialize', name: 'ses-down' },
    );

    expect((await deliver(body, JOB_MAX_RECEIVE_COUNT - 1)).batchItemFailures).toHaveLength(1);
    expect(await stateOf(batchId)).toMatchObject({ State: 'Queued' });

    expect((await deliver(body, JOB_MAX_RECEIVE_COUNT)).batchItemFailures).toHaveLength(1);
    const dead = await stateOf(batchId);
    expect(dead?.State).toBe('Failed');
    expect(dead?.Reason).toMatch(
      new RegExp(`^In the dead-letter queue after ${JOB_MAX_RECEIVE_COUNT} attempts; last error: `),
    );

    // The operator fixes the cause and redrives the message from the dead-letter queue.
    sesClient().middlewareStack.remove('ses-down');
    expect((await deliver(body, 1)).batchItemFailures).toEqual([]);
    expect(await stateOf(batchId)).toMatchObject({ State: 'Sent' });
    expect(await sentEmails(`ann.${tenant.Id}@acme.example`)).toHaveLength(1);
  });
});

describe('a job whose last delivery could not finish', () => {
  afterEach(() => {
    sesClient().middlewareStack.remove('ses-no-answer');
  });

  it('stays Sending, with the dead-letter reason, when its last send had no answer (SES may have sent it)', async () => {
    const lost = exampleTenant();
    await seedTenants(lost);
    const job = statementJob(lost.Id, '101');
    // The connection drops after the request went out: no answer, so SES may have sent it.
    sesClient().middlewareStack.add(
      () => async () => {
        throw Object.assign(new Error('socket hang up'), { name: 'Error', code: 'ECONNRESET' });
      },
      { step: 'initialize', name: 'ses-no-answer' },
    );

    expect((await deliver(JSON.stringify(job), JOB_MAX_RECEIVE_COUNT)).batchItemFailures).toHaveLength(1);

    const record = await getJob(job);
    expect(record?.state).toBe('Sending');
    expect(record?.deadLetterReason).toMatch(/^In the dead-letter queue after 5 attempts; last error: /);
  });

  it('shows Failed, not Queued, when the worker stopped during its last attempt', async () => {
    const killed = exampleTenant();
    await seedTenants(killed);
    const posted = await invoke(bulkEmail, apiEvent({ tenantId: killed.Id, body: ['0065'] }));
    const batchId = String(posted.headers?.['X-Batch-Id']);
    const job = { tenantId: killed.Id, batchId, customerCode: '0065' };
    // Five deliveries claimed it and each worker was killed (its lease ran out): no catch ran.
    for (let attempt = 0; attempt < JOB_MAX_RECEIVE_COUNT; attempt += 1) {
      expect((await claimJob(job, `killed-${attempt}`, Date.now() - 1, new Date())).claimed).toBe(true);
    }
    const stopped = await stateOf(batchId, killed.Id);
    expect(stopped).toMatchObject({
      State: 'Failed',
      Reason: 'In the dead-letter queue: the worker stopped during its last attempt; SES may have sent it',
    });
  });
});

describe('a stored record changed behind the importer', () => {
  it('fails the job at once with the field and the rule, instead of retrying to the dead-letter queue', async () => {
    const corrupt = exampleTenant();
    await seedTenants(corrupt);
    await documentClient().send(
      new UpdateCommand({
        TableName: process.env.TABLE_NAME,
        Key: tenantKey(corrupt.Id),
        UpdateExpression: 'SET locale = :locale',
        ExpressionAttributeValues: { ':locale': 'en_GB' },
      }),
    );
    const job = statementJob(corrupt.Id, '101');

    expect((await deliver(JSON.stringify(job), 1)).batchItemFailures).toEqual([]);
    const record = await getJob(job);
    expect(record?.state).toBe('Failed');
    expect(record?.reason).toMatch(/^A stored record is not valid \(locale: /);
    expect(await sentEmails(`ann.${corrupt.Id}@acme.example`)).toHaveLength(0);
  });

  it('fails the job at once when a stored template breaks its schema', async () => {
    const corrupt = exampleTenant({
      EmailTemplates: [
        { Number: 7, Name: 'Mine', Subject: 'Statement', Body: 'Dear #CONTACT#', IsHtml: false },
      ],
      DefaultStatementTemplateNumber: 7,
    });
    await seedTenants(corrupt);
    await documentClient().send(
      new UpdateCommand({
        TableName: process.env.TABLE_NAME,
        Key: templateKey(corrupt.Id, 7),
        UpdateExpression: 'SET isHtml = :yes',
        ExpressionAttributeValues: { ':yes': 'yes' },
      }),
    );
    const job = statementJob(corrupt.Id, '101');

    expect((await deliver(JSON.stringify(job), 1)).batchItemFailures).toEqual([]);
    const record = await getJob(job);
    expect(record?.state).toBe('Failed');
    expect(record?.reason).toMatch(/^A stored record is not valid \(isHtml: /);
  });
});
