/**
 * Hostile input to the API, generated (fast-check) and hand-written. No input may crash the
 * handler, queue anything it should not, leak a stack trace, token or address, or put an
 * injected header or unescaped HTML into a mail.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import fc from 'fast-check';
import { simpleParser } from 'mailparser';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as bulkEmail } from '#functions/bulk-email-api/handler.ts';
import { handler as worker } from '#functions/statement-worker/handler.ts';
import { sesClient } from '#shared/aws/ses.ts';
import { sqsClient } from '#shared/aws/sqs.ts';
import { lambdaContext } from '../../infra/local/lambda-context.ts';
import { apiEvent, invoke } from '../support/api-events.ts';
import { jobQueueUrl, purge, receiveAll } from '../support/queues.ts';
import { sentEmails } from '../support/ses.ts';
import { sqsEvent, sqsRecord } from '../support/sqs-events.ts';
import { exampleTenant, seedTenants } from '../support/tenants.ts';
import { recordFigure } from './report.ts';

const tenant = exampleTenant();
const TOKEN = String(tenant.ApiTokens[0]);

/** Counts the job entries the API hands to SQS, on the real client. */
function countQueuedEntries() {
  let entries = 0;
  const name = `count-entries-${Math.random()}`;
  sqsClient().middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'SendMessageBatchCommand')
        entries += (args.input as { Entries: unknown[] }).Entries.length;
      return next(args);
    },
    { step: 'initialize', name },
  );
  return {
    count: () => entries,
    reset: () => (entries = 0),
    detach: () => sqsClient().middlewareStack.remove(name),
  };
}

/** The invariants of any answer: 200 with one status per code, or a clean KashFlow error. */
function checkAnswer(result: { statusCode: number; body: string }, queued: number): void {
  expect([200, 400, 413, 415]).toContain(result.statusCode);
  const body = JSON.parse(result.body) as unknown;
  if (result.statusCode === 200) {
    const statuses = body as { CustomerCode: string; Sent: boolean; Message: string }[];
    for (const status of statuses) expect(Object.keys(status)).toEqual(['CustomerCode', 'Sent', 'Message']);
    expect(queued).toBe(statuses.filter((status) => status.Sent).length);
    return;
  }
  expect(Object.keys(body as object)).toEqual(['Error', 'Message']);
  const { Message } = body as { Message: string };
  expect(Message).not.toMatch(/\n\s+at |ZodError|node_modules/);
  expect(Message).not.toContain(TOKEN);
  expect(Message).not.toMatch(/@\w/);
  expect(queued).toBe(0);
}

describe('hostile input to POST /v2/customerstatements/bulk/email', () => {
  let runs = 0;

  beforeAll(async () => {
    await seedTenants(tenant);
  });

  it('answers any JSON body with 200 or a clean 4xx, and queues only what it reports', async () => {
    const counter = countQueuedEntries();
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 3 }), async (value) => {
        counter.reset();
        runs += 1;
        const result = await invoke(
          bulkEmail,
          apiEvent({ tenantId: tenant.Id, body: JSON.stringify(value) }),
        );
        checkAnswer(result, counter.count());
      }),
      { numRuns: 150 },
    );
    counter.detach();
  });

  it('answers any list of strings (any unicode, control characters, # and /) the same way', async () => {
    const counter = countQueuedEntries();
    const codes = fc.array(
      fc.oneof(
        fc.string({ unit: 'binary', maxLength: 80 }),
        fc.constantFrom(
          '101',
          '0065',
          'CUST2345',
          "' OR 1=1 --",
          '../../etc/passwd',
          '101#CUSTOMER#0065',
          '%00',
          '<b>x</b>',
        ),
      ),
      { maxLength: 40 },
    );
    await fc.assert(
      fc.asyncProperty(codes, async (list) => {
        counter.reset();
        runs += 1;
        const result = await invoke(bulkEmail, apiEvent({ tenantId: tenant.Id, body: list }));
        checkAnswer(result, counter.count());
        if (result.statusCode === 200) {
          const statuses = JSON.parse(result.body) as { CustomerCode: string; Sent: boolean }[];
          // Only the two customers that exist with valid addresses can ever be queued.
          for (const status of statuses.filter((s) => s.Sent))
            expect(['101', '0065']).toContain(status.CustomerCode);
        }
      }),
      { numRuns: 150 },
    );
    counter.detach();
  });

  it('answers any query string with 200 or a 400 that names the parameter', async () => {
    const counter = countQueuedEntries();
    const value = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.stringMatching(/^\d{8}$/),
      fc.constantFrom('20130230', '99999999', 'All', 'aLL', '1', '0', ''),
    );
    const query = fc.record(
      {
        startdate: value,
        enddate: value,
        filterby: value,
        excludepaidinvoices: value,
        dryrun: fc.constantFrom('0', ''),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(query, async (params) => {
        counter.reset();
        runs += 1;
        const result = await invoke(
          bulkEmail,
          apiEvent({ tenantId: tenant.Id, query: params, body: ['101'] }),
        );
        checkAnswer(result, counter.count());
        if (result.statusCode === 400) {
          expect(JSON.parse(result.body).Message).toMatch(
            /^(startdate|enddate|filterby|excludepaidinvoices|dryrun)\b/,
          );
        }
      }),
      { numRuns: 150 },
    );
    counter.detach();
    recordFigure(
      'hostile.generated_requests',
      runs,
      'generated requests, none crashed or queued what it did not report',
    );
  });

  it.each([
    ['a 10 MB body', { body: `[${'"x",'.repeat(2_000_000)}"x"]` }, 413],
    ['20130230', { query: { startdate: '20130230' }, body: ['101'] }, 400],
    ['99999999', { query: { enddate: '99999999' }, body: ['101'] }, 400],
    ['a duplicated parameter', { query: { startdate: ['20130101', '20130102'] }, body: ['101'] }, 400],
    ['nested arrays', { body: '[["101"]]' }, 400],
    ['numbers', { body: '[101, 65]' }, 400],
    [
      'a DTD with an external entity',
      {
        headers: { 'Content-Type': 'application/xml' },
        body: '<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><ArrayOfString><string>&x;</string></ArrayOfString>',
      },
      400,
    ],
  ])('refuses %s cleanly and queues nothing', async (_, input, status) => {
    const counter = countQueuedEntries();
    const result = await invoke(bulkEmail, apiEvent({ tenantId: tenant.Id, ...input }));
    counter.detach();
    expect(result.statusCode).toBe(status);
    checkAnswer(result, counter.count());
  });
});

describe('hostile data in names, templates and addresses', () => {
  const evil = exampleTenant({
    Name: 'Evil Co\r\nReply-To: thief@evil.example',
    EmailTemplates: [
      {
        Number: 1,
        Name: 'Evil',
        Subject: 'Statement for #NAME#\r\nX-Injected: subject',
        Body: '<p>Dear #CONTACT#,</p><p>#NAME#</p>',
        IsHtml: true,
      },
    ],
    DefaultStatementTemplateNumber: 1,
    Customers: [
      {
        Code: 'EVIL',
        Name: '<script>alert(1)</script>\r\nBcc: victim@evil.example',
        ContactName: '<img src=x onerror=alert(1)> "Mallory" \n X-Injected: contact',
        Email: `mallory.${Date.now()}@evil.example`,
      },
      { Code: 'CRLF', Name: 'Addr', Email: 'a@b.example\r\nBcc: victim@evil.example' },
    ],
    Invoices: [],
  });

  beforeAll(async () => {
    await seedTenants(evil);
    await purge(jobQueueUrl());
  });

  it('refuses an address carrying CR/LF, and mails the rest with no injected header and escaped HTML', async () => {
    const result = await invoke(bulkEmail, apiEvent({ tenantId: evil.Id, body: ['EVIL', 'CRLF'] }));
    expect(JSON.parse(result.body)).toEqual([
      { CustomerCode: 'EVIL', Sent: true, Message: 'Marked to send' },
      { CustomerCode: 'CRLF', Sent: false, Message: 'Invalid customer email address' },
    ]);
    const messages = await receiveAll(jobQueueUrl());
    // The raw message exactly as the worker hands it to SES.
    const raws: Uint8Array[] = [];
    sesClient().middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'SendRawEmailCommand') {
          raws.push((args.input as { RawMessage: { Data: Uint8Array } }).RawMessage.Data);
        }
        return next(args);
      },
      { step: 'initialize', name: 'capture-raw' },
    );
    const outcome = await (worker as unknown as (e: SQSEvent, c: Context) => Promise<SQSBatchResponse>)(
      sqsEvent(...messages.map((message) => sqsRecord(message.Body ?? '', 1, message.MessageId))),
      lambdaContext('worker'),
    );
    sesClient().middlewareStack.remove('capture-raw');
    expect(outcome.batchItemFailures).toEqual([]);

    expect(raws).toHaveLength(1);
    const mail = await simpleParser(Buffer.from(raws[0] ?? new Uint8Array()));
    const [stored] = await sentEmails('mallory.');
    expect(stored?.destination.bcc).toEqual([]);
    expect(stored?.replyTo).toEqual([]);
    expect(mail.bcc).toBeUndefined();
    expect(mail.replyTo).toBeUndefined();
    expect(mail.headers.has('x-injected')).toBe(false);
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.html).not.toMatch(/<script|<img/i);
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    recordFigure(
      'hostile.injection_attempts_blocked',
      1,
      'mails with CR/LF and HTML in names, subject and contact: 0 injected headers, 0 unescaped tags',
    );
  });
});
