import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { APIGatewayProxyResult, Context, SNSEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler as batchStatus } from '#functions/batch-status/handler.ts';
import { handler as bulkEmail } from '#functions/bulk-email-api/handler.ts';
import { handler as customerNotes } from '#functions/customer-notes/handler.ts';
import { handler as sesEvents } from '#functions/ses-events/handler.ts';
import { handler as worker } from '#functions/statement-worker/handler.ts';
import { dynamoDbClient } from '#shared/aws/dynamodb.ts';
import { sesClient } from '#shared/aws/ses.ts';
import { sqsClient } from '#shared/aws/sqs.ts';
import { metrics } from '#shared/observability/powertools.ts';
import type { BatchStatusView } from '#shared/services/get-batch-status.ts';
import type { NoteView } from '#shared/services/get-customer-notes.ts';
import { lambdaContext } from '../../infra/local/lambda-context.ts';
import { type SesEventOptions, sesEvent, snsEnvelope, tagsOfSend } from '../../infra/local/ses-event.ts';
import { apiEvent, BULK_EMAIL_PATH, invoke, jsonBody } from '../support/api-events.ts';
import { jobQueueUrl, purge, receiveAll } from '../support/queues.ts';
import { recordRequests } from '../support/sdk-requests.ts';
import { type AcceptedSend, lagSesMessageIndex, sentEmails, watchSends } from '../support/ses.ts';
import { sqsEvent, sqsRecord } from '../support/sqs-events.ts';
import { exampleTenant, seedTenants } from '../support/tenants.ts';

const run = promisify(execFile);
const tenant = exampleTenant();
// The event tests bounce and complain, which suppresses addresses: they get tenants of their own.
const tracking = exampleTenant();
const bouncing = exampleTenant();
const early = exampleTenant();
const softBouncing = exampleTenant();
const other = exampleTenant({
  Customers: [{ Code: 'X1', Name: 'Other', Email: 'x1@other.example' }],
  Invoices: [],
});

const post = (
  body: string[],
  headers: Record<string, string> = {},
  query: Record<string, string> = {},
  tenantId = tenant.Id,
) => invoke(bulkEmail, apiEvent({ tenantId, body, headers, query }));

const getBatch = (batchId: string, tenantId = tenant.Id, headers: Record<string, string> = {}) =>
  invoke(
    batchStatus,
    apiEvent({
      method: 'GET',
      path: `${BULK_EMAIL_PATH}/${batchId}`,
      resource: `${BULK_EMAIL_PATH}/{batchId}`,
      pathParameters: { batchId },
      tenantId,
      headers,
      body: null,
    }),
  );

const getNotes = (code: string, tenantId = tenant.Id, headers: Record<string, string> = {}) =>
  invoke(
    customerNotes,
    apiEvent({
      method: 'GET',
      path: `/v2/customers/${code}/notes`,
      resource: '/v2/customers/{code}/notes',
      pathParameters: { code },
      tenantId,
      headers,
      body: null,
    }),
  );

const stateOf = async (batchId: string, tenantId = tenant.Id) =>
  Object.fromEntries(
    jsonBody<BatchStatusView>(await getBatch(batchId, tenantId)).Customers.map((c) => [c.CustomerCode, c]),
  );

async function drainToWorker(): Promise<void> {
  const messages = await receiveAll(jobQueueUrl());
  if (messages.length === 0) return;
  const event = sqsEvent(...messages.map((message) => sqsRecord(message.Body ?? '', 1, message.MessageId)));
  const result = await (worker as unknown as (e: SQSEvent, c: Context) => Promise<SQSBatchResponse>)(
    event,
    lambdaContext('worker'),
  );
  expect(result.batchItemFailures).toEqual([]);
}

/** What a replayed event says: sesEvent's options, the recipients it names among them. */
type ReplayOptions = SesEventOptions;

/** One SES event through the real events handler, as SNS invokes it (asynchronously). */
const replay = (type: string, sesMessageId: string, options: ReplayOptions = {}) =>
  (sesEvents as unknown as (e: SNSEvent, c: Context) => Promise<string[]>)(
    snsEnvelope(sesEvent(type, sesMessageId, options)) as unknown as SNSEvent,
    lambdaContext('ses-events'),
  );

/** The event SES publishes for an accepted send: its message id and the tags the send set. */
const replayFor = (type: string, send: AcceptedSend | undefined, options: ReplayOptions = {}) =>
  replay(type, String(send?.messageId), { tags: send?.tags, ...options });

/** Posts one code and runs the worker; returns the batch and what SES accepted (with its tags). */
async function sendStatement(
  tenantId: string,
  code: string,
  onAccepted?: (send: AcceptedSend) => Promise<void>,
): Promise<{ batchId: string; send: AcceptedSend | undefined }> {
  const watch = watchSends(sesClient(), onAccepted);
  try {
    const batchId = String((await post([code], {}, {}, tenantId)).headers?.['X-Batch-Id']);
    await drainToWorker();
    return { batchId, send: watch.sends[0] };
  } finally {
    watch.detach();
  }
}

describe('delivery tracking, idempotent requests and dry runs', () => {
  beforeAll(async () => {
    await seedTenants(tenant, tracking, bouncing, early, softBouncing, other);
  });

  beforeEach(async () => {
    await purge(jobQueueUrl());
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('moves each customer Queued → Sent → Delivered, or Bounced, through replayed SES events', async () => {
    const response = await post(['101', '0065', 'CUST123'], {}, {}, tracking.Id);
    const batchId = String(response.headers?.['X-Batch-Id']);

    const queued = await stateOf(batchId, tracking.Id);
    expect(queued['101']).toMatchObject({ State: 'Queued', Sent: true, Message: 'Marked to send' });
    expect(queued.CUST123).toMatchObject({ State: 'Failed', Sent: false, Reason: 'Invalid customer code' });

    const watch = watchSends(sesClient());
    await drainToWorker();
    watch.detach();
    const sent = await stateOf(batchId, tracking.Id);
    expect(sent['101']).toMatchObject({ State: 'Sent', SesMessageId: expect.stringMatching(/^ses-/) });
    expect(sent['0065']).toMatchObject({ State: 'Sent' });
    const ann = String(sent['101']?.SesMessageId);
    const oliver = String(sent['0065']?.SesMessageId);
    // Each event carries the tags of its send, as SES reports them.
    const tags = (id: string) => watch.sends.find((send) => send.messageId === id)?.tags;
    expect(tags(ann)).toBeDefined();

    expect(await replay('Delivery', ann, { tags: tags(ann) })).toEqual(['applied']);
    expect(await replay('Delivery', ann, { tags: tags(ann) })).toEqual(['stale']); // a duplicate changes nothing
    expect(await replay('Bounce', oliver, { tags: tags(oliver) })).toEqual(['applied']);
    expect(await replay('Delivery', oliver, { tags: tags(oliver) })).toEqual(['stale']); // late and out of order
    expect(await replay('Bounce', oliver, { tags: tags(oliver) })).toEqual(['stale']);

    const after = await stateOf(batchId, tracking.Id);
    expect(after['101']).toMatchObject({ State: 'Delivered', SesMessageId: ann });
    expect(after['0065']).toMatchObject({ State: 'Bounced', Reason: 'Bounce: Permanent (General)' });
    expect(Date.parse(String(after['101']?.UpdatedAt))).toBeGreaterThan(0);

    expect(await replay('Complaint', ann, { tags: tags(ann) })).toEqual(['applied']);
    expect((await stateOf(batchId, tracking.Id))['101']).toMatchObject({ State: 'Complained' });
  });

  it('notes a bounce once, refuses the bounced address next time, and sends again once it changes', async () => {
    const batchId = String((await post(['0065'], {}, {}, bouncing.Id)).headers?.['X-Batch-Id']);
    await drainToWorker();
    const sesMessageId = String((await stateOf(batchId, bouncing.Id))['0065']?.SesMessageId);
    // SES names the address that bounced: that one is suppressed.
    const recipients = [`accounts.${bouncing.Id}@northwind.example`];

    await replay('Bounce', sesMessageId, { bounceType: 'Permanent', recipients });
    await replay('Bounce', sesMessageId, { bounceType: 'Permanent', recipients });

    const notes = jsonBody<NoteView[]>(await getNotes('0065', bouncing.Id));
    const bounceNotes = notes.filter((note) => note.Text.includes('bounced'));
    expect(bounceNotes).toHaveLength(1);
    expect(bounceNotes[0]?.Text).toBe(
      `Statement email to accounts.${bouncing.Id}@northwind.example bounced (Permanent, General). The address will not be emailed again until it changes.`,
    );
    expect(jsonBody(await post(['0065'], {}, {}, bouncing.Id))).toEqual([
      { CustomerCode: '0065', Sent: false, Message: 'Invalid customer email address' },
    ]);

    await seedTenants({
      ...bouncing,
      Customers: bouncing.Customers?.map((c) =>
        c.Code === '0065' ? { ...c, Email: `new.${bouncing.Id}@northwind.example` } : c,
      ),
    });
    expect(jsonBody(await post(['0065'], {}, {}, bouncing.Id))).toEqual([
      { CustomerCode: '0065', Sent: true, Message: 'Marked to send' },
    ]);
  });

  it('keeps an SES event that arrives before the sent marker, and applies it when Lambda retries it', async () => {
    const earlyEvents: { outcome?: string[]; error?: unknown }[] = [];
    // SES may publish an event (its suppression-list bounces come fast) before the worker has
    // written the sent marker: deliver it right when SES accepts, before the worker goes on.
    const { batchId, send } = await sendStatement(early.Id, '101', async (accepted) => {
      await replayFor('Delivery', accepted).then(
        (outcome) => earlyEvents.push({ outcome }),
        (error: unknown) => earlyEvents.push({ error }),
      );
    });

    expect(earlyEvents).toHaveLength(1);
    expect(earlyEvents[0]?.outcome).toBeUndefined(); // not acknowledged: the invocation failed
    expect(earlyEvents[0]?.error).toMatchObject({ name: 'SesEventNotReadyError' });
    expect((await stateOf(batchId, early.Id))['101']).toMatchObject({ State: 'Sent' });

    // Lambda's asynchronous retry, once the worker has written its marker.
    expect(await replayFor('Delivery', send)).toEqual(['applied']);
    expect((await stateOf(batchId, early.Id))['101']).toMatchObject({
      State: 'Delivered',
      SesMessageId: send?.messageId,
    });
  });

  it('tags each send with its job, and finds the job from the tags while the index has nothing yet', async () => {
    const { batchId, send } = await sendStatement(early.Id, '0065');
    expect(Object.keys(send?.tags ?? {})).toEqual(
      expect.arrayContaining(['job-tenant', 'job-batch', 'job-customer']),
    );

    const restore = lagSesMessageIndex(dynamoDbClient());
    try {
      expect(await replayFor('Delivery', send)).toEqual(['applied']);
    } finally {
      restore();
    }
    expect((await stateOf(batchId, early.Id))['0065']).toMatchObject({ State: 'Delivered' });
  });

  it('retries, never drops, an event tagged with a job of ours that cannot be found yet', async () => {
    const { send } = await sendStatement(early.Id, '101');
    const tags = {
      ...send?.tags,
      'job-batch': [Buffer.from('00000000-0000-4000-8000-000000000000').toString('base64url')],
    };

    await expect(replay('Delivery', 'ses-not-recorded-yet', { tags })).rejects.toMatchObject({
      name: 'SesEventNotReadyError',
    });
  });

  it('acknowledges as unknown only an event that is not ours (no tags of ours, not in the index), counted', async () => {
    const addMetric = vi.spyOn(metrics, 'addMetric');

    expect(
      await replay('Delivery', 'ses-no-such-message', { tags: { 'ses:configuration-set': ['other'] } }),
    ).toEqual(['unknown-message']);
    expect(addMetric).toHaveBeenCalledWith('SesEventsUnmatched', 'Count', 1);
  });

  it('finds a job through the index for an untagged event (a mail sent before tagging)', async () => {
    const { batchId, send } = await sendStatement(early.Id, '101');

    expect(await replay('Delivery', String(send?.messageId))).toEqual(['applied']);
    expect((await stateOf(batchId, early.Id))['101']).toMatchObject({ State: 'Delivered' });
  });

  it('keeps a job Delivered when a soft bounce follows the delivery, and notes it without suppressing', async () => {
    const { batchId, send } = await sendStatement(softBouncing.Id, '101');

    const outcomes = [
      await replayFor('Delivery', send),
      // An auto-reply or a full mailbox after delivery: SES reports a transient bounce.
      await replayFor('Bounce', send, { bounceType: 'Transient', bounceSubType: 'General' }),
      await replayFor('Bounce', send, { bounceType: 'Undetermined' }),
    ];

    expect((await stateOf(batchId, softBouncing.Id))['101']).toMatchObject({ State: 'Delivered' });
    expect(outcomes).toEqual([['applied'], ['noted'], ['noted']]);
    const softNotes = jsonBody<NoteView[]>(await getNotes('101', softBouncing.Id)).filter((note) =>
      note.Text.includes('soft bounce'),
    );
    expect(softNotes.map((note) => note.Text)).toEqual([
      `Statement email to ann.${softBouncing.Id}@acme.example got a soft bounce (Transient, General). The address stays in use.`,
    ]);
    expect(jsonBody(await post(['101'], {}, {}, softBouncing.Id))).toEqual([
      { CustomerCode: '101', Sent: true, Message: 'Marked to send' },
    ]);
  });

  it('moves a job to Delivered after a soft bounce, and to Bounced on a permanent bounce after delivery', async () => {
    const { batchId, send } = await sendStatement(softBouncing.Id, '0065');

    const soft = await replayFor('Bounce', send, { bounceType: 'Transient' });
    expect((await stateOf(batchId, softBouncing.Id))['0065']).toMatchObject({ State: 'Sent' });
    const delivery = await replayFor('Delivery', send);
    expect((await stateOf(batchId, softBouncing.Id))['0065']).toMatchObject({ State: 'Delivered' });
    expect([soft, delivery]).toEqual([['noted'], ['applied']]);
    const address = `accounts.${softBouncing.Id}@northwind.example`;
    expect(await replayFor('Bounce', send, { bounceType: 'Permanent', recipients: [address] })).toEqual([
      'applied',
    ]);

    expect((await stateOf(batchId, softBouncing.Id))['0065']).toMatchObject({
      State: 'Bounced',
      Reason: 'Bounce: Permanent (General)',
    });
    const texts = jsonBody<NoteView[]>(await getNotes('0065', softBouncing.Id)).map((note) => note.Text);
    expect(texts).toContain(
      `Statement email to ${address} got a soft bounce (Transient, MailboxFull). The address stays in use.`,
    );
    expect(texts).toContain(
      `Statement email to ${address} bounced (Permanent, General). The address will not be emailed again until it changes.`,
    );
  });

  it('lists notes newest first in KashFlow shape, in JSON and XML', async () => {
    await post(['101']);
    await drainToWorker();
    await post(['101']);
    await drainToWorker();

    const notes = jsonBody<NoteView[]>(await getNotes('101'));
    expect(notes.length).toBeGreaterThanOrEqual(2);
    expect(Object.keys(notes[0] ?? {})).toEqual(['Number', 'Date', 'LastModifiedBy', 'Text']);
    const numbers = notes.map((note) => note.Number);
    expect(numbers).toEqual([...numbers].sort((a, b) => b - a));
    const xml = await getNotes('101', tenant.Id, { Accept: 'application/xml' });
    expect(xml.body).toMatch(
      /^<\?xml version="1.0" encoding="utf-8"\?><ArrayOfNote><Note><Number>\d+<\/Number><Date>/,
    );
  });

  it("keeps batches and notes to their tenant: another tenant's are not found", async () => {
    const batchId = String((await post(['101'])).headers?.['X-Batch-Id']);

    const asOther = await getBatch(batchId, other.Id);
    expect(asOther.statusCode).toBe(404);
    expect(jsonBody(asOther)).toEqual({ Error: 'NotFound', Message: 'No such batch' });
    expect((await getNotes('101', other.Id)).statusCode).toBe(404);
    expect((await getBatch('not-a-uuid')).statusCode).toBe(404);
    expect((await getBatch(batchId, tenant.Id, { Accept: 'application/xml' })).body).toContain(
      '<CustomerStatementEmailBatch><BatchId>',
    );
  });

  it('answers a repeated Idempotency-Key with the first response and queues once', async () => {
    const key = { 'Idempotency-Key': `key-${Date.now()}` };
    const first = await post(['101', '0065'], key);
    const second = await post(['101', '0065'], key, {}, tenant.Id);

    expect(second.statusCode).toBe(200);
    expect(second.headers?.['X-Batch-Id']).toBe(first.headers?.['X-Batch-Id']);
    expect(second.headers?.['Idempotent-Replayed']).toBe('true');
    expect(second.body).toBe(first.body);
    expect(await receiveAll(jobQueueUrl())).toHaveLength(2);
  });

  it('refuses the same Idempotency-Key with a different request (422)', async () => {
    const key = { 'Idempotency-Key': `key-${Date.now()}-b` };
    await post(['101'], key);
    const different = await post(['0065'], key);
    const otherQuery = await post(['101'], key, { excludepaidinvoices: '1' });

    expect(different.statusCode).toBe(422);
    expect(jsonBody(different)).toEqual({
      Error: 'IdempotencyKeyReused',
      Message: 'Idempotency-Key was already used with a different request',
    });
    expect(otherQuery.statusCode).toBe(422);
  });

  it('queues once for concurrent requests with one Idempotency-Key', async () => {
    const key = { 'Idempotency-Key': `key-${Date.now()}-c` };
    const responses: APIGatewayProxyResult[] = await Promise.all(
      [1, 2, 3, 4, 5].map(() => post(['101', '0065'], key)),
    );

    const statuses = responses.map((response) => response.statusCode);
    expect(statuses.every((status) => status === 200 || status === 409)).toBe(true);
    const batches = new Set(
      responses.filter((r) => r.statusCode === 200).map((r) => r.headers?.['X-Batch-Id']),
    );
    expect(batches.size).toBe(1);
    expect(await receiveAll(jobQueueUrl())).toHaveLength(2);
  });

  it('keys are per tenant: two tenants may use the same Idempotency-Key', async () => {
    const key = { 'Idempotency-Key': `shared-${Date.now()}` };
    expect((await post(['101'], key)).statusCode).toBe(200);
    expect((await post(['X1'], key, {}, other.Id)).statusCode).toBe(200);
  });

  it('previews a dry run exactly, and sends, queues and writes nothing', async () => {
    const before = (await sentEmails(tenant.Id)).length;
    const dynamo = recordRequests(dynamoDbClient());
    const sqs = recordRequests(sqsClient());

    const response = await post(['101', 'CUST2345'], {}, { dryrun: '1', filterby: 'all' });

    dynamo.detach();
    sqs.detach();
    expect(response.statusCode).toBe(200);
    expect(jsonBody(response)).toEqual([
      {
        CustomerCode: '101',
        Sent: false,
        Message: 'Would be sent',
        DryRun: true,
        Recipient: `ann.${tenant.Id}@acme.example`,
        Recipients: [{ Email: `ann.${tenant.Id}@acme.example`, Type: 'To', Status: 'WouldSend' }],
        Subject: 'Statement of account from Example Trading Ltd',
        Template: 'Built-in statement',
        Balance: '£120.00',
        Overdue: '£120.00',
        LineCount: 1,
      },
      { CustomerCode: 'CUST2345', Sent: false, Message: 'Invalid customer email address', DryRun: true },
    ]);
    for (const write of ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'])
      expect(dynamo.count(write)).toBe(0);
    expect(sqs.total()).toBe(0);
    expect(await receiveAll(jobQueueUrl())).toEqual([]);
    expect((await sentEmails(tenant.Id)).length).toBe(before);
  });

  it('replays SES event JSON from the command line (npm run ses:event), with the tags of the send', async () => {
    const { batchId, send } = await sendStatement(tenant.Id, '101');
    const sesMessageId = String(send?.messageId);
    expect(await tagsOfSend(sesMessageId)).toEqual(send?.tags);
    expect(await tagsOfSend('ses-no-such-message')).toBeUndefined();
    const cli = (...args: string[]) =>
      run(process.execPath, ['--import', 'tsx', 'infra/local/ses-event.ts', ...args], {
        env: process.env,
      }).then(
        ({ stdout }) => ({ code: 0, stdout }),
        (error: { code: number; stdout: string }) => error,
      );

    const delivered = await cli('Delivery', sesMessageId);
    const unknown = await cli('Delivery', 'ses-no-such-message');

    expect(delivered).toMatchObject({ code: 0, stdout: `Delivery for ${sesMessageId}: applied\n` });
    expect(unknown.code).toBe(1);
    expect((await stateOf(batchId))['101']).toMatchObject({ State: 'Delivered' });
  });
});
