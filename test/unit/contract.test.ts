import type { APIGatewayProxyResult } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { apiEvent, BULK_EMAIL_PATH, invoke } from '../support/api-events.ts';
import { type ContractResponse, ContractViolationError, contract } from '../support/contract.ts';

const STATUSES = [
  { CustomerCode: '101', Sent: true, Message: 'Marked to send' },
  { CustomerCode: 'CUST123', Sent: false, Message: 'Invalid customer code' },
];
const BATCH_ID = '0b5e5d0a-5a4f-4a51-9f43-3f0a0d7e1c11';

/** The bulk endpoint's 200 as its handler writes it; each test changes one thing. */
const bulkAnswer = (change: Partial<ContractResponse> = {}): ContractResponse => ({
  method: 'POST',
  resource: BULK_EMAIL_PATH,
  path: BULK_EMAIL_PATH,
  status: 200,
  headers: {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    Vary: 'Accept',
    'X-Batch-Id': BATCH_ID,
    Location: `${BULK_EMAIL_PATH}/${BATCH_ID}`,
  },
  body: JSON.stringify(STATUSES),
  ...change,
});

describe('contract', () => {
  it('accepts an answer the document describes', () => {
    expect(contract().violations(bulkAnswer())).toEqual([]);
  });

  it('fails an undocumented status', () => {
    const violations = contract().violations(bulkAnswer({ status: 418 }));

    expect(violations).toEqual([
      expect.stringMatching(/^POST \/v2\/customerstatements\/bulk\/email 418: status not documented/),
    ]);
  });

  it('fails a body field the document does not have', () => {
    const body = JSON.stringify([{ ...STATUSES[0], Internal: 'leaked' }]);

    const violations = contract().violations(bulkAnswer({ body }));

    expect(violations.join('\n')).toContain('body/0 must NOT have additional properties (Internal)');
  });

  it('fails a field of the wrong type', () => {
    const body = JSON.stringify([{ ...STATUSES[0], Sent: 'true' }]);

    const violations = contract().violations(bulkAnswer({ body }));

    expect(violations.join('\n')).toContain('body/0/Sent must be boolean');
  });

  it('fails a missing required field', () => {
    const body = JSON.stringify([{ CustomerCode: '101', Sent: true }]);

    const violations = contract().violations(bulkAnswer({ body }));

    expect(violations.join('\n')).toContain("body/0 must have required property 'Message'");
  });

  it('fails an undocumented header, and a documented one whose value breaks its schema', () => {
    const violations = contract().violations(
      bulkAnswer({ headers: { ...bulkAnswer().headers, 'X-Debug': '1', 'X-Batch-Id': 'not-a-uuid' } }),
    );

    expect(violations).toEqual([
      expect.stringContaining('header x-batch-id: data must match format "uuid"'),
      expect.stringContaining('header X-Debug not documented'),
    ]);
  });

  it('fails an undocumented content type, and a JSON content type whose body is not JSON', () => {
    const html = contract().violations(
      bulkAnswer({ headers: { ...bulkAnswer().headers, 'Content-Type': 'text/html' } }),
    );
    const notJson = contract().violations(bulkAnswer({ body: '<ArrayOfCustomerStatementEmailStatus/>' }));

    expect(html).toEqual([expect.stringContaining('Content-Type text/html not documented')]);
    expect(notJson).toEqual([expect.stringContaining('the application/json body is not JSON')]);
  });

  it('checks an error answer against the {Error, Message} schema', () => {
    const answer = (body: unknown) =>
      bulkAnswer({
        status: 400,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });

    expect(contract().violations(answer({ Error: 'InvalidParameter', Message: 'startdate …' }))).toEqual([]);
    expect(contract().violations(answer({ Error: 'InvalidParameter', Message: 'x', Stack: 'at …' }))).toEqual(
      [expect.stringContaining('must NOT have additional properties (Stack)')],
    );
  });

  it('finds the operation by the path when the resource is not given, the literal path first', () => {
    const schedule = {
      method: 'GET',
      path: '/v2/customers/schedule-statement',
      status: 200,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify([{ Number: 1, Date: '2013-10-10', LastModifiedBy: 'x', Text: 'y' }]),
    };

    // A note list is not a schedule answer: matched to `/v2/customers/{code}` it would be a customer.
    expect(contract().violations(schedule).join('\n')).toContain('GET /v2/customers/schedule-statement 200');
  });

  it('allows only a 404, or an answer API Gateway gives every route, for a path or method the document does not list', () => {
    const unrouted = {
      method: 'GET',
      path: '/v2/suppliers',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ Error: 'NotFound', Message: 'No such resource.' }),
    };

    expect(contract().violations({ ...unrouted, status: 404 })).toEqual([]);
    expect(contract().violations({ ...unrouted, status: 429 })).toEqual([]);
    expect(contract().violations({ ...unrouted, status: 200 })).toEqual([
      expect.stringContaining('no such operation in the document'),
    ]);
  });

  it('makes invoke fail when the handler answers what the document does not allow', async () => {
    const handler = async (): Promise<APIGatewayProxyResult> => ({
      statusCode: 200,
      headers: { 'Content-Type': 'application/json', 'X-Batch-Id': BATCH_ID },
      body: JSON.stringify([{ ...STATUSES[0], Sent: 1 }]),
    });

    await expect(invoke(handler, apiEvent({ body: ['101'] }))).rejects.toThrow(ContractViolationError);
  });
});
