/**
 * The statement options beyond KashFlow's query, through the real API and worker handlers:
 * `skipnothingowed=1` (answered `Nothing owed` in the POST, checked again at send time) and
 * `statementtype=outstanding` (the open items, in the email and its PDF).
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handler as batchStatus } from '#functions/batch-status/handler.ts';
import { handler as bulkEmail } from '#functions/bulk-email-api/handler.ts';
import { handler as worker } from '#functions/statement-worker/handler.ts';
import { documentClient } from '#shared/aws/dynamodb.ts';
import { getJob } from '#shared/aws/dynamodb-jobs.ts';
import { customerPartition } from '#shared/aws/table-keys.ts';
import { StatementJobSchema } from '#shared/schemas/statement-job.ts';
import type { BatchStatusView } from '#shared/services/get-batch-status.ts';
import { lambdaContext } from '../../infra/local/lambda-context.ts';
import { apiEvent, BULK_EMAIL_PATH, invoke, jsonBody } from '../support/api-events.ts';
import { ledgerClient } from '../support/ledger-api.ts';
import { pdfText } from '../support/pdf-text.ts';
import { jobQueueUrl, purge, receiveAll } from '../support/queues.ts';
import { sentEmails } from '../support/ses.ts';
import { sqsEvent, sqsRecord, statementJob } from '../support/sqs-events.ts';
import { exampleTenant, seedTenants } from '../support/tenants.ts';

const PERIOD = { startdate: '20260101', enddate: '20260331' };
const run = Date.now();
const address = (code: string) => `${code.toLowerCase()}.${run}@options.example`;
const customer = (Code: string) => ({ Code, Name: `${Code} Ltd`, Email: address(Code) });

/**
 * OWES owes 100.00; SETTLED paid its invoice in full; INCREDIT holds a credit note larger than its
 * invoice; LATER owes until the test pays it; OPEN has a part-paid invoice (3001), a settled one
 * (3002), a credit note and a payment on account.
 */
const tenant = exampleTenant({
  Customers: ['OWES', 'SETTLED', 'INCREDIT', 'LATER', 'OPEN'].map(customer),
  Invoices: [
    { Number: 1001, CustomerCode: 'OWES', IssuedDate: '2026-01-10', DueDate: '2026-02-10', Total: '100.00' },
    {
      Number: 1002,
      CustomerCode: 'SETTLED',
      IssuedDate: '2026-01-10',
      DueDate: '2026-02-10',
      Total: '80.00',
    },
    {
      Number: 1003,
      CustomerCode: 'INCREDIT',
      IssuedDate: '2026-01-10',
      DueDate: '2026-02-10',
      Total: '30.00',
    },
    { Number: 1004, CustomerCode: 'LATER', IssuedDate: '2026-01-10', DueDate: '2026-02-10', Total: '45.00' },
    { Number: 3001, CustomerCode: 'OPEN', IssuedDate: '2026-01-05', DueDate: '2026-02-04', Total: '500.00' },
    { Number: 3002, CustomerCode: 'OPEN', IssuedDate: '2026-01-06', DueDate: '2026-02-05', Total: '250.00' },
  ],
  CreditNotes: [{ Number: 9, CustomerCode: 'INCREDIT', IssuedDate: '2026-01-20', Total: '40.00' }],
  Payments: [
    { Number: 1, InvoiceNumber: 1002, Date: '2026-02-01', Amount: '80.00' },
    { Number: 2, InvoiceNumber: 3001, Date: '2026-02-01', Amount: '120.00' },
    { Number: 3, InvoiceNumber: 3002, Date: '2026-02-02', Amount: '250.00' },
    { Number: 4, CustomerCode: 'OPEN', Date: '2026-03-01', Amount: '35.00' },
  ],
});

const post = (query: Record<string, string>, body: string[], headers: Record<string, string> = {}) =>
  invoke(bulkEmail, apiEvent({ tenantId: tenant.Id, query: { ...PERIOD, ...query }, body, headers }));

async function jobsOnQueue() {
  return (await receiveAll(jobQueueUrl())).map((message) => ({
    body: message.Body ?? '',
    job: StatementJobSchema.parse(JSON.parse(message.Body ?? '')),
  }));
}

const runWorker = (body: string, receiveCount = 1) =>
  (worker as unknown as (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>)(
    sqsEvent(sqsRecord(body, receiveCount)),
    lambdaContext('statement-worker'),
  );

async function notesOf(code: string) {
  const { Items = [] } = await documentClient().send(
    new QueryCommand({
      TableName: process.env.TABLE_NAME,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :note)',
      ExpressionAttributeValues: { ':pk': customerPartition(tenant.Id, code), ':note': 'NOTE#' },
    }),
  );
  return Items;
}

async function statusOf(batchId: string): Promise<BatchStatusView> {
  const result = await invoke(
    batchStatus,
    apiEvent({
      method: 'GET',
      tenantId: tenant.Id,
      path: `${BULK_EMAIL_PATH}/${batchId}`,
      resource: `${BULK_EMAIL_PATH}/{batchId}`,
      pathParameters: { batchId },
      body: null,
    }),
  );
  return jsonBody<BatchStatusView>(result);
}

describe('skipnothingowed=1', () => {
  beforeAll(async () => {
    await seedTenants(tenant);
  });

  beforeEach(async () => {
    await purge(jobQueueUrl());
  });

  it('answers Nothing owed for a settled and an in-credit customer, queues only the others, and they alone get email', async () => {
    const result = await post({ skipnothingowed: '1' }, ['OWES', 'SETTLED', 'INCREDIT', 'CUST123']);

    expect(result.statusCode).toBe(200);
    expect(jsonBody(result)).toEqual([
      { CustomerCode: 'OWES', Sent: true, Message: 'Marked to send' },
      { CustomerCode: 'SETTLED', Sent: false, Message: 'Nothing owed' },
      { CustomerCode: 'INCREDIT', Sent: false, Message: 'Nothing owed' },
      { CustomerCode: 'CUST123', Sent: false, Message: 'Invalid customer code' },
    ]);
    const queued = await jobsOnQueue();
    expect(queued.map(({ job }) => job.customerCode)).toEqual(['OWES']);
    // A worker that does not know the option refuses the job rather than send regardless.
    expect(queued[0]?.job).toMatchObject({ version: 2, period: { skipNothingOwed: true } });

    for (const { body } of queued) expect((await runWorker(body)).batchItemFailures).toEqual([]);

    expect(await sentEmails(address('OWES'))).toHaveLength(1);
    for (const code of ['SETTLED', 'INCREDIT']) {
      expect(await sentEmails(address(code))).toEqual([]);
      expect(await notesOf(code)).toEqual([]);
    }
    const status = await statusOf(String(result.headers?.['X-Batch-Id']));
    expect(status).toMatchObject({ StatementType: 'activity', SkipNothingOwed: true });
    expect(status.Customers.map(({ CustomerCode, State, Reason }) => [CustomerCode, State, Reason])).toEqual([
      ['OWES', 'Sent', undefined],
      ['SETTLED', 'Skipped', 'Nothing owed'],
      ['INCREDIT', 'Skipped', 'Nothing owed'],
      ['CUST123', 'Failed', 'Invalid customer code'],
    ]);
  });

  it('marks every customer to send without the option, as KashFlow does', async () => {
    const result = await post({}, ['SETTLED', 'INCREDIT']);

    expect(jsonBody(result)).toEqual([
      { CustomerCode: 'SETTLED', Sent: true, Message: 'Marked to send' },
      { CustomerCode: 'INCREDIT', Sent: true, Message: 'Marked to send' },
    ]);
    expect((await jobsOnQueue()).map(({ job }) => job.version)).toEqual([1, 1]);
  });

  it('answers Nothing owed in XML', async () => {
    const result = await post({ skipnothingowed: '1' }, ['SETTLED'], { Accept: 'application/xml' });

    expect(result.body).toBe(
      '<?xml version="1.0" encoding="utf-8"?><ArrayOfCustomerStatementEmailStatus><CustomerStatementEmailStatus><CustomerCode>SETTLED</CustomerCode><Sent>false</Sent><Message>Nothing owed</Message></CustomerStatementEmailStatus></ArrayOfCustomerStatementEmailStatus>',
    );
    expect(await jobsOnQueue()).toEqual([]);
  });

  it('answers Nothing owed in a dry run too', async () => {
    const result = await post({ skipnothingowed: '1', dryrun: '1' }, ['SETTLED', 'OWES']);

    expect(jsonBody(result)).toMatchObject([
      { CustomerCode: 'SETTLED', Sent: false, Message: 'Nothing owed', DryRun: true },
      { CustomerCode: 'OWES', Sent: false, Message: 'Would be sent', DryRun: true, Balance: '£100.00' },
    ]);
  });

  it('checks again at send time: a customer paid up after the request is Skipped, with no email and no note', async () => {
    const result = await post({ skipnothingowed: '1' }, ['LATER']);
    expect(jsonBody(result)).toEqual([{ CustomerCode: 'LATER', Sent: true, Message: 'Marked to send' }]);
    const paid = await ledgerClient(tenant.Id).post('/v2/invoices/{number}/payments', {
      params: { number: '1004' },
      body: { Number: 50, Date: '2026-02-15', Amount: '45.00' },
      headers: { 'Content-Type': 'application/json' },
    });
    expect(paid.statusCode).toBe(201);
    const [queued] = await jobsOnQueue();

    expect((await runWorker(queued?.body ?? '')).batchItemFailures).toEqual([]);
    // A second delivery finds the job finished and sends nothing either.
    expect((await runWorker(queued?.body ?? '', 2)).batchItemFailures).toEqual([]);

    expect(
      await getJob({ tenantId: tenant.Id, batchId: String(queued?.job.batchId), customerCode: 'LATER' }),
    ).toMatchObject({
      state: 'Skipped',
      reason: 'Nothing owed',
    });
    expect(await sentEmails(address('LATER'))).toEqual([]);
    expect(await notesOf('LATER')).toEqual([]);
    const status = await statusOf(String(result.headers?.['X-Batch-Id']));
    expect(status.Customers).toMatchObject([
      {
        CustomerCode: 'LATER',
        Sent: true,
        Message: 'Marked to send',
        State: 'Skipped',
        Reason: 'Nothing owed',
      },
    ]);
  });

  it('sends a job without the option whatever the balance', async () => {
    const job = statementJob(tenant.Id, 'SETTLED');
    const before = (await sentEmails(address('SETTLED'))).length;

    expect((await runWorker(JSON.stringify(job))).batchItemFailures).toEqual([]);

    expect(await getJob(job)).toMatchObject({ state: 'Sent' });
    expect(await sentEmails(address('SETTLED'))).toHaveLength(before + 1);
  });
});

describe('statementtype=outstanding', () => {
  beforeAll(async () => {
    await seedTenants(tenant);
  });

  beforeEach(async () => {
    await purge(jobQueueUrl());
  });

  it('emails the open items with their original, paid and open amounts, and the total owed, in the text and the PDF', async () => {
    const result = await post({ statementtype: 'outstanding' }, ['OPEN']);
    expect(jsonBody(result)).toEqual([{ CustomerCode: 'OPEN', Sent: true, Message: 'Marked to send' }]);
    const [queued] = await jobsOnQueue();
    expect(queued?.job).toMatchObject({ version: 2, period: { statementType: 'outstanding' } });

    expect((await runWorker(queued?.body ?? '')).batchItemFailures).toEqual([]);

    const [email] = await sentEmails(address('OPEN'));
    const text = email?.body.text ?? '';
    expect(text).toMatch(/^Date +Type +Invoice +Due +Original +Paid\/credited +Open$/m);
    expect(text).toMatch(/^05 Jan 2026 +Invoice +3001 +04 Feb 2026 +£500\.00 +£120\.00 +£380\.00$/m);
    expect(text).toMatch(/^01 Mar 2026 +Payment on account +-£35\.00 +-£35\.00$/m);
    expect(text).toMatch(/^31 Mar 2026 +Total owed +£345\.00$/m);
    expect(text).not.toContain('3002');
    expect(text).not.toContain('Opening balance');
    expect(email?.body.html).toContain('Paid/credited');
    const pdf = await pdfText(Buffer.from(email?.attachments[0]?.content ?? '', 'base64'));
    expect(pdf.text).toEqual(expect.arrayContaining(['Original', 'Open', '3001', '£380.00', '£345.00']));
    expect(pdf.text).not.toContain('3002');
  });

  it('has the closing balance of the activity statement for the same dates (dry run)', async () => {
    const [activity] = jsonBody<{ Balance: string }[]>(await post({ dryrun: '1' }, ['OPEN']));
    const [outstanding] = jsonBody<{ Balance: string }[]>(
      await post({ dryrun: '1', statementtype: 'outstanding' }, ['OPEN']),
    );

    expect(outstanding?.Balance).toBe('£345.00');
    expect(outstanding?.Balance).toBe(activity?.Balance);
  });

  it("counts the open items as the dry run's LineCount of an outstanding statement", async () => {
    const [activity] = jsonBody<{ LineCount: number }[]>(await post({ dryrun: '1' }, ['OPEN']));
    const [outstanding] = jsonBody<{ LineCount: number }[]>(
      await post({ dryrun: '1', statementtype: 'outstanding' }, ['OPEN']),
    );

    // Invoice 3001 (part paid) and the payment on account are open; 3002 and the activity's
    // payment lines are not items of an open-item statement.
    expect(outstanding?.LineCount).toBe(2);
    expect(activity?.LineCount).not.toBe(2);
  });
});

describe('Idempotency-Key with the statement options', () => {
  beforeAll(async () => {
    await seedTenants(tenant);
  });

  it('treats another option as another request (422) and the same options as the same request', async () => {
    const key = `options-${run}`;
    const first = await post({ statementtype: 'outstanding' }, ['OWES'], { 'Idempotency-Key': key });
    expect(first.statusCode).toBe(200);

    const replay = await post({ statementtype: 'Outstanding' }, ['OWES'], { 'Idempotency-Key': key });
    const activity = await post({}, ['OWES'], { 'Idempotency-Key': key });
    const skipping = await post({ statementtype: 'outstanding', skipnothingowed: '1' }, ['OWES'], {
      'Idempotency-Key': key,
    });

    expect(replay.statusCode).toBe(200);
    expect(replay.headers?.['X-Batch-Id']).toBe(first.headers?.['X-Batch-Id']);
    expect(activity.statusCode).toBe(422);
    expect(jsonBody(activity)).toMatchObject({ Error: 'IdempotencyKeyReused' });
    expect(skipping.statusCode).toBe(422);
  });

  it('treats statementtype=activity as the default it is: the same request', async () => {
    const key = `default-${run}`;
    const first = await post({}, ['OWES'], { 'Idempotency-Key': key });
    const explicit = await post({ statementtype: 'activity', skipnothingowed: '0' }, ['OWES'], {
      'Idempotency-Key': key,
    });

    expect(explicit.statusCode).toBe(200);
    expect(explicit.headers?.['X-Batch-Id']).toBe(first.headers?.['X-Batch-Id']);
  });
});
