/**
 * DynamoDB faults the emulator does not produce, injected into the real client: throttling (inside
 * the SDK's retry loop), UnprocessedKeys on the POST's batch read, a failed note write after the
 * send, and failed status (sent marker) writes.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { handler as bulkEmail } from '#functions/bulk-email-api/handler.ts';
import { handler as worker } from '#functions/statement-worker/handler.ts';
import { dynamoDbClient } from '#shared/aws/dynamodb.ts';
import { importFixture } from '#shared/seed/import-fixture.ts';
import { lambdaContext } from '../../infra/local/lambda-context.ts';
import { apiEvent, invoke, jsonBody } from '../support/api-events.ts';
import { uniqueTenantId } from '../support/tenants.ts';
import { type RunOptions, runJobs, tenantWithCustomers } from './harness.ts';
import { recordFigure } from './report.ts';

const runWorker = (event: SQSEvent, context: Context) =>
  (worker as unknown as (e: SQSEvent, c: Context) => Promise<SQSBatchResponse>)(
    event,
    context ?? lambdaContext('worker', 300),
  );

type Input = Record<string, unknown> & {
  Item?: { PK?: unknown; SK?: unknown };
  ExpressionAttributeValues?: Record<string, unknown>;
  Key?: { PK?: unknown; SK?: unknown };
};

/** Adds a fault to the real client; `fail` decides per request whether it fails. */
function inject(
  name: string,
  step: 'initialize' | 'deserialize',
  fail: (command: string, input: Input) => Error | undefined,
) {
  let injected = 0;
  dynamoDbClient().middlewareStack.add(
    (next, context) => async (args) => {
      const error = fail(String(context.commandName), args.input as Input);
      if (error !== undefined) {
        injected += 1;
        throw error;
      }
      return next(args);
    },
    { step, name } as { step: 'initialize'; name: string },
  );
  return { injected: () => injected };
}

const FAULTS = ['throttle', 'note', 'marker-once', 'marker-exhausted'];

const run = (name: string, jobs: number, options: RunOptions = {}) => runJobs(name, jobs, runWorker, options);

describe('DynamoDB faults', () => {
  afterEach(() => {
    for (const name of FAULTS) dynamoDbClient().middlewareStack.remove(name);
  });

  it('rides out throttling on 5% of requests with the SDK retries: all sent once', async () => {
    let count = 0;
    const fault = inject('throttle', 'deserialize', () => {
      count += 1;
      if (count % 20 !== 0) return undefined;
      return Object.assign(
        new Error('Injected: the level of configured provisioned throughput was exceeded'),
        {
          name: 'ProvisionedThroughputExceededException',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
        },
      );
    });
    // The SDK's throttling backoff can hold a delivery for seconds: a 5 s visibility timeout for an
    // 800 ms worker timeout, the 6x rule of the stack.
    const { outcome } = await run('ddb-throttle', 50, { visibilitySeconds: 5, workerTimeoutMs: 800 });
    expect(outcome).toMatchObject({ sent: 50, failed: 0, deadLettered: 0, duplicates: 0 });
    expect(fault.injected()).toBeGreaterThan(10);
    recordFigure(
      'dynamodb.throttling_5pct',
      fault.injected(),
      'throttled DynamoDB requests over 50 jobs: 50 sent once',
    );
  });

  it('still answers every code when the batch read leaves keys unprocessed', async () => {
    const tenantId = uniqueTenantId('ddb-unprocessed');
    await importFixture({ Tenants: [tenantWithCustomers(tenantId, 35)] }, '2026-11-24');
    let calls = 0;
    dynamoDbClient().middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'BatchGetItemCommand') return next(args);
        calls += 1;
        const input = args.input as { RequestItems: Record<string, { Keys: unknown[] }> };
        const [table, request] = Object.entries(input.RequestItems)[0] ?? [];
        if (table === undefined || request === undefined || calls % 2 === 0) return next(args);
        const held = request.Keys.slice(10);
        request.Keys = request.Keys.slice(0, 10);
        const result = await next(args);
        (result.output as { UnprocessedKeys?: unknown }).UnprocessedKeys =
          held.length > 0 ? { [table]: { Keys: held } } : {};
        return result;
      },
      { step: 'initialize', name: 'throttle' },
    );
    const codes = Array.from({ length: 35 }, (_, index) => `C${index}`);
    for (let round = 0; round < 10; round += 1) {
      const statuses = jsonBody<{ Sent: boolean }[]>(
        await invoke(bulkEmail, apiEvent({ tenantId, body: codes })),
      );
      expect(statuses.filter((status) => status.Sent)).toHaveLength(35);
    }
    recordFigure(
      'dynamodb.unprocessed_keys',
      10,
      'POSTs of 35 codes whose batch read left keys unprocessed: every code answered',
    );
  });

  it('sends once and notes once when the note write fails after the send', async () => {
    const failedOnce = new Set<string>();
    const fault = inject('note', 'initialize', (command, input) => {
      const sortKey = String(input.Item?.SK ?? '');
      if (command !== 'PutItemCommand' || !sortKey.startsWith('NOTE#')) return undefined;
      const key = `${String(input.Item?.PK)}|${sortKey}`;
      if (failedOnce.has(key)) return undefined;
      failedOnce.add(key);
      return Object.assign(new Error('Injected: note write failed'), { name: 'InternalServerError' });
    });
    const { outcome } = await run('ddb-note', 20);
    expect(outcome).toMatchObject({ sent: 20, failed: 0, deadLettered: 0, duplicates: 0 });
    recordFigure(
      'dynamodb.note_write_failed',
      fault.injected(),
      'note writes failed after the send: 20 emails, 20 notes',
    );
  });

  it('absorbs a failed status write (the sent marker) in place: no duplicate', async () => {
    const failedOnce = new Set<string>();
    const fault = inject('marker-once', 'initialize', (command, input) => {
      if (command !== 'UpdateItemCommand' || input.ExpressionAttributeValues?.[':sent'] !== 'Sent')
        return undefined;
      const key = `${String(input.Key?.PK)}|${String(input.Key?.SK)}`;
      if (failedOnce.has(key)) return undefined;
      failedOnce.add(key);
      return Object.assign(new Error('Injected: status write failed'), { name: 'InternalServerError' });
    });
    const { outcome } = await run('ddb-marker', 20);
    expect(outcome).toMatchObject({ sent: 20, failed: 0, deadLettered: 0, duplicates: 0 });
    recordFigure(
      'dynamodb.status_write_failed_once',
      fault.injected(),
      'sent-marker writes failed once: retried in place, 0 duplicates',
    );
  });

  it('counts the window when the sent marker cannot be written at all for a while', async () => {
    // Two jobs whose marker fails for every in-place attempt of the first delivery (8).
    const failures = new Map<string, number>();
    inject('marker-exhausted', 'initialize', (command, input) => {
      if (command !== 'UpdateItemCommand' || input.ExpressionAttributeValues?.[':sent'] !== 'Sent')
        return undefined;
      const sortKey = String(input.Key?.SK);
      if (sortKey !== 'ITEM#C0' && sortKey !== 'ITEM#C1') return undefined;
      const seen = failures.get(sortKey) ?? 0;
      if (seen >= 8) return undefined;
      failures.set(sortKey, seen + 1);
      return Object.assign(new Error('Injected: status write failed'), { name: 'InternalServerError' });
    });
    const { outcome } = await run('ddb-window', 10);
    expect(outcome).toMatchObject({ sent: 10, failed: 0, deadLettered: 0 });
    expect(outcome.duplicates).toBe(2);
    recordFigure(
      'dynamodb.marker_unwritable_window',
      outcome.duplicates,
      'duplicates when the sent marker could not be written for 2 jobs (the documented window, each logged with SentMarkerNotWritten and PossibleDuplicateEmail)',
    );
  });
});
