/**
 * The statement document end to end: what the ledger API stores (the tenant's letterhead, logo and
 * payment details; the customer's name, billing address and ledger) is what the worker's email
 * and PDF show, figures and all.
 */
import { readFileSync } from 'node:fs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler as bulkEmail } from '#functions/bulk-email-api/handler.ts';
import { handler as worker } from '#functions/statement-worker/handler.ts';
import { lambdaContext } from '../../infra/local/lambda-context.ts';
import { apiEvent, invoke, jsonBody } from '../support/api-events.ts';
import { bodyOf, emptyLedgerTenant, invoiceRecord } from '../support/ledger-api.ts';
import { pdfLinks, pdfText } from '../support/pdf-text.ts';
import { jobQueueUrl, receiveAll } from '../support/queues.ts';
import { sentEmails } from '../support/ses.ts';
import { sqsEvent, sqsRecord } from '../support/sqs-events.ts';

const run = Date.now();
const runWorker = (body: string) =>
  (worker as unknown as (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>)(
    sqsEvent(sqsRecord(body, 1)),
    lambdaContext('statement-worker'),
  );

describe('the statement document, from what the ledger API stores', () => {
  it("shows the tenant's letterhead and payment details, the customer's address, and the summary's figures", async () => {
    const { tenantId, api } = await emptyLedgerTenant();
    const email = `eleni.${run}@document.example`;
    const settings = bodyOf(await api.get('/v2/settings/statements'));
    const put = await api.put('/v2/settings/statements', {
      body: {
        ...settings,
        CompanyName: 'Demo Trading Ltd',
        Address: { Line1: '12 Canal Street', Town: 'Manchester', PostCode: 'M1 3HE', CountryCode: 'GB' },
        VATNumber: 'GB123456789',
        CompanyNumber: '09876543',
        Phone: '0161 496 0000',
        PaymentInstructions: 'Sort code 04-00-04\nAccount 12345678',
        PaymentLink: 'https://pay.example/s?c={CustomerCode}&a={Amount}',
        Logo: { ContentType: 'image/png', Data: readFileSync('fixtures/demo-logo.png').toString('base64') },
      },
    });
    expect(put.statusCode).toBeLessThan(300);
    await api.put('/v2/customers/{code}', {
      params: { code: 'GR1' },
      body: {
        Code: 'GR1',
        Name: 'Αθηναϊκή Εμπορική Α.Ε.',
        Contacts: [{ Name: 'Ελένη Παπαδοπούλου', Email: email, IsPrimary: true }],
        Addresses: [{ Line1: 'Οδός Ερμού 10', Town: 'Αθήνα', PostCode: '105 63', CountryCode: 'GR' }],
      },
    });
    await api.put('/v2/invoices/{number}', {
      params: { number: '71' },
      body: invoiceRecord(71, 'GR1', { IssuedDate: '2026-01-05', DueDate: '2026-02-04', Total: '1200.00' }),
    });
    await api.put('/v2/invoices/{number}', {
      params: { number: '72' },
      body: invoiceRecord(72, 'GR1', { IssuedDate: '2026-02-10', DueDate: '2026-05-10', Total: '430.00' }),
    });
    await api.put('/v2/creditnotes/{number}', {
      params: { number: '5' },
      body: { Number: 5, CustomerCode: 'GR1', IssuedDate: '2026-02-20', Total: '150.00' },
    });
    await api.put('/v2/payments/{number}', {
      params: { number: '9' },
      body: { Number: 9, CustomerCode: 'GR1', Date: '2026-03-01', Amount: '100.00' },
    });

    const answer = await invoke(
      bulkEmail,
      apiEvent({ tenantId, query: { startdate: '20260101', enddate: '20260331' }, body: ['GR1'] }),
    );
    expect(jsonBody(answer)).toEqual([{ CustomerCode: 'GR1', Sent: true, Message: 'Marked to send' }]);
    const jobs = (await receiveAll(jobQueueUrl())).filter((message) => message.Body?.includes(tenantId));
    expect(jobs).toHaveLength(1);
    expect((await runWorker(jobs[0]?.Body ?? '')).batchItemFailures).toEqual([]);

    const [sent] = await sentEmails(email);
    const pdfAttachment = sent?.attachments.find(
      (attachment) => attachment.contentType === 'application/pdf',
    );
    const pdfBytes = Buffer.from(pdfAttachment?.content ?? '', 'base64');
    const pdf = (await pdfText(pdfBytes)).text.join('\n');
    // 1,200 + 430 − 150 − 100 = 1,380; the credit and the payment on account go to invoice 71, past due.
    for (const expected of [
      'Demo Trading Ltd',
      '12 Canal Street',
      'VAT number GB123456789',
      'Company number 09876543',
      'Αθηναϊκή Εμπορική Α.Ε.',
      'Οδός Ερμού 10',
      'Greece',
      '£1,630.00',
      '£150.00',
      '£100.00',
      '£1,380.00',
      '£950.00',
      'Sort code 04-00-04',
      'Page 1 of 1',
    ]) {
      expect(pdf).toContain(expected);
    }
    expect(pdfBytes.toString('latin1')).toMatch(/\/Subtype\s*\/Image/);
    expect((await pdfLinks(pdfBytes)).map((link) => link.uri)).toContain(
      'https://pay.example/s?c=GR1&a=1380.00',
    );
    for (const body of [sent?.body.text ?? '', sent?.body.html ?? '']) {
      expect(body).toContain('Αθηναϊκή Εμπορική Α.Ε.');
      expect(body).toContain('£1,380.00');
      expect(body).toContain('£950.00');
      expect(body).toMatch(/https:\/\/pay\.example\/s\?c=GR1&(amp;)?a=1380\.00/);
    }
  });
});
