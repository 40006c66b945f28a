/**
 * The statement runs API through its real handler on the embedded emulators: the POST's answer
 * and refusals, the GET's counters and pages, cancellation, Idempotency-Key and XML.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as batchStatus } from '#functions/batch-status/handler.ts';
import { handler as runsApi } from '#functions/statement-runs-api/handler.ts';
import { getRun } from '#shared/aws/dynamodb-runs.ts';
import type { RunView } from '#shared/services/runs/run-requests.ts';
import { apiEvent, invoke, jsonBody } from '../support/api-events.ts';
import { useRunFeedQueue } from '../support/run-queues.ts';
import { countRunJobs, manyCustomersTenant, startRunPollers, waitForRun } from '../support/runs.ts';
import { seedTenants } from '../support/tenants.ts';

// Read once per file (shared/config.ts): small pages and a short wait, so that a run ends in seconds.
process.env.RUN_PAGE_SIZE = '4';
process.env.RUN_FEED_DELAY_SECONDS = '1';

const RUNS_PATH = '/v2/customerstatements/runs';
// One run-feeds queue for the file: its URL is read once (shared/config.ts).
beforeAll(async () => {
  await useRunFeedQueue();
});

type RunAnswer = Omit<RunView, 'nextAfter'> & { NextCursor?: string };

const post = (tenantId: string, body: unknown, extra: Parameters<typeof apiEvent>[0] = {}) =>
  invoke(
    runsApi,
    apiEvent({
      method: 'POST',
      path: RUNS_PATH,
      tenantId,
      body: typeof body === 'string' ? body : JSON.stringify(body),
      ...extra,
    }),
  );

const get = (
  tenantId: string,
  runId: string,
  query?: Record<string, string>,
  headers?: Record<string, string>,
) =>
  invoke(
    runsApi,
    apiEvent({
      method: 'GET',
      path: `${RUNS_PATH}/${runId}`,
      resource: `${RUNS_PATH}/{runId}`,
      pathParameters: { runId },
      tenantId,
      body: null,
      ...(query === undefined ? {} : { query }),
      ...(headers === undefined ? {} : { headers }),
    }),
  );

const cancel = (tenantId: string, runId: string) =>
  invoke(
    runsApi,
    apiEvent({
      method: 'DELETE',
      path: `${RUNS_PATH}/${runId}`,
      resource: `${RUNS_PATH}/{runId}`,
      pathParameters: { runId },
      tenantId,
      body: null,
    }),
  );

describe('POST /v2/customerstatements/runs refusals', () => {
  const { tenant } = manyCustomersTenant(2);
  beforeAll(async () => {
    await seedTenants(tenant);
  });

  it.each([
    [{}, 'Selection is required'],
    [{ Selection: 'Everyone' }, 'Selection must be one of All, Owing, Overdue, List'],
    [{ Selection: 'List' }, 'CustomerCodes must list at least one customer code when Selection is List'],
    [{ Selection: 'All', CustomerCodes: ['101'] }, 'CustomerCodes is only allowed when Selection is List'],
    [{ Selection: 'List', CustomerCodes: ['101', 7] }, 'CustomerCodes[1] must be a string'],
    [
      { Selection: 'List', CustomerCodes: ['101', 'x'.repeat(65)] },
      'CustomerCodes[1] must be 1 to 64 characters with no control characters',
    ],
    [{ Selection: 'All', Extra: 1 }, 'Unknown field Extra'],
  ])('answers 400 naming the field and rule for %j, and records no run', async (body, message) => {
    const result = await post(tenant.Id, body);
    expect(result.statusCode).toBe(400);
    expect(jsonBody(result)).toEqual({ Error: 'InvalidRequestBody', Message: message });
  });

  it("answers 400 for a bad statement option, the bulk endpoint's message", async () => {
    const result = await post(tenant.Id, { Selection: 'All' }, { query: { startdate: '20261332' } });
    expect(result.statusCode).toBe(400);
    expect(jsonBody(result)).toEqual({
      Error: 'InvalidParameter',
      Message: 'startdate must be a real calendar date in yyyymmdd format',
    });
  });

  it("answers 401 without a tenant and 404 for another tenant's run", async () => {
    expect((await post('', { Selection: 'All' }, { tenantId: null })).statusCode).toBe(401);
    const started = jsonBody<RunAnswer>(await post(tenant.Id, { Selection: 'All' }));
    const other = await get('someone-else', started.RunId);
    expect(other.statusCode).toBe(404);
    expect(jsonBody(other)).toEqual({ Error: 'NotFound', Message: 'No such run' });
    expect((await cancel('someone-else', started.RunId)).statusCode).toBe(404);
  });

  it('answers 400 for a perpage or cursor that breaks its rule', async () => {
    const started = jsonBody<RunAnswer>(await post(tenant.Id, { Selection: 'All' }));
    expect(jsonBody(await get(tenant.Id, started.RunId, { perpage: '1001' }))).toEqual({
      Error: 'InvalidParameter',
      Message: 'perpage must be a whole number from 1 to 1000',
    });
    expect(jsonBody(await get(tenant.Id, started.RunId, { cursor: 'bm9wZQ' }))).toEqual({
      Error: 'InvalidParameter',
      Message: 'cursor must be a NextCursor this resource returned',
    });
  });
});

describe('a run through the API', () => {
  let stop: () => Promise<void> = async () => undefined;
  beforeAll(async () => {
    stop = await startRunPollers();
  });
  afterAll(async () => {
    await stop();
  });

  it('answers 202 Feeding with Location at once, then reports exact counters and pages of customers', async () => {
    const { tenant, codes } = manyCustomersTenant(9, { owes: (index) => index !== 3 });
    await seedTenants(tenant);
    const result = await post(
      tenant.Id,
      { Selection: 'Owing' },
      { query: { startdate: '20260801', enddate: '20261031' } },
    );
    expect(result.statusCode).toBe(202);
    const started = jsonBody<RunAnswer>(result);
    expect(started).toMatchObject({
      State: 'Feeding',
      Selection: 'Owing',
      StartDate: '2026-08-01',
      EndDate: '2026-10-31',
      Total: 0,
    });
    expect(result.headers?.Location).toBe(`/prod${RUNS_PATH}/${started.RunId}`);

    await waitForRun(tenant.Id, started.RunId, (run) => run.state === 'Completed');
    const first = jsonBody<RunAnswer>(await get(tenant.Id, started.RunId, { perpage: '5' }));
    expect(first).toMatchObject({ State: 'Completed', Total: 9, SkippedReasons: { 'Nothing owed': 1 } });
    expect(first.Counts).toEqual({
      Queued: 0,
      Sent: 8,
      Delivered: 0,
      Bounced: 0,
      Complained: 0,
      Failed: 0,
      Skipped: 1,
      Cancelled: 0,
    });
    expect(first.Customers.map((customer) => customer.CustomerCode)).toEqual(codes.slice(0, 5));
    expect(first.Customers[3]).toMatchObject({
      CustomerCode: codes[3],
      State: 'Skipped',
      Reason: 'Nothing owed',
    });
    const second = jsonBody<RunAnswer>(
      await get(tenant.Id, started.RunId, { perpage: '5', cursor: first.NextCursor ?? '' }),
    );
    expect(second.Customers.map((customer) => customer.CustomerCode)).toEqual(codes.slice(5));
    expect(second.NextCursor).toBeUndefined();

    // The run id is its jobs' batch id, but the bulk batch status does not page: it points here.
    const asBatch = (tenantId: string) =>
      invoke(
        batchStatus,
        apiEvent({
          method: 'GET',
          path: `/v2/customerstatements/bulk/email/${started.RunId}`,
          resource: '/v2/customerstatements/bulk/email/{batchId}',
          pathParameters: { batchId: started.RunId },
          tenantId,
          body: null,
        }),
      );
    const missing = await asBatch(tenant.Id);
    expect(missing.statusCode).toBe(404);
    expect(jsonBody(missing)).toEqual({
      Error: 'NotFound',
      Message: `${started.RunId} is a statement run, not a bulk email batch: its status is GET /v2/customerstatements/runs/${started.RunId}`,
    });
    // Another tenant learns nothing of it.
    expect(jsonBody(await asBatch('tenant-without-runs'))).toEqual({
      Error: 'NotFound',
      Message: 'No such batch',
    });
  });

  it('replays the first answer to a repeated Idempotency-Key and starts one run', async () => {
    const { tenant } = manyCustomersTenant(2);
    await seedTenants(tenant);
    const headers = { 'Idempotency-Key': `run-${tenant.Id}` };
    const first = await post(tenant.Id, { Selection: 'All' }, { headers });
    const second = await post(tenant.Id, { Selection: 'All' }, { headers });
    expect(second.statusCode).toBe(202);
    expect(second.headers?.['Idempotent-Replayed']).toBe('true');
    expect(jsonBody<RunAnswer>(second).RunId).toBe(jsonBody<RunAnswer>(first).RunId);
    const other = await post(tenant.Id, { Selection: 'Owing' }, { headers });
    expect(other.statusCode).toBe(422);
  });

  it('takes a List in XML and answers in XML', async () => {
    const { tenant, codes } = manyCustomersTenant(3);
    await seedTenants(tenant);
    const body = `<CustomerStatementRun><Selection>List</Selection><CustomerCodes><string>${codes[0]}</string><string>${codes[2]}</string></CustomerCodes></CustomerStatementRun>`;
    const result = await post(tenant.Id, body, {
      headers: { 'Content-Type': 'application/xml', Accept: 'application/xml' },
    });
    expect(result.statusCode).toBe(202);
    expect(result.body).toMatch(
      /^<\?xml[^>]*>\s*<CustomerStatementRun>.*<Selection>List<\/Selection>.*<CustomerCount>2<\/CustomerCount>/s,
    );
    const runId = /<RunId>([^<]+)<\/RunId>/.exec(result.body)?.[1] ?? '';
    const run = await waitForRun(tenant.Id, runId, (r) => r.state === 'Completed');
    expect(run?.counts.Sent).toBe(2);
    const xml = await get(tenant.Id, runId, undefined, { Accept: 'application/xml' });
    expect(xml.body).toContain(
      `<CustomerStatementRunCustomer><CustomerCode>${codes[0]}</CustomerCode><State>Sent</State>`,
    );
  });

  it('cancels a run: the feeder stops, unclaimed jobs end Cancelled, and a second cancel answers the same', async () => {
    const { tenant } = manyCustomersTenant(12);
    await seedTenants(tenant);
    await stop();
    const started = jsonBody<RunAnswer>(await post(tenant.Id, { Selection: 'All' }));
    const cancelled = await cancel(tenant.Id, started.RunId);
    expect(cancelled.statusCode).toBe(202);
    expect(jsonBody<RunAnswer>(cancelled).State).toBe('Cancelled');
    const again = await cancel(tenant.Id, started.RunId);
    expect(jsonBody<RunAnswer>(again)).toEqual(jsonBody<RunAnswer>(cancelled));
    stop = await startRunPollers();
    // Nothing was fed after the cancel: the run has no jobs, and nothing is sent.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const run = await getRun(tenant.Id, started.RunId);
    expect(run?.state).toBe('Cancelled');
    expect(run?.total).toBe(0);
    expect((await countRunJobs(tenant.Id, started.RunId)).total).toBe(0);
  });
});
