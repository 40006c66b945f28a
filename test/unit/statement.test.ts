import { describe, expect, it } from 'vitest';
import { addDays } from '#shared/domain/calendar-date.ts';
import {
  ageingBucket,
  computeStatement,
  type LedgerCreditNote,
  type LedgerInvoice,
  type LedgerPayment,
  StatementBalanceError,
  type StatementLine,
} from '#shared/domain/statement.ts';
import type { StatementPeriod } from '#shared/domain/statement-period.ts';

const period = (changes: Partial<StatementPeriod> = {}): StatementPeriod => ({
  start: '2026-01-01',
  end: '2026-03-31',
  filterAll: false,
  excludePaid: false,
  ...changes,
});
const TODAY = '2026-04-15';

/**
 * The ledger, worked by hand:
 *   1  issued 2025-11-10, due 2025-12-10, 100.00; paid 40.00 on 2025-12-01 and 60.00 on 2026-01-15
 *   2  issued 2025-12-20, due 2026-01-19,  50.00; unpaid
 *   3  issued 2026-02-01, due 2026-03-03, 200.00; paid 50.00 on 2026-03-10 and 20.00 on 2026-04-05
 *   4  issued 2026-03-15, due 2026-04-14,  30.00; unpaid
 *   5  issued 2026-04-01, due 2026-05-01, 999.00; unpaid (after the period)
 */
const invoices: LedgerInvoice[] = [
  { number: 1, issuedDate: '2025-11-10', dueDate: '2025-12-10', totalMinor: 10000 },
  { number: 2, issuedDate: '2025-12-20', dueDate: '2026-01-19', totalMinor: 5000 },
  { number: 3, issuedDate: '2026-02-01', dueDate: '2026-03-03', totalMinor: 20000 },
  { number: 4, issuedDate: '2026-03-15', dueDate: '2026-04-14', totalMinor: 3000 },
  { number: 5, issuedDate: '2026-04-01', dueDate: '2026-05-01', totalMinor: 99900 },
];
const payments: LedgerPayment[] = [
  { number: 1, invoiceNumber: 1, date: '2025-12-01', amountMinor: 4000 },
  { number: 2, invoiceNumber: 1, date: '2026-01-15', amountMinor: 6000 },
  { number: 3, invoiceNumber: 3, date: '2026-03-10', amountMinor: 5000 },
  { number: 4, invoiceNumber: 3, date: '2026-04-05', amountMinor: 2000 },
];

/** Payments numbered in the order given, as the ledger API numbers them. */
const numbered = (list: Omit<LedgerPayment, 'number'>[], first = 100): LedgerPayment[] =>
  list.map((payment, index) => ({ number: first + index, ...payment }));

/** The ledger computeStatement reads: invoices, payments and (by default none) credit notes. */
const ledgerOf = (
  invoiceList: LedgerInvoice[],
  paymentList: LedgerPayment[],
  creditNotes: LedgerCreditNote[] = [],
) => ({ invoices: invoiceList, creditNotes, payments: paymentList });

/** `kind:number:balance`, the number being the invoice's, the credit note's (`CN`) or none. */
const lineSummary = (lines: StatementLine[]) =>
  lines.map((line) => {
    const number =
      line.creditNoteNumber !== undefined ? `CN${line.creditNoteNumber}` : (line.invoiceNumber ?? '-');
    return `${line.kind}:${number}:${line.balanceMinor}`;
  });

describe('computeStatement', () => {
  it('computes opening, each movement once, closing and ageing for a dated period', async () => {
    const statement = await computeStatement(period(), ledgerOf(invoices, payments), TODAY);

    expect(statement.openingMinor).toBe(11000); // 100 + 50 - 40
    expect(lineSummary(statement.lines)).toEqual([
      'payment:1:5000',
      'invoice:3:25000',
      'payment:3:20000',
      'invoice:4:23000',
    ]);
    expect(statement.debitsMinor).toBe(23000);
    expect(statement.creditsMinor).toBe(11000);
    expect(statement.closingMinor).toBe(23000);
    expect(statement.asOf).toBe('2026-03-31');
    expect(statement.ageing).toEqual({
      currentMinor: 3000, // invoice 4, due 2026-04-14
      days1To30Minor: 15000, // invoice 3: 150.00, 28 days past due
      days31To60Minor: 0,
      days61To90Minor: 5000, // invoice 2: 71 days past due
      over90Minor: 0,
      unappliedCreditMinor: 0,
    });
    expect(statement.overdueMinor).toBe(20000);
  });

  it('leaves fully paid invoices and their payments out with excludePaid, closing unchanged', async () => {
    const statement = await computeStatement(
      period({ excludePaid: true }),
      ledgerOf(invoices, payments),
      TODAY,
    );

    expect(statement.openingMinor).toBe(5000);
    expect(lineSummary(statement.lines)).toEqual(['invoice:3:25000', 'payment:3:20000', 'invoice:4:23000']);
    expect(statement.closingMinor).toBe(23000);
  });

  it('lists every invoice and payment from a zero opening balance with filterAll, ageing at today', async () => {
    const statement = await computeStatement(
      period({ filterAll: true }),
      ledgerOf(invoices, payments),
      TODAY,
    );

    expect(statement.openingMinor).toBe(0);
    expect(
      statement.lines.filter((line) => line.kind === 'invoice').map((line) => line.invoiceNumber),
    ).toEqual([1, 2, 3, 4, 5]);
    expect(statement.lines.filter((line) => line.kind === 'payment')).toHaveLength(4);
    expect(statement.closingMinor).toBe(5000 + 13000 + 3000 + 99900);
    expect(statement.asOf).toBe(TODAY);
    expect(statement.ageing).toEqual({
      currentMinor: 99900,
      days1To30Minor: 3000, // invoice 4: 1 day past due
      days31To60Minor: 13000, // invoice 3: 43 days
      days61To90Minor: 5000, // invoice 2: 86 days
      over90Minor: 0,
      unappliedCreditMinor: 0,
    });
  });

  it('combines filterAll and excludePaid', async () => {
    const statement = await computeStatement(
      period({ filterAll: true, excludePaid: true }),
      ledgerOf(invoices, payments),
      TODAY,
    );

    expect(statement.lines.map((line) => line.invoiceNumber)).not.toContain(1);
    expect(statement.closingMinor).toBe(120900);
  });

  it('takes the ageing at today when the period ends in the future', async () => {
    const statement = await computeStatement(
      period({ end: '2026-12-31' }),
      ledgerOf(invoices, payments),
      TODAY,
    );
    expect(statement.asOf).toBe(TODAY);
  });

  it('reads async iterables (the paged DynamoDB streams) as well as arrays', async () => {
    async function* stream<T>(items: T[]) {
      for (const item of items) yield item;
    }
    const creditNotes = [{ number: 1, issuedDate: '2026-02-02', totalMinor: 700 }];
    const fromStreams = await computeStatement(
      period(),
      { invoices: stream(invoices), creditNotes: stream(creditNotes), payments: stream(payments) },
      TODAY,
    );
    expect(fromStreams).toEqual(
      await computeStatement(period(), ledgerOf(invoices, payments, creditNotes), TODAY),
    );
  });

  it('gives the same statement whatever order the ledger is read in (number order, not date order)', async () => {
    const creditNotes = [
      { number: 2, issuedDate: '2026-02-01', totalMinor: 500 },
      { number: 1, issuedDate: '2026-03-15', totalMinor: 700 },
    ];
    // The same day holds invoice 3, credit note 2 and a payment: the lines order them by kind.
    const sameDay = [...payments, { number: 9, invoiceNumber: 3, date: '2026-02-01', amountMinor: 100 }];
    const dateOrder = await computeStatement(period(), ledgerOf(invoices, sameDay, creditNotes), TODAY);
    const reversed = await computeStatement(
      period(),
      ledgerOf(invoices.toReversed(), sameDay.toReversed(), creditNotes.toReversed()),
      TODAY,
    );

    expect(reversed).toEqual(dateOrder);
    expect(lineSummary(dateOrder.lines)).toEqual([
      'payment:1:5000',
      'invoice:3:25000',
      'credit-note:CN2:24500',
      'payment:3:24400',
      'payment:3:19400',
      'invoice:4:22400',
      'credit-note:CN1:21700',
    ]);
  });

  it('stays exact where floats would not: three thirds of 99.99', async () => {
    const thirds = [1, 2, 3].map((number) => ({
      number,
      issuedDate: '2026-01-05',
      dueDate: '2026-02-05',
      totalMinor: 3333,
    }));
    const statement = await computeStatement(
      period(),
      ledgerOf(
        thirds,
        numbered(
          [1, 2, 3].map((invoiceNumber) => ({ invoiceNumber, date: '2026-01-20', amountMinor: 3333 })),
        ),
      ),
      TODAY,
    );
    expect(statement.debitsMinor).toBe(9999);
    expect(statement.closingMinor).toBe(0);
  });

  it('refuses to produce a statement whose balances do not agree (a duplicated invoice)', async () => {
    const corrupt = [...invoices, { ...invoices[2], totalMinor: 20000 } as LedgerInvoice];
    await expect(computeStatement(period(), ledgerOf(corrupt, payments), TODAY)).rejects.toBeInstanceOf(
      StatementBalanceError,
    );
  });
});

describe('ageing boundaries', () => {
  it.each([
    [-5, 'currentMinor'],
    [0, 'currentMinor'],
    [1, 'days1To30Minor'],
    [30, 'days1To30Minor'],
    [31, 'days31To60Minor'],
    [60, 'days31To60Minor'],
    [61, 'days61To90Minor'],
    [90, 'days61To90Minor'],
    [91, 'over90Minor'],
    [4000, 'over90Minor'],
  ])('puts %i days past due in %s', (days, bucket) => {
    expect(ageingBucket(days)).toBe(bucket);
  });

  it.each([0, 1, 30, 31, 60, 61, 90, 91])(
    'ages an invoice due %i days before the statement date',
    async (days) => {
      const asOf = '2026-03-31';
      const invoice = { number: 1, issuedDate: '2025-01-01', dueDate: addDays(asOf, -days), totalMinor: 100 };
      const statement = await computeStatement(
        period({ start: '2025-01-01' }),
        ledgerOf([invoice], []),
        '2026-04-15',
      );
      expect(statement.ageing[ageingBucket(days)]).toBe(100);
      expect(Object.values(statement.ageing).reduce((sum, value) => sum + value, 0)).toBe(100);
    },
  );
});

describe('legacy credit notes (negative invoices), refunds and over-payments', () => {
  // Invoice 10 is not yet due at the statement date; credit note 11 (-30.00) was "due" long ago.
  const invoice = { number: 10, issuedDate: '2026-03-01', dueDate: '2026-04-30', totalMinor: 10000 };
  const creditNote = { number: 11, issuedDate: '2026-01-10', dueDate: '2026-01-10', totalMinor: -3000 };

  it('keeps an unsettled credit note with excludePaid: the closing balance does not depend on the flag', async () => {
    const without = await computeStatement(period(), ledgerOf([creditNote, invoice], []), TODAY);
    const withFlag = await computeStatement(
      period({ excludePaid: true }),
      ledgerOf([creditNote, invoice], []),
      TODAY,
    );

    expect(without.closingMinor).toBe(7000);
    expect(withFlag.closingMinor).toBe(7000);
    expect(withFlag.lines.map((line) => line.invoiceNumber)).toEqual([11, 10]);
  });

  it('never reports a negative overdue: a credit reduces the oldest debt first', async () => {
    const statement = await computeStatement(period(), ledgerOf([creditNote, invoice], []), TODAY);

    expect(statement.overdueMinor).toBe(0);
    expect(statement.ageing).toEqual({
      currentMinor: 7000,
      days1To30Minor: 0,
      days31To60Minor: 0,
      days61To90Minor: 0,
      over90Minor: 0,
      unappliedCreditMinor: 0,
    });
  });

  it('applies a credit to the oldest overdue amounts before newer ones', async () => {
    const statement = await computeStatement(
      period(),
      ledgerOf(
        [
          { number: 1, issuedDate: '2025-11-01', dueDate: '2025-12-01', totalMinor: 5000 }, // 120 days
          { number: 2, issuedDate: '2026-02-01', dueDate: '2026-03-15', totalMinor: 10000 }, // 16 days
          { number: 3, issuedDate: '2026-03-20', dueDate: '2026-03-20', totalMinor: -8000 },
        ],
        [],
      ),
      TODAY,
    );

    expect(statement.ageing).toMatchObject({ over90Minor: 0, days1To30Minor: 7000, unappliedCreditMinor: 0 });
    expect(statement.overdueMinor).toBe(7000);
    expect(statement.closingMinor).toBe(7000);
  });

  it('reports a credit larger than every debt as unapplied credit, never as a negative bucket', async () => {
    const statement = await computeStatement(period(), ledgerOf([creditNote], []), TODAY);

    expect(statement.closingMinor).toBe(-3000);
    expect(statement.overdueMinor).toBe(0);
    expect(statement.ageing).toEqual({
      currentMinor: 0,
      days1To30Minor: 0,
      days31To60Minor: 0,
      days61To90Minor: 0,
      over90Minor: 0,
      unappliedCreditMinor: 3000,
    });
  });

  it('keeps an over-paid invoice with excludePaid: the excess is credit the customer holds', async () => {
    const overpaid = numbered([{ invoiceNumber: 10, date: '2026-03-05', amountMinor: 12000 }]);
    const without = await computeStatement(period(), ledgerOf([invoice], overpaid), TODAY);
    const withFlag = await computeStatement(
      period({ excludePaid: true }),
      ledgerOf([invoice], overpaid),
      TODAY,
    );

    expect(without.closingMinor).toBe(-2000);
    expect(withFlag.closingMinor).toBe(-2000);
    expect(withFlag.lines).toHaveLength(2);
    expect(withFlag.ageing.unappliedCreditMinor).toBe(2000);
  });

  it('leaves out a credit note only once it is settled (refunded in full), with its refund', async () => {
    const refund = numbered([{ invoiceNumber: 11, date: '2026-02-01', amountMinor: -3000 }]);
    const without = await computeStatement(period(), ledgerOf([creditNote, invoice], refund), TODAY);
    const withFlag = await computeStatement(
      period({ excludePaid: true }),
      ledgerOf([creditNote, invoice], refund),
      TODAY,
    );

    expect(without.closingMinor).toBe(10000);
    expect(withFlag.closingMinor).toBe(10000);
    expect(withFlag.lines.map((line) => line.invoiceNumber)).toEqual([10]);
  });

  it('lists a credit note and a payment as credits and a refund as a debit, all positive', async () => {
    const statement = await computeStatement(
      period(),
      ledgerOf(
        [creditNote, invoice],
        numbered([
          { invoiceNumber: 11, date: '2026-02-01', amountMinor: -1000 },
          { invoiceNumber: 10, date: '2026-03-10', amountMinor: 2500 },
        ]),
      ),
      TODAY,
    );

    expect(
      statement.lines.map(({ kind, debitMinor, creditMinor, balanceMinor }) => ({
        kind,
        debitMinor,
        creditMinor,
        balanceMinor,
      })),
    ).toEqual([
      { kind: 'credit-note', debitMinor: 0, creditMinor: 3000, balanceMinor: -3000 },
      { kind: 'refund', debitMinor: 1000, creditMinor: 0, balanceMinor: -2000 },
      { kind: 'invoice', debitMinor: 10000, creditMinor: 0, balanceMinor: 8000 },
      { kind: 'payment', debitMinor: 0, creditMinor: 2500, balanceMinor: 5500 },
    ]);
    expect(statement).toMatchObject({ debitsMinor: 11000, creditsMinor: 5500, closingMinor: 5500 });
  });
});

describe('credit notes as documents of their own', () => {
  // Invoice 5 (100.00) and credit note 5 (30.00): different documents that share a number.
  const invoice5 = { number: 5, issuedDate: '2026-01-10', dueDate: '2026-02-09', totalMinor: 10000 };
  const creditNote5 = { number: 5, issuedDate: '2026-02-15', totalMinor: 3000 };

  it('lists a credit note as a credit under its own number, even where an invoice has the same number', async () => {
    const statement = await computeStatement(period(), ledgerOf([invoice5], [], [creditNote5]), TODAY);

    expect(statement.lines).toEqual([
      {
        kind: 'invoice',
        date: '2026-01-10',
        invoiceNumber: 5,
        dueDate: '2026-02-09',
        debitMinor: 10000,
        creditMinor: 0,
        balanceMinor: 10000,
      },
      {
        kind: 'credit-note',
        date: '2026-02-15',
        creditNoteNumber: 5,
        debitMinor: 0,
        creditMinor: 3000,
        balanceMinor: 7000,
      },
    ]);
    expect(statement).toMatchObject({ debitsMinor: 10000, creditsMinor: 3000, closingMinor: 7000 });
  });

  it('does not settle the invoice that shares its number: excludePaid keeps invoice 5 and credit note 5', async () => {
    const statement = await computeStatement(
      period({ excludePaid: true }),
      ledgerOf([invoice5], [], [{ ...creditNote5, totalMinor: 10000 }]),
      TODAY,
    );

    expect(lineSummary(statement.lines)).toEqual(['invoice:5:10000', 'credit-note:CN5:0']);
    expect(statement.closingMinor).toBe(0);
  });

  it('counts a credit note issued before the start in the opening balance', async () => {
    const statement = await computeStatement(
      period(),
      ledgerOf([invoice5], [], [{ number: 7, issuedDate: '2025-12-01', totalMinor: 2500 }]),
      TODAY,
    );

    expect(statement.openingMinor).toBe(-2500);
    expect(lineSummary(statement.lines)).toEqual(['invoice:5:7500']);
    expect(statement.closingMinor).toBe(7500);
  });

  it('applies a credit note to the oldest debt in the ageing, not to the invoice it is allocated to', async () => {
    const old = { number: 1, issuedDate: '2025-10-01', dueDate: '2025-10-31', totalMinor: 4000 }; // 151 days
    // The ledger stores allocations; the statement does not use them yet (a later issue's work).
    const allocated = { ...creditNote5, allocations: [{ invoiceNumber: 5, amountMinor: 3000 }] };
    const statement = await computeStatement(period(), ledgerOf([old, invoice5], [], [allocated]), TODAY);

    expect(statement.ageing).toEqual({
      currentMinor: 0,
      days1To30Minor: 0,
      days31To60Minor: 10000, // invoice 5, 50 days past due, untouched
      days61To90Minor: 0,
      over90Minor: 1000, // invoice 1: 40.00 less the 30.00 credit note
      unappliedCreditMinor: 0,
    });
    expect(statement.overdueMinor).toBe(11000);
  });

  it('ignores credit notes issued after the end', async () => {
    const statement = await computeStatement(
      period(),
      ledgerOf([invoice5], [], [{ number: 8, issuedDate: '2026-04-01', totalMinor: 9999 }]),
      TODAY,
    );

    expect(statement.closingMinor).toBe(10000);
    expect(statement.lines).toHaveLength(1);
  });
});

describe('payments on account', () => {
  const invoice = { number: 10, issuedDate: '2026-03-01', dueDate: '2026-04-30', totalMinor: 10000 };
  const overdue = { number: 20, issuedDate: '2025-11-01', dueDate: '2025-12-01', totalMinor: 5000 };

  it('lists a payment with no invoice as a payment on account, with no invoice number, and credits it', async () => {
    const statement = await computeStatement(
      period(),
      ledgerOf([overdue, invoice], [{ number: 3, date: '2026-03-20', amountMinor: 4000 }]),
      TODAY,
    );

    expect(statement.lines.at(-1)).toEqual({
      kind: 'payment-on-account',
      date: '2026-03-20',
      paymentNumber: 3,
      debitMinor: 0,
      creditMinor: 4000,
      balanceMinor: 11000,
    });
    expect(statement.closingMinor).toBe(11000);
    // Credit in the ageing, applied to the oldest debt first: invoice 20, 120 days past due.
    expect(statement.ageing).toMatchObject({
      over90Minor: 1000,
      currentMinor: 10000,
      unappliedCreditMinor: 0,
    });
    expect(statement.overdueMinor).toBe(1000);
  });

  it('shows a payment whose invoice the ledger does not hold (deleted) as on account, never against it', async () => {
    const statement = await computeStatement(
      period(),
      ledgerOf([invoice], [{ number: 4, invoiceNumber: 77, date: '2026-02-02', amountMinor: 1500 }]),
      TODAY,
    );

    expect(statement.lines.find((line) => line.paymentNumber === 4)).toEqual({
      kind: 'payment-on-account',
      date: '2026-02-02',
      paymentNumber: 4,
      debitMinor: 0,
      creditMinor: 1500,
      balanceMinor: -1500,
    });
    expect(statement.closingMinor).toBe(8500);
    expect(statement.ageing.currentMinor).toBe(8500);
  });

  it('counts payments on account dated before the start in the opening balance', async () => {
    const statement = await computeStatement(
      period(),
      ledgerOf(
        [invoice],
        [
          { number: 1, date: '2025-12-24', amountMinor: 1000 },
          { number: 2, invoiceNumber: 404, date: '2025-12-25', amountMinor: 500 },
        ],
      ),
      TODAY,
    );

    expect(statement.openingMinor).toBe(-1500);
    expect(lineSummary(statement.lines)).toEqual(['invoice:10:8500']);
    expect(statement.closingMinor).toBe(8500);
  });

  it('keeps payments on account and credit notes with excludePaid, and the same closing balance', async () => {
    const paid = { number: 30, issuedDate: '2026-01-05', dueDate: '2026-02-04', totalMinor: 2000 };
    const ledger = ledgerOf(
      [paid, invoice],
      [
        { number: 1, invoiceNumber: 30, date: '2026-01-20', amountMinor: 2000 },
        { number: 2, date: '2026-02-10', amountMinor: 700 },
        { number: 3, invoiceNumber: 31, date: '2026-02-11', amountMinor: 300 },
      ],
      [{ number: 30, issuedDate: '2026-03-05', totalMinor: 1000 }],
    );
    const without = await computeStatement(period(), ledger, TODAY);
    const withFlag = await computeStatement(period({ excludePaid: true }), ledger, TODAY);

    expect(lineSummary(without.lines)).toEqual([
      'invoice:30:2000',
      'payment:30:0',
      'payment-on-account:-:-700',
      'payment-on-account:-:-1000',
      'invoice:10:9000',
      'credit-note:CN30:8000',
    ]);
    expect(lineSummary(withFlag.lines)).toEqual([
      'payment-on-account:-:-700',
      'payment-on-account:-:-1000',
      'invoice:10:9000',
      'credit-note:CN30:8000',
    ]);
    expect(withFlag.closingMinor).toBe(without.closingMinor);
    expect(withFlag.ageing).toEqual(without.ageing);
  });

  it('treats a payment against an invoice issued after the end as on account in that statement', async () => {
    const later = { number: 40, issuedDate: '2026-04-02', dueDate: '2026-05-02', totalMinor: 6000 };
    const statement = await computeStatement(
      period(),
      ledgerOf([invoice, later], [{ number: 5, invoiceNumber: 40, date: '2026-03-30', amountMinor: 6000 }]),
      TODAY,
    );

    expect(lineSummary(statement.lines)).toEqual(['invoice:10:10000', 'payment-on-account:-:4000']);
    expect(statement.closingMinor).toBe(4000);
  });

  it('nets a refund on account against the credit held, listing it as a debit with no invoice', async () => {
    const statement = await computeStatement(
      period(),
      ledgerOf(
        [invoice],
        [
          { number: 1, date: '2026-02-01', amountMinor: 3000 },
          { number: 2, date: '2026-02-20', amountMinor: -1000 },
        ],
      ),
      TODAY,
    );

    expect(
      statement.lines.map(({ kind, debitMinor, creditMinor }) => [kind, debitMinor, creditMinor]),
    ).toEqual([
      ['payment-on-account', 0, 3000],
      ['refund-on-account', 1000, 0],
      ['invoice', 10000, 0],
    ]);
    expect(statement.closingMinor).toBe(8000);
    expect(statement.ageing).toMatchObject({ currentMinor: 8000, unappliedCreditMinor: 0 });
  });

  it('balances opening + debits - credits = closing with credit notes and payments on account on both sides of the start', async () => {
    const statement = await computeStatement(
      period(),
      ledgerOf(
        [overdue, invoice],
        [
          { number: 1, date: '2025-12-10', amountMinor: 1200 },
          { number: 2, invoiceNumber: 20, date: '2026-01-10', amountMinor: 1000 },
          { number: 3, invoiceNumber: 99, date: '2026-03-02', amountMinor: 800 },
        ],
        [
          { number: 1, issuedDate: '2025-12-01', totalMinor: 400 },
          { number: 2, issuedDate: '2026-03-03', totalMinor: 600 },
        ],
      ),
      TODAY,
    );

    expect(statement.openingMinor).toBe(5000 - 1200 - 400);
    expect(statement.debitsMinor).toBe(10000);
    expect(statement.creditsMinor).toBe(1000 + 800 + 600);
    expect(statement.closingMinor).toBe(5000 + 10000 - 1200 - 1000 - 800 - 400 - 600);
    expect(statement.openingMinor + statement.debitsMinor - statement.creditsMinor).toBe(
      statement.closingMinor,
    );
  });
});

describe('statementtype=outstanding: the items open at the end', () => {
  const outstanding = (changes: Partial<StatementPeriod> = {}) =>
    period({ statementType: 'outstanding', ...changes });
  /** `kind:number:original/paid/open`, the number being the invoice's, the credit note's (`CN`) or the payment's (`P`). */
  const itemSummary = (statement: Awaited<ReturnType<typeof computeStatement>>) =>
    (statement.openItems ?? []).map((item) => {
      const number =
        item.creditNoteNumber !== undefined
          ? `CN${item.creditNoteNumber}`
          : item.paymentNumber !== undefined
            ? `P${item.paymentNumber}`
            : item.invoiceNumber;
      return `${item.kind}:${number}:${item.originalMinor}/${item.paidMinor}/${item.openMinor}`;
    });

  it('lists the partly paid and unpaid invoices open at the end, oldest first, not the settled ones', async () => {
    const statement = await computeStatement(outstanding(), ledgerOf(invoices, payments), TODAY);

    // 1 is settled by 2026-01-15; 3 is paid 50.00 by the end (the 20.00 of 2026-04-05 is after it);
    // 5 is issued after the end.
    expect(itemSummary(statement)).toEqual([
      'invoice:2:5000/0/5000',
      'invoice:3:20000/5000/15000',
      'invoice:4:3000/0/3000',
    ]);
    expect(statement.openItems?.map((item) => item.dueDate)).toEqual([
      '2026-01-19',
      '2026-03-03',
      '2026-04-14',
    ]);
    expect(statement.closingMinor).toBe(23000);
  });

  it('lists credit notes, payments on account and over-payments as credits, and they come off the total', async () => {
    const ledger = ledgerOf(
      [
        { number: 7, issuedDate: '2026-01-05', dueDate: '2026-02-04', totalMinor: 10000 },
        { number: 8, issuedDate: '2026-02-10', dueDate: '2026-03-12', totalMinor: 4000 },
        { number: 9, issuedDate: '2026-04-02', dueDate: '2026-05-02', totalMinor: 700 },
      ],
      numbered([
        { invoiceNumber: 7, date: '2026-01-20', amountMinor: 2500 },
        { invoiceNumber: 8, date: '2026-02-20', amountMinor: 5000 },
        { date: '2026-03-01', amountMinor: 1200 },
        { date: '2026-03-02', amountMinor: -200 },
        { invoiceNumber: 9, date: '2026-03-20', amountMinor: 700 },
        { date: '2026-04-03', amountMinor: 999 },
      ]),
      [
        { number: 7, issuedDate: '2025-12-01', totalMinor: 1500 },
        { number: 2, issuedDate: '2026-04-10', totalMinor: 3000 },
      ],
    );

    const statement = await computeStatement(outstanding(), ledger, TODAY);

    // Invoice 8 is over-paid by 10.00: an open credit. The payment against invoice 9 (issued after
    // the end) is on account. The refund on account is a debit. Later documents are not there.
    expect(itemSummary(statement)).toEqual([
      'credit-note:CN7:-1500/0/-1500',
      'invoice:7:10000/2500/7500',
      'invoice:8:4000/5000/-1000',
      'payment-on-account:P102:-1200/0/-1200',
      'refund-on-account:P103:200/0/200',
      'payment-on-account:P104:-700/0/-700',
    ]);
    expect(statement.closingMinor).toBe(7500 - 1500 - 1000 - 1200 + 200 - 700);
    const activity = await computeStatement(period(), ledger, TODAY);
    expect(statement.closingMinor).toBe(activity.closingMinor);
    expect(statement.ageing).toEqual(activity.ageing);
    expect(statement.lines).toEqual(activity.lines);
  });

  it('lists an unsettled legacy credit note (a negative invoice) as a credit, and not one refunded in full', async () => {
    const ledger = ledgerOf(
      [
        { number: 1, issuedDate: '2026-01-10', dueDate: '2026-01-10', totalMinor: -3000 },
        { number: 2, issuedDate: '2026-01-11', dueDate: '2026-01-11', totalMinor: -800 },
      ],
      numbered([{ invoiceNumber: 2, date: '2026-01-20', amountMinor: -800 }]),
    );

    const statement = await computeStatement(outstanding(), ledger, TODAY);

    expect(itemSummary(statement)).toEqual(['credit-note:1:-3000/0/-3000']);
    expect(statement.closingMinor).toBe(-3000);
  });

  it('lists the same items with and without excludePaid: settled invoices are never open', async () => {
    const ledger = ledgerOf(invoices, payments, [{ number: 1, issuedDate: '2026-02-02', totalMinor: 100 }]);

    const all = await computeStatement(outstanding(), ledger, TODAY);
    const unpaidOnly = await computeStatement(outstanding({ excludePaid: true }), ledger, TODAY);

    expect(itemSummary(all)).toEqual([
      'invoice:2:5000/0/5000',
      'invoice:3:20000/5000/15000',
      'credit-note:CN1:-100/0/-100',
      'invoice:4:3000/0/3000',
    ]);
    expect(itemSummary(unpaidOnly)).toEqual(itemSummary(all));
    expect(unpaidOnly.closingMinor).toBe(all.closingMinor);
  });

  it('lists every item open today with filterAll, the period start playing no part', async () => {
    const statement = await computeStatement(
      outstanding({ filterAll: true, start: '2026-03-01' }),
      ledgerOf(invoices, payments),
      TODAY,
    );

    expect(itemSummary(statement)).toEqual([
      'invoice:2:5000/0/5000',
      'invoice:3:20000/7000/13000',
      'invoice:4:3000/0/3000',
      'invoice:5:99900/0/99900',
    ]);
  });

  it('has no open items on an activity statement', async () => {
    const statement = await computeStatement(period(), ledgerOf(invoices, payments), TODAY);

    expect(statement.openItems).toBeUndefined();
  });

  it('refuses to produce an outstanding statement whose balances do not agree (a duplicated invoice)', async () => {
    const first = invoices[0] as LedgerInvoice;
    await expect(
      computeStatement(outstanding(), ledgerOf([...invoices, first], payments), TODAY),
    ).rejects.toBeInstanceOf(StatementBalanceError);
  });
});
