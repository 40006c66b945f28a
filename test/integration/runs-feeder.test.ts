/**
 * A statement run through the feeder and the worker on the embedded emulators: pages, the cap,
 * selection rules judged at send time, the retry pass, cancellation and exact counters.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRun } from '#shared/aws/dynamodb-runs.ts';
import type { StatementPeriod } from '#shared/domain/statement-period.ts';
import { startRun } from '#shared/services/runs/start-run.ts';
import { useRunFeedQueue } from '../support/run-queues.ts';
import { countRunJobs, manyCustomersTenant, startRunPollers, waitForRun } from '../support/runs.ts';
import { sentEmails } from '../support/ses.ts';
import { seedTenants } from '../support/tenants.ts';

// Read once per file (shared/config.ts): small pages, a small cap and a short wait.
process.env.RUN_PAGE_SIZE = '7';
process.env.RUN_QUEUED_CAP = '10';
process.env.RUN_FEED_DELAY_SECONDS = '1';

const period: StatementPeriod = {
  start: '2026-08-01',
  end: '2026-10-31',
  filterAll: false,
  excludePaid: false,
};
let stopPollers: () => Promise<void> = async () => undefined;

describe('a statement run', () => {
  beforeAll(async () => {
    await useRunFeedQueue();
    stopPollers = await startRunPollers();
  });
  afterAll(async () => {
    await stopPollers();
  });

  it('reaches every customer of an Owing run in pages; the counters equal the job items by state', async () => {
    // 23 customers: every third owes nothing (Skipped), every fifth has a malformed address (Failed).
    const { tenant, codes } = manyCustomersTenant(23, {
      owes: (index) => index % 3 !== 0,
      badAddress: (index) => index % 5 === 4,
    });
    await seedTenants(tenant);
    const runId = randomUUID();
    await startRun({
      tenantId: tenant.Id,
      runId,
      selection: { type: 'Owing' },
      period,
      origin: { type: 'Api' },
      now: new Date(),
    });
    const run = await waitForRun(tenant.Id, runId, (r) => r.state === 'Completed');
    expect(run?.state).toBe('Completed');
    // The address is judged before the balance (as with skipnothingowed): a bad address fails.
    const failed = codes.filter((_, index) => index % 5 === 4);
    const owing = codes.filter((_, index) => index % 3 !== 0);
    const sent = owing.filter((code) => !failed.includes(code));
    const counted = await countRunJobs(tenant.Id, runId);
    expect(counted.total).toBe(23);
    expect(run?.total).toBe(23);
    expect(run?.counts).toEqual(counted.counts);
    expect(run?.counts).toMatchObject({
      Queued: 0,
      Sent: sent.length,
      Failed: failed.length,
      Skipped: 23 - sent.length - failed.length,
    });
    expect(run?.skippedReasons).toEqual({ 'Nothing owed': 23 - sent.length - failed.length });
    expect(await sentEmails(`.${tenant.Id}@run.example`)).toHaveLength(sent.length);
  });

  it('skips the customers of an Overdue run with nothing overdue, and feeds a List run with unknown codes', async () => {
    const { tenant, codes } = manyCustomersTenant(6, { owes: (index) => index < 2 });
    await seedTenants(tenant);
    const overdue = randomUUID();
    const list = randomUUID();
    await startRun({
      tenantId: tenant.Id,
      runId: overdue,
      selection: { type: 'Overdue' },
      period,
      origin: { type: 'Api' },
      now: new Date(),
    });
    await startRun({
      tenantId: tenant.Id,
      runId: list,
      selection: { type: 'List', customerCodes: [codes[0] ?? '', 'NOPE-1', codes[5] ?? ''] },
      period,
      origin: { type: 'Api' },
      now: new Date(),
    });
    const overdueRun = await waitForRun(tenant.Id, overdue, (r) => r.state === 'Completed');
    expect(overdueRun?.counts).toMatchObject({ Sent: 2, Skipped: 4, Queued: 0 });
    expect(overdueRun?.skippedReasons).toEqual({ 'Nothing overdue': 4 });
    const listRun = await waitForRun(tenant.Id, list, (r) => r.state === 'Completed');
    expect(listRun?.counts).toMatchObject({ Sent: 2, Failed: 1, Queued: 0 });
    expect(listRun?.total).toBe(3);
    expect((await countRunJobs(tenant.Id, list)).counts).toEqual(listRun?.counts);
  });

  it('a second startRun of a fed run changes nothing', async () => {
    const { tenant } = manyCustomersTenant(3);
    await seedTenants(tenant);
    const runId = randomUUID();
    const input = {
      tenantId: tenant.Id,
      runId,
      selection: { type: 'All' as const },
      period,
      origin: { type: 'Api' as const },
      now: new Date(),
    };
    await startRun(input);
    await waitForRun(tenant.Id, runId, (r) => r.state === 'Completed');
    expect(await startRun(input)).toEqual({ runId, created: false });
    expect((await getRun(tenant.Id, runId))?.total).toBe(3);
  });
});
