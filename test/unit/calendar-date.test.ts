import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  dateInTimeZone,
  daysBetween,
  isIsoDate,
  isLeapYear,
  parseCompactDate,
} from '#shared/domain/calendar-date.ts';

describe('parseCompactDate', () => {
  it.each([
    ['20130101', '2013-01-01'],
    ['20131010', '2013-10-10'],
    ['20240229', '2024-02-29'],
    ['20000229', '2000-02-29'],
    ['19000101', '1900-01-01'],
    ['99991231', '9999-12-31'],
  ])('reads %s as %s', (text, iso) => {
    expect(parseCompactDate(text)).toBe(iso);
  });

  it.each([
    ['20130230', 'the 30th of February'],
    ['20230229', 'the 29th of February in a common year'],
    ['19000229', 'the 29th of February in 1900 (not a leap year)'],
    ['99999999', 'month 99'],
    ['20131301', 'month 13'],
    ['20130100', 'day 0'],
    ['20130431', 'the 31st of April'],
    ['18991231', 'a year before 1900'],
    ['2013010', 'seven digits'],
    ['201301011', 'nine digits'],
    ['2013-01-01', 'the ISO form'],
    ['２０１３０１０１', 'full-width digits'],
    ['', 'nothing'],
  ])('refuses %s (%s)', (text) => {
    expect(parseCompactDate(text)).toBeUndefined();
  });
});

describe('isLeapYear', () => {
  it('follows the Gregorian rule', () => {
    expect([1900, 2000, 2023, 2024, 2100].map(isLeapYear)).toEqual([false, true, false, true, false]);
  });
});

describe('addMonths', () => {
  it.each([
    ['2026-11-24', -3, '2026-08-24'],
    ['2026-05-31', -3, '2026-02-28'],
    ['2024-05-31', -3, '2024-02-29'],
    ['2026-03-31', -1, '2026-02-28'],
    ['2026-01-15', -3, '2025-10-15'],
    ['2025-12-31', 2, '2026-02-28'],
    ['2024-02-29', 12, '2025-02-28'],
    ['2026-08-31', 3, '2026-11-30'],
  ])('moves %s by %i months to %s, clamping the day to the month', (date, months, expected) => {
    expect(addMonths(date, months)).toBe(expected);
  });
});

describe('addDays and daysBetween', () => {
  it('cross month, year and leap-day boundaries', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2023-02-28', 1)).toBe('2023-03-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(daysBetween('2024-01-01', '2025-01-01')).toBe(366);
    expect(daysBetween('2026-03-01', '2026-02-01')).toBe(-28);
  });
});

describe('dateInTimeZone', () => {
  it("gives the tenant's calendar date, not UTC's", () => {
    const lateEvening = new Date('2026-11-24T23:30:00Z');
    expect(dateInTimeZone(lateEvening, 'Europe/London')).toBe('2026-11-24');
    expect(dateInTimeZone(lateEvening, 'Pacific/Auckland')).toBe('2026-11-25');
    expect(dateInTimeZone(new Date('2026-11-24T03:00:00Z'), 'America/Los_Angeles')).toBe('2026-11-23');
  });

  it('follows summer time (London is UTC+1 in July)', () => {
    expect(dateInTimeZone(new Date('2026-07-01T23:30:00Z'), 'Europe/London')).toBe('2026-07-02');
    expect(dateInTimeZone(new Date('2026-01-01T23:30:00Z'), 'Europe/London')).toBe('2026-01-01');
  });
});

describe('isIsoDate', () => {
  it('accepts real dates only', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2023-02-29')).toBe(false);
    expect(isIsoDate('2023-2-1')).toBe(false);
  });
});
