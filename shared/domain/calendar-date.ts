/**
 * Calendar dates without a time of day, as `YYYY-MM-DD` strings. Statement periods, invoice dates and
 * payment dates are all calendar dates in the tenant's time zone, so they never pass through `Date`
 * arithmetic that could shift them by a UTC offset.
 */
import * as z from 'zod';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const COMPACT_DATE = /^(\d{4})(\d{2})(\d{2})$/;

/** The earliest year a statement date may have; KashFlow rejects earlier years too. */
export const MIN_YEAR = 1900;

/** For daysInMonth: dates are checked by hand, as `Date` would roll 29 February 2023 into March. */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Real-date checks refuse 31 April by it, and addMonths clamps to it (31 May less 3 months). */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function isRealDate(year: number, month: number, day: number): boolean {
  return year >= MIN_YEAR && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function format(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function parts(date: string): [number, number, number] {
  const match = ISO_DATE.exec(date);
  if (!match) throw new TypeError(`Not an ISO calendar date: ${date}`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/** Parses KashFlow's `yyyymmdd` form; `undefined` when it is not a real calendar date. */
export function parseCompactDate(value: string): string | undefined {
  const match = COMPACT_DATE.exec(value);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return isRealDate(year, month, day) ? format(year, month, day) : undefined;
}

/** True when `value` is a real `YYYY-MM-DD` calendar date. */
export function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  return match !== null && isRealDate(Number(match[1]), Number(match[2]), Number(match[3]));
}

/** A real `YYYY-MM-DD` calendar date. */
export const IsoDateSchema = z
  .string()
  .refine(isIsoDate, { message: 'must be a real date in YYYY-MM-DD form' });

/**
 * Moves a date by whole calendar months, clamping the day to the target month's length
 * (31 May minus 3 months is 28 or 29 February), as accounting periods do.
 */
export function addMonths(date: string, months: number): string {
  const [year, month, day] = parts(date);
  const index = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(index / 12);
  const targetMonth = (index % 12) + 1;
  return format(targetYear, targetMonth, Math.min(day, daysInMonth(targetYear, targetMonth)));
}

/** Moves a date by whole days. */
export function addDays(date: string, days: number): string {
  const [year, month, day] = parts(date);
  const shifted = new Date(Date.UTC(year, month - 1, day + days));
  return format(shifted.getUTCFullYear(), shifted.getUTCMonth() + 1, shifted.getUTCDate());
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  const [fy, fm, fd] = parts(from);
  const [ty, tm, td] = parts(to);
  return Math.round((Date.UTC(ty, tm - 1, td) - Date.UTC(fy, fm - 1, fd)) / 86_400_000);
}

/** The calendar date of `instant` in an IANA time zone (e.g. `Europe/London`). */
export function dateInTimeZone(instant: Date, timeZone: string): string {
  const formatted = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(instant);
  const get = (type: Intl.DateTimeFormatPartTypes) =>
    formatted.find((part) => part.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** True when `timeZone` is an IANA zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone });
    return true;
  } catch {
    return false;
  }
}
