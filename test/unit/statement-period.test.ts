import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PeriodError,
  resolveStatementPeriod,
  StatementPeriodSchema,
} from '#shared/domain/statement-period.ts';

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

  it('refuses an end date alone whose three months would start before 1900, naming enddate', () => {
    expect(() => resolveStatementPeriod({ ...flags, endDate: '1900-01-15' }, '2026-11-24')).toThrow(
      new PeriodError(
        'enddate must be 1900-04-01 or later when startdate is not given (the statement covers the three months before it)',
      ),
    );
    expect(resolveStatementPeriod({ ...flags, endDate: '1900-04-01' }, '2026-11-24')).toMatchObject({
      start: '1900-01-01',
      end: '1900-04-01',
    });
  });

  it('only ever resolves a period the job schema accepts', () => {
    fc.assert(
      fc.property(
        fc.option(fc.date({ min: new Date('1900-01-01'), max: new Date('9999-12-31'), noInvalidDate: true })),
        fc.option(fc.date({ min: new Date('1900-01-01'), max: new Date('9999-12-31'), noInvalidDate: true })),
        fc.date({ min: new Date('1900-01-01'), max: new Date('9999-12-31'), noInvalidDate: true }),
        (start, end, today) => {
          const iso = (date: Date | null) => (date === null ? undefined : date.toISOString().slice(0, 10));
          let period: unknown;
          try {
            period = resolveStatementPeriod(
              { ...flags, startDate: iso(start), endDate: iso(end) },
              iso(today) ?? '',
            );
          } catch (error) {
            expect(error).toBeInstanceOf(PeriodError);
            return;
          }
          expect(StatementPeriodSchema.safeParse(period).success).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('carries the filter flags through', () => {
    expect(resolveStatementPeriod({ filterAll: true, excludePaid: true }, '2026-11-24')).toMatchObject({
      filterAll: true,
      excludePaid: true,
    });
  });
});
