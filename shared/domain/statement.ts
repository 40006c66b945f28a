/**
 * The statement of account, in integer minor units. Pure: the ledger comes in as (async)
 * iterables ordered by date, so a customer with tens of thousands of invoices is read as a stream
 * and only compact per-invoice sums are held.
 *
 * A little over 250 lines on purpose: the two passes, the ageing and the balance check are one
 * computation over the same running sums; split, they would pass those sums between files.
 */
import { daysBetween } from './calendar-date.ts';
import type { StatementPeriod } from './statement-period.ts';

/** An invoice as the maths needs it, free of storage details, so the maths is tested without DynamoDB. */
export interface LedgerInvoice {
  number: number;
  issuedDate: string;
  dueDate: string;
  totalMinor: number;
}

/** A payment against one invoice, as the maths needs it (see LedgerInvoice). */
export interface LedgerPayment {
  invoiceNumber: number;
  date: string;
  amountMinor: number;
}

/**
 * A line of the statement. Amounts are never negative: an invoice or a refund is a debit, a credit
 * note (an invoice with a negative total) or a payment is a credit.
 */
export interface StatementLine {
  kind: 'invoice' | 'credit-note' | 'payment' | 'refund';
  date: string;
  /** The invoice or credit note the line is, or is paid against. */
  invoiceNumber: number;
  /** Invoices and credit notes only. */
  dueDate?: string;
  debitMinor: number;
  creditMinor: number;
  /** The balance after this line. */
  balanceMinor: number;
}

/**
 * Amount due now by days past due: Current (not yet due), 1–30, 31–60, 61–90, over 90. Every
 * figure is zero or more. Credits (credit notes and payments not yet allocated, over-payments) are
 * applied to the oldest debt first; what no debt absorbs is `unappliedCreditMinor`, so that
 * the buckets less the unapplied credit are what the customer owes at the statement date.
 */
export interface Ageing {
  currentMinor: number;
  days1To30Minor: number;
  days31To60Minor: number;
  days61To90Minor: number;
  over90Minor: number;
  unappliedCreditMinor: number;
}

/** Every figure the email, its table and the PDF show, worked out once so that they cannot disagree. */
export interface Statement {
  period: StatementPeriod;
  /** The date the ageing is taken at: the period's end, or today if that is earlier. */
  asOf: string;
  openingMinor: number;
  lines: StatementLine[];
  /** The sums of the lines' debits (invoices, refunds) and credits (credit notes, payments). */
  debitsMinor: number;
  creditsMinor: number;
  closingMinor: number;
  ageing: Ageing;
  /** Past due at `asOf`: every bucket but Current, after credits; never negative. */
  overdueMinor: number;
}

/** Opening + movements did not come to the closing balance: the statement must not be sent. */
export class StatementBalanceError extends Error {
  override readonly name = 'StatementBalanceError';
}

type Source<T> = Iterable<T> | AsyncIterable<T>;

/** The debt buckets of Ageing: where an amount is aged, and what credits are applied to, oldest first. */
export type AgeingBucket = Exclude<keyof Ageing, 'unappliedCreditMinor'>;

/** The debt buckets, oldest first: the order in which credits are applied. */
const OLDEST_FIRST: AgeingBucket[] = [
  'over90Minor',
  'days61To90Minor',
  'days31To60Minor',
  'days1To30Minor',
  'currentMinor',
];

/** Which days-past-due bucket an amount belongs in. */
export function ageingBucket(daysPastDue: number): AgeingBucket {
  if (daysPastDue <= 0) return 'currentMinor';
  if (daysPastDue <= 30) return 'days1To30Minor';
  if (daysPastDue <= 60) return 'days31To60Minor';
  if (daysPastDue <= 90) return 'days61To90Minor';
  return 'over90Minor';
}

const add = (map: Map<number, number>, key: number, amount: number) =>
  map.set(key, (map.get(key) ?? 0) + amount);

/**
 * Applies credits to debts, oldest first. Debts and credit are each zero or more; what no debt
 * absorbs is returned as unapplied credit. Nothing ever goes below zero, so the overdue figure of a
 * customer who holds a credit note is reduced by it, never turned negative.
 */
function applyCredit(debts: Record<AgeingBucket, number>, creditMinor: number): Ageing {
  const ageing: Ageing = { ...debts, unappliedCreditMinor: 0 };
  let credit = creditMinor;
  for (const bucket of OLDEST_FIRST) {
    const applied = Math.min(credit, ageing[bucket]);
    ageing[bucket] -= applied;
    credit -= applied;
  }
  ageing.unappliedCreditMinor = credit;
  return ageing;
}

/**
 * Computes a statement from the customer's invoices and payments.
 *
 * - The period is inclusive. Opening = invoices issued before the start less payments dated
 *   before it; the period's invoices and payments are each listed once.
 * - Signs: an invoice with a negative total is a credit note; a negative payment is a refund.
 *   Each is listed with a positive amount in its column (debit or credit).
 * - `filterAll`: every invoice and payment is listed and the opening balance is zero.
 * - `excludePaid`: invoices settled by the period's end (what was paid on them, net of refunds,
 *   equals their total exactly) are left out, and so are the payments made against them. A settled
 *   invoice contributes nothing to the balance, so the closing balance and the ageing do not depend
 *   on the flag; an unsettled credit note or an over-paid invoice is credit the customer holds,
 *   and stays.
 * - The closing balance is summed independently (each invoice's total less what was paid on it)
 *   and must equal opening + debits − credits, or StatementBalanceError is thrown.
 * - Ageing: what is outstanding on each invoice at `asOf`, by days past due; credits are applied
 *   to the oldest debt first (see Ageing). The overdue figure is never negative.
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
  const debts: Record<AgeingBucket, number> = {
    currentMinor: 0,
    days1To30Minor: 0,
    days31To60Minor: 0,
    days61To90Minor: 0,
    over90Minor: 0,
  };
  let creditMinor = 0;
  /** Outstanding at asOf, by its due date: a debt in its bucket, a credit into the pool. */
  const age = (outstanding: number, daysPastDue: number) => {
    if (outstanding > 0) debts[ageingBucket(daysPastDue)] += outstanding;
    else creditMinor -= outstanding;
  };
  const lines: StatementLine[] = [];
  let openingMinor = 0;
  let closingMinor = 0;
  for await (const invoice of invoices) {
    if (!upToEnd(invoice.issuedDate)) continue;
    seen.add(invoice.number);
    // Ageing first: it is what is owed at asOf, whatever the statement lists.
    if (invoice.issuedDate <= asOf) {
      age(invoice.totalMinor - (paidByAsOf.get(invoice.number) ?? 0), daysBetween(invoice.dueDate, asOf));
    }
    const outstanding = invoice.totalMinor - (paidByEnd.get(invoice.number) ?? 0);
    if (excludePaid && outstanding === 0) {
      excluded.add(invoice.number);
      continue;
    }
    closingMinor += outstanding;
    if (inRange(invoice.issuedDate)) {
      const credit = invoice.totalMinor < 0;
      lines.push({
        kind: credit ? 'credit-note' : 'invoice',
        date: invoice.issuedDate,
        invoiceNumber: invoice.number,
        dueDate: invoice.dueDate,
        debitMinor: credit ? 0 : invoice.totalMinor,
        creditMinor: credit ? -invoice.totalMinor : 0,
        balanceMinor: 0,
      });
    } else openingMinor += invoice.totalMinor;
  }
  for (const [invoiceNumber, amount] of paidBeforeStart) {
    if (!excluded.has(invoiceNumber)) openingMinor -= amount;
  }
  for (const payment of periodPayments) {
    if (excluded.has(payment.invoiceNumber)) continue;
    const refund = payment.amountMinor < 0;
    lines.push({
      kind: refund ? 'refund' : 'payment',
      date: payment.date,
      invoiceNumber: payment.invoiceNumber,
      debitMinor: refund ? -payment.amountMinor : 0,
      creditMinor: refund ? 0 : payment.amountMinor,
      balanceMinor: 0,
    });
  }
  // A payment against an invoice the ledger does not hold (on account) still reduces the
  // balance, and is credit in the ageing; a refund of one is a debt due at once.
  for (const [invoiceNumber, paid] of paidByEnd) {
    if (seen.has(invoiceNumber)) continue;
    closingMinor -= paid;
    age(-(paidByAsOf.get(invoiceNumber) ?? 0), 0);
  }

  const isDocument = (line: StatementLine) => line.kind === 'invoice' || line.kind === 'credit-note';
  lines.sort(
    (a, b) =>
      a.date.localeCompare(b.date) ||
      (isDocument(a) === isDocument(b) ? 0 : isDocument(a) ? -1 : 1) ||
      a.invoiceNumber - b.invoiceNumber,
  );
  let balance = openingMinor;
  let debitsMinor = 0;
  let creditsMinor = 0;
  for (const line of lines) {
    balance += line.debitMinor - line.creditMinor;
    line.balanceMinor = balance;
    debitsMinor += line.debitMinor;
    creditsMinor += line.creditMinor;
  }
  if (openingMinor + debitsMinor - creditsMinor !== closingMinor) {
    throw new StatementBalanceError(
      `Opening ${openingMinor} + debits ${debitsMinor} - credits ${creditsMinor} does not equal closing ${closingMinor}`,
    );
  }
  const ageing = applyCredit(debts, creditMinor);
  const overdueMinor =
    ageing.days1To30Minor + ageing.days31To60Minor + ageing.days61To90Minor + ageing.over90Minor;
  return { period, asOf, openingMinor, lines, debitsMinor, creditsMinor, closingMinor, ageing, overdueMinor };
}
