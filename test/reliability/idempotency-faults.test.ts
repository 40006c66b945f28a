/**
 * Idempotency-Key under a lost completion write: every request queues its jobs, then the write
 * that records its answer fails, and each client retries with its key once the lock has lapsed
 * (twice, for some). Whatever the retries, each statement is emailed once.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { handler as bulkEmail } from '#functions/bulk-email-api/handler.ts';
import { handler as worker } from '#functions/statement-worker/handler.ts';
import { dynamoDbClient } from '#shared/aws/dynamodb.ts';
import type { CustomerStatementEmailStatus } from '#shared/schemas/records.ts';
import type { StatementJob } from '#shared/schemas/statement-job.ts';
import { importFixture } from '#shared/seed/import-fixture.ts';
import { lambdaContext } from '../../infra/local/lambda-context.ts';
import { apiEvent, invoke, jsonBody } from '../support/api-events.ts';
import { uniqueTenantId } from '../support/tenants.ts';
import { checkInvariants, drain, tenantWithCustomers } from './harness.ts';
import { recordFigure } from './report.ts';

const runWorker = (event: SQSEvent, context: Context) =>
  (worker as unknown as (e: SQSEvent, c: Context) => Promise<SQSBatchResponse>)(
    event,
    context ?? lambdaContext('worker', 300),
  );

const CLIENTS = 10;
const CODES_PER_REQUEST = 3;

describe('Idempotency-Key faults', () => {
  afterEach(() => {
    vi.useRealTimers();
    dynamoDbClient().middlewareStack.remove('lose-completion');
  });

  it('loses every completion write, and the retries after the lock lapses email each statement once', async () => {
    const tenantId = uniqueTenantId('idem');
    await importFixture(
      { Tenants: [tenantWithCustomers(tenantId, CLIENTS * CODES_PER_REQUEST)] },
      '2026-11-24',
    );
    let lost = 0;
    dynamoDbClient().middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { ExpressionAttributeValues?: unknown };
        if (
          context.commandName === 'UpdateItemCommand' &&
          JSON.stringify(input.ExpressionAttributeValues ?? {}).includes('"Completed"')
        ) {
          lost += 1;
          throw Object.assign(new Error('injected: completion write lost'), {
            name: 'InternalServerError',
            $fault: 'server',
          });
        }
        return next(args);
      },
      { step: 'initialize', name: 'lose-completion' },
    );
    const requests = Array.from({ length: CLIENTS }, (_, client) => ({
      key: `client-${client}-${tenantId}`,
      codes: Array.from(
        { length: CODES_PER_REQUEST },
        (_, index) => `C${client * CODES_PER_REQUEST + index}`,
      ),
    }));
    const post = ({ key, codes }: (typeof requests)[number]) =>
      invoke(bulkEmail, apiEvent({ tenantId, body: codes, headers: { 'Idempotency-Key': key } }));

    const first = await Promise.all(requests.map(post));
    expect(first.map((response) => response.statusCode)).toEqual(requests.map(() => 200));
    // Every client retries once the lock has lapsed, and half of them twice.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 61_000);
    const retries = await Promise.all(requests.map(post));
    vi.setSystemTime(Date.now() + 61_000);
    const again = await Promise.all(requests.filter((_, index) => index % 2 === 0).map(post));
    vi.useRealTimers();

    for (const [index, retry] of retries.entries()) {
      expect(retry.statusCode).toBe(200);
      expect(retry.headers?.['X-Batch-Id']).toBe(first[index]?.headers?.['X-Batch-Id']);
    }
    for (const retry of again) expect(retry.statusCode).toBe(200);
    const jobs: StatementJob[] = first.flatMap((response) =>
      jsonBody<CustomerStatementEmailStatus[]>(response).map((status) => ({
        version: 1,
        tenantId,
        batchId: String(response.headers?.['X-Batch-Id']),
        customerCode: status.CustomerCode,
        period: { start: '2026-01-01', end: '2026-01-01', filterAll: false, excludePaid: false },
        requestedAt: new Date().toISOString(),
      })),
    );

    await drain(String(process.env.JOB_QUEUE_URL), runWorker, { functionTimeoutMs: 2_000 });
    const outcome = await checkInvariants(jobs, String(process.env.JOB_DLQ_URL), tenantId);

    recordFigure('idempotency.completion_lost.lost_writes', lost, 'completion writes lost (injected)');
    recordFigure(
      'idempotency.completion_lost.requests',
      first.length + retries.length + again.length,
      'idempotent requests, retries included',
    );
    recordFigure('idempotency.completion_lost.sent', outcome.sent, `of ${jobs.length} statements sent`);
    recordFigure(
      'idempotency.completion_lost.duplicates',
      outcome.duplicates,
      'duplicate emails (must be 0)',
    );
    expect(lost).toBeGreaterThanOrEqual(CLIENTS);
    expect(outcome.sent).toBe(jobs.length);
    expect(outcome.duplicates).toBe(0);
  });
});
