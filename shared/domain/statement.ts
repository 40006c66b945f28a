/**
 * The statement of account, in integer minor units. Pure: the ledger comes in as (async)
 * iterables ordered by date, so a customer with tens of thousands of invoices is read as a stream
 * and only compact per-invoice sums are held.
 */
import { daysBetween } from './calendar-date.ts';
import type { StatementPeriod } from './statement-period.ts';

export interface LedgerInvoice {
  number: number;
  issuedDate: string;
  dueDate: string;
  totalMinor: number;
}

export interface LedgerPayment {
  invoiceNumber: number;
  date: string;
  amountMinor: number;
}

export interface StatementLine {
  kind: 'invoice' | 'payment';
  date: string;
  invoiceNumber: number;
  /** Invoices only. */
  dueDate?: string;
  debitMinor: number;
  creditMinor: number;
  /** The balance after this line. */
  balanceMinor: number;
}

/** Amount due now by days past due: Current (not yet due), 1–30, 31–60, 61–90, over 90. */
export interface Ageing {
  currentMinor: number;
  days1To30Minor: number;
  days31To60Minor: number;
  days61To90Minor: number;
  over90Minor: number;
}

export interface Statement {
  period: StatementPeriod;
  /** The date the ageing is taken at: the period's end, or today if that is earlier. */
  asOf: string;
  openingMinor: number;
  lines: StatementLine[];
  invoicedMinor: number;
  paidMinor: number;
  closingMinor: number;
  ageing: Ageing;
  /** Past due at `asOf`: every bucket but Current. */
  overdueMinor: number;
}

/** Opening + movements did not come to the closing balance: the statement must not be sent. */
export class StatementBalanceError extends Error {
  override readonly name = 'StatementBalanceError';
}

type Source<T> = Iterable<T> | AsyncIterable<T>;

/** Which days-past-due bucket an amount belongs in. */
export function ageingBucket(daysPastDue: number): keyof Ageing {
  if (daysPastDue <= 0) return 'currentMinor';
  if (daysPastDue <= 30) return 'days1To30Minor';
  if (daysPastDue <= 60) return 'days31To60Minor';
  if (daysPastDue <= 90) return 'days61To90Minor';
  return 'over90Minor';
}

const add = (map: Map<number, number>, key: number, amount: number) =>
  map.set(key, (map.get(key) ?? 0) + amount);

/**
 * Computes a statement from the customer's invoices and payments.
 *
 * - The period is inclusive. Opening = invoices issued before the start less payments dated
 *   before it; the period's invoices and payments are each listed once.
 * - `filterAll`: every invoice and payment is listed and the opening balance is zero.
 * - `excludePaid`: invoices fully paid by the period's end are left out, and so are the payments
 *   made against them, so that the statement still adds up to the same closing balance.
 * - The closing balance is summed independently (each invoice's total less what was paid on it)
 *   and must equal opening + invoiced − paid, or StatementBalanceError is thrown.
 *
 * `invoices` must be every invoice issued up to the end (all of them with `filterAll`) and
 * `payments` every payment dated up to the end; anything later is ignored.
 */
export async function computeStatement(
  period: StatementPeriod,
  invoices: Source<LedgerInvoice>,
  payments: Source<LedgerPayment>,
  today: string,
): Promise<Statement> {
  const { filterAll, excludePaid } = period;
  const inRange = (date: string) => filterAll || (date >= period.start && date <= period.end);
  const upToEnd = (date: string) => filterAll || date <= period.end;
  const asOf = filterAll || period.end > today ? today : period.end;

  // Pass 1: payments. Per invoice: paid by the end, paid by asOf, paid before the start.
  const paidByEnd = new Map<number, number>();
  const paidByAsOf = new Map<number, number>();
  const paidBeforeStart = new Map<number, number>();
  const periodPayments: LedgerPayment[] = [];
  for await (const payment of payments) {
    if (!upToEnd(payment.date)) continue;
    add(paidByEnd, payment.invoiceNumber, payment.amountMinor);
    if (payment.date <= asOf) add(paidByAsOf, payment.invoiceNumber, payment.amountMinor);
    if (inRange(payment.date)) periodPayments.push(payment);
    else add(paidBeforeStart, payment.invoiceNumber, payment.amountMinor);
  }

  // Pass 2: invoices, in issue-date order.
  const excluded = new Set<number>();
  const seen = new Set<number>();
  const ageing: Ageing = {
    currentMinor: 0,
    days1To30Minor: 0,
    days31To60Minor: 0,
    days61To90Minor: 0,
    over90Minor: 0,
  };
  const lines: StatementLine[] = [];
  let openingMinor = 0;
  let closingMinor = 0;
  for await (const invoice of invoices) {
    if (!upToEnd(invoice.issuedDate)) continue;
    seen.add(invoice.number);
    const paid = paidByEnd.get(invoice.number) ?? 0;
    if (excludePaid && paid >= invoice.totalMinor) {
      excluded.add(invoice.number);
      continue;
    }
    closingMinor += invoice.totalMinor - paid;
    if (inRange(invoice.issuedDate)) {
      lines.push({
        kind: 'invoice',
        date: invoice.issuedDate,
        invoiceNumber: invoice.number,
        dueDate: invoice.dueDate,
        debitMinor: invoice.totalMinor,
        creditMinor: 0,
        balanceMinor: 0,
      });
    } else openingMinor += invoice.totalMinor;
    if (invoice.issuedDate <= asOf) {
      const outstanding = invoice.totalMinor - (paidByAsOf.get(invoice.number) ?? 0);
      if (outstanding !== 0) ageing[ageingBucket(daysBetween(invoice.dueDate, asOf))] += outstanding;
    }
  }
  for (const [invoiceNumber, amount] of paidBeforeStart) {
    if (!excluded.has(invoiceNumber)) openingMinor -= amount;
  }
  for (const payment of periodPayments) {
    if (excluded.has(payment.invoiceNumber)) continue;
    lines.push({
      kind: 'payment',
      date: payment.date,
      invoiceNumber: payment.invoiceNumber,
      debitMinor: 0,
      creditMinor: payment.amountMinor,
      balanceMinor: 0,
    });
  }
  // A payment against an invoice the ledger does not hold still reduces the balance.
  for (const [invoiceNumber, paid] of paidByEnd) {
    if (!seen.has(invoiceNumber)) closingMinor -= paid;
  }

  lines.sort(
    (a, b) =>
      a.date.localeCompare(b.date) ||
      (a.kind === b.kind ? 0 : a.kind === 'invoice' ? -1 : 1) ||
      a.invoiceNumber - b.invoiceNumber,
  );
  let balance = openingMinor;
  let invoicedMinor = 0;
  let paidMinor = 0;
  for (const line of lines) {
    balance += line.debitMinor - line.creditMinor;
    line.balanceMinor = balance;
    invoicedMinor += line.debitMinor;
    paidMinor += line.creditMinor;
  }
  if (openingMinor + invoicedMinor - paidMinor !== closingMinor) {
    throw new StatementBalanceError(
      `Opening ${openingMinor} + invoiced ${invoicedMinor} - paid ${paidMinor} does not equal closing ${closingMinor}`,
    );
  }
  const overdueMinor =
    ageing.days1To30Minor + ageing.days31To60Minor + ageing.days61To90Minor + ageing.over90Minor;
  return { period, asOf, openingMinor, lines, invoicedMinor, paidMinor, closingMinor, ageing, overdueMinor };
}
