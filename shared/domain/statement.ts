/**
 * The statement of account, in integer minor units. Pure: the ledger comes in as three (async)
 * iterables, invoices, credit notes and payments, in any order, so a customer with tens of
 * thousands of invoices is read as a stream and only compact per-invoice sums are held.
 *
 * Over 250 lines on purpose: the passes, the ageing and the balance check are one computation
 * over the same running sums, and the line shapes are what it makes; split, they would pass
 * those sums between files.
 */
import { daysBetween } from './calendar-date.ts';
import { type StatementPeriod, statementTypeOf } from './statement-period.ts';

/**
 * An invoice as the maths needs it, free of storage details, so the maths is tested without
 * DynamoDB. A negative total is a legacy credit note (old fixtures wrote credit notes so): it is
 * listed as a credit note under its invoice number, and payments against it are refunds.
 */
export interface LedgerInvoice {
  number: number;
  issuedDate: string;
  dueDate: string;
  totalMinor: number;
}

/**
 * A credit note as the maths needs it: a document of its own, numbered apart from invoices (credit
 * note 5 is not invoice 5), its total the credit's size (positive). Its allocations to invoices
 * are not part of it: the statement does not use them yet (see computeStatement).
 */
export interface LedgerCreditNote {
  number: number;
  issuedDate: string;
  totalMinor: number;
}

/**
 * A payment as the maths needs it: against `invoiceNumber`, or on account when it has none. A
 * negative amount is a refund.
 */
export interface LedgerPayment {
  number: number;
  invoiceNumber?: number | undefined;
  date: string;
  amountMinor: number;
}

/** A customer's ledger up to the statement's end, each kind of document a stream of its own. */
export interface Ledger {
  invoices: Source<LedgerInvoice>;
  creditNotes: Source<LedgerCreditNote>;
  payments: Source<LedgerPayment>;
}

/** What every line has. Amounts are never negative: each is in its column, debit or credit. */
interface LineAmounts {
  date: string;
  debitMinor: number;
  creditMinor: number;
  /** The balance after this line. */
  balanceMinor: number;
}

/** An invoice (a debit), or a legacy credit note: an invoice with a negative total (a credit). */
export interface InvoiceLine extends LineAmounts {
  kind: 'invoice' | 'credit-note';
  invoiceNumber: number;
  dueDate: string;
  creditNoteNumber?: never;
  paymentNumber?: never;
}

/** A credit note, a document of its own: a credit, under its own number. */
export interface CreditNoteLine extends LineAmounts {
  kind: 'credit-note';
  creditNoteNumber: number;
  invoiceNumber?: never;
  dueDate?: never;
  paymentNumber?: never;
}

/** A payment (a credit) or a refund (a debit) against an invoice the statement's ledger holds. */
export interface PaymentLine extends LineAmounts {
  kind: 'payment' | 'refund';
  paymentNumber: number;
  invoiceNumber: number;
  creditNoteNumber?: never;
  dueDate?: never;
}

/**
 * A payment (or refund) on account: given without an invoice, or against one the ledger does not
 * hold (deleted, or issued after the statement's end). It has no invoice number, so no statement
 * can show a payment for an invoice it cannot find.
 */
export interface OnAccountLine extends LineAmounts {
  kind: 'payment-on-account' | 'refund-on-account';
  paymentNumber: number;
  invoiceNumber?: never;
  creditNoteNumber?: never;
  dueDate?: never;
}

/** A line of the statement: which document it is, or which invoice it pays, and its amounts. */
export type StatementLine = InvoiceLine | CreditNoteLine | PaymentLine | OnAccountLine;

/**
 * An item open at the statement's end (`statementtype=outstanding`): an invoice not settled by
 * then (or over-paid), a credit note, or a payment or refund on account. Amounts are signed as
 * the balance is: a debit positive, a credit negative; what is open on the items adds up to the
 * closing balance.
 */
export interface OpenItem {
  kind: 'invoice' | 'credit-note' | 'payment-on-account' | 'refund-on-account';
  date: string;
  invoiceNumber?: number | undefined;
  dueDate?: string | undefined;
  creditNoteNumber?: number | undefined;
  paymentNumber?: number | undefined;
  /** The document's or payment's own amount: an invoice's total, a credit note's total as a credit. */
  originalMinor: number;
  /** Paid on an invoice by the end, net of refunds; zero for the other items. */
  paidMinor: number;
  /** Still open at the end: original less paid. Never zero (a settled item is not open). */
  openMinor: number;
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
  /** The sums of the lines' debits (invoices, refunds) and credits (credit notes, payments, on account too). */
  debitsMinor: number;
  creditsMinor: number;
  closingMinor: number;
  ageing: Ageing;
  /** Past due at `asOf`: every bucket but Current, after credits; never negative. */
  overdueMinor: number;
  /** `statementtype=outstanding` only: the items open at the end, oldest first. */
  openItems?: OpenItem[];
}

/** A statement's movements by kind, as its summary shows them. */
export interface MovementTotals {
  /** Invoices issued in the period (legacy credit notes are credits). */
  invoicedMinor: number;
  /** Credit notes, of their own or legacy ones. */
  creditedMinor: number;
  /** Payments, allocated and on account, net of refunds (negative when refunds exceed them). */
  paidMinor: number;
}

/**
 * The summary's figures: what the lines invoiced, credited and paid. Opening + invoiced −
 * credited − paid is the closing balance, since every line is exactly one of them.
 */
export function movementTotals(lines: readonly StatementLine[]): MovementTotals {
  const totals: MovementTotals = { invoicedMinor: 0, creditedMinor: 0, paidMinor: 0 };
  for (const line of lines) {
    if (line.kind === 'invoice') totals.invoicedMinor += line.debitMinor - line.creditMinor;
    else if (line.kind === 'credit-note') totals.creditedMinor += line.creditMinor - line.debitMinor;
    else totals.paidMinor += line.creditMinor - line.debitMinor;
  }
  return totals;
}

/**
 * `skipnothingowed=1`'s rule (KashFlow's "do not send if total owed is zero or less"): the
 * closing balance is zero or in credit.
 */
export const owesNothing = (statement: Pick<Statement, 'closingMinor'>): boolean =>
  statement.closingMinor <= 0;

/** Opening + movements did not come to the closing balance: the statement must not be sent. */
export class StatementBalanceError extends Error {
  override readonly name = 'StatementBalanceError';
}

/** An array or a stream (the paged DynamoDB reads). */
export type Source<T> = Iterable<T> | AsyncIterable<T>;

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

const add = <K>(map: Map<K, number>, key: K, amount: number) => map.set(key, (map.get(key) ?? 0) + amount);

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
 * Computes a statement from the customer's invoices, credit notes and payments.
 *
 * - The period is inclusive. Opening = invoices issued before the start less credit notes issued
 *   and payments dated before it; the period's documents and payments are each listed once.
 * - Credit notes are documents of their own (their numbers may repeat invoice numbers): a credit
 *   line under the credit note's number, dated its issue date, reducing the balance by its total;
 *   in the ageing, credit applied to the oldest debt first. Their allocations to invoices are NOT
 *   used here: an allocated credit note still counts as credit held, and the invoice stays unpaid
 *   by it (which invoice it settles is the next issue's document work; the balance is the same).
 * - Payments: one against an invoice the ledger holds (issued by the end) counts against that
 *   invoice. One with no invoice, or against an invoice the ledger does not hold (deleted, or
 *   issued after the end), is a payment on account: a `payment-on-account` line with no invoice
 *   number, and credit in the ageing. So no line ever points at an invoice the statement lacks.
 * - Signs: an invoice with a negative total is a legacy credit note (listed under its invoice
 *   number); a negative payment is a refund. Each is listed with a positive amount in its column.
 * - `filterAll`: every document and payment is listed and the opening balance is zero.
 * - `excludePaid`: invoices settled by the period's end (what was paid on them, net of refunds,
 *   equals their total exactly) are left out, and so are the payments made against them. A settled
 *   invoice contributes nothing to the balance, so the closing balance and the ageing do not depend
 *   on the flag. Credit notes and payments on account always stay: they are credit the customer
 *   holds, unsettled; so do an unsettled legacy credit note and an over-paid invoice.
 * - The closing balance is summed independently (each invoice's total less what was paid on it,
 *   less every credit note and payment on account) and must equal opening + debits − credits, or
 *   StatementBalanceError is thrown.
 * - Ageing: what is outstanding on each invoice at `asOf`, by days past due; credits (credit notes,
 *   payments on account, net of their refunds, over-payments) are applied to the oldest debt first
 *   (see Ageing). The overdue figure is never negative.
 *
 * - `statementType: 'outstanding'`: besides the above (the balance check runs as for every
 *   statement), `openItems` lists what is open at the end, oldest first: each invoice whose total
 *   less what was paid on it by then is not zero (an over-paid one is a credit), each credit note,
 *   and each payment or refund on account; what is open on them must add up to the closing
 *   balance, or StatementBalanceError is thrown. `excludePaid` changes nothing there (a settled
 *   invoice is never open); the period's start plays no part. Memory: the open invoices and, for
 *   this type only, every payment up to the end (which of them are on account is known only
 *   once the invoices are read).
 *
 * Order: the streams may come in any order (DynamoDB returns them by number, not by date): only
 * sums and the period's lines are kept, and the lines are sorted at the end by date, documents
 * before payments, then by number, so the result does not depend on the order read. Memory: the
 * period's lines and, per invoice with payments, three sums; never every invoice.
 *
 * `ledger` must hold every document issued and payment dated up to the end (all of them with
 * `filterAll`); anything later is ignored.
 */
export async function computeStatement(
  period: StatementPeriod,
  ledger: Ledger,
  today: string,
): Promise<Statement> {
  const { filterAll, excludePaid } = period;
  const outstanding = statementTypeOf(period) === 'outstanding';
  const openItems: OpenItem[] = [];
  /** Outstanding statements only: every payment up to the end, for those that turn out to be on account. */
  const paymentsToEnd: LedgerPayment[] = [];
  const inRange = (date: string) => filterAll || (date >= period.start && date <= period.end);
  const upToEnd = (date: string) => filterAll || date <= period.end;
  const asOf = filterAll || period.end > today ? today : period.end;

  // Pass 1: payments. Per invoice (`undefined`: on account): paid by the end, by asOf, before the start.
  const paidByEnd = new Map<number | undefined, number>();
  const paidByAsOf = new Map<number | undefined, number>();
  const paidBeforeStart = new Map<number | undefined, number>();
  const periodPayments: LedgerPayment[] = [];
  for await (const payment of ledger.payments) {
    if (!upToEnd(payment.date)) continue;
    add(paidByEnd, payment.invoiceNumber, payment.amountMinor);
    if (outstanding) paymentsToEnd.push(payment);
    if (payment.date <= asOf) add(paidByAsOf, payment.invoiceNumber, payment.amountMinor);
    if (inRange(payment.date)) periodPayments.push(payment);
    else add(paidBeforeStart, payment.invoiceNumber, payment.amountMinor);
  }

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

  // Pass 2: invoices. Only the numbers of those with payments are kept, to tell which payments are held.
  const held = new Set<number>();
  const excluded = new Set<number>();
  for await (const invoice of ledger.invoices) {
    if (!upToEnd(invoice.issuedDate)) continue;
    if (paidByEnd.has(invoice.number)) held.add(invoice.number);
    // Ageing first: it is what is owed at asOf, whatever the statement lists.
    if (invoice.issuedDate <= asOf) {
      age(invoice.totalMinor - (paidByAsOf.get(invoice.number) ?? 0), daysBetween(invoice.dueDate, asOf));
    }
    const paid = paidByEnd.get(invoice.number) ?? 0;
    const open = invoice.totalMinor - paid;
    if (outstanding && open !== 0) {
      openItems.push({
        kind: invoice.totalMinor < 0 ? 'credit-note' : 'invoice',
        date: invoice.issuedDate,
        invoiceNumber: invoice.number,
        dueDate: invoice.dueDate,
        originalMinor: invoice.totalMinor,
        paidMinor: paid,
        openMinor: open,
      });
    }
    if (excludePaid && open === 0) {
      excluded.add(invoice.number);
      continue;
    }
    closingMinor += open;
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

  // Pass 3: credit notes, always kept (never settled by excludePaid's rule); credit in the ageing.
  for await (const note of ledger.creditNotes) {
    if (!upToEnd(note.issuedDate)) continue;
    if (note.issuedDate <= asOf) age(-note.totalMinor, 0);
    closingMinor -= note.totalMinor;
    if (outstanding && note.totalMinor !== 0) {
      openItems.push({
        kind: 'credit-note',
        date: note.issuedDate,
        creditNoteNumber: note.number,
        originalMinor: -note.totalMinor,
        paidMinor: 0,
        openMinor: -note.totalMinor,
      });
    }
    if (inRange(note.issuedDate)) {
      lines.push({
        kind: 'credit-note',
        date: note.issuedDate,
        creditNoteNumber: note.number,
        debitMinor: Math.max(-note.totalMinor, 0),
        creditMinor: Math.max(note.totalMinor, 0),
        balanceMinor: 0,
      });
    } else openingMinor -= note.totalMinor;
  }

  // Payments on account: none given, or against an invoice the ledger does not hold. They reduce
  // the balance and are credit in the ageing, netted (a refund on account returns that credit).
  const allocated = (invoiceNumber: number | undefined): invoiceNumber is number =>
    invoiceNumber !== undefined && held.has(invoiceNumber);
  for (const [invoiceNumber, amount] of paidBeforeStart) {
    if (invoiceNumber === undefined || !excluded.has(invoiceNumber)) openingMinor -= amount;
  }
  let onAccountByAsOf = 0;
  for (const [invoiceNumber, paid] of paidByEnd) {
    if (allocated(invoiceNumber)) continue;
    closingMinor -= paid;
    onAccountByAsOf += paidByAsOf.get(invoiceNumber) ?? 0;
  }
  age(-onAccountByAsOf, 0);
  for (const payment of periodPayments) {
    const { invoiceNumber, amountMinor } = payment;
    if (invoiceNumber !== undefined && excluded.has(invoiceNumber)) continue;
    const refund = amountMinor < 0;
    const amounts = {
      date: payment.date,
      paymentNumber: payment.number,
      debitMinor: refund ? -amountMinor : 0,
      creditMinor: refund ? 0 : amountMinor,
      balanceMinor: 0,
    };
    lines.push(
      allocated(invoiceNumber)
        ? { kind: refund ? 'refund' : 'payment', invoiceNumber, ...amounts }
        : { kind: refund ? 'refund-on-account' : 'payment-on-account', ...amounts },
    );
  }

  for (const payment of paymentsToEnd) {
    if (allocated(payment.invoiceNumber) || payment.amountMinor === 0) continue;
    openItems.push({
      kind: payment.amountMinor < 0 ? 'refund-on-account' : 'payment-on-account',
      date: payment.date,
      paymentNumber: payment.number,
      originalMinor: -payment.amountMinor,
      paidMinor: 0,
      openMinor: -payment.amountMinor,
    });
  }

  lines.sort(byDateThenDocument);
  openItems.sort(byDateThenDocument);
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
  if (outstanding) {
    // The open items are summed apart from the closing balance: they must come to the same figure.
    const openMinor = openItems.reduce((sum, item) => sum + item.openMinor, 0);
    if (openMinor !== closingMinor) {
      throw new StatementBalanceError(`Open items ${openMinor} do not equal closing ${closingMinor}`);
    }
  }
  const ageing = applyCredit(debts, creditMinor);
  const overdueMinor =
    ageing.days1To30Minor + ageing.days31To60Minor + ageing.days61To90Minor + ageing.over90Minor;
  return {
    period,
    asOf,
    openingMinor,
    lines,
    debitsMinor,
    creditsMinor,
    closingMinor,
    ageing,
    overdueMinor,
    ...(outstanding ? { openItems } : {}),
  };
}

/** What orders a line or an open item: its date and the document or payment it is. */
interface Dated {
  date: string;
  invoiceNumber?: number | undefined;
  creditNoteNumber?: number | undefined;
  paymentNumber?: number | undefined;
}

/**
 * Oldest first; among those of a day, invoices (and legacy credit notes) by number, then credit
 * notes by theirs, then payments by theirs. A total order, so the lines never depend on the
 * order the ledger was read in.
 */
function byDateThenDocument(a: Dated, b: Dated): number {
  const [groupA, numberA] = documentOrder(a);
  const [groupB, numberB] = documentOrder(b);
  return a.date.localeCompare(b.date) || groupA - groupB || numberA - numberB;
}

function documentOrder(line: Dated): [group: number, number: number] {
  if (line.paymentNumber !== undefined) return [2, line.paymentNumber];
  if (line.creditNoteNumber !== undefined) return [1, line.creditNoteNumber];
  return [0, line.invoiceNumber ?? 0];
}
