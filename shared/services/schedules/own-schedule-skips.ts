/**
 * A customer's own schedule replaces the tenant-wide one for that customer (docs/schedules.md):
 * before a tenant-wide schedule's run is fed, each customer with a schedule of its own gets its
 * job item in the run, `Skipped` with reason `Own schedule` and counted so. The feeder's puts then
 * find those jobs already there (written and counted once), and a worker that receives one finds
 * it finished: no statement from the tenant-wide schedule reaches that customer.
 */
import { batchGet, expiresAfter } from '../../aws/dynamodb.ts';
import { createRun, type FedJob, getRun, type NewRun, putRunJobs } from '../../aws/dynamodb-runs.ts';
import { listCustomerSchedulePage } from '../../aws/dynamodb-schedules.ts';
import { BATCH_RETENTION_SECONDS } from '../../aws/table-design.ts';
import { customerRecordKey, jobKey } from '../../aws/table-keys.ts';
import { OWN_SCHEDULE_REASON, replacesTenantWide } from '../../domain/schedule.ts';

/** Customer schedules read a page at a time (one transaction of job puts a page, under AWS's 100). */
const SCHEDULE_PAGE_SIZE = 99;

/**
 * Writes, counted `Skipped`, the job of every customer whose own schedule replaces the tenant-wide
 * one on `issueDate`; each only if absent, so a repeat writes and counts nothing twice. Returns
 * how many it wrote now.
 */
export async function skipCustomersWithOwnSchedule(
  tenantId: string,
  runId: string,
  issueDate: string,
  now: Date,
): Promise<number> {
  const expiresAt = expiresAfter(now, BATCH_RETENTION_SECONDS);
  let written = 0;
  let after: string | undefined;
  do {
    const page = await listCustomerSchedulePage(tenantId, SCHEDULE_PAGE_SIZE, after);
    const own = page.schedules.filter((schedule) => replacesTenantWide(schedule, issueDate));
    const customers = await existingCustomers(
      tenantId,
      own.map(({ customerCode = '' }) => customerCode),
    );
    const jobs: FedJob[] = own
      .filter(({ customerCode = '' }) => customers.has(customerCode))
      .map(({ customerCode = '' }) => ({
        customerCode,
        key: jobKey(tenantId, runId, customerCode),
        item: {
          type: 'Job',
          runJob: true,
          tenantId,
          batchId: runId,
          customerCode,
          state: 'Skipped',
          reason: OWN_SCHEDULE_REASON,
          attempts: 0,
          updatedAt: now.toISOString(),
          expiresAt,
        },
      }));
    if (jobs.length > 0)
      written += (await putRunJobs(tenantId, runId, jobs, now, { reason: OWN_SCHEDULE_REASON })).written;
    after = page.lastSortKey;
  } while (after !== undefined);
  return written;
}

/**
 * Which of these codes are customers of the tenant now (not deleted): a schedule left behind by a
 * deleted customer must not put a job in a run whose selection does not hold that customer.
 */
async function existingCustomers(tenantId: string, codes: readonly string[]): Promise<Set<string>> {
  if (codes.length === 0) return new Set();
  const items = await batchGet(
    codes.map((code) => customerRecordKey(tenantId, code)),
    'SK, deleted',
    true,
  );
  return new Set(
    items
      .filter((item) => item.deleted === undefined)
      .map((item) => String(item.SK).slice('CUSTOMER#'.length)),
  );
}

/**
 * Prepares a tenant-wide schedule's run before its first feed message: creates it (a conditional
 * put, as startRun does) and, while it has fed nothing, records its customers with their own
 * schedule as skipped. Whoever then sends the first feed message (startRun, here or in a repeated
 * trigger) has seen these jobs written first, so the feeder never reaches such a customer before
 * its skip. Returns whether the run was created now.
 */
export async function prepareTenantWideRun(run: NewRun, issueDate: string): Promise<boolean> {
  const created = await createRun(run);
  const current = created ? undefined : await getRun(run.tenantId, run.runId);
  const unfed = created || (current?.state === 'Feeding' && current.feed.seq === 0);
  if (unfed) await skipCustomersWithOwnSchedule(run.tenantId, run.runId, issueDate, run.now);
  return created;
}
