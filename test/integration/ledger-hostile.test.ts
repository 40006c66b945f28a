/**
 * A hostile client's probes of the ledger API that confirmed correct behaviour, beyond what
 * ledger-api, ledger-batch and ledger-isolation cover: money in odd forms, a payment naming
 * another customer than its invoice's, NDJSON with CRLF, an empty XML bulk, and records written
 * through the API then emailed for real by the worker.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler as bulkEmailHandler } from '#functions/bulk-email-api/handler.ts';
import { handler as worker } from '#functions/statement-worker/handler.ts';
import { StatementJobSchema } from '#shared/schemas/statement-job.ts';
import { lambdaContext } from '../../infra/local/lambda-context.ts';
import { apiEvent, invoke, jsonBody } from '../support/api-events.ts';
import {
  bodyOf,
  emptyLedgerTenant as emptyTenant,
  invoiceRecord as invoice,
  JSON_HEADERS,
  tenantItems,
} from '../support/ledger-api.ts';
import { jobQueueUrl, receiveAll } from '../support/queues.ts';
import { sentEmails } from '../support/ses.ts';
import { sqsEvent, sqsRecord } from '../support/sqs-events.ts';

const CUSTOMER = '/v2/customers/{code}';
const INVOICE = '/v2/invoices/{number}';
const INVOICE_PAYMENTS = '/v2/invoices/{number}/payments';
const CREDIT_NOTE = '/v2/creditnotes/{number}';
const PAYMENT = '/v2/payments/{number}';
const BATCH = '/v2/ledger/batch';

const customer = (code: string, email: string) => ({
  Code: code,
  Name: `Customer ${code}`,
  Contacts: [
    { Name: 'Ann', Email: email, IsPrimary: true },
    { Name: 'Bob', Email: `bob.${email}`, StatementRecipient: 'CC' },
  ],
});

const runWorker = (event: SQSEvent) =>
  (worker as unknown as (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>)(
    event,
    lambdaContext('statement-worker'),
  );

describe('ledger API probes of a hostile client', () => {
  it('reads money as exact decimals: leading zeros and -0 normalised, exponent forms refused naming Total', async () => {
    const { api, tenantId } = await emptyTenant();
    await api.put(CUSTOMER, { params: { code: 'A' }, body: customer('A', 'a@example.example') });

    const zeros = await api.put(INVOICE, {
      params: { number: '1' },
      body: invoice(1, 'A', { Total: '007.50' }),
    });
    const negativeZero = await api.put(INVOICE, {
      params: { number: '2' },
      body: invoice(2, 'A', { Total: '-0' }),
    });
    expect(bodyOf(zeros).Total).toBe('7.50');
    expect(bodyOf(negativeZero).Total).toBe('0.00');

    const before = await tenantItems(tenantId);
    for (const Total of ['1e3', 1e21, '+5', '.5', '5.', '1,000.00']) {
      const response = await api.put(INVOICE, { params: { number: '3' }, body: invoice(3, 'A', { Total }) });
      expect({ status: response.statusCode, ...bodyOf(response) }, String(Total)).toEqual({
        status: 400,
        Error: 'InvalidRequestBody',
        Message: 'Total: must be a decimal amount such as 120.00 or "120.00"',
      });
    }
    expect(await tenantItems(tenantId)).toEqual(before);
  });

  it("refuses a payment on an invoice that names another customer than the invoice's (400, nothing written)", async () => {
    const { api, tenantId } = await emptyTenant();
    await api.put(CUSTOMER, { params: { code: 'A' }, body: customer('A', 'a@example.example') });
    await api.put(CUSTOMER, { params: { code: 'B' }, body: customer('B', 'b@example.example') });
    await api.put(INVOICE, { params: { number: '10' }, body: invoice(10, 'A') });
    const before = await tenantItems(tenantId);

    const response = await api.put(PAYMENT, {
      params: { number: '11' },
      body: { InvoiceNumber: 10, CustomerCode: 'B', Date: '2026-01-10', Amount: '5.00' },
    });

    expect({ status: response.statusCode, ...bodyOf(response) }).toEqual({
      status: 400,
      Error: 'InvalidRequestBody',
      Message: "CustomerCode: must be the invoice's customer, or be left out",
    });
    expect(await tenantItems(tenantId)).toEqual(before);
  });

  it('bulk: reads NDJSON with CRLF line ends, and an empty XML Operations as the empty JSON list', async () => {
    const { api } = await emptyTenant();
    const lines = [
      { Action: 'Upsert', Type: 'Customer', Record: { Code: 'N1', Name: 'One' } },
      { Action: 'Delete', Type: 'Customer', Code: 'N1' },
    ];

    const ndjson = await api.post(BATCH, {
      body: `${lines.map((line) => JSON.stringify(line)).join('\r\n')}\r\n`,
      headers: { 'Content-Type': 'application/x-ndjson' },
    });
    expect(bodyOf<{ Results: { Result: string }[] }>(ndjson).Results.map(({ Result }) => Result)).toEqual([
      'Created',
      'Deleted',
    ]);

    const json = await api.post(BATCH, { body: { Operations: [] } });
    const xml = await api.post(BATCH, {
      body: '<LedgerBatch><Operations/></LedgerBatch>',
      headers: { 'Content-Type': 'application/xml' },
    });
    expect(json.statusCode).toBe(200);
    expect(xml.statusCode).toBe(200);
    expect(bodyOf(xml)).toEqual(bodyOf(json));
  });

  it('records written through the API are emailed by the worker with the figures the dry run showed', async () => {
    const { api, tenantId } = await emptyTenant();
    const email = `ann.${tenantId}@hostile.example`;
    await api.put(CUSTOMER, { params: { code: 'W' }, body: customer('W', email) });
    await api.put(INVOICE, { params: { number: '100' }, body: invoice(100, 'W', { Total: '300.00' }) });
    await api.put(CREDIT_NOTE, {
      params: { number: '101' },
      body: {
        CustomerCode: 'W',
        IssuedDate: '2026-01-05',
        Total: '50.00',
        Allocations: [{ InvoiceNumber: 100, Amount: '50.00' }],
      },
    });
    await api.post(INVOICE_PAYMENTS, {
      params: { number: '100' },
      body: { Number: 102, Date: '2026-01-10', Amount: '100.00' },
    });
    await api.put(PAYMENT, {
      params: { number: '103' },
      body: { CustomerCode: 'W', Date: '2026-01-11', Amount: '25.00' },
    });
    const bulk = (query: Record<string, string>) =>
      invoke(bulkEmailHandler, apiEvent({ tenantId, query, body: ['W'], headers: JSON_HEADERS }));

    const dry = jsonBody<Record<string, unknown>[]>(await bulk({ dryrun: '1', filterby: 'all' }));
    expect(dry).toEqual([expect.objectContaining({ CustomerCode: 'W', Balance: '£125.00' })]);

    expect((await bulk({ filterby: 'all' })).statusCode).toBe(200);
    const jobs = (await receiveAll(jobQueueUrl())).filter(
      (message) => StatementJobSchema.parse(JSON.parse(message.Body ?? '')).tenantId === tenantId,
    );
    expect(jobs).toHaveLength(1);
    const result = await runWorker(sqsEvent(...jobs.map((message) => sqsRecord(message.Body ?? ''))));

    expect(result.batchItemFailures).toEqual([]);
    const [sent] = await sentEmails(email);
    // The primary contact is the recipient (CC contacts are the next issue's rendering work).
    expect(sent?.destination.to).toEqual([`"Ann" <${email}>`]);
    expect(`${sent?.body.text ?? ''}${sent?.body.html ?? ''}`).toContain('125.00');
  });
});
