/**
 * A customer with a schedule of its own and a tenant-wide schedule due the same day gets one
 * statement, from its own schedule (docs/schedules.md, "A customer's own schedule"): the
 * tenant-wide run records it `Skipped`, reason `Own schedule`, before it is fed; a customer whose
 * own schedule has ended is covered by the tenant-wide schedule again.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler } from '#functions/statement-schedules-api/handler.ts';
import { documentClient } from '#shared/aws/dynamodb.ts';
import { getRun } from '#shared/aws/dynamodb-runs.ts';
import { customerRecordKey } from '#shared/aws/table-keys.ts';
import { dateInTimeZone } from '#shared/domain/calendar-date.ts';
import { OWN_SCHEDULE_REASON } from '#shared/domain/schedule.ts';
import { issueDateAfter, localNoon } from '#shared/domain/schedule-due.ts';
import { scheduleRunId, triggerDueSchedules } from '#shared/services/schedules/trigger-due-schedules.ts';
import { apiEvent, invoke } from '../support/api-events.ts';
import { useRunFeedQueue } from '../support/run-queues.ts';
import {
  countRunJobs,
  manyCustomersTenant,
  runJobStates,
  startRunPollers,
  waitForRun,
} from '../support/runs.ts';
import { sentEmails } from '../support/ses.ts';
import { seedTenants } from '../support/tenants.ts';

process.env.RUN_FEED_DELAY_SECONDS = '1';

const COLLECTION = '/v2/customers/schedule-statement';
const today = dateInTimeZone(new Date(), 'Europe/London');
// Not today's day of the month: schedules saved today are first due on `issueDate`.
const ISSUE_DAY = (Number(today.slice(8, 10)) % 28) + 1;
const issueDate = issueDateAfter(ISSUE_DAY, today);

const saveSchedule = (tenantId: string, body: Record<string, unknown>, code?: string) =>
  invoke(
    handler,
    apiEvent({
      method: 'POST',
      resource: code === undefined ? COLLECTION : `${COLLECTION}/{customerCode}`,
      path: code === undefined ? COLLECTION : `${COLLECTION}/${code}`,
      ...(code === undefined ? {} : { pathParameters: { customerCode: code } }),
      body: JSON.stringify(body),
      tenantId,
    }),
  );

describe("a customer's own schedule beside the tenant-wide one", () => {
  let stop: () => Promise<void> = async () => undefined;
  beforeAll(async () => {
    await useRunFeedQueue();
    stop = await startRunPollers();
  });
  afterAll(async () => {
    await stop();
  });

  it('replaces the tenant-wide schedule for that customer: one statement, the other run records it Skipped (Own schedule)', async () => {
    const { tenant } = manyCustomersTenant(3);
    await seedTenants(tenant);
    const settings = { IssueDay: ISSUE_DAY, Period: 'LastMonth' };
    expect((await saveSchedule(tenant.Id, { Selection: 'All', ...settings })).statusCode).toBe(201);
    // C0001 has its own schedule, due the same day; C0002's own schedule ended today.
    expect((await saveSchedule(tenant.Id, settings, 'C0001')).statusCode).toBe(201);
    expect((await saveSchedule(tenant.Id, { ...settings, EndDate: today }, 'C0002')).statusCode).toBe(201);

    const report = await triggerDueSchedules({
      now: () => localNoon(issueDate, 'Europe/London'),
      tenantIds: [tenant.Id],
    });
    expect(report.failures).toEqual([]);
    expect(report.runs.map((run) => [run.scheduleId, run.created]).sort()).toEqual([
      ['ALL', true],
      ['CUSTOMER#C0001', true],
    ]);
    const tenantWide = scheduleRunId(tenant.Id, 'ALL', issueDate);
    const own = scheduleRunId(tenant.Id, 'CUSTOMER#C0001', issueDate);
    const wide = await waitForRun(tenant.Id, tenantWide, (r) => r.state === 'Completed');
    const ownRun = await waitForRun(tenant.Id, own, (r) => r.state === 'Completed');

    expect(wide?.state).toBe('Completed');
    expect(wide?.total).toBe(3);
    expect(wide?.counts).toMatchObject({ Queued: 0, Sent: 2, Skipped: 1, Failed: 0 });
    expect(wide?.skippedReasons).toEqual({ [OWN_SCHEDULE_REASON]: 1 });
    expect(wide?.counts).toEqual((await countRunJobs(tenant.Id, tenantWide)).counts);
    expect(Object.fromEntries(await runJobStates(tenant.Id, tenantWide))).toEqual({
      C0000: 'Sent',
      C0001: 'Skipped',
      C0002: 'Sent',
    });
    expect(ownRun?.counts).toMatchObject({ Queued: 0, Sent: 1 });

    // One statement each: C0001's from its own schedule only.
    const emails = await sentEmails(`.${tenant.Id}@run.example`);
    const codeOf = (to = '') => /<(c\d{4})\./.exec(to)?.[1]?.toUpperCase();
    expect(emails.map((email) => codeOf(email.destination.to[0])).sort()).toEqual([
      'C0000',
      'C0001',
      'C0002',
    ]);

    // A second trigger starts nothing and skips nothing again.
    const again = await triggerDueSchedules({
      now: () => localNoon(issueDate, 'Europe/London'),
      tenantIds: [tenant.Id],
    });
    expect(again.runs).toEqual([]);
    expect((await getRun(tenant.Id, tenantWide))?.counts).toEqual(wide?.counts);
  });

  it("puts no job in the tenant-wide run for a deleted customer's schedule left behind", async () => {
    const { tenant } = manyCustomersTenant(3);
    await seedTenants(tenant);
    const settings = { IssueDay: ISSUE_DAY, Period: 'LastMonth' };
    expect((await saveSchedule(tenant.Id, { Selection: 'All', ...settings })).statusCode).toBe(201);
    expect((await saveSchedule(tenant.Id, settings, 'C0001')).statusCode).toBe(201);
    // C0001 is then deleted (its canonical item becomes a tombstone); its schedule stays.
    await documentClient().send(
      new UpdateCommand({
        TableName: process.env.TABLE_NAME,
        Key: customerRecordKey(tenant.Id, 'C0001'),
        UpdateExpression: 'SET deleted = :yes',
        ExpressionAttributeValues: { ':yes': true },
      }),
    );

    await triggerDueSchedules({ now: () => localNoon(issueDate, 'Europe/London'), tenantIds: [tenant.Id] });
    const tenantWide = scheduleRunId(tenant.Id, 'ALL', issueDate);
    const wide = await waitForRun(tenant.Id, tenantWide, (r) => r.state === 'Completed');
    // The selection is the two customers left: no Own schedule skip for the deleted one.
    expect(wide?.total).toBe(2);
    expect(wide?.skippedReasons).toEqual({});
    expect(Object.fromEntries(await runJobStates(tenant.Id, tenantWide))).toEqual({
      C0000: 'Sent',
      C0002: 'Sent',
    });
  });
});
