import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handler } from '#functions/bulk-email-api/handler.ts';
import { documentClient, dynamoDbClient } from '#shared/aws/dynamodb.ts';
import { suppressAddresses } from '#shared/aws/dynamodb-suppressions.ts';
import { sqsClient } from '#shared/aws/sqs.ts';
import { batchKey } from '#shared/aws/table-keys.ts';
import { BatchRecordSchema } from '#shared/schemas/records.ts';
import { StatementJobSchema } from '#shared/schemas/statement-job.ts';
import { apiEvent, invoke, jsonBody } from '../support/api-events.ts';
import { jobQueueUrl, purge, receiveAll } from '../support/queues.ts';
import { recordRequests } from '../support/sdk-requests.ts';
import { exampleTenant, seedTenants } from '../support/tenants.ts';

const EXAMPLE_QUERY = {
  startdate: '20130101',
  enddate: '20131010',
  excludepaidinvoices: '1',
  filterby: 'all',
};
const EXAMPLE_REQUEST = ['101', 'CUST123', 'CUST2345', '0065'];
const EXAMPLE_RESPONSE = [
  { CustomerCode: '101', Sent: true, Message: 'Marked to send' },
  { CustomerCode: 'CUST123', Sent: false, Message: 'Invalid customer code' },
  { CustomerCode: 'CUST2345', Sent: false, Message: 'Invalid customer email address' },
  { CustomerCode: '0065', Sent: true, Message: 'Marked to send' },
];

const tenantA = exampleTenant();
const manyCustomers = Array.from({ length: 35 }, (_, index) => ({
  Code: `C${String(index).padStart(3, '0')}`,
  Name: `Customer ${index}`,
  Email: `customer${index}@example.example`,
}));
const tenantB = exampleTenant({
  Customers: [{ Code: 'B-ONLY', Name: 'B only', Email: 'b@b.example' }, ...manyCustomers],
  Invoices: [],
});

async function jobsOnQueue() {
  const messages = await receiveAll(jobQueueUrl());
  return messages.map((message) => StatementJobSchema.parse(JSON.parse(message.Body ?? '')));
}

describe('POST /v2/customerstatements/bulk/email against the emulators', () => {
  beforeAll(async () => {
    await seedTenants(tenantA, tenantB);
  });

  beforeEach(async () => {
    await purge(jobQueueUrl());
  });

  it("returns the API page's example response for the example request", async () => {
    const result = await invoke(
      handler,
      apiEvent({ tenantId: tenantA.Id, query: EXAMPLE_QUERY, body: EXAMPLE_REQUEST }),
    );

    expect(result.statusCode).toBe(200);
    expect(jsonBody(result)).toEqual(EXAMPLE_RESPONSE);
    const batchId = result.headers?.['X-Batch-Id'];
    expect(batchId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.headers?.Location).toBe(`/prod/v2/customerstatements/bulk/email/${batchId}`);
  });

  it('queues one versioned job per customer marked to send, with the resolved period', async () => {
    const result = await invoke(
      handler,
      apiEvent({ tenantId: tenantA.Id, query: EXAMPLE_QUERY, body: EXAMPLE_REQUEST }),
    );

    const jobs = await jobsOnQueue();
    expect(jobs.map((job) => job.customerCode).sort()).toEqual(['0065', '101']);
    for (const job of jobs) {
      expect(job).toMatchObject({
        version: 1,
        tenantId: tenantA.Id,
        batchId: result.headers?.['X-Batch-Id'],
        period: { start: '2013-01-01', end: '2013-10-10', filterAll: true, excludePaid: true },
      });
    }
  });

  it('records the batch with every status before answering', async () => {
    const result = await invoke(
      handler,
      apiEvent({ tenantId: tenantA.Id, query: EXAMPLE_QUERY, body: EXAMPLE_REQUEST }),
    );
    const batchId = String(result.headers?.['X-Batch-Id']);

    const { Item } = await documentClient().send(
      new GetCommand({ TableName: process.env.TABLE_NAME, Key: batchKey(tenantA.Id, batchId) }),
    );
    const batch = BatchRecordSchema.parse(Item);
    expect(batch.statuses).toEqual(EXAMPLE_RESPONSE);
    expect(batch.period).toEqual({
      start: '2013-01-01',
      end: '2013-10-10',
      filterAll: true,
      excludePaid: true,
    });
  });

  it('queues nothing and reads nothing when 36 codes are sent', async () => {
    const dynamo = recordRequests(dynamoDbClient());
    const sqs = recordRequests(sqsClient());
    const codes = Array.from({ length: 36 }, (_, index) => `C${String(index).padStart(3, '0')}`);

    const result = await invoke(handler, apiEvent({ tenantId: tenantB.Id, body: codes }));

    dynamo.detach();
    sqs.detach();
    expect(result.statusCode).toBe(400);
    expect(jsonBody(result)).toEqual({
      Error: 'TooManyCustomers',
      Message: 'Maximum 35 customers statements can be emailed at a time',
    });
    expect(dynamo.total() + sqs.total()).toBe(0);
    expect(await jobsOnQueue()).toEqual([]);
  });

  it('refuses an end date alone whose default start is before 1900, naming enddate, and writes nothing', async () => {
    const dynamo = recordRequests(dynamoDbClient());
    const sqs = recordRequests(sqsClient());

    const result = await invoke(
      handler,
      apiEvent({ tenantId: tenantA.Id, query: { enddate: '19000115' }, body: ['101'] }),
    );

    dynamo.detach();
    sqs.detach();
    expect(result.statusCode).toBe(400);
    expect(jsonBody(result)).toEqual({
      Error: 'InvalidParameter',
      Message:
        'enddate must be 1900-04-01 or later when startdate is not given (the statement covers the three months before it)',
    });
    expect(dynamo.count('PutItem') + dynamo.count('UpdateItem') + sqs.total()).toBe(0);
    expect(await jobsOnQueue()).toEqual([]);
  });

  it('reports codes that are not well-formed Unicode as invalid and still sends the others', async () => {
    const result = await invoke(
      handler,
      apiEvent({ tenantId: tenantA.Id, body: ['101', '\ud800', '\udfff'] }),
    );

    expect(result.statusCode).toBe(200);
    expect(jsonBody(result)).toEqual([
      { CustomerCode: '101', Sent: true, Message: 'Marked to send' },
      { CustomerCode: '\ud800', Sent: false, Message: 'Invalid customer code' },
      { CustomerCode: '\udfff', Sent: false, Message: 'Invalid customer code' },
    ]);
    expect((await jobsOnQueue()).map((job) => job.customerCode)).toEqual(['101']);
    // What UTF-8 cannot carry is stored as U+FFFD, the rest exactly.
    const { Item } = await documentClient().send(
      new GetCommand({
        TableName: process.env.TABLE_NAME,
        Key: batchKey(tenantA.Id, String(result.headers?.['X-Batch-Id'])),
      }),
    );
    expect(BatchRecordSchema.parse(Item).statuses.map((status) => status.CustomerCode)).toEqual([
      '101',
      '\ufffd',
      '\ufffd',
    ]);
  });

  it('reads 35 customers with one BatchGetItem and queues them with at most 4 SendMessageBatch calls', async () => {
    const dynamo = recordRequests(dynamoDbClient());
    const sqs = recordRequests(sqsClient());

    const result = await invoke(
      handler,
      apiEvent({ tenantId: tenantB.Id, body: manyCustomers.map((c) => c.Code) }),
    );

    dynamo.detach();
    sqs.detach();
    expect(result.statusCode).toBe(200);
    expect(jsonBody<{ Sent: boolean }[]>(result).every((status) => status.Sent)).toBe(true);
    expect(dynamo.count('BatchGetItem')).toBe(1);
    expect(dynamo.count('GetItem')).toBe(0);
    expect(sqs.count('SendMessageBatch')).toBeLessThanOrEqual(4);
    expect(sqs.count('SendMessage')).toBe(0);
    expect((await jobsOnQueue()).length).toBe(35);
  });

  it('judges 35 customers with several suppressed addresses each from one BatchGetItem, address by address', async () => {
    // Two contacts each; every third customer lost both to bounces and complaints, the others one or none.
    const codes = manyCustomers.map((customer) => customer.Code);
    const contacts = (code: string) => [`to.${code}@example.example`, `cc.${code}@example.example`];
    const tenant = exampleTenant({
      Customers: codes.map((code) => ({
        Code: code,
        Name: `Customer ${code}`,
        Contacts: [
          { Name: 'To', Email: contacts(code)[0], IsPrimary: true },
          { Name: 'Cc', Email: contacts(code)[1], StatementRecipient: 'CC' as const },
        ],
      })),
      Invoices: [],
    });
    await seedTenants(tenant);
    for (const [index, code] of codes.entries()) {
      const job = { tenantId: tenant.Id, batchId: 'b', customerCode: code };
      const [to = '', cc = ''] = contacts(code);
      if (index % 3 === 0) {
        await suppressAddresses(job, [to.toUpperCase()], 'Bounced', '2026-11-01T00:00:00Z');
        await suppressAddresses(job, [cc], 'Complained', '2026-11-02T00:00:00Z');
      } else if (index % 3 === 1) await suppressAddresses(job, [to], 'Bounced', '2026-11-01T00:00:00Z');
    }
    const dynamo = recordRequests(dynamoDbClient());

    const result = await invoke(handler, apiEvent({ tenantId: tenant.Id, body: codes }));

    dynamo.detach();
    expect(jsonBody(result)).toEqual(
      codes.map((code, index) =>
        index % 3 === 0
          ? { CustomerCode: code, Sent: false, Message: 'Invalid customer email address' }
          : { CustomerCode: code, Sent: true, Message: 'Marked to send' },
      ),
    );
    expect(dynamo.count('BatchGetItem')).toBe(1);
    expect(dynamo.count('GetItem')).toBe(0);
    expect(dynamo.count('Query')).toBe(0);
  });

  it("never reads another tenant's customer: to tenant A, B's codes are invalid", async () => {
    const result = await invoke(handler, apiEvent({ tenantId: tenantA.Id, body: ['B-ONLY', '101'] }));

    expect(jsonBody(result)).toEqual([
      { CustomerCode: 'B-ONLY', Sent: false, Message: 'Invalid customer code' },
      { CustomerCode: '101', Sent: true, Message: 'Marked to send' },
    ]);
    expect((await jobsOnQueue()).map((job) => [job.tenantId, job.customerCode])).toEqual([
      [tenantA.Id, '101'],
    ]);
  });

  it('keeps leading zeros: 0065 exists, 65 does not', async () => {
    const result = await invoke(handler, apiEvent({ tenantId: tenantA.Id, body: ['65', '0065'] }));

    expect(jsonBody(result)).toEqual([
      { CustomerCode: '65', Sent: false, Message: 'Invalid customer code' },
      { CustomerCode: '0065', Sent: true, Message: 'Marked to send' },
    ]);
  });

  it('answers in XML with the element names of KashFlow when asked', async () => {
    const result = await invoke(
      handler,
      apiEvent({
        tenantId: tenantA.Id,
        headers: { 'Content-Type': 'application/xml', Accept: 'application/xml' },
        body: '<ArrayOfString xmlns="http://schemas.microsoft.com/2003/10/Serialization/Arrays"><string>0065</string><string>CUST123</string></ArrayOfString>',
      }),
    );

    expect(result.statusCode).toBe(200);
    expect(result.headers?.['Content-Type']).toBe('application/xml; charset=utf-8');
    expect(result.body).toBe(
      '<?xml version="1.0" encoding="utf-8"?><ArrayOfCustomerStatementEmailStatus>' +
        '<CustomerStatementEmailStatus><CustomerCode>0065</CustomerCode><Sent>true</Sent><Message>Marked to send</Message></CustomerStatementEmailStatus>' +
        '<CustomerStatementEmailStatus><CustomerCode>CUST123</CustomerCode><Sent>false</Sent><Message>Invalid customer code</Message></CustomerStatementEmailStatus>' +
        '</ArrayOfCustomerStatementEmailStatus>',
    );
  });

  it('retries the keys DynamoDB leaves unprocessed and still answers every code', async () => {
    const dynamo = recordRequests(dynamoDbClient());
    let calls = 0;
    // Fault injection on the real client: the first BatchGetItem reads only the first key and
    // reports the rest unprocessed, as DynamoDB does when a call hits its limits.
    dynamoDbClient().middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'BatchGetItemCommand' || calls++ > 0) return next(args);
        const input = args.input as { RequestItems: Record<string, { Keys: unknown[] }> };
        const [table, request] = Object.entries(input.RequestItems)[0] ?? [];
        if (table === undefined || request === undefined) return next(args);
        const held = request.Keys.slice(1);
        request.Keys = request.Keys.slice(0, 1);
        const result = await next(args);
        (result.output as { UnprocessedKeys?: unknown }).UnprocessedKeys = { [table]: { Keys: held } };
        return result;
      },
      { step: 'initialize', name: 'unprocessed-keys-fault' },
    );

    const result = await invoke(
      handler,
      apiEvent({ tenantId: tenantA.Id, query: EXAMPLE_QUERY, body: EXAMPLE_REQUEST }),
    );

    dynamoDbClient().middlewareStack.remove('unprocessed-keys-fault');
    dynamo.detach();
    expect(jsonBody(result)).toEqual(EXAMPLE_RESPONSE);
    expect(dynamo.count('BatchGetItem')).toBe(2);
  });

  it('reports the jobs SQS keeps refusing as not queued, and queues the others', async () => {
    // Fault injection: SQS fails the entry of customer 0065 (not the sender's fault) every time.
    sqsClient().middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'SendMessageBatchCommand') return next(args);
        const input = args.input as { Entries: { Id: string; MessageBody: string }[] };
        const refused = input.Entries.filter((entry) => entry.MessageBody.includes('"customerCode":"0065"'));
        input.Entries = input.Entries.filter((entry) => !refused.includes(entry));
        const result =
          input.Entries.length > 0
            ? await next(args)
            : { output: { Successful: [], Failed: [], $metadata: {} }, response: {} };
        const output = result.output as { Failed?: unknown[] };
        output.Failed = [
          ...(output.Failed ?? []),
          ...refused.map((entry) => ({ Id: entry.Id, SenderFault: false, Code: 'InternalError' })),
        ];
        return result;
      },
      { step: 'initialize', name: 'refuse-0065' },
    );

    const result = await invoke(handler, apiEvent({ tenantId: tenantA.Id, body: ['101', '0065'] }));

    sqsClient().middlewareStack.remove('refuse-0065');
    expect(jsonBody(result)).toEqual([
      { CustomerCode: '101', Sent: true, Message: 'Marked to send' },
      { CustomerCode: '0065', Sent: false, Message: 'Could not queue statement, please retry' },
    ]);
    expect((await jobsOnQueue()).map((job) => job.customerCode)).toEqual(['101']);
    const { Item } = await documentClient().send(
      new GetCommand({
        TableName: process.env.TABLE_NAME,
        Key: batchKey(tenantA.Id, String(result.headers?.['X-Batch-Id'])),
      }),
    );
    expect(BatchRecordSchema.parse(Item).statuses[1]?.Message).toBe(
      'Could not queue statement, please retry',
    );
  });
});
