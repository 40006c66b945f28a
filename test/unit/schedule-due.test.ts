import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, dateInTimeZone, daysInMonth } from '#shared/domain/calendar-date.ts';
import type { IssueDay } from '#shared/domain/schedule.ts';
import {
  type DueInput,
  dueIssueDate,
  issueDateInMonth,
  localNoon,
  nextIssueDate,
  schedulePeriodDates,
  scheduleStatementPeriod,
} from '#shared/domain/schedule-due.ts';
import { scheduleRunId } from '#shared/services/schedules/trigger-due-schedules.ts';

const schedule = (overrides: Partial<DueInput> = {}): DueInput => ({
  issueDay: 1,
  enabled: true,
  effectiveFrom: '2026-01-01',
  ...overrides,
});

const issueDays = fc.oneof(
  fc.integer({ min: 1, max: 28 }),
  fc.constant('Last' as const),
) as fc.Arbitrary<IssueDay>;
const dates = fc
  .date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true })
  .map((date) => date.toISOString().slice(0, 10));

describe('issueDateInMonth', () => {
  it('is the last day of the month for Last, leap years included', () => {
    expect(issueDateInMonth('Last', '2028-02-10')).toBe('2028-02-29');
    expect(issueDateInMonth('Last', '2026-02-10')).toBe('2026-02-28');
    expect(issueDateInMonth('Last', '2100-02-01')).toBe('2100-02-28');
    expect(issueDateInMonth('Last', '2026-04-30')).toBe('2026-04-30');
    expect(issueDateInMonth('Last', '2026-12-01')).toBe('2026-12-31');
  });

  it('is the given day of the month otherwise', () => {
    expect(issueDateInMonth(28, '2026-02-01')).toBe('2026-02-28');
    expect(issueDateInMonth(1, '2026-11-30')).toBe('2026-11-01');
  });
});

describe('dueIssueDate', () => {
  it('is due on the issue day and on every later day until the next issue date (a late trigger)', () => {
    const s = schedule({ issueDay: 5 });
    expect(dueIssueDate(s, '2026-12-04')).toBe('2026-11-05');
    expect(dueIssueDate(s, '2026-12-05')).toBe('2026-12-05');
    expect(dueIssueDate(s, '2026-12-31')).toBe('2026-12-05');
    expect(dueIssueDate(s, '2027-01-04')).toBe('2026-12-05');
  });

  it('is not due again once the run of that issue date was started', () => {
    const s = schedule({ issueDay: 5, lastRun: { issueDate: '2026-12-05' } });
    expect(dueIssueDate(s, '2026-12-05')).toBeUndefined();
    expect(dueIssueDate(s, '2027-01-04')).toBeUndefined();
    expect(dueIssueDate(s, '2027-01-05')).toBe('2027-01-05');
  });

  it('is never due before the schedule was created, after its EndDate, or when disabled', () => {
    expect(
      dueIssueDate(schedule({ issueDay: 1, effectiveFrom: '2026-11-25' }), '2026-11-30'),
    ).toBeUndefined();
    expect(dueIssueDate(schedule({ issueDay: 1, effectiveFrom: '2026-11-25' }), '2026-12-01')).toBe(
      '2026-12-01',
    );
    expect(dueIssueDate(schedule({ endDate: '2026-11-30' }), '2026-12-01')).toBeUndefined();
    expect(dueIssueDate(schedule({ endDate: '2026-12-01' }), '2026-12-01')).toBe('2026-12-01');
    expect(dueIssueDate(schedule({ enabled: false }), '2026-12-01')).toBeUndefined();
  });

  it('is Last on the 29th of February in a leap year and the 28th otherwise', () => {
    expect(dueIssueDate(schedule({ issueDay: 'Last' }), '2028-02-28')).toBe('2028-01-31');
    expect(dueIssueDate(schedule({ issueDay: 'Last' }), '2028-02-29')).toBe('2028-02-29');
    expect(dueIssueDate(schedule({ issueDay: 'Last' }), '2027-02-28')).toBe('2027-02-28');
  });

  it('property: at most one issue date a month is ever due, and each day after it until the next, exactly it', () => {
    fc.assert(
      fc.property(issueDays, dates, fc.integer({ min: 1, max: 400 }), (issueDay, from, span) => {
        // Walk day by day, recording each run as the trigger would: every issue date passed starts
        // exactly one run, on its own day, and none is started twice.
        let lastRun: { issueDate: string } | undefined;
        const started: string[] = [];
        for (let day = 0; day < span; day += 1) {
          const today = addDays(from, day);
          const due = dueIssueDate(schedule({ issueDay, effectiveFrom: from, lastRun }), today);
          if (due !== undefined) {
            expect(due).toBe(today);
            started.push(due);
            lastRun = { issueDate: due };
          }
        }
        expect(new Set(started).size).toBe(started.length);
        expect(new Set(started.map((date) => date.slice(0, 7))).size).toBe(started.length);
        for (const date of started) {
          const day = Number(date.slice(8));
          const length = daysInMonth(Number(date.slice(0, 4)), Number(date.slice(5, 7)));
          expect(day).toBe(issueDay === 'Last' ? length : issueDay);
        }
      }),
    );
  });

  it('property: a trigger that fires late (any days before the next issue date) starts the missed run once', () => {
    fc.assert(
      fc.property(issueDays, dates, fc.integer({ min: 0, max: 27 }), (issueDay, month, lateBy) => {
        const issueDate = issueDateInMonth(issueDay, month);
        const today = addDays(issueDate, lateBy);
        const s = schedule({ issueDay, effectiveFrom: '2000-01-01' });
        const next = nextIssueDate({ ...s, lastRun: { issueDate } }, issueDate);
        if (next !== undefined && today >= next) return;
        expect(dueIssueDate(s, today)).toBe(issueDate);
        expect(dueIssueDate({ ...s, lastRun: { issueDate } }, today)).toBeUndefined();
      }),
    );
  });
});

describe('nextIssueDate', () => {
  it('is the due one until it runs, then the next month’s; none after EndDate or when disabled', () => {
    expect(nextIssueDate(schedule({ issueDay: 10 }), '2026-11-25')).toBe('2026-11-10');
    expect(
      nextIssueDate(schedule({ issueDay: 10, lastRun: { issueDate: '2026-11-10' } }), '2026-11-25'),
    ).toBe('2026-12-10');
    expect(nextIssueDate(schedule({ issueDay: 10, effectiveFrom: '2026-11-25' }), '2026-11-25')).toBe(
      '2026-12-10',
    );
    expect(
      nextIssueDate(
        schedule({ issueDay: 'Last', effectiveFrom: '2027-01-31', lastRun: { issueDate: '2027-01-31' } }),
        '2027-01-31',
      ),
    ).toBe('2027-02-28');
    expect(
      nextIssueDate(
        schedule({ issueDay: 10, effectiveFrom: '2026-11-25', endDate: '2026-12-09' }),
        '2026-11-25',
      ),
    ).toBeUndefined();
    expect(nextIssueDate(schedule({ enabled: false }), '2026-11-25')).toBeUndefined();
  });

  it('property: the next issue date is never before today unless it is due now, and never before the last run', () => {
    fc.assert(
      fc.property(issueDays, dates, fc.option(dates, { nil: undefined }), (issueDay, today, last) => {
        const s = schedule({
          issueDay,
          effectiveFrom: '2000-01-01',
          lastRun: last === undefined ? undefined : { issueDate: last },
        });
        const next = nextIssueDate(s, today);
        expect(next).toBeDefined();
        if (next === undefined) return;
        if (next < today) expect(dueIssueDate(s, today)).toBe(next);
        if (last !== undefined) expect(next > last).toBe(true);
        expect(issueDateInMonth(issueDay, next)).toBe(next);
      }),
    );
  });
});

describe('schedulePeriodDates', () => {
  it('LastMonth is the calendar month before the issue month', () => {
    expect(schedulePeriodDates('LastMonth', '2026-12-01')).toEqual({
      start: '2026-11-01',
      end: '2026-11-30',
    });
    expect(schedulePeriodDates('LastMonth', '2028-03-31')).toEqual({
      start: '2028-02-01',
      end: '2028-02-29',
    });
    expect(schedulePeriodDates('LastMonth', '2027-01-15')).toEqual({
      start: '2026-12-01',
      end: '2026-12-31',
    });
  });

  it('Last3Months is the three calendar months before the issue month', () => {
    expect(schedulePeriodDates('Last3Months', '2026-12-01')).toEqual({
      start: '2026-09-01',
      end: '2026-11-30',
    });
    expect(schedulePeriodDates('Last3Months', '2027-02-28')).toEqual({
      start: '2026-11-01',
      end: '2027-01-31',
    });
  });

  it('MonthToDate runs from the first of the issue month to the issue date', () => {
    expect(schedulePeriodDates('MonthToDate', '2026-12-31')).toEqual({
      start: '2026-12-01',
      end: '2026-12-31',
    });
  });

  it('SinceLastStatement starts the day after the last period ended, the first time as LastMonth', () => {
    expect(schedulePeriodDates('SinceLastStatement', '2026-12-15')).toEqual({
      start: '2026-11-01',
      end: '2026-11-30',
    });
    expect(schedulePeriodDates('SinceLastStatement', '2027-01-15', '2026-11-30')).toEqual({
      start: '2026-12-01',
      end: '2027-01-14',
    });
  });

  it('property: successive SinceLastStatement periods are contiguous and never overlap', () => {
    fc.assert(
      fc.property(issueDays, dates, fc.integer({ min: 2, max: 24 }), (issueDay, from, months) => {
        let lastEnd: string | undefined;
        let issue = issueDateInMonth(issueDay, from);
        for (let index = 0; index < months; index += 1) {
          const { start, end } = schedulePeriodDates('SinceLastStatement', issue, lastEnd);
          expect(start <= end).toBe(true);
          expect(end < issue).toBe(true);
          if (lastEnd !== undefined) expect(start).toBe(addDays(lastEnd, 1));
          lastEnd = end;
          issue = issueDateInMonth(issueDay, addDays(`${issue.slice(0, 8)}28`, 7));
        }
      }),
    );
  });
});

describe('scheduleStatementPeriod', () => {
  const base = {
    period: 'LastMonth' as const,
    excludePaid: false,
    excludeOpeningBalance: false,
    skipNothingOwed: false,
    statementType: 'activity' as const,
  };

  it('writes only the options that are not the default, as the bulk endpoint does', () => {
    expect(scheduleStatementPeriod(base, '2026-12-01')).toEqual({
      start: '2026-11-01',
      end: '2026-11-30',
      filterAll: false,
      excludePaid: false,
    });
  });

  it('maps ExcludeOpeningBalance to filterby=All, ExcludePaidInvoices, SkipIfNothingOwed and the type', () => {
    expect(
      scheduleStatementPeriod(
        {
          ...base,
          excludeOpeningBalance: true,
          excludePaid: true,
          skipNothingOwed: true,
          statementType: 'outstanding',
        },
        '2026-12-01',
      ),
    ).toEqual({
      start: '2026-11-01',
      end: '2026-11-30',
      filterAll: true,
      excludePaid: true,
      statementType: 'outstanding',
      skipNothingOwed: true,
    });
  });
});

describe('scheduleRunId', () => {
  it('is the same for the same tenant, schedule and issue date, and differs when any differs', () => {
    const id = scheduleRunId('demo', 'ALL', '2026-12-01');
    // UUID-shaped: a run id is a batch id, which the batch status resource reads as a UUID.
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(scheduleRunId('demo', 'ALL', '2026-12-01')).toBe(id);
    expect(scheduleRunId('demo2', 'ALL', '2026-12-01')).not.toBe(id);
    expect(scheduleRunId('demo', 'CUSTOMER#101', '2026-12-01')).not.toBe(id);
    expect(scheduleRunId('demo', 'ALL', '2027-01-01')).not.toBe(id);
  });
});

describe('localNoon', () => {
  const zones = [
    'Pacific/Kiritimati',
    'America/Los_Angeles',
    'Europe/London',
    'Pacific/Pago_Pago',
    'Asia/Kolkata',
  ];

  it('is noon of that date in zones east and west, across DST changes', () => {
    expect(localNoon('2026-12-01', 'Pacific/Kiritimati').toISOString()).toBe('2026-11-30T22:00:00.000Z');
    expect(localNoon('2026-12-01', 'America/Los_Angeles').toISOString()).toBe('2026-12-01T20:00:00.000Z');
    expect(localNoon('2026-03-08', 'America/Los_Angeles').toISOString()).toBe('2026-03-08T19:00:00.000Z');
    expect(localNoon('2026-03-29', 'Europe/London').toISOString()).toBe('2026-03-29T11:00:00.000Z');
  });

  it('property: the local date at local noon is the date asked for', () => {
    fc.assert(
      fc.property(dates, fc.constantFrom(...zones), (date, zone) => {
        expect(dateInTimeZone(localNoon(date, zone), zone)).toBe(date);
      }),
    );
  });

  it('an instant is due on a different issue date east and west of the date line', () => {
    // 2026-11-30T23:00Z is already 1 December in Kiritimati (UTC+14), still 30 November in Los Angeles.
    const now = new Date('2026-11-30T23:00:00Z');
    const s = schedule({ issueDay: 1, effectiveFrom: '2026-11-01' });
    expect(dueIssueDate(s, dateInTimeZone(now, 'Pacific/Kiritimati'))).toBe('2026-12-01');
    expect(dueIssueDate(s, dateInTimeZone(now, 'America/Los_Angeles'))).toBe('2026-11-01');
  });
});
