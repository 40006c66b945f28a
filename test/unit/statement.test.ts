import { describe, expect, it } from 'vitest';
import { addDays } from '#shared/domain/calendar-date.ts';
import {
  ageingBucket,
  computeStatement,
  type LedgerInvoice,
  type LedgerPayment,
  StatementBalanceError,
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
  { invoiceNumber: 1, date: '2025-12-01', amountMinor: 4000 },
  { invoiceNumber: 1, date: '2026-01-15', amountMinor: 6000 },
  { invoiceNumber: 3, date: '2026-03-10', amountMinor: 5000 },
  { invoiceNumber: 3, date: '2026-04-05', amountMinor: 2000 },
];

const lineSummary = (lines: { kind: string; invoiceNumber: number; balanceMinor: number }[]) =>
  lines.map((line) => `${line.kind}:${line.invoiceNumber}:${line.balanceMinor}`);

describe('computeStatement', () => {
  it('computes opening, each movement once, closing and ageing for a dated period', async () => {
    const statement = await computeStatement(period(), invoices, payments, TODAY);

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
    const statement = await computeStatement(period({ excludePaid: true }), invoices, payments, TODAY);

    expect(statement.openingMinor).toBe(5000);
    expect(lineSummary(statement.lines)).toEqual(['invoice:3:25000', 'payment:3:20000', 'invoice:4:23000']);
    expect(statement.closingMinor).toBe(23000);
  });

  it('lists every invoice and payment from a zero opening balance with filterAll, ageing at today', async () => {
    const statement = await computeStatement(period({ filterAll: true }), invoices, payments, TODAY);

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
      invoices,
      payments,
      TODAY,
    );

    expect(statement.lines.map((line) => line.invoiceNumber)).not.toContain(1);
    expect(statement.closingMinor).toBe(120900);
  });

  it('takes the ageing at today when the period ends in the future', async () => {
    const statement = await computeStatement(period({ end: '2026-12-31' }), invoices, payments, TODAY);
    expect(statement.asOf).toBe(TODAY);
  });

  it('reads async iterables (the paged DynamoDB stream) as well as arrays', async () => {
    async function* stream<T>(items: T[]) {
      for (const item of items) yield item;
    }
    const fromStreams = await computeStatement(period(), stream(invoices), stream(payments), TODAY);
    expect(fromStreams).toEqual(await computeStatement(period(), invoices, payments, TODAY));
  });

  it('counts a payment against an invoice it does not hold', async () => {
    const statement = await computeStatement(
      period(),
      [],
      [{ invoiceNumber: 77, date: '2026-02-02', amountMinor: 1500 }],
      TODAY,
    );
    expect(statement.closingMinor).toBe(-1500);
    expect(statement.lines).toHaveLength(1);
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
      thirds,
      [1, 2, 3].map((invoiceNumber) => ({ invoiceNumber, date: '2026-01-20', amountMinor: 3333 })),
      TODAY,
    );
    expect(statement.debitsMinor).toBe(9999);
    expect(statement.closingMinor).toBe(0);
  });

  it('refuses to produce a statement whose balances do not agree (a duplicated invoice)', async () => {
    const corrupt = [...invoices, { ...invoices[2], totalMinor: 20000 } as LedgerInvoice];
    await expect(computeStatement(period(), corrupt, payments, TODAY)).rejects.toBeInstanceOf(
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
      const statement = await computeStatement(period({ start: '2025-01-01' }), [invoice], [], '2026-04-15');
      expect(statement.ageing[ageingBucket(days)]).toBe(100);
      expect(Object.values(statement.ageing).reduce((sum, value) => sum + value, 0)).toBe(100);
    },
  );
});

describe('credit notes, refunds and over-payments', () => {
  // Invoice 10 is not yet due at the statement date; credit note 11 (-30.00) was "due" long ago.
  const invoice = { number: 10, issuedDate: '2026-03-01', dueDate: '2026-04-30', totalMinor: 10000 };
  const creditNote = { number: 11, issuedDate: '2026-01-10', dueDate: '2026-01-10', totalMinor: -3000 };

  it('keeps an unsettled credit note with excludePaid: the closing balance does not depend on the flag', async () => {
    const without = await computeStatement(period(), [creditNote, invoice], [], TODAY);
    const withFlag = await computeStatement(period({ excludePaid: true }), [creditNote, invoice], [], TODAY);

    expect(without.closingMinor).toBe(7000);
    expect(withFlag.closingMinor).toBe(7000);
    expect(withFlag.lines.map((line) => line.invoiceNumber)).toEqual([11, 10]);
  });

  it('never reports a negative overdue: a credit reduces the oldest debt first', async () => {
    const statement = await computeStatement(period(), [creditNote, invoice], [], TODAY);

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
      [
        { number: 1, issuedDate: '2025-11-01', dueDate: '2025-12-01', totalMinor: 5000 }, // 120 days
        { number: 2, issuedDate: '2026-02-01', dueDate: '2026-03-15', totalMinor: 10000 }, // 16 days
        { number: 3, issuedDate: '2026-03-20', dueDate: '2026-03-20', totalMinor: -8000 },
      ],
      [],
      TODAY,
    );

    expect(statement.ageing).toMatchObject({ over90Minor: 0, days1To30Minor: 7000, unappliedCreditMinor: 0 });
    expect(statement.overdueMinor).toBe(7000);
    expect(statement.closingMinor).toBe(7000);
  });

  it('reports a credit larger than every debt as unapplied credit, never as a negative bucket', async () => {
    const statement = await computeStatement(period(), [creditNote], [], TODAY);

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
    const overpaid = [{ invoiceNumber: 10, date: '2026-03-05', amountMinor: 12000 }];
    const without = await computeStatement(period(), [invoice], overpaid, TODAY);
    const withFlag = await computeStatement(period({ excludePaid: true }), [invoice], overpaid, TODAY);

    expect(without.closingMinor).toBe(-2000);
    expect(withFlag.closingMinor).toBe(-2000);
    expect(withFlag.lines).toHaveLength(2);
    expect(withFlag.ageing.unappliedCreditMinor).toBe(2000);
  });

  it('leaves out a credit note only once it is settled (refunded in full), with its refund', async () => {
    const refund = [{ invoiceNumber: 11, date: '2026-02-01', amountMinor: -3000 }];
    const without = await computeStatement(period(), [creditNote, invoice], refund, TODAY);
    const withFlag = await computeStatement(
      period({ excludePaid: true }),
      [creditNote, invoice],
      refund,
      TODAY,
    );

    expect(without.closingMinor).toBe(10000);
    expect(withFlag.closingMinor).toBe(10000);
    expect(withFlag.lines.map((line) => line.invoiceNumber)).toEqual([10]);
  });

  it('lists a credit note and a payment as credits and a refund as a debit, all positive', async () => {
    const statement = await computeStatement(
      period(),
      [creditNote, invoice],
      [
        { invoiceNumber: 11, date: '2026-02-01', amountMinor: -1000 },
        { invoiceNumber: 10, date: '2026-03-10', amountMinor: 2500 },
      ],
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

  it('counts a payment on account (no invoice held) against the amount due', async () => {
    const statement = await computeStatement(
      period(),
      [invoice],
      [{ invoiceNumber: 999, date: '2026-03-20', amountMinor: 4000 }],
      TODAY,
    );

    expect(statement.closingMinor).toBe(6000);
    expect(statement.ageing.currentMinor).toBe(6000);
  });
});
