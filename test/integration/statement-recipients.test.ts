/**
 * A statement's recipients end to end: the customer's contacts (To, CC) and the tenant's settings
 * (From name, Reply-To, Bcc) written through the ledger API, the message the worker sends through
 * the SES emulator, SES events per recipient through the events handler, and what the batch
 * status, the notes and the next request make of them.
 */
import { randomUUID } from 'node:crypto';
import type { Context, SNSEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler as batchStatus } from '#functions/batch-status/handler.ts';
import { handler as bulkEmail } from '#functions/bulk-email-api/handler.ts';
import { handler as sesEvents } from '#functions/ses-events/handler.ts';
import { handler as worker } from '#functions/statement-worker/handler.ts';
import { writeItems } from '#shared/aws/dynamodb.ts';
import { getJob, type JobRef } from '#shared/aws/dynamodb-jobs.ts';
import { listNotes } from '#shared/aws/dynamodb-notes.ts';
import { sesClient } from '#shared/aws/ses.ts';
import { jobMessageTags } from '#shared/aws/ses-message-tags.ts';
import { jobKey } from '#shared/aws/table-keys.ts';
import type { BatchStatusView, CustomerDeliveryView } from '#shared/services/get-batch-status.ts';
import { lambdaContext } from '../../infra/local/lambda-context.ts';
import {
  eventTags,
  recipientsOfSend,
  type SesEventOptions,
  sesEvent,
  snsEnvelope,
} from '../../infra/local/ses-event.ts';
import { apiEvent, BULK_EMAIL_PATH, invoke, jsonBody } from '../support/api-events.ts';
import { bodyOf, emptyLedgerTenant, invoiceRecord } from '../support/ledger-api.ts';
import { jobQueueUrl, receiveAll } from '../support/queues.ts';
import { type AcceptedSend, sentEmails, watchSends } from '../support/ses.ts';
import { type RawSend, recordRawSends } from '../support/ses-recipients.ts';
import { sqsEvent, sqsRecord } from '../support/sqs-events.ts';

type Contact = {
  Name?: string;
  Email: string;
  IsPrimary?: boolean;
  StatementRecipient?: 'To' | 'CC' | 'None';
};

/** A tenant of its own with statement settings (From name, Reply-To, Bcc) and one customer per call of `customer`. */
async function recipientsTenant(settings: { FromName?: string; ReplyTo?: string; Bcc?: string } = {}) {
  const { tenantId, api } = await emptyLedgerTenant();
  const address = (local: string) => `${local}.${tenantId}@acme.example`;
  const current = bodyOf(await api.get('/v2/settings/statements'));
  const put = await api.put('/v2/settings/statements', { body: { ...current, ...settings } });
  expect(put.statusCode).toBeLessThan(300);
  const customer = async (code: string, contacts: Contact[]) => {
    const written = await api.put('/v2/customers/{code}', {
      params: { code },
      body: { Code: code, Name: `Customer ${code}`, Contacts: contacts },
    });
    expect(written.statusCode).toBeLessThan(300);
    await api.put('/v2/invoices/{number}', {
      params: { number: String(1000 + code.length) },
      body: invoiceRecord(1000 + code.length, code),
    });
  };
  return { tenantId, api, address, customer };
}

const post = (tenantId: string, codes: string[], query: Record<string, string> = { filterby: 'all' }) =>
  invoke(bulkEmail, apiEvent({ tenantId, query, body: codes }));

/** The jobs on the queue now, run through the real worker; returns what SES was asked to send. */
async function runQueuedJobs(): Promise<{ accepted: AcceptedSend[]; raw: RawSend[] }> {
  const watch = watchSends(sesClient());
  const raw = recordRawSends(sesClient());
  try {
    const messages = await receiveAll(jobQueueUrl());
    const result = await (worker as unknown as (e: SQSEvent, c: Context) => Promise<SQSBatchResponse>)(
      sqsEvent(...messages.map((message) => sqsRecord(message.Body ?? '', 1, message.MessageId))),
      lambdaContext('statement-worker'),
    );
    expect(result.batchItemFailures).toEqual([]);
    return { accepted: watch.sends, raw: raw.sends };
  } finally {
    watch.detach();
    raw.detach();
  }
}

/** Posts the codes and runs their jobs; returns the batch id and what SES was asked to send. */
async function sendStatements(tenantId: string, codes: string[]) {
  const batchId = String((await post(tenantId, codes)).headers?.['X-Batch-Id']);
  return { batchId, ...(await runQueuedJobs()) };
}

/** An SES event for an accepted send, naming these recipients, through the real events handler. */
const replay = (
  type: string,
  send: AcceptedSend | undefined,
  recipients: string[],
  options: SesEventOptions = {},
) =>
  (sesEvents as unknown as (e: SNSEvent, c: Context) => Promise<string[]>)(
    snsEnvelope(
      sesEvent(type, String(send?.messageId), { tags: send?.tags, ...options, recipients }),
    ) as unknown as SNSEvent,
    lambdaContext('ses-events'),
  );

const batchOf = (tenantId: string, batchId: string, headers: Record<string, string> = {}) =>
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

async function customerState(tenantId: string, batchId: string, code: string): Promise<CustomerDeliveryView> {
  const view = jsonBody<BatchStatusView>(await batchOf(tenantId, batchId));
  const found = view.Customers.find((customer) => customer.CustomerCode === code);
  if (found === undefined) throw new Error(`No ${code} in the batch`);
  return found;
}

const headersOf = (raw: string) => raw.split('\r\n\r\n')[0] ?? '';

describe('statement recipients', () => {
  it('sends one message to two To and a Cc with Reply-To and the From name, the Bcc copy in the envelope only', async () => {
    const { tenantId, address, customer } = await recipientsTenant({
      FromName: 'Demo Accounts',
      ReplyTo: 'credit@demo.example',
      Bcc: 'copies@demo.example',
    });
    await customer('R1', [
      { Name: 'Łukasz Nowak', Email: address('lukasz'), StatementRecipient: 'To' },
      { Name: 'Ann Smith', Email: address('ann'), IsPrimary: true },
      { Name: 'Carol', Email: address('carol'), StatementRecipient: 'CC' },
      { Name: 'Nick', Email: address('nick'), StatementRecipient: 'None' },
    ]);

    const { batchId, raw } = await sendStatements(tenantId, ['R1']);

    expect(raw).toHaveLength(1);
    expect(raw[0]?.destinations).toEqual([
      address('ann'),
      address('lukasz'),
      address('carol'),
      'copies@demo.example',
    ]);
    const headers = headersOf(raw[0]?.raw ?? '');
    expect(headers).not.toMatch(/^Bcc:/im);
    expect(headers).not.toContain('copies@demo.example');
    expect(headers).not.toContain(address('nick'));
    const [email, ...others] = await sentEmails(address('ann'));
    expect(others).toEqual([]);
    expect(email?.destination).toEqual({
      to: [`"Ann Smith" <${address('ann')}>, "Łukasz Nowak" <${address('lukasz')}>`],
      cc: [`"Carol" <${address('carol')}>`],
      bcc: [],
    });
    expect(email?.replyTo).toEqual(['credit@demo.example']);
    expect(email?.from).toBe('"Demo Accounts" <accounts@example.example>');
    const state = await customerState(tenantId, batchId, 'R1');
    expect(state).toMatchObject({ State: 'Sent' });
    expect(state.Recipients).toEqual([
      { Email: address('ann'), Type: 'To', Status: 'Sent' },
      { Email: address('lukasz'), Type: 'To', Status: 'Sent' },
      { Email: address('carol'), Type: 'Cc', Status: 'Sent' },
      { Email: 'copies@demo.example', Type: 'Bcc', Status: 'Sent' },
    ]);
    const [note] = await listNotes(tenantId, 'R1');
    expect(note?.text).toBe(
      `Statement (all invoices) emailed to ${address('ann')}, ${address('lukasz')} (cc ${address('carol')}; bcc copies@demo.example). SES message id ${state.SesMessageId}.`,
    );
  });

  it('suppresses only the address a permanent bounce names: the next statement goes to the others', async () => {
    const { tenantId, address, customer } = await recipientsTenant();
    await customer('R2', [
      { Name: 'Ann', Email: address('ann'), IsPrimary: true },
      { Name: 'Tom', Email: address('tom'), StatementRecipient: 'To' },
      { Name: 'Carol', Email: address('carol'), StatementRecipient: 'CC' },
    ]);
    const first = await sendStatements(tenantId, ['R2']);
    const [send] = first.accepted;

    expect(await replay('Bounce', send, [address('tom')])).toEqual(['applied']);
    const bounced = await customerState(tenantId, first.batchId, 'R2');
    // Ann and Carol may still get it: the statement is not Bounced.
    expect(bounced.State).toBe('Sent');
    expect(bounced.Recipients).toEqual([
      { Email: address('ann'), Type: 'To', Status: 'Sent' },
      {
        Email: address('tom'),
        Type: 'To',
        Status: 'Bounced',
        Reason: 'Bounce: Permanent (General)',
        UpdatedAt: expect.any(String),
      },
      { Email: address('carol'), Type: 'Cc', Status: 'Sent' },
    ]);
    expect(await replay('Delivery', send, [address('ann'), address('carol')])).toEqual(['applied']);
    expect(await replay('Delivery', send, [address('ann')])).toEqual(['stale']);
    const delivered = await customerState(tenantId, first.batchId, 'R2');
    expect(delivered.State).toBe('Delivered');
    expect(delivered.Recipients?.map((recipient) => recipient.Status)).toEqual([
      'Delivered',
      'Bounced',
      'Delivered',
    ]);
    const xml = (await batchOf(tenantId, first.batchId, { Accept: 'application/xml' })).body;
    expect(xml).toContain(
      `<Recipients><Recipient><Email>${address('ann')}</Email><Type>To</Type><Status>Delivered</Status>`,
    );
    const notes = (await listNotes(tenantId, 'R2')).map((note) => note.text);
    expect(notes).toContain(
      `Statement email to ${address('tom')} bounced (Permanent, General). The address will not be emailed again until it changes.`,
    );

    const second = await sendStatements(tenantId, ['R2']);

    expect(second.raw[0]?.destinations).toEqual([address('ann'), address('carol')]);
    expect(headersOf(second.raw[0]?.raw ?? '')).not.toContain(address('tom'));
    expect((await customerState(tenantId, second.batchId, 'R2')).Recipients).toEqual([
      { Email: address('ann'), Type: 'To', Status: 'Sent' },
      { Email: address('carol'), Type: 'Cc', Status: 'Sent' },
      { Email: address('tom'), Type: 'To', Status: 'NotSent', Reason: 'Bounced before' },
    ]);
  });

  it("names the job's To and Cc recipients in the local ses:event, so that a replayed bounce suppresses them", async () => {
    const { tenantId, address, customer } = await recipientsTenant({ Bcc: 'copies@demo.example' });
    await customer('R9', [
      { Name: 'Ann', Email: address('ann'), IsPrimary: true },
      { Name: 'Carol', Email: address('carol'), StatementRecipient: 'CC' },
    ]);
    const { batchId, accepted } = await sendStatements(tenantId, ['R9']);
    const messageId = String(accepted[0]?.messageId);

    const named = await recipientsOfSend(messageId);

    expect(named).toEqual([address('ann'), address('carol')]);
    expect(await replay('Bounce', accepted[0], named ?? [])).toEqual(['applied']);
    expect((await customerState(tenantId, batchId, 'R9')).State).toBe('Bounced');
    expect(await recipientsOfSend('not-a-message-of-ours')).toBeUndefined();
  });

  it('moves the statement to Bounced when every To and Cc bounced, and to Complained on a complaint', async () => {
    const { tenantId, address, customer } = await recipientsTenant({ Bcc: 'copies@demo.example' });
    await customer('R3', [
      { Name: 'Ann', Email: address('ann'), IsPrimary: true },
      { Name: 'Carol', Email: address('carol'), StatementRecipient: 'CC' },
    ]);
    const { batchId, accepted } = await sendStatements(tenantId, ['R3']);
    const [send] = accepted;

    expect(await replay('Bounce', send, [address('ann')])).toEqual(['applied']);
    expect((await customerState(tenantId, batchId, 'R3')).State).toBe('Sent');
    expect(await replay('Bounce', send, [address('carol')])).toEqual(['applied']);
    expect(await customerState(tenantId, batchId, 'R3')).toMatchObject({
      State: 'Bounced',
      Reason: 'Bounce: Permanent (General)',
    });
    expect(await replay('Complaint', send, [address('carol')])).toEqual(['applied']);
    expect(await customerState(tenantId, batchId, 'R3')).toMatchObject({
      State: 'Complained',
      Reason: 'Complaint: abuse',
    });
    expect(jsonBody(await post(tenantId, ['R3']))).toEqual([
      { CustomerCode: 'R3', Sent: false, Message: 'Invalid customer email address' },
    ]);
  });

  it("records a bounce of the tenant's Bcc copy on its line only: no address of the customer is suppressed", async () => {
    const { tenantId, address, customer } = await recipientsTenant({ Bcc: 'copies@demo.example' });
    await customer('R4', [{ Name: 'Ann', Email: address('ann'), IsPrimary: true }]);
    const { batchId, accepted } = await sendStatements(tenantId, ['R4']);

    expect(await replay('Bounce', accepted[0], ['copies@demo.example'])).toEqual(['applied']);

    const state = await customerState(tenantId, batchId, 'R4');
    expect(state.State).toBe('Sent');
    expect(state.Recipients?.map(({ Type, Status }) => [Type, Status])).toEqual([
      ['To', 'Sent'],
      ['Bcc', 'Bounced'],
    ]);
    expect((await listNotes(tenantId, 'R4')).filter((note) => note.text.includes('bounced'))).toEqual([]);
    const dry = jsonBody<{ Message: string; Recipients: unknown[] }[]>(
      await post(tenantId, ['R4'], { dryrun: '1', filterby: 'all' }),
    );
    expect(dry[0]).toMatchObject({
      Message: 'Would be sent',
      Recipients: [
        { Email: address('ann'), Type: 'To', Status: 'WouldSend' },
        { Email: 'copies@demo.example', Type: 'Bcc', Status: 'WouldSend' },
      ],
    });
  });

  it('answers Invalid customer email address for a customer whose only address bounced, in the request and in the worker', async () => {
    const { tenantId, address, customer } = await recipientsTenant();
    await customer('R5', [{ Name: 'Ann', Email: address('ann'), IsPrimary: true }]);
    const first = await sendStatements(tenantId, ['R5']);
    // A second statement is queued before SES reports the first one's bounce.
    const queued = String((await post(tenantId, ['R5'])).headers?.['X-Batch-Id']);

    expect(await replay('Bounce', first.accepted[0], [address('ann')])).toEqual(['applied']);

    expect(jsonBody(await post(tenantId, ['R5']))).toEqual([
      { CustomerCode: 'R5', Sent: false, Message: 'Invalid customer email address' },
    ]);
    const { raw } = await runQueuedJobs();
    expect(raw).toEqual([]);
    expect(await customerState(tenantId, queued, 'R5')).toMatchObject({
      State: 'Failed',
      Reason: 'Invalid customer email address (1 bounced before)',
    });
  });

  it('promotes the first Cc to To when no To address is left, and the dry run says who is left off and why', async () => {
    const { tenantId, address, customer } = await recipientsTenant();
    await customer('R6', [
      { Name: 'Ann', Email: address('ann'), IsPrimary: true },
      { Name: 'Bad', Email: 'not-an-address', StatementRecipient: 'CC' },
      { Name: 'Carol', Email: address('carol'), StatementRecipient: 'CC' },
      { Name: 'Dave', Email: address('dave'), StatementRecipient: 'CC' },
    ]);
    const first = await sendStatements(tenantId, ['R6']);
    expect(await replay('Complaint', first.accepted[0], [address('ann')])).toEqual(['applied']);

    const dry = jsonBody<Record<string, unknown>[]>(
      await post(tenantId, ['R6'], { dryrun: '1', filterby: 'all' }),
    );
    const second = await sendStatements(tenantId, ['R6']);

    expect(dry[0]).toMatchObject({
      Message: 'Would be sent',
      Recipient: address('carol'),
      Recipients: [
        { Email: address('carol'), Type: 'To', Status: 'WouldSend' },
        { Email: address('dave'), Type: 'Cc', Status: 'WouldSend' },
        { Email: address('ann'), Type: 'To', Status: 'NotSent', Reason: 'Complained before' },
        { Email: 'not-an-address', Type: 'Cc', Status: 'NotSent', Reason: 'Not a valid email address' },
      ],
    });
    const [email] = await sentEmails(address('carol'));
    expect(email?.destination).toEqual({
      to: [`"Carol" <${address('carol')}>`],
      cc: [`"Dave" <${address('dave')}>`],
      bcc: [],
    });
    expect(second.raw[0]?.destinations).toEqual([address('carol'), address('dave')]);
  });

  it('moves a job recorded before recipients were (only its sentTo) by an event naming that address', async () => {
    const { tenantId, address, customer } = await recipientsTenant();
    await customer('R7', [{ Name: 'Ann', Email: address('ann'), IsPrimary: true }]);
    const job: JobRef = { tenantId, batchId: randomUUID(), customerCode: 'R7' };
    const sesMessageId = `ses-legacy-${job.batchId}`;
    await writeItems({
      puts: [
        {
          ...jobKey(tenantId, job.batchId, 'R7'),
          type: 'Job',
          ...job,
          state: 'Sent',
          stateRank: 1,
          attempts: 1,
          sesMessageId,
          sentTo: address('ann'),
          sentAt: '2026-11-01T00:00:00.000Z',
          updatedAt: '2026-11-01T00:00:00.000Z',
        },
      ],
      deletes: [],
    });
    const send = { messageId: sesMessageId, tags: eventTags(jobMessageTags(job)) };

    expect(await replay('Bounce', send, [address('ann')])).toEqual(['applied']);

    expect(await getJob(job)).toMatchObject({
      state: 'Bounced',
      recipients: [
        { address: address('ann'), line: 'To', state: 'Bounced', detail: 'Bounce: Permanent (General)' },
      ],
    });
    expect(jsonBody(await post(tenantId, ['R7']))).toEqual([
      { CustomerCode: 'R7', Sent: false, Message: 'Invalid customer email address' },
    ]);
  });
});
