import { describe, expect, it } from 'vitest';
import { PeriodError, resolveStatementPeriod } from '#shared/domain/statement-period.ts';

const flags = { filterAll: false, excludePaid: false };

describe('resolveStatementPeriod', () => {
  it('covers the three months up to today when no dates are given', () => {
    expect(resolveStatementPeriod(flags, '2026-11-24')).toEqual({
      start: '2026-08-24',
      end: '2026-11-24',
      ...flags,
    });
  });

  it('clamps at month ends and in leap years', () => {
    expect(resolveStatementPeriod(flags, '2026-05-31').start).toBe('2026-02-28');
    expect(resolveStatementPeriod(flags, '2024-05-31').start).toBe('2024-02-29');
  });

  it('runs from the start date to today when only startdate is given', () => {
    expect(resolveStatementPeriod({ ...flags, startDate: '2026-01-01' }, '2026-11-24')).toMatchObject({
      start: '2026-01-01',
      end: '2026-11-24',
    });
  });

  it('covers the three months before the end date when only enddate is given', () => {
    expect(resolveStatementPeriod({ ...flags, endDate: '2013-10-10' }, '2026-11-24')).toMatchObject({
      start: '2013-07-10',
      end: '2013-10-10',
    });
  });

  it('takes both dates as given, a single day included', () => {
    expect(
      resolveStatementPeriod({ ...flags, startDate: '2013-01-01', endDate: '2013-10-10' }, '2026-11-24'),
    ).toMatchObject({
      start: '2013-01-01',
      end: '2013-10-10',
    });
    expect(
      resolveStatementPeriod({ ...flags, startDate: '2013-01-01', endDate: '2013-01-01' }, '2026-11-24'),
    ).toMatchObject({
      start: '2013-01-01',
      end: '2013-01-01',
    });
  });

  it('refuses a start after the end', () => {
    expect(() =>
      resolveStatementPeriod({ ...flags, startDate: '2013-10-11', endDate: '2013-10-10' }, '2026-11-24'),
    ).toThrow(new PeriodError('startdate must be on or before enddate'));
  });

  it('refuses a start after today when there is no end date', () => {
    expect(() => resolveStatementPeriod({ ...flags, startDate: '2026-11-25' }, '2026-11-24')).toThrow(
      'startdate must not be later than today when enddate is not given',
    );
  });

  it('carries the filter flags through', () => {
    expect(resolveStatementPeriod({ filterAll: true, excludePaid: true }, '2026-11-24')).toMatchObject({
      filterAll: true,
      excludePaid: true,
    });
  });
});
