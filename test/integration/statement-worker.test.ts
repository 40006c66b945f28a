import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { handler as bulkEmail } from '#functions/bulk-email-api/handler.ts';
import { handler as worker } from '#functions/statement-worker/handler.ts';
import { documentClient, dynamoDbClient, writeItems } from '#shared/aws/dynamodb.ts';
import { getJob } from '#shared/aws/dynamodb-jobs.ts';
import { customerPartition, templateKey } from '#shared/aws/table-keys.ts';
import { lambdaContext } from '../../infra/local/lambda-context.ts';
import { startPoller } from '../../infra/local/poller.ts';
import { apiEvent, invoke, jsonBody } from '../support/api-events.ts';
import { pdfText } from '../support/pdf-text.ts';
import { jobQueueUrl, receiveAll } from '../support/queues.ts';
import { sentEmails, waitFor } from '../support/ses.ts';
import { sqsEvent, sqsRecord, statementJob } from '../support/sqs-events.ts';
import { exampleTenant, seedTenants } from '../support/tenants.ts';

const runWorker = (event: SQSEvent) =>
  (worker as unknown as (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>)(
    event,
    lambdaContext('statement-worker'),
  );

async function notesOf(tenantId: string, code: string) {
  const { Items = [] } = await documentClient().send(
    new QueryCommand({
      TableName: process.env.TABLE_NAME,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :note)',
      ExpressionAttributeValues: { ':pk': customerPartition(tenantId, code), ':note': 'NOTE#' },
    }),
  );
  return Items;
}

/**
 * A ledger for the filters (period 2026-01-01 .. 2026-03-31):
 *   2001 issued 2025-11-01, unpaid             -> opening balance, never a line
 *   2002 issued 2026-01-10, paid in full       -> a line, left out with excludepaidinvoices
 *   2003 issued 2026-02-10, unpaid             -> a line
 *   2004 issued 2026-05-01 (after the period)  -> a line only with filterby=All
 */
const ledger = exampleTenant({
  EmailTemplates: [
    {
      Number: 1,
      Name: 'Broken',
      Subject: 'Statement',
      Body: 'Dear #CONTACT#',
      IsHtml: false,
    },
  ],
  Customers: [
    { Code: 'L1', Name: 'Ledger Ltd', ContactName: 'Lee', Email: `lee.${Date.now()}@ledger.example` },
    {
      Code: 'BROKEN',
      Name: 'Broken Template',
      Email: `broken.${Date.now()}@ledger.example`,
      EmailTemplateNumber: 1,
    },
  ],
  Invoices: [
    { Number: 2001, CustomerCode: 'L1', IssuedDate: '2025-11-01', DueDate: '2025-12-01', Total: '100.00' },
    { Number: 2002, CustomerCode: 'L1', IssuedDate: '2026-01-10', DueDate: '2026-02-10', Total: '200.00' },
    { Number: 2003, CustomerCode: 'L1', IssuedDate: '2026-02-10', DueDate: '2026-03-10', Total: '300.00' },
    { Number: 2004, CustomerCode: 'L1', IssuedDate: '2026-05-01', DueDate: '2026-06-01', Total: '400.00' },
  ],
  Payments: [{ InvoiceNumber: 2002, Date: '2026-02-01', Amount: '200.00' }],
});
const ledgerAddress = () => String(ledger.Customers?.[0]?.Email);

describe('statement worker against the emulators', () => {
  const tenant = exampleTenant();

  beforeAll(async () => {
    await seedTenants(tenant, ledger);
    // The importer refuses unknown tokens, so the broken template is written as a record would
    // be by any other writer, to show what the worker does with one.
    await writeItems({
      puts: [
        {
          ...templateKey(ledger.Id, 1),
          type: 'Template',
          number: 1,
          name: 'Broken',
          subject: 'Statement',
          body: 'Dear #CONTACT#, see #INVOICELIST#',
          isHtml: false,
        },
      ],
      deletes: [],
    });
  });

  afterEach(() => {
    dynamoDbClient().middlewareStack.remove('fail-first-note');
  });

  it('turns the example request into two emails with HTML, text and PDF, two notes and Sent statuses', async () => {
    const response = await invoke(
      bulkEmail,
      apiEvent({
        tenantId: tenant.Id,
        query: { startdate: '20130101', enddate: '20131010', excludepaidinvoices: '1', filterby: 'all' },
        body: ['101', 'CUST123', 'CUST2345', '0065'],
      }),
    );
    const batchId = String(response.headers?.['X-Batch-Id']);
    const poller = await startPoller({ queueUrl: jobQueueUrl(), handler: runWorker, waitTimeSeconds: 0 });

    const emails = await waitFor(
      () => sentEmails(tenant.Id),
      (found) => found.length >= 2,
    );
    await poller.stop();

    expect(emails.map((email) => email.destination.to[0]).sort()).toEqual([
      `"Ann Smith" <ann.${tenant.Id}@acme.example>`,
      `"Oliver Brown" <accounts.${tenant.Id}@northwind.example>`,
    ]);
    const ann = emails.find((email) => email.destination.to[0]?.includes('ann.'));
    expect(ann?.subject).toBe('Statement of account from Example Trading Ltd');
    expect(ann?.body.html).toContain('<table');
    expect(ann?.body.html).toContain('1001');
    expect(ann?.body.text).toContain('1001');
    expect(ann?.attachments.map((attachment) => attachment.contentType)).toEqual(['application/pdf']);
    const pdf = await pdfText(Buffer.from(ann?.attachments[0]?.content ?? '', 'base64'));
    expect(pdf.text).toEqual(expect.arrayContaining(['1001', '£120.00']));
    for (const code of ['101', '0065']) {
      const notes = await notesOf(tenant.Id, code);
      expect(notes).toHaveLength(1);
      expect(notes[0]?.text).toMatch(
        /^Statement \(all invoices\) emailed to \S+@\S+\. SES message id ses-\d+\.$/,
      );
      expect(await getJob({ tenantId: tenant.Id, batchId, customerCode: code })).toMatchObject({
        state: 'Sent',
      });
    }
  });

  it.each([
    ['a dated period', {}, ['2002', '2003'], ['2001', '2004']],
    ['excludepaidinvoices=1', { excludePaid: true }, ['2003'], ['2001', '2002', '2004']],
    ['filterby=All', { filterAll: true }, ['2001', '2002', '2003', '2004'], []],
  ])('puts the right invoices in the statement for %s', async (_, flags, included, excluded) => {
    const job = statementJob(ledger.Id, 'L1', {
      period: { start: '2026-01-01', end: '2026-03-31', filterAll: false, excludePaid: false, ...flags },
    });
    const before = (await sentEmails(ledgerAddress())).length;

    const result = await runWorker(sqsEvent(sqsRecord(job)));

    expect(result.batchItemFailures).toEqual([]);
    const emails = await sentEmails(ledgerAddress());
    expect(emails).toHaveLength(before + 1);
    const text = emails.at(-1)?.body.text ?? '';
    const listed = [...text.matchAll(/^\S+ \S+ \S+\s+(?:Invoice|Payment)\s+(\d+)/gm)].map(
      (match) => match[1],
    );
    for (const number of included) expect(listed).toContain(number);
    for (const number of excluded) expect(listed).not.toContain(number);
  });

  it('sends one email and writes one note when a job is delivered twice', async () => {
    const job = statementJob(tenant.Id, '101');
    const before = (await sentEmails(tenant.Id)).length;

    const first = await runWorker(sqsEvent(sqsRecord(job)));
    const second = await runWorker(sqsEvent(sqsRecord(job, 2)));

    expect(first.batchItemFailures).toEqual([]);
    expect(second.batchItemFailures).toEqual([]);
    expect((await sentEmails(tenant.Id)).length).toBe(before + 1);
    const notes = (await notesOf(tenant.Id, '101')).filter((note) => note.batchId === job.batchId);
    expect(notes).toHaveLength(1);
  });

  it('sends one email when one job is delivered three times concurrently', async () => {
    const job = statementJob(tenant.Id, '0065');
    const before = (await sentEmails(tenant.Id)).length;

    const results = await Promise.all([1, 2, 3].map(() => runWorker(sqsEvent(sqsRecord(job)))));
    // The deliveries that found the job busy are retried by SQS; their retries are absorbed.
    const retried = results.filter((result) => result.batchItemFailures.length > 0).length;
    for (let retry = 0; retry < retried; retry += 1) {
      expect((await runWorker(sqsEvent(sqsRecord(job, 2)))).batchItemFailures).toEqual([]);
    }

    expect((await sentEmails(tenant.Id)).length).toBe(before + 1);
    expect((await notesOf(tenant.Id, '0065')).filter((note) => note.batchId === job.batchId)).toHaveLength(1);
    expect(await getJob(job)).toMatchObject({ state: 'Sent' });
  });

  it('still sends one email when the note write fails once after the send', async () => {
    const job = statementJob(tenant.Id, '101');
    const before = (await sentEmails(tenant.Id)).length;
    let failed = false;
    dynamoDbClient().middlewareStack.add(
      (next, context) => async (args) => {
        // At the initialize step the document client's input is not yet marshalled.
        const input = args.input as { Item?: { SK?: unknown } };
        const sortKey = String(input.Item?.SK ?? '');
        if (!failed && context.commandName === 'PutItemCommand' && sortKey.startsWith('NOTE#')) {
          failed = true;
          throw Object.assign(new Error('Injected: note write failed'), { name: 'InternalServerError' });
        }
        return next(args);
      },
      { step: 'initialize', name: 'fail-first-note' },
    );

    const first = await runWorker(sqsEvent(sqsRecord(job)));
    const second = await runWorker(sqsEvent(sqsRecord(job, 2)));

    expect(failed).toBe(true);
    expect(first.batchItemFailures).toHaveLength(1);
    expect(second.batchItemFailures).toEqual([]);
    expect((await sentEmails(tenant.Id)).length).toBe(before + 1);
    expect((await notesOf(tenant.Id, '101')).filter((note) => note.batchId === job.batchId)).toHaveLength(1);
  });

  it('fails a malformed job alone; it reaches the dead-letter queue after the receive limit', async () => {
    const good = statementJob(tenant.Id, '0065');
    const records = [
      sqsRecord('{"version":1,"tenantId":'),
      sqsRecord(good),
      sqsRecord(JSON.stringify({ version: 2 })),
    ];

    const result = await runWorker(sqsEvent(...records));

    expect(result.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual(
      [records[0]?.messageId, records[2]?.messageId].sort(),
    );
    expect(await getJob(good)).toMatchObject({ state: 'Sent' });

    // Through the queue: the integration setup's queue dead-letters after 2 receives.
    const { SQSClient, SendMessageCommand } = await import('@aws-sdk/client-sqs');
    const { SQS_CLIENT_CONFIG } = await import('#shared/aws/client-config.ts');
    await new SQSClient(SQS_CLIENT_CONFIG).send(
      new SendMessageCommand({ QueueUrl: jobQueueUrl(), MessageBody: 'not json' }),
    );
    const poller = await startPoller({ queueUrl: jobQueueUrl(), handler: runWorker, waitTimeSeconds: 0 });
    const deadLetters = await waitFor(
      () => receiveAll(String(process.env.JOB_DLQ_URL)),
      (found) => found.some((message) => message.Body === 'not json'),
    );
    await poller.stop();
    expect(deadLetters.map((message) => message.Body)).toContain('not json');
  });

  it('marks a job Failed with the reason, sends nothing and acknowledges it, when its template is invalid', async () => {
    const job = statementJob(ledger.Id, 'BROKEN');

    const result = await runWorker(sqsEvent(sqsRecord(job)));

    expect(result.batchItemFailures).toEqual([]);
    expect(await getJob(job)).toMatchObject({
      state: 'Failed',
      reason: 'Email template 1 (Broken): #INVOICELIST# is not a known token',
    });
    expect(await sentEmails(String(ledger.Customers?.[1]?.Email))).toEqual([]);
  });

  it('marks a job Failed when its customer no longer exists', async () => {
    const job = statementJob(tenant.Id, 'GONE');
    const result = await runWorker(sqsEvent(sqsRecord(job)));
    expect(result.batchItemFailures).toEqual([]);
    expect(await getJob(job)).toMatchObject({ state: 'Failed', reason: 'Invalid customer code' });
  });

  it('answers the status of the API call with the same batch the worker records', async () => {
    const response = await invoke(bulkEmail, apiEvent({ tenantId: tenant.Id, body: ['CUST2345'] }));
    expect(jsonBody(response)).toEqual([
      { CustomerCode: 'CUST2345', Sent: false, Message: 'Invalid customer email address' },
    ]);
  });
});
