import { describe, expect, it } from 'vitest';
import { computeStatement } from '#shared/domain/statement.ts';
import { describeStatement, type StatementParties } from '#shared/render/statement-content.ts';
import { renderStatementPdf } from '#shared/render/statement-pdf.ts';
import { pdfText } from '../support/pdf-text.ts';

const parties: StatementParties = {
  company: 'Demo Trading Ltd',
  customerCode: '101',
  customerName: 'Acme Ltd',
  contactName: 'Ann Smith',
  currency: 'GBP',
  locale: 'en-GB',
};
const period = { start: '2026-01-01', end: '2026-03-31', filterAll: false, excludePaid: false };

/** A credit note of 130.00 against an invoice of 100.00, part refunded: the customer is in credit. */
async function inCredit() {
  return computeStatement(
    period,
    [
      { number: 1, issuedDate: '2026-01-05', dueDate: '2026-02-04', totalMinor: 10000 },
      { number: 2, issuedDate: '2026-01-20', dueDate: '2026-01-20', totalMinor: -13000 },
    ],
    [{ invoiceNumber: 2, date: '2026-02-10', amountMinor: -1000 }],
    '2026-04-15',
  );
}

describe('describeStatement with credit notes and refunds', () => {
  it('shows a credit note as a credit and a refund as a debit, each positive, with a signed balance', async () => {
    const content = describeStatement(await inCredit(), parties);

    expect(content.rows.map(({ type, debit, credit, balance }) => [type, debit, credit, balance])).toEqual([
      ['Opening balance', '', '', '£0.00'],
      ['Invoice', '£100.00', '', '£100.00'],
      ['Credit note', '', '£130.00', '-£30.00'],
      ['Refund', '£10.00', '', '-£20.00'],
      ['Closing balance', '', '', '-£20.00'],
    ]);
    expect(content.tokens.BALANCE).toBe('-£20.00');
    expect(content.tokens.OVERDUE).toBe('£0.00');
  });

  it('reports a customer in credit as such in the ageing, with no negative bucket or total due', async () => {
    const content = describeStatement(await inCredit(), parties);

    expect(content.ageing).toEqual([
      { label: 'Current', amount: '£0.00' },
      { label: '1–30 days', amount: '£0.00' },
      { label: '31–60 days', amount: '£0.00' },
      { label: '61–90 days', amount: '£0.00' },
      { label: 'Over 90 days', amount: '£0.00' },
      { label: 'Less credit not yet applied', amount: '£20.00' },
      { label: 'In credit', amount: '£20.00' },
    ]);
  });
});

describe('renderStatementPdf', () => {
  it.each([
    ['sv-SE', 'SEK', '-20,00 kr', 'kr'],
    ['fi-FI', 'USD', '-20,00 $', '$'],
    ['he-IL', 'USD', '-20.00 $', '$'],
  ])(
    'keeps the minus sign of a negative balance in %s (never a "?")',
    async (locale, currency, expected, symbol) => {
      const content = describeStatement(await inCredit(), { ...parties, locale, currency });
      const { text } = await pdfText(await renderStatementPdf(content, { company: 'Demo', subtitle: 'x' }));

      expect(text).toContain(expected);
      const amounts = text.filter((value) => value.endsWith(symbol));
      expect(amounts.length).toBeGreaterThanOrEqual(content.rows.length);
      for (const amount of amounts) expect(amount).not.toContain('?');
    },
  );
});
