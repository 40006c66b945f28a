/**
 * Reading, saving and deleting statement schedules (docs/schedules.md): the service behind
 * `/v2/customers/schedule-statement[/{customerCode}]`. A save is judged by the ledger's version rules
 * (record-version.ts) against the stored schedule and written only if that schedule is still the
 * one judged, so two concurrent saves never both win and a rejected one writes nothing.
 */
import { getTenant } from '../../aws/dynamodb-operators.ts';
import {
  deleteSchedule,
  getRunStates,
  getSchedule,
  listCustomerSchedulePage,
  putSchedule,
} from '../../aws/dynamodb-schedules.ts';
import { customerExists } from '../../aws/dynamodb-tenants.ts';
import { dateInTimeZone } from '../../domain/calendar-date.ts';
import { judgeDelete, judgeUpsert, type StoredHead, versionValue } from '../../domain/record-version.ts';
import {
  customerScheduleId,
  type ScheduleSettings,
  type ScheduleView,
  type StoredSchedule,
  TENANT_SCHEDULE_ID,
  toScheduleView,
} from '../../domain/schedule.ts';
import { nextIssueDate } from '../../domain/schedule-due.ts';
import { UnknownTenantError } from '../../errors.ts';
import type { Version } from '../../schemas/ledger-records.ts';
import { sha256Hex } from '../../sha256.ts';

/** The customer a schedule names does not exist for this tenant. */
export class UnknownScheduleCustomerError extends Error {
  override readonly name = 'UnknownScheduleCustomerError';
  constructor() {
    super('No such customer');
  }
}

/** A save or delete refused: `Stale` (an older Version) or `Conflict` (another write came first). */
export class ScheduleWriteRefusedError extends Error {
  override readonly name = 'ScheduleWriteRefusedError';
  constructor(
    readonly result: 'Stale' | 'Conflict',
    message: string,
  ) {
    super(message);
  }
}

/** The id of the tenant-wide schedule (no code) or of one customer's. */
export const scheduleIdOf = (customerCode: string | undefined): string =>
  customerCode === undefined ? TENANT_SCHEDULE_ID : customerScheduleId(customerCode);

const headOf = (schedule: StoredSchedule): StoredHead => ({
  deleted: false,
  ...(schedule.versionValue === undefined ? {} : { version: schedule.versionValue }),
  hash: schedule.contentHash,
});

async function checkCustomer(tenantId: string, customerCode: string | undefined): Promise<void> {
  if (customerCode !== undefined && !(await customerExists(tenantId, customerCode))) {
    throw new UnknownScheduleCustomerError();
  }
}

/** A schedule saved: what the save did and the schedule as stored. */
export interface SavedSchedule {
  result: 'Created' | 'Updated' | 'Unchanged';
  schedule: ScheduleView;
}

/**
 * Creates or replaces the tenant-wide schedule (`settings.customerCode` undefined) or a customer's.
 * The replaced schedule's last run is kept (SinceLastStatement goes on from it) and `effectiveFrom`
 * becomes today (the tenant's local date): a schedule created or changed mid-month starts with its
 * next issue date, never with a back-dated one.
 */
export async function saveSchedule(
  tenantId: string,
  settings: ScheduleSettings,
  version: Version | undefined,
  now: Date,
): Promise<SavedSchedule> {
  const tenant = await getTenant(tenantId);
  if (tenant === undefined) throw new UnknownTenantError();
  await checkCustomer(tenantId, settings.customerCode);
  const scheduleId = scheduleIdOf(settings.customerCode);
  const stored = await getSchedule(tenantId, scheduleId);
  const contentHash = sha256Hex(JSON.stringify(settings));
  const incomingVersion = version === undefined ? undefined : versionValue(version);
  const outcome = judgeUpsert(stored === undefined ? undefined : headOf(stored), {
    ...(incomingVersion === undefined ? {} : { version: incomingVersion }),
    hash: contentHash,
  });
  if (outcome === 'Stale') {
    throw new ScheduleWriteRefusedError(
      'Stale',
      'Version: is older than the stored schedule’s (or the same with other content); nothing was changed',
    );
  }
  if (outcome === 'Unchanged' && stored !== undefined)
    return { result: 'Unchanged', schedule: toScheduleView(stored) };
  const today = dateInTimeZone(now, tenant.timeZone);
  const draft: StoredSchedule = {
    scheduleId,
    ...settings,
    ...(version === undefined ? {} : { version, versionValue: incomingVersion }),
    effectiveFrom: today,
    updatedAt: now.toISOString(),
    revision: (stored?.revision ?? 0) + 1,
    contentHash,
    ...(stored?.lastRun === undefined ? {} : { lastRun: stored.lastRun }),
  };
  const next = nextIssueDate(draft, today);
  const schedule: StoredSchedule = { ...draft, ...(next === undefined ? {} : { nextIssueDate: next }) };
  if (!(await putSchedule(tenantId, schedule, stored?.revision))) {
    throw new ScheduleWriteRefusedError(
      'Conflict',
      'The schedule was changed by another request at the same time; read it and try again',
    );
  }
  return { result: stored === undefined ? 'Created' : 'Updated', schedule: toScheduleView(schedule) };
}

/**
 * The views of stored schedules, each `LastRun.State` the run's own state now (`Feeding`,
 * `Sending`, `Completed`, `Cancelled`), read in one batch; `Started` when the run cannot be read.
 */
async function viewsOf(tenantId: string, schedules: readonly StoredSchedule[]): Promise<ScheduleView[]> {
  const runIds = schedules.flatMap((schedule) =>
    schedule.lastRun === undefined ? [] : [schedule.lastRun.runId],
  );
  const states = runIds.length === 0 ? new Map<string, string>() : await getRunStates(tenantId, runIds);
  return schedules.map((schedule) => {
    const view = toScheduleView(schedule);
    const state = schedule.lastRun === undefined ? undefined : states.get(schedule.lastRun.runId);
    return view.LastRun === undefined || state === undefined
      ? view
      : { ...view, LastRun: { ...view.LastRun, State: state } };
  });
}

/** The tenant-wide schedule or a customer's; undefined when there is none. */
export async function readSchedule(
  tenantId: string,
  customerCode: string | undefined,
): Promise<ScheduleView | undefined> {
  await checkCustomer(tenantId, customerCode);
  const stored = await getSchedule(tenantId, scheduleIdOf(customerCode));
  return stored === undefined ? undefined : (await viewsOf(tenantId, [stored]))[0];
}

/**
 * Deletes the tenant-wide schedule or a customer's: false when there is none. A Version (of the
 * delete) not newer than the stored schedule's is Stale. Runs it started are not touched.
 */
export async function removeSchedule(
  tenantId: string,
  customerCode: string | undefined,
  version: Version | undefined,
): Promise<boolean> {
  await checkCustomer(tenantId, customerCode);
  const scheduleId = scheduleIdOf(customerCode);
  const stored = await getSchedule(tenantId, scheduleId);
  if (stored === undefined) return false;
  const outcome = judgeDelete(
    headOf(stored),
    version === undefined ? {} : { version: versionValue(version) },
  );
  if (outcome === 'Stale') {
    throw new ScheduleWriteRefusedError(
      'Stale',
      'version: is not newer than the stored schedule’s Version; nothing was deleted',
    );
  }
  if (!(await deleteSchedule(tenantId, scheduleId, stored.revision))) {
    throw new ScheduleWriteRefusedError(
      'Conflict',
      'The schedule was changed by another request at the same time; read it and try again',
    );
  }
  return true;
}

/** The list answer: the tenant-wide schedule (if any) and one page of the customers' schedules. */
export interface ScheduleList {
  tenantSchedule?: ScheduleView;
  customerSchedules: ScheduleView[];
  /** The sort key to continue after, when there may be more. */
  lastSortKey?: string;
}

/** The tenant-wide schedule and a page of customer schedules (by code), from `after` on. */
export async function listSchedules(
  tenantId: string,
  perPage: number,
  after?: string,
): Promise<ScheduleList> {
  const [tenantSchedule, page] = await Promise.all([
    after === undefined ? getSchedule(tenantId, TENANT_SCHEDULE_ID) : Promise.resolve(undefined),
    listCustomerSchedulePage(tenantId, perPage, after),
  ]);
  const [tenantView, ...customerSchedules] = await viewsOf(tenantId, [
    ...(tenantSchedule === undefined ? [] : [tenantSchedule]),
    ...page.schedules,
  ]);
  const views = tenantSchedule === undefined ? [tenantView, ...customerSchedules] : customerSchedules;
  return {
    ...(tenantSchedule === undefined || tenantView === undefined ? {} : { tenantSchedule: tenantView }),
    customerSchedules: views.filter((view): view is ScheduleView => view !== undefined),
    ...(page.lastSortKey === undefined ? {} : { lastSortKey: page.lastSortKey }),
  };
}
