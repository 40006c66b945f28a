import { InternalServerError } from '@aws-sdk/client-dynamodb';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { BatchGetCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler } from '#functions/bulk-email-api/handler.ts';
import { documentClient } from '#shared/aws/dynamodb.ts';
import { sqsClient } from '#shared/aws/sqs.ts';
import { apiEvent, invoke, jsonBody } from '../support/api-events.ts';

const dynamo = mockClient(documentClient());
const sqs = mockClient(sqsClient());

const tenantItem = {
  PK: 'TENANT#t1',
  SK: 'TENANT',
  tenantId: 't1',
  name: 'T1',
  fromEmail: 'a@t1.example',
  timeZone: 'Europe/London',
  currency: 'GBP',
};
const customerItem = (code: string, email = `${code}@c.example`) => ({
  PK: `TENANT#t1#CUSTOMER#${code}`,
  SK: 'CUSTOMER',
  code,
  name: code,
  email,
});

function storedItems(...items: Record<string, unknown>[]) {
  dynamo.on(BatchGetCommand).resolves({ Responses: { 'unit-table': items } });
}

describe('bulk-email-api handler with injected AWS faults', () => {
  beforeEach(() => {
    dynamo.reset();
    sqs.reset();
    dynamo.on(PutCommand).resolves({});
    dynamo.on(UpdateCommand).resolves({});
    sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({
      Successful: input.Entries.map((entry) => ({ Id: entry.Id, MessageId: `m-${entry.Id}` })),
      Failed: [],
    }));
  });

  afterEach(() => {
    dynamo.reset();
    sqs.reset();
  });

  it('answers 503 and queues nothing when DynamoDB cannot be read', async () => {
    dynamo.on(BatchGetCommand).rejects(new InternalServerError({ message: 'boom', $metadata: {} }));

    const result = await invoke(handler, apiEvent({ tenantId: 't1', body: ['a'] }));

    expect(result.statusCode).toBe(503);
    expect(jsonBody(result)).toEqual({
      Error: 'ServiceUnavailable',
      Message: 'The service is temporarily unavailable; nothing was queued, please retry',
    });
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });

  it('answers 500 with only a reference when a stored record is corrupt, leaking no detail', async () => {
    storedItems(tenantItem, { ...customerItem('a'), email: 42 });

    const result = await invoke(handler, apiEvent({ tenantId: 't1', body: ['a'] }));

    expect(result.statusCode).toBe(500);
    const body = jsonBody<{ Error: string; Message: string }>(result);
    expect(body.Error).toBe('InternalError');
    expect(body.Message).toMatch(/^An unexpected error occurred\. Reference: [0-9a-f-]{36}$/);
    expect(result.body).not.toMatch(/zod|stack|email|at \w+ \(/i);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });

  it('answers 401 when the request carries no tenant from the authorizer', async () => {
    const result = await invoke(handler, apiEvent({ tenantId: null, body: ['a'] }));

    expect(result.statusCode).toBe(401);
    expect(jsonBody(result)).toEqual({
      Error: 'InvalidSessionToken',
      Message: 'Session token provided is invalid.',
    });
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('answers 401 when the token belongs to a tenant that no longer exists', async () => {
    storedItems(customerItem('a'));

    const result = await invoke(handler, apiEvent({ tenantId: 't1', body: ['a'] }));

    expect(result.statusCode).toBe(401);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });

  it('refuses a start date after today (in the tenant time zone) and records nothing', async () => {
    storedItems(tenantItem, customerItem('a'));

    const result = await invoke(
      handler,
      apiEvent({ tenantId: 't1', query: { startdate: '29991231' }, body: ['a'] }),
    );

    expect(result.statusCode).toBe(400);
    expect(jsonBody(result)).toEqual({
      Error: 'InvalidParameter',
      Message: 'startdate must not be later than today when enddate is not given',
    });
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(0);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });

  it('queues nothing when the batch cannot be recorded', async () => {
    storedItems(tenantItem, customerItem('a'));
    dynamo.on(PutCommand).rejects(new InternalServerError({ message: 'boom', $metadata: {} }));

    const result = await invoke(handler, apiEvent({ tenantId: 't1', body: ['a'] }));

    expect(result.statusCode).toBe(503);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });

  it('retries entries SQS fails without blaming the sender, and they are then queued', async () => {
    storedItems(tenantItem, customerItem('a'), customerItem('b'));
    let attempt = 0;
    sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => {
      attempt += 1;
      const [first, ...rest] = input.Entries;
      if (attempt === 1 && first !== undefined) {
        return {
          Successful: rest.map((entry) => ({ Id: entry.Id })),
          Failed: [{ Id: first.Id, SenderFault: false, Code: 'InternalError' }],
        };
      }
      return { Successful: input.Entries.map((entry) => ({ Id: entry.Id })), Failed: [] };
    });

    const result = await invoke(handler, apiEvent({ tenantId: 't1', body: ['a', 'b'] }));

    expect(jsonBody<{ Sent: boolean }[]>(result).map((status) => status.Sent)).toEqual([true, true]);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(2);
    expect(sqs.commandCalls(SendMessageBatchCommand)[1]?.args[0].input.Entries).toHaveLength(1);
  });

  it('does not retry an entry SQS refuses as the sender fault, and reports it not queued', async () => {
    storedItems(tenantItem, customerItem('a'));
    sqs.on(SendMessageBatchCommand).resolves({
      Successful: [],
      Failed: [{ Id: '0', SenderFault: true, Code: 'InvalidMessageContents' }],
    });

    const result = await invoke(handler, apiEvent({ tenantId: 't1', body: ['a'] }));

    expect(jsonBody(result)).toEqual([
      { CustomerCode: 'a', Sent: false, Message: 'Could not queue statement, please retry' },
    ]);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(1);
  });

  it('reports every job of a chunk not queued when SQS stays unreachable', async () => {
    storedItems(tenantItem, ...Array.from({ length: 12 }, (_, index) => customerItem(`c${index}`)));
    sqs.on(SendMessageBatchCommand).rejects(new Error('socket hang up'));

    const result = await invoke(
      handler,
      apiEvent({ tenantId: 't1', body: Array.from({ length: 12 }, (_, i) => `c${i}`) }),
    );

    expect(result.statusCode).toBe(200);
    const statuses = jsonBody<{ Sent: boolean; Message: string }[]>(result);
    expect(statuses).toHaveLength(12);
    expect(
      statuses.every(
        (status) => !status.Sent && status.Message === 'Could not queue statement, please retry',
      ),
    ).toBe(true);
  });

  it("resolves the default period from today in the tenant's time zone, not UTC's", async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-24T23:30:00Z'));
    storedItems({ ...tenantItem, timeZone: 'Pacific/Auckland' }, customerItem('a'));

    await invoke(handler, apiEvent({ tenantId: 't1', body: ['a'] }));

    vi.useRealTimers();
    const [entry] = sqs.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.Entries ?? [];
    expect(JSON.parse(entry?.MessageBody ?? '{}').period).toEqual({
      start: '2026-08-25',
      end: '2026-11-25',
      filterAll: false,
      excludePaid: false,
    });
  });

  it('previews a dry run from reads alone: no batch, no Idempotency-Key record, nothing queued', async () => {
    storedItems(tenantItem, customerItem('a'), customerItem('bad', 'not-an-address'));
    dynamo.on(GetCommand).resolves({});
    dynamo.on(QueryCommand).resolves({ Items: [], Count: 0 });

    const result = await invoke(
      handler,
      apiEvent({
        tenantId: 't1',
        query: { dryrun: '1' },
        headers: { 'Idempotency-Key': 'k1' },
        body: ['a', 'bad', 'zz'],
      }),
    );

    expect(result.statusCode).toBe(200);
    expect(result.headers?.['X-Dry-Run']).toBe('true');
    expect(result.headers?.['X-Batch-Id']).toBeUndefined();
    expect(jsonBody(result)).toEqual([
      expect.objectContaining({
        CustomerCode: 'a',
        Sent: false,
        Message: 'Would be sent',
        DryRun: true,
        Recipient: 'a@c.example',
        Subject: 'Statement of account from T1',
        Balance: '£0.00',
        LineCount: 0,
      }),
      { CustomerCode: 'bad', Sent: false, Message: 'Invalid customer email address', DryRun: true },
      { CustomerCode: 'zz', Sent: false, Message: 'Invalid customer code', DryRun: true },
    ]);
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(0);
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(sqs.calls()).toHaveLength(0);
  });
});
