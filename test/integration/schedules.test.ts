/**
 * Statement schedules through the embedded emulators: the API's real handler writes them (or
 * nothing, when it refuses), and the trigger (through `npm run schedules -- run-due`'s service)
 * starts exactly one run per schedule and issue date, with the deterministic run id.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler } from '#functions/statement-schedules-api/handler.ts';
import { getRun } from '#shared/aws/dynamodb-runs.ts';
import { getSchedule, putSchedule } from '#shared/aws/dynamodb-schedules.ts';
import { addDays, dateInTimeZone } from '#shared/domain/calendar-date.ts';
import { issueDateAfter, localNoon, schedulePeriodDates } from '#shared/domain/schedule-due.ts';
import { RunFeedMessageSchema } from '#shared/services/runs/feed-message.ts';
import {
  runScheduleTrigger,
  ScheduleTriggerFailedError,
  scheduleRunId,
  triggerDueSchedules,
} from '#shared/services/schedules/trigger-due-schedules.ts';
import { schedulesCli } from '../../infra/schedules.ts';
import { apiEvent, invoke } from '../support/api-events.ts';
import { tenantItems } from '../support/ledger-api.ts';
import { receiveAll } from '../support/queues.ts';
import { useRunFeedQueue } from '../support/run-queues.ts';
import { exampleTenant, seedTenants } from '../support/tenants.ts';

const COLLECTION = '/v2/customers/schedule-statement';
const ONE = '/v2/customers/schedule-statement/{customerCode}';

function schedulesApi(tenantId: string) {
  const call = (
    method: string,
    options: {
      code?: string;
      body?: unknown;
      headers?: Record<string, string>;
      query?: Record<string, string>;
    } = {},
  ) =>
    invoke(
      handler,
      apiEvent({
        method,
        resource: options.code === undefined ? COLLECTION : ONE,
        path: options.code === undefined ? COLLECTION : `${COLLECTION}/${encodeURIComponent(options.code)}`,
        ...(options.code === undefined ? {} : { pathParameters: { customerCode: options.code } }),
        ...(options.body === undefined
          ? {}
          : { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }),
        ...(options.headers === undefined ? {} : { headers: options.headers }),
        ...(options.query === undefined ? {} : { query: options.query }),
        tenantId,
      }),
    );
  return call;
}

const bodyOf = (response: APIGatewayProxyResult) => JSON.parse(response.body) as Record<string, unknown>;

/**
 * An issue day that is not today's day of the month (London): a schedule saved today is first due
 * on `nextIssue`, whatever day the test runs, and covers the calendar month before it.
 */
const today = dateInTimeZone(new Date(), 'Europe/London');
const ISSUE_DAY = (Number(today.slice(8, 10)) % 28) + 1;
const nextIssue = issueDateAfter(ISSUE_DAY, today);
const lastMonth = schedulePeriodDates('LastMonth', nextIssue);

describe('the statement schedule API', () => {
  let tenantId = '';
  let api: ReturnType<typeof schedulesApi>;

  beforeAll(async () => {
    const tenant = exampleTenant();
    await seedTenants(tenant);
    tenantId = tenant.Id;
    api = schedulesApi(tenantId);
  });

  it('creates the tenant-wide schedule for all who owe (201, Location), reads it back, and answers the same save Unchanged', async () => {
    const body = {
      Selection: 'Owing',
      IssueDay: ISSUE_DAY,
      Period: 'LastMonth',
      SkipIfNothingOwed: true,
      Version: 1,
    };
    const created = await api('POST', { body });
    expect(created.statusCode).toBe(201);
    expect(created.headers?.Location).toBe(`/prod${COLLECTION}`);
    const expected = {
      Selection: 'Owing',
      IssueDay: ISSUE_DAY,
      Period: 'LastMonth',
      ExcludePaidInvoices: false,
      ExcludeOpeningBalance: false,
      SkipIfNothingOwed: true,
      StatementType: 'activity',
      Enabled: true,
      Version: 1,
      NextIssueDate: nextIssue,
    };
    expect(bodyOf(created)).toEqual(expected);
    const again = await api('POST', { body });
    expect({ status: again.statusCode, result: again.headers?.['Schedule-Result'] }).toEqual({
      status: 200,
      result: 'Unchanged',
    });
    const list = await api('GET');
    expect(bodyOf(list)).toEqual({
      TenantSchedule: expected,
      CustomerSchedules: [],
      MetaData: { PerPage: 100 },
    });
  });

  it('refuses an older Version (409 Stale) and a bad body (400 naming the field), writing nothing', async () => {
    const before = await tenantItems(tenantId);
    const stale = await api('POST', {
      body: { Selection: 'All', IssueDay: 5, Period: 'LastMonth', Version: 0 },
    });
    expect({ status: stale.statusCode, ...bodyOf(stale) }).toEqual({
      status: 409,
      Error: 'Stale',
      Message: expect.stringMatching(/^Version: is older than the stored schedule/),
    });
    const bad = await api('POST', { body: { IssueDay: 31, Period: 'LastMonth' } });
    expect({ status: bad.statusCode, ...bodyOf(bad) }).toEqual({
      status: 400,
      Error: 'InvalidRequestBody',
      Message: 'IssueDay: must be a whole number from 1 to 28, or Last (the last day of the month)',
    });
    expect(await tenantItems(tenantId)).toEqual(before);
  });

  it("refuses an unknown customer's schedule with 404 and writes nothing; saves, reads, pages and deletes a known one's", async () => {
    const before = await tenantItems(tenantId);
    const unknown = await api('POST', { code: 'CUST123', body: { IssueDay: 'Last', Period: 'MonthToDate' } });
    expect({ status: unknown.statusCode, ...bodyOf(unknown) }).toEqual({
      status: 404,
      Error: 'NotFound',
      Message: 'No such customer',
    });
    expect((await api('GET', { code: 'CUST123' })).statusCode).toBe(404);
    expect(await tenantItems(tenantId)).toEqual(before);

    for (const code of ['101', '0065']) {
      const saved = await api('POST', { code, body: { IssueDay: 'Last', Period: 'MonthToDate' } });
      expect(saved.statusCode).toBe(201);
      expect(saved.headers?.Location).toBe(`/prod${COLLECTION}/${code}`);
    }
    const one = await api('GET', { code: '0065' });
    expect(bodyOf(one)).toMatchObject({ CustomerCode: '0065', IssueDay: 'Last', Period: 'MonthToDate' });
    expect(bodyOf(one)).not.toHaveProperty('Selection');

    const first = bodyOf(await api('GET', { query: { perpage: '1' } }));
    expect((first.CustomerSchedules as { CustomerCode: string }[]).map((s) => s.CustomerCode)).toEqual([
      '0065',
    ]);
    const nextUrl = new URL(String((first.MetaData as { NextPageUrl: string }).NextPageUrl), 'http://x');
    const second = bodyOf(
      await api('GET', { query: { perpage: '1', cursor: nextUrl.searchParams.get('cursor') ?? '' } }),
    );
    expect((second.CustomerSchedules as { CustomerCode: string }[]).map((s) => s.CustomerCode)).toEqual([
      '101',
    ]);
    expect(second).not.toHaveProperty('TenantSchedule');

    expect((await api('DELETE', { code: '0065' })).statusCode).toBe(204);
    expect((await api('GET', { code: '0065' })).statusCode).toBe(404);
    expect((await api('DELETE', { code: '0065' })).statusCode).toBe(404);
  });

  it('answers in XML when asked, and reads an XML body', async () => {
    const saved = await api('POST', {
      code: '101',
      body: '<StatementSchedule><IssueDay>15</IssueDay><Period>Last3Months</Period></StatementSchedule>',
      headers: { 'Content-Type': 'application/xml', Accept: 'application/xml' },
    });
    expect(saved.statusCode).toBe(200);
    expect(saved.headers?.['Content-Type']).toMatch(/^application\/xml/);
    expect(saved.body).toContain(
      '<StatementSchedule><CustomerCode>101</CustomerCode><IssueDay>15</IssueDay>',
    );
  });
});

describe('the schedule trigger (npm run schedules -- run-due)', () => {
  let feedQueueUrl = '';

  beforeAll(async () => {
    feedQueueUrl = (await useRunFeedQueue()).queueUrl;
  });

  const cli = async (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await schedulesCli(args, { out: (line) => out.push(line), err: (line) => err.push(line) });
    return { code, out, err };
  };

  it('starts one run for all who owe on the issue date, with the deterministic id; a second trigger starts none', async () => {
    const tenant = exampleTenant();
    await seedTenants(tenant);
    const created = await schedulesApi(tenant.Id)('POST', {
      body: { Selection: 'Owing', IssueDay: ISSUE_DAY, Period: 'LastMonth', SkipIfNothingOwed: true },
    });
    expect(created.statusCode).toBe(201);
    const runId = scheduleRunId(tenant.Id, 'ALL', nextIssue);

    const before = await cli('run-due', '--date', addDays(nextIssue, -1), '--tenant', tenant.Id);
    expect(before.code).toBe(0);
    expect(before.out[0]).toMatch(/^No scheduled run is due on/);
    expect(await getRun(tenant.Id, runId)).toBeUndefined();

    const first = await cli('run-due', '--date', nextIssue, '--tenant', tenant.Id);
    expect(first.code).toBe(0);
    expect(first.out.join('\n')).toContain(runId);
    expect(first.out[1]).toMatch(/ now$/);
    const run = await getRun(tenant.Id, runId);
    expect(run).toMatchObject({
      selection: { type: 'Owing' },
      origin: { type: 'Schedule', scheduleId: 'ALL' },
      period: { ...lastMonth, filterAll: false, excludePaid: false, skipNothingOwed: true },
    });
    // Started now, not at the simulated noon of the issue date (which is still to come).
    expect(Date.parse(String(run?.createdAt))).toBeLessThanOrEqual(Date.now());
    const stored = await getSchedule(tenant.Id, 'ALL');
    expect(stored?.lastRun).toMatchObject({ runId, issueDate: nextIssue, periodEnd: lastMonth.end });
    expect(stored?.nextIssueDate).toBe(issueDateAfter(ISSUE_DAY, nextIssue));
    // The API shows the run's own state now (no feeder runs here, so it is still Feeding).
    const api = schedulesApi(tenant.Id);
    const lastRun = { RunId: runId, IssueDate: nextIssue, State: 'Feeding' };
    expect(bodyOf(await api('GET')).TenantSchedule).toMatchObject({ LastRun: lastRun });

    // Again on the day, and days late: the run is not started again, nor is another.
    const again = await cli('run-due', '--date', nextIssue, '--tenant', tenant.Id);
    expect(again.out[0]).toMatch(/^No scheduled run is due/);
    const late = await triggerDueSchedules({
      now: () => new Date(`${addDays(nextIssue, 3)}T12:00:00Z`),
      tenantIds: [tenant.Id],
    });
    expect(late.runs).toEqual([]);
    const feeds = (await receiveAll(feedQueueUrl))
      .map((message) => RunFeedMessageSchema.parse(JSON.parse(message.Body ?? '')))
      .filter((message) => message.tenantId === tenant.Id);
    expect(feeds).toEqual([{ version: 1, tenantId: tenant.Id, runId }]);
  });

  it("a tenant whose run cannot start is reported and retried by the next trigger; the others' runs start", async () => {
    const [broken, healthy] = [exampleTenant(), exampleTenant()];
    await seedTenants(broken, healthy);
    for (const tenant of [broken, healthy]) {
      const saved = await schedulesApi(tenant.Id)('POST', {
        code: '101',
        body: { IssueDay: ISSUE_DAY, Period: 'LastMonth' },
      });
      expect(saved.statusCode).toBe(201);
    }
    const started: string[] = [];
    const report = await triggerDueSchedules({
      now: () => new Date(`${nextIssue}T12:00:00Z`),
      tenantIds: [broken.Id, healthy.Id],
      startRun: async (input) => {
        if (input.tenantId === broken.Id) throw new Error('SQS did not answer');
        started.push(input.tenantId);
        expect(input.selection).toEqual({ type: 'List', customerCodes: ['101'] });
        return { runId: input.runId, created: true };
      },
    });
    expect(started).toEqual([healthy.Id]);
    expect(report.failures).toEqual([
      { tenantId: broken.Id, scheduleId: 'CUSTOMER#101', reason: 'Error: SQS did not answer' },
    ]);
    expect((await getSchedule(broken.Id, 'CUSTOMER#101'))?.lastRun).toBeUndefined();
    // The next trigger (the real startRun) starts the missed run.
    const retried = await triggerDueSchedules({
      now: () => new Date(`${nextIssue}T13:00:00Z`),
      tenantIds: [broken.Id],
    });
    expect(retried.runs.map((run) => [run.tenantId, run.created])).toEqual([[broken.Id, true]]);
  });

  it('fails the hourly trigger loudly for a stored schedule that breaks its rule, after judging every other tenant', async () => {
    const [corrupt, healthy] = [exampleTenant(), exampleTenant()];
    await seedTenants(corrupt, healthy);
    const saved = await schedulesApi(healthy.Id)('POST', {
      body: { IssueDay: ISSUE_DAY, Period: 'LastMonth' },
    });
    expect(saved.statusCode).toBe(201);
    // Written behind the API's back: an IssueDay no schedule may have.
    await putSchedule(
      corrupt.Id,
      { ...(await getSchedule(healthy.Id, 'ALL')), issueDay: 31 } as never,
      undefined,
    );
    const now = localNoon(nextIssue, 'Europe/London');
    const failed = await runScheduleTrigger(now).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failed).toBeInstanceOf(ScheduleTriggerFailedError);
    const { report } = failed as ScheduleTriggerFailedError;
    expect(report.failures.filter((failure) => failure.tenantId === corrupt.Id)).toEqual([
      { tenantId: corrupt.Id, reason: expect.stringMatching(/^ZodError: .*issueDay/s) },
    ]);
    expect(report.runs.filter((run) => run.tenantId === healthy.Id).map((run) => run.created)).toEqual([
      true,
    ]);
  });

  it('refuses a bad date or tenant before reading anything', async () => {
    expect((await cli('run-due', '--date', '2026-02-30')).code).toBe(2);
    expect((await cli('run-due', '--date', '2026-12-01', '--tenant', 'Bad Tenant')).code).toBe(2);
    expect((await cli('list')).code).toBe(2);
  });

  it('lists a tenant’s schedules with their next issue date and last run', async () => {
    const tenant = exampleTenant();
    await seedTenants(tenant);
    await schedulesApi(tenant.Id)('POST', {
      body: { Selection: 'Owing', IssueDay: ISSUE_DAY, Period: 'LastMonth' },
    });
    const listed = await cli('list', '--tenant', tenant.Id);
    expect(listed.code).toBe(0);
    expect(listed.out.join('\n')).toMatch(
      new RegExp(`All \\(Owing\\)\\s+${ISSUE_DAY}\\s+LastMonth\\s+yes\\s+${nextIssue}`),
    );
  });
});
