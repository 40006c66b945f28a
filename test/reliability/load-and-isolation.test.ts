import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as worker } from '#functions/statement-worker/handler.ts';
import { documentClient, writeItems } from '#shared/aws/dynamodb.ts';
import { getJob } from '#shared/aws/dynamodb-jobs.ts';
import { hashToken } from '#shared/aws/dynamodb-tokens.ts';
import { batchPartition, tokenKey } from '#shared/aws/table-keys.ts';
import { importFixture } from '#shared/seed/import-fixture.ts';
import { type LocalGateway, startLocalGateway } from '../../infra/local/gateway.ts';
import { lambdaContext } from '../../infra/local/lambda-context.ts';
import { localRoutes } from '../../infra/local/routes.ts';
import { apiClient } from '../support/api-client.ts';
import { contractFetch } from '../support/contract.ts';
import { jobQueueUrl, receiveAll } from '../support/queues.ts';
import { sentEmails } from '../support/ses.ts';
import { uniqueTenantId } from '../support/tenants.ts';
import { drain, tenantWithCustomers } from './harness.ts';
import { recordFigure } from './report.ts';

const runWorker = (event: SQSEvent, context: Context) =>
  (worker as unknown as (e: SQSEvent, c: Context) => Promise<SQSBatchResponse>)(
    event,
    context ?? lambdaContext('worker', 1_000),
  );

let gateway: LocalGateway;

const BULK_EMAIL = '/v2/customerstatements/bulk/email';

/** The typed client as the tenant (tenantWithCustomers' token), its answers checked against the document. */
const as = (tenantId: string) => apiClient({ baseUrl: gateway.url, token: `token-${tenantId}` });

/** A POST of the bulk endpoint with an Authorization header built by hand: absent, malformed or refused. */
async function postWithAuthorization(authorization: string | undefined, body: unknown) {
  const response = await contractFetch(`${gateway.url}${BULK_EMAIL}`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(authorization === undefined ? {} : { Authorization: authorization }),
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, text, json: () => JSON.parse(text) };
}

beforeAll(async () => {
  const { routes, authorizer } = await localRoutes();
  // API Gateway's default authorizer cache, so that a decision served to the wrong token would show.
  gateway = await startLocalGateway({ port: 0, routes, authorizer });
});

afterAll(async () => {
  await gateway.stop();
});

describe('load', () => {
  const tenantId = uniqueTenantId('load');
  const codes = Array.from({ length: 35 }, (_, index) => `C${index}`);

  beforeAll(async () => {
    await importFixture({ Tenants: [tenantWithCustomers(tenantId, 35)] }, '2026-11-24');
  });

  it('accepts 100 concurrent POSTs of 35 codes through the gateway and sends all 3,500 jobs', async () => {
    const client = as(tenantId);
    const responses = await Promise.all(
      Array.from({ length: 100 }, async () => {
        const started = performance.now();
        const { response } = await client.POST(BULK_EMAIL, { body: codes });
        return { status: response.status, headers: response.headers, ms: performance.now() - started };
      }),
    );
    expect(responses.every((response) => response.status === 200)).toBe(true);
    const batchIds = responses.map((response) => String(response.headers.get('x-batch-id')));
    expect(new Set(batchIds).size).toBe(100);
    const times = responses.map((response) => response.ms).sort((a, b) => a - b);
    const p50 = times[49] ?? 0;
    const p99 = times[98] ?? 0;

    const stats = await drain(jobQueueUrl(), runWorker, {
      concurrency: 4,
      timeoutMs: 280_000,
      functionTimeoutMs: 2_000,
    });

    let sent = 0;
    for (const batchId of batchIds) {
      for (const customerCode of codes)
        if ((await getJob({ tenantId, batchId, customerCode }))?.state === 'Sent') sent += 1;
    }
    expect(sent).toBe(3_500);
    expect(await receiveAll(String(process.env.JOB_DLQ_URL))).toEqual([]);
    expect((await sentEmails(tenantId)).length).toBe(3_500);
    const { Count = 0 } = await documentClient().send(
      new QueryCommand({
        TableName: process.env.TABLE_NAME,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': batchPartition(tenantId, batchIds[0] ?? '') },
        Select: 'COUNT',
      }),
    );
    expect(Count).toBe(36); // the batch and its 35 jobs
    recordFigure(
      'load.post_p50_ms',
      Math.round(p50),
      '100 concurrent POSTs of 35 codes through the local gateway: p50 ms',
    );
    recordFigure('load.post_p99_ms', Math.round(p99), 'the same POSTs: p99 ms');
    recordFigure(
      'load.jobs_sent',
      sent,
      `jobs sent once each, 0 dead-lettered, drained in ${stats.seconds.toFixed(0)} s by 4 local pollers`,
    );
  });
});

describe('tenant isolation', () => {
  const a = uniqueTenantId('iso-a');
  const b = uniqueTenantId('iso-b');
  const INVALID = { Error: 'InvalidSessionToken', Message: 'Session token provided is invalid.' };

  beforeAll(async () => {
    await importFixture(
      { Tenants: [tenantWithCustomers(a, 2, 'A'), tenantWithCustomers(b, 2, 'B')] },
      '2026-11-24',
    );
    const now = Math.floor(Date.now() / 1000);
    await writeItems({
      puts: [
        { ...tokenKey(hashToken(`revoked-${a}`)), type: 'Token', tenantId: a, revoked: true },
        { ...tokenKey(hashToken(`expired-${a}`)), type: 'Token', tenantId: a, expiresAt: now - 1 },
      ],
      deletes: [],
    });
  });

  it("never lets tenant A reach tenant B's customers, batches or notes", async () => {
    const asA = await as(a).POST(BULK_EMAIL, { body: ['B0', 'A0'] });
    expect(asA.data).toEqual([
      { CustomerCode: 'B0', Sent: false, Message: 'Invalid customer code' },
      { CustomerCode: 'A0', Sent: true, Message: 'Marked to send' },
    ]);
    const ofB = await as(b).POST(BULK_EMAIL, { body: ['B0'] });
    const batchOfB = { params: { path: { batchId: String(ofB.response.headers.get('x-batch-id')) } } };

    const batchAsA = await as(a).GET('/v2/customerstatements/bulk/email/{batchId}', batchOfB);
    const notesAsA = await as(a).GET('/v2/customers/{code}/notes', { params: { path: { code: 'B0' } } });
    expect(batchAsA.response.status).toBe(404);
    expect(notesAsA.response.status).toBe(404);
    expect((await as(b).GET('/v2/customerstatements/bulk/email/{batchId}', batchOfB)).response.status).toBe(
      200,
    );
  });

  it.each([
    ['no token', undefined],
    ['no scheme', `token-${a}`],
    ['an unknown scheme', `Basic token-${a}`],
    ['an unknown token', 'KfToken no-such-token'],
    ['a revoked token', `KfToken revoked-${a}`],
    ['an expired token', `KfToken expired-${a}`],
  ])('answers 401 for %s, with nothing of the token in it', async (_, token) => {
    const response = await postWithAuthorization(token, ['A0']);
    expect(response.status).toBe(401);
    expect(response.json()).toEqual(INVALID);
    expect(response.text).not.toContain(a);
  });

  it("never serves one token's cached decision to another", async () => {
    let checked = 0;
    for (let round = 0; round < 25; round += 1) {
      const [fromA, fromB] = await Promise.all([
        as(a).POST(BULK_EMAIL, { body: ['A1', 'B1'] }),
        as(b).POST(BULK_EMAIL, { body: ['A1', 'B1'] }),
      ]);
      expect(fromA.data?.map((status) => status.Sent)).toEqual([true, false]);
      expect(fromB.data?.map((status) => status.Sent)).toEqual([false, true]);
      checked += 2;
    }
    recordFigure(
      'isolation.cached_decisions',
      checked,
      'interleaved requests of two tenants through the 60 s authorizer cache: every one answered for its own tenant',
    );
  });
});
