/**
 * When a schedule's runs are due and what each covers (docs/schedules.md "Due rules"). Pure: the
 * trigger gives it the tenant's local date, so time zones, DST and late triggers are all decided
 * here and property-tested (test/unit/schedule-due.test.ts).
 */
import { addDays, addMonths, daysInMonth } from './calendar-date.ts';
import type { IssueDay, SchedulePeriod, StoredSchedule } from './schedule.ts';
import type { StatementPeriod } from './statement-period.ts';

/** What the due rules read of a schedule. */
export type DueInput = Pick<StoredSchedule, 'issueDay' | 'endDate' | 'enabled' | 'effectiveFrom'> & {
  lastRun?: Pick<NonNullable<StoredSchedule['lastRun']>, 'issueDate'> | undefined;
};

const monthOf = (date: string): [number, number] => [Number(date.slice(0, 4)), Number(date.slice(5, 7))];

/** The issue date of a schedule in the month of `date` (its `Last` is that month's last day). */
export function issueDateInMonth(issueDay: IssueDay, date: string): string {
  const [year, month] = monthOf(date);
  const day = issueDay === 'Last' ? daysInMonth(year, month) : issueDay;
  return `${date.slice(0, 8)}${String(day).padStart(2, '0')}`;
}

/** The latest issue date on or before `today`: this month's once reached, else last month's. */
export function latestIssueDate(issueDay: IssueDay, today: string): string {
  const thisMonth = issueDateInMonth(issueDay, today);
  return thisMonth <= today ? thisMonth : issueDateInMonth(issueDay, addMonths(`${today.slice(0, 8)}01`, -1));
}

/** The first issue date after `date`. */
export function issueDateAfter(issueDay: IssueDay, date: string): string {
  const thisMonth = issueDateInMonth(issueDay, date);
  return thisMonth > date ? thisMonth : issueDateInMonth(issueDay, addMonths(`${date.slice(0, 8)}01`, 1));
}

/**
 * The issue date due on the tenant's local date `today`, or undefined. Due: the latest issue date
 * on or before today, when no run was started for it (nor a later one), it is not before the
 * schedule was created nor after its EndDate, and the schedule is enabled. So a trigger that fires
 * hours or days late (before the next issue date) still starts that month's run, and one that fires
 * again after it started none. Only the latest issue date is ever due: a month the trigger missed
 * altogether is not sent late beside the next (SinceLastStatement's period covers it).
 */
export function dueIssueDate(schedule: DueInput, today: string): string | undefined {
  if (!schedule.enabled) return undefined;
  const issueDate = latestIssueDate(schedule.issueDay, today);
  if (issueDate < schedule.effectiveFrom) return undefined;
  if (schedule.endDate !== undefined && issueDate > schedule.endDate) return undefined;
  const last = schedule.lastRun?.issueDate;
  if (last !== undefined && last >= issueDate) return undefined;
  return issueDate;
}

/**
 * The next issue date a run will start on, as `NextIssueDate` shows it: the one due now if its run
 * has not started, else the first after both today and the last run; undefined when disabled or
 * past EndDate.
 */
export function nextIssueDate(schedule: DueInput, today: string): string | undefined {
  if (!schedule.enabled) return undefined;
  const due = dueIssueDate(schedule, today);
  if (due !== undefined) return due;
  let from = today < schedule.effectiveFrom ? addDays(schedule.effectiveFrom, -1) : today;
  const last = schedule.lastRun?.issueDate;
  if (last !== undefined && last > from) from = last;
  const next = issueDateAfter(schedule.issueDay, from);
  if (schedule.endDate !== undefined && next > schedule.endDate) return undefined;
  return next;
}

const firstOfMonth = (date: string) => `${date.slice(0, 8)}01`;

/**
 * The dates a statement issued on `issueDate` covers (docs/schedules.md "Periods"):
 * - `LastMonth`: the calendar month before the issue date's month;
 * - `Last3Months`: the three calendar months before it;
 * - `MonthToDate`: the issue date's month up to the issue date;
 * - `SinceLastStatement`: from the day after the last run's period ended to the day before the
 *   issue date; the first time (or when that would be empty), as `LastMonth`.
 */
export function schedulePeriodDates(
  period: SchedulePeriod,
  issueDate: string,
  lastPeriodEnd?: string,
): { start: string; end: string } {
  const monthStart = firstOfMonth(issueDate);
  const lastMonth = { start: addMonths(monthStart, -1), end: addDays(monthStart, -1) };
  switch (period) {
    case 'LastMonth':
      return lastMonth;
    case 'Last3Months':
      return { start: addMonths(monthStart, -3), end: lastMonth.end };
    case 'MonthToDate':
      return { start: monthStart, end: issueDate };
    case 'SinceLastStatement': {
      if (lastPeriodEnd === undefined) return lastMonth;
      const start = addDays(lastPeriodEnd, 1);
      const end = addDays(issueDate, -1);
      return start <= end ? { start, end } : lastMonth;
    }
  }
}

/**
 * The statement period (with its options) of the run a schedule starts on `issueDate`.
 * `ExcludeOpeningBalance` is KashFlow's `filterby=All`: the statement starts at the customer's first
 * entry, so no balance is brought forward (the opening is zero and each earlier item is listed
 * instead) and opening + movements = closing still holds with the true closing balance.
 */
export function scheduleStatementPeriod(
  schedule: Pick<
    StoredSchedule,
    'period' | 'excludePaid' | 'excludeOpeningBalance' | 'skipNothingOwed' | 'statementType'
  > & { lastRun?: Pick<NonNullable<StoredSchedule['lastRun']>, 'periodEnd'> | undefined },
  issueDate: string,
): StatementPeriod {
  const { start, end } = schedulePeriodDates(schedule.period, issueDate, schedule.lastRun?.periodEnd);
  return {
    start,
    end,
    filterAll: schedule.excludeOpeningBalance,
    excludePaid: schedule.excludePaid,
    ...(schedule.statementType === 'outstanding' ? { statementType: 'outstanding' as const } : {}),
    ...(schedule.skipNothingOwed ? { skipNothingOwed: true as const } : {}),
  };
}

/** The UTC offset of `timeZone` at `instant`, in milliseconds (local = UTC + offset). */
function offsetAt(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(instant));
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((part) => part.type === type)?.value);
  const local = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return local - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant that is noon of `date` in `timeZone` (`npm run schedules -- run-due` treats a date as
 * "now" there): noon is never skipped or repeated by a DST change, which happen at night.
 */
export function localNoon(date: string, timeZone: string): Date {
  const [year, month] = monthOf(date);
  const guess = Date.UTC(year, month - 1, Number(date.slice(8, 10)), 12);
  const first = guess - offsetAt(guess, timeZone);
  return new Date(guess - offsetAt(first, timeZone));
}
