import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays } from '#shared/domain/calendar-date.ts';
import {
  type Ageing,
  computeStatement,
  type LedgerCreditNote,
  type LedgerInvoice,
  type LedgerPayment,
  movementTotals,
} from '#shared/domain/statement.ts';
import type { StatementPeriod } from '#shared/domain/statement-period.ts';
import { describeStatement } from '#shared/render/statement-content.ts';

/** Dates as day offsets in a two-year window, so that periods, due dates and payments overlap. */
const BASE = '2025-01-01';
const day = fc.integer({ min: 0, max: 730 });
const amount = fc.integer({ min: -50_000, max: 50_000 });

interface Ledger {
  invoices: LedgerInvoice[];
  creditNotes: LedgerCreditNote[];
  payments: LedgerPayment[];
}

/**
 * Invoices and legacy credit notes of any sign (zero included); credit notes as documents of their
 * own, numbered from 1 as invoices are (so their numbers collide); payments and refunds of any
 * sign, some settling an invoice exactly, some short, some over, some against invoices the ledger
 * lacks, some on account (no invoice). Each kind comes in number order, as DynamoDB returns it.
 */
const ledgerArbitrary: fc.Arbitrary<Ledger> = fc
  .array(
    fc.record({
      issued: day,
      terms: fc.integer({ min: 0, max: 120 }),
      totalMinor: fc.oneof(amount, fc.constant(0), fc.integer({ min: -5000, max: -1 })),
      settlement: fc.oneof(
        fc.constant<'none'>('none'),
        fc.constant<'exact'>('exact'),
        fc.record({ split: fc.integer({ min: 1, max: 3 }), extraMinor: amount }),
      ),
      paidAfter: fc.integer({ min: 0, max: 200 }),
    }),
    { maxLength: 12 },
  )
  .chain((drafts) =>
    fc
      .tuple(
        fc.array(
          fc.record({
            invoiceNumber: fc.option(fc.integer({ min: 1, max: drafts.length + 3 }), { nil: undefined }),
            date: day,
            amountMinor: amount,
          }),
          { maxLength: 6 },
        ),
        fc.array(fc.record({ issued: day, totalMinor: fc.integer({ min: 0, max: 50_000 }) }), {
          maxLength: 4,
        }),
      )
      .map(([stray, notes]) => {
        const invoices = drafts.map((draft, index) => ({
          number: index + 1,
          issuedDate: addDays(BASE, draft.issued),
          dueDate: addDays(BASE, draft.issued + draft.terms),
          totalMinor: draft.totalMinor,
        }));
        const creditNotes = notes.map((note, index) => ({
          number: index + 1,
          issuedDate: addDays(BASE, note.issued),
          totalMinor: note.totalMinor,
        }));
        const payments: Omit<LedgerPayment, 'number'>[] = stray.map((payment) => ({
          invoiceNumber: payment.invoiceNumber,
          date: addDays(BASE, payment.date),
          amountMinor: payment.amountMinor,
        }));
        drafts.forEach((draft, index) => {
          const date = addDays(BASE, draft.issued + draft.paidAfter);
          if (draft.settlement === 'exact') {
            payments.push({ invoiceNumber: index + 1, date, amountMinor: draft.totalMinor });
          } else if (draft.settlement !== 'none') {
            const part = Math.trunc(draft.totalMinor / draft.settlement.split);
            for (let i = 1; i < draft.settlement.split; i += 1)
              payments.push({ invoiceNumber: index + 1, date: addDays(date, -i), amountMinor: part });
            const rest = draft.totalMinor - part * (draft.settlement.split - 1) + draft.settlement.extraMinor;
            payments.push({ invoiceNumber: index + 1, date, amountMinor: rest });
          }
        });
        return {
          invoices,
          creditNotes,
          payments: payments.map((payment, index) => ({ number: index + 1, ...payment })),
        };
      }),
  );

const periodArbitrary = fc
  .record({ from: day, length: fc.integer({ min: 0, max: 400 }), filterAll: fc.boolean(), today: day })
  .map(({ from, length, filterAll, today }) => ({
    period: { start: addDays(BASE, from), end: addDays(BASE, from + length), filterAll },
    today: addDays(BASE, today),
  }));

const BUCKETS: (keyof Ageing)[] = [
  'currentMinor',
  'days1To30Minor',
  'days31To60Minor',
  'days61To90Minor',
  'over90Minor',
  'unappliedCreditMinor',
];

async function both(ledger: Ledger, period: Omit<StatementPeriod, 'excludePaid'>, today: string) {
  return Promise.all(
    [false, true].map((excludePaid) => computeStatement({ ...period, excludePaid }, ledger, today)),
  ) as Promise<[Awaited<ReturnType<typeof computeStatement>>, Awaited<ReturnType<typeof computeStatement>>]>;
}

describe('computeStatement over random ledgers with credit notes, payments on account, refunds and over/under-payments', () => {
  it('gives the same closing balance, ageing and overdue with and without excludePaid', async () => {
    await fc.assert(
      fc.asyncProperty(ledgerArbitrary, periodArbitrary, async (ledger, { period, today }) => {
        const [all, unpaidOnly] = await both(ledger, period, today);

        expect(unpaidOnly.closingMinor).toBe(all.closingMinor);
        expect(unpaidOnly.ageing).toEqual(all.ageing);
        expect(unpaidOnly.overdueMinor).toBe(all.overdueMinor);
      }),
      { numRuns: 500 },
    );
  });

  it('never has a negative overdue, ageing bucket or line amount', async () => {
    await fc.assert(
      fc.asyncProperty(
        ledgerArbitrary,
        periodArbitrary,
        fc.boolean(),
        async (ledger, { period, today }, excludePaid) => {
          const statement = await computeStatement({ ...period, excludePaid }, ledger, today);

          expect(statement.overdueMinor).toBeGreaterThanOrEqual(0);
          for (const bucket of BUCKETS) expect(statement.ageing[bucket]).toBeGreaterThanOrEqual(0);
          for (const line of statement.lines) {
            expect(line.debitMinor).toBeGreaterThanOrEqual(0);
            expect(line.creditMinor).toBeGreaterThanOrEqual(0);
          }
          expect(statement.lines.at(-1)?.balanceMinor ?? statement.openingMinor).toBe(statement.closingMinor);
          const content = describeStatement(statement, {
            company: 'Demo',
            customerCode: '101',
            customerName: 'Acme',
            contactName: undefined,
            currency: 'GBP',
            locale: 'en-GB',
          });
          expect(content.tokens.OVERDUE).not.toMatch(/-/);
          for (const row of content.rows) expect(`${row.debit}${row.credit}`).not.toMatch(/-/);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('ages exactly the closing balance when the statement date is the end of the period', async () => {
    await fc.assert(
      fc.asyncProperty(ledgerArbitrary, periodArbitrary, async (ledger, { period }) => {
        const statement = await computeStatement(
          { ...period, filterAll: false, excludePaid: false },
          ledger,
          period.end,
        );
        const { unappliedCreditMinor, ...buckets } = statement.ageing;
        const aged = Object.values(buckets).reduce((sum, value) => sum + value, 0);

        expect(aged - unappliedCreditMinor).toBe(statement.closingMinor);
        // Credit is only left unapplied when nothing is owed, and then nothing is overdue.
        if (unappliedCreditMinor > 0) expect(aged).toBe(0);
      }),
      { numRuns: 500 },
    );
  });

  it('leaves out with excludePaid exactly the invoices settled by the end, and nothing else', async () => {
    await fc.assert(
      fc.asyncProperty(ledgerArbitrary, periodArbitrary, async (ledger, { period, today }) => {
        const [all, unpaidOnly] = await both(ledger, { ...period, filterAll: true }, today);
        const outstanding = new Map(ledger.invoices.map((invoice) => [invoice.number, invoice.totalMinor]));
        for (const { invoiceNumber, amountMinor } of ledger.payments) {
          const total = invoiceNumber === undefined ? undefined : outstanding.get(invoiceNumber);
          if (invoiceNumber !== undefined && total !== undefined)
            outstanding.set(invoiceNumber, total - amountMinor);
        }
        const invoiceLines = (lines: typeof all.lines) =>
          lines.flatMap((line) => (line.dueDate === undefined ? [] : [line.invoiceNumber]));
        /** Credit notes and payments on account, without the running balance (other lines come and go). */
        const alwaysKept = (lines: typeof all.lines) =>
          lines
            .filter((line) => line.creditNoteNumber !== undefined || line.kind.endsWith('-on-account'))
            .map(({ balanceMinor: _, ...line }) => line);

        expect(invoiceLines(unpaidOnly.lines)).toEqual(
          invoiceLines(all.lines).filter((number) => outstanding.get(number) !== 0),
        );
        expect(alwaysKept(unpaidOnly.lines)).toEqual(alwaysKept(all.lines));
      }),
      { numRuns: 300 },
    );
  });

  it('adds up: opening + debits - credits = closing, and the last balance is the closing one', async () => {
    await fc.assert(
      fc.asyncProperty(
        ledgerArbitrary,
        periodArbitrary,
        fc.boolean(),
        async (ledger, { period, today }, excludePaid) => {
          const statement = await computeStatement({ ...period, excludePaid }, ledger, today);
          const sum = (pick: (line: (typeof statement.lines)[number]) => number) =>
            statement.lines.reduce((total, line) => total + pick(line), 0);

          expect(statement.debitsMinor).toBe(sum((line) => line.debitMinor));
          expect(statement.creditsMinor).toBe(sum((line) => line.creditMinor));
          expect(statement.openingMinor + statement.debitsMinor - statement.creditsMinor).toBe(
            statement.closingMinor,
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('adds up in the summary: opening + invoiced - credited - paid = closing, each line counted once', async () => {
    await fc.assert(
      fc.asyncProperty(
        ledgerArbitrary,
        periodArbitrary,
        fc.boolean(),
        async (ledger, { period, today }, excludePaid) => {
          const statement = await computeStatement({ ...period, excludePaid }, ledger, today);
          const { invoicedMinor, creditedMinor, paidMinor } = movementTotals(statement.lines);
          const invoices = statement.lines.filter((line) => line.kind === 'invoice');

          expect(invoicedMinor).toBe(invoices.reduce((total, line) => total + line.debitMinor, 0));
          expect(statement.openingMinor + invoicedMinor - creditedMinor - paidMinor).toBe(
            statement.closingMinor,
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('has the closing balance of a ledger summed by hand, every document and payment up to the end', async () => {
    await fc.assert(
      fc.asyncProperty(ledgerArbitrary, periodArbitrary, async (ledger, { period, today }) => {
        const [all] = await both(ledger, period, today);
        const upToEnd = (date: string) => period.filterAll || date <= period.end;
        const expected =
          ledger.invoices.reduce(
            (sum, invoice) => sum + (upToEnd(invoice.issuedDate) ? invoice.totalMinor : 0),
            0,
          ) -
          ledger.creditNotes.reduce(
            (sum, note) => sum + (upToEnd(note.issuedDate) ? note.totalMinor : 0),
            0,
          ) -
          ledger.payments.reduce(
            (sum, payment) => sum + (upToEnd(payment.date) ? payment.amountMinor : 0),
            0,
          );

        expect(all.closingMinor).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('never lists a payment against an invoice the ledger does not hold up to the end', async () => {
    await fc.assert(
      fc.asyncProperty(
        ledgerArbitrary,
        periodArbitrary,
        fc.boolean(),
        async (ledger, { period, today }, excludePaid) => {
          const statement = await computeStatement({ ...period, excludePaid }, ledger, today);
          const held = new Set(
            ledger.invoices
              .filter((invoice) => period.filterAll || invoice.issuedDate <= period.end)
              .map((invoice) => invoice.number),
          );
          const onAccount = ledger.payments.filter(
            (payment) =>
              (period.filterAll || payment.date <= period.end) &&
              (period.filterAll || payment.date >= period.start) &&
              (payment.invoiceNumber === undefined || !held.has(payment.invoiceNumber)),
          );

          for (const line of statement.lines) {
            if (line.kind === 'payment' || line.kind === 'refund')
              expect(held.has(line.invoiceNumber)).toBe(true);
          }
          expect(
            statement.lines
              .filter((line) => line.kind.endsWith('-on-account'))
              .map((line) => line.paymentNumber),
          ).toEqual(
            onAccount
              .toSorted((a, b) => a.date.localeCompare(b.date) || a.number - b.number)
              .map((payment) => payment.number),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives the same statement whatever order each stream is read in', async () => {
    await fc.assert(
      fc.asyncProperty(
        ledgerArbitrary,
        periodArbitrary,
        fc.boolean(),
        async (ledger, { period, today }, excludePaid) => {
          const asRead = await computeStatement({ ...period, excludePaid }, ledger, today);
          const reversed = await computeStatement(
            { ...period, excludePaid },
            {
              invoices: ledger.invoices.toReversed(),
              creditNotes: ledger.creditNotes.toReversed(),
              payments: ledger.payments.toReversed(),
            },
            today,
          );

          expect(reversed).toEqual(asRead);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('statementtype=outstanding over random ledgers', () => {
  it('comes to the closing balance of the activity statement for the same end date, with the same ageing', async () => {
    await fc.assert(
      fc.asyncProperty(
        ledgerArbitrary,
        periodArbitrary,
        fc.boolean(),
        async (ledger, { period, today }, excludePaid) => {
          const activity = await computeStatement({ ...period, excludePaid }, ledger, today);
          const outstanding = await computeStatement(
            { ...period, excludePaid, statementType: 'outstanding' },
            ledger,
            today,
          );
          const open = (outstanding.openItems ?? []).reduce((sum, item) => sum + item.openMinor, 0);

          expect(open).toBe(activity.closingMinor);
          expect(outstanding.closingMinor).toBe(activity.closingMinor);
          expect(outstanding.ageing).toEqual(activity.ageing);
          expect(outstanding.overdueMinor).toBe(activity.overdueMinor);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('lists exactly the invoices open at the end (worked by hand), each once, oldest first, none settled', async () => {
    await fc.assert(
      fc.asyncProperty(
        ledgerArbitrary,
        periodArbitrary,
        fc.boolean(),
        async (ledger, { period, today }, excludePaid) => {
          const statement = await computeStatement(
            { ...period, excludePaid, statementType: 'outstanding' },
            ledger,
            today,
          );
          const upToEnd = (date: string) => period.filterAll || date <= period.end;
          const open = new Map(
            ledger.invoices
              .filter((invoice) => upToEnd(invoice.issuedDate))
              .map((invoice) => [invoice.number, invoice.totalMinor]),
          );
          for (const { invoiceNumber, date, amountMinor } of ledger.payments) {
            const left = invoiceNumber === undefined ? undefined : open.get(invoiceNumber);
            if (invoiceNumber !== undefined && left !== undefined && upToEnd(date))
              open.set(invoiceNumber, left - amountMinor);
          }
          const items = statement.openItems ?? [];
          const invoiceItems = items.filter(
            (item) => item.creditNoteNumber === undefined && item.paymentNumber === undefined,
          );

          expect(new Map(invoiceItems.map((item) => [item.invoiceNumber, item.openMinor]))).toEqual(
            new Map([...open].filter(([, left]) => left !== 0)),
          );
          for (const item of items) {
            expect(item.openMinor).not.toBe(0);
            expect(item.openMinor).toBe(item.originalMinor - item.paidMinor);
            expect(upToEnd(item.date)).toBe(true);
          }
          expect(items.map((item) => item.date)).toEqual(items.map((item) => item.date).toSorted());
        },
      ),
      { numRuns: 300 },
    );
  });
});
