/**
 * A fixture document checked whole before anything is written: zod with every problem's JSON path,
 * and the demo's dates moved to the load date.
 */
import { addDays, daysBetween, isIsoDate, MIN_YEAR } from '../domain/calendar-date.ts';
import { type Fixture, FixtureSchema } from '../schemas/fixture.ts';

/** A fixture that cannot be loaded, with the JSON path of each problem; `outcome` says what was written. */
export class FixtureError extends Error {
  override readonly name = 'FixtureError';
  constructor(
    readonly problems: string[],
    outcome = 'nothing was written',
  ) {
    super(`The fixture is invalid; ${outcome}:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
  }
}

/** `$.Tenants[0].Customers[2].Code` for zod's `['Tenants', 0, 'Customers', 2, 'Code']`. */
export function toJsonPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, part) => (typeof part === 'number' ? `${text}[${part}]` : `${text}.${String(part)}`),
    '$',
  );
}

/** Validates a whole fixture document, or throws a FixtureError naming the path of every problem. */
export function validateFixture(document: unknown): Fixture {
  const parsed = FixtureSchema.safeParse(document);
  if (!parsed.success) {
    throw new FixtureError(parsed.error.issues.map((issue) => `${toJsonPath(issue.path)}: ${issue.message}`));
  }
  return parsed.data;
}

const FIRST_DAY = `${MIN_YEAR}-01-01`;
const LAST_DAY = '9999-12-31';

/**
 * The fixture with its dates moved by the days from `AsOf` to `today` (the load date), or as it is
 * without `AsOf`. Moving by days, not months, keeps every invoice exactly as many days from being
 * due as on AsOf, and nothing issued or paid by AsOf (all of it: the schema checks) lands after
 * today, whatever day of the month the load is. Throws FixtureError, naming each date's path,
 * when a date would leave the calendar the service keeps (1900 to 9999).
 */
export function moveFixtureDates(fixture: Fixture, today: string): Fixture {
  if (fixture.AsOf === undefined) return fixture;
  if (!isIsoDate(today)) throw new RangeError(`The load date must be a real YYYY-MM-DD date: ${today}`);
  const days = daysBetween(fixture.AsOf, today);
  const problems: string[] = [];
  const move = (date: string, path: PropertyKey[]): string => {
    const fromFirst = daysBetween(FIRST_DAY, date) + days;
    if (fromFirst < 0 || fromFirst > daysBetween(FIRST_DAY, LAST_DAY)) {
      const where = fromFirst < 0 ? `before ${MIN_YEAR}` : 'after 9999';
      problems.push(`${toJsonPath(path)}: would move to ${where} when loaded on ${today}`);
      return date;
    }
    return addDays(date, days);
  };
  const moved: Fixture = {
    ...fixture,
    AsOf: today,
    Tenants: fixture.Tenants.map((tenant, t) => ({
      ...tenant,
      Invoices: tenant.Invoices.map((invoice, i) => ({
        ...invoice,
        IssuedDate: move(invoice.IssuedDate, ['Tenants', t, 'Invoices', i, 'IssuedDate']),
        DueDate: move(invoice.DueDate, ['Tenants', t, 'Invoices', i, 'DueDate']),
      })),
      CreditNotes: tenant.CreditNotes.map((note, i) => ({
        ...note,
        IssuedDate: move(note.IssuedDate, ['Tenants', t, 'CreditNotes', i, 'IssuedDate']),
      })),
      Payments: tenant.Payments.map((payment, i) => ({
        ...payment,
        Date: move(payment.Date, ['Tenants', t, 'Payments', i, 'Date']),
      })),
    })),
  };
  if (problems.length > 0) throw new FixtureError(problems);
  return moved;
}
