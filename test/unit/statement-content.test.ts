import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { computeStatement } from '#shared/domain/statement.ts';
import { statementFont } from '#shared/render/pdf-font.ts';
import { describeStatement, type StatementParties } from '#shared/render/statement-content.ts';
import { statementTableHtml, statementTableText } from '#shared/render/statement-html.ts';
import { renderStatementPdf } from '#shared/render/statement-pdf.ts';
import { pdfPlacedText, pdfText } from '../support/pdf-text.ts';

const parties: StatementParties = {
  company: 'Demo Trading Ltd',
  customerCode: '101',
  customerName: 'Acme Ltd',
  contactName: 'Ann Smith',
  currency: 'GBP',
  locale: 'en-GB',
};
const period = { start: '2026-01-01', end: '2026-03-31', filterAll: false, excludePaid: false };

/** A legacy credit note (a negative invoice) of 130.00 against an invoice of 100.00, part refunded: in credit. */
async function inCredit() {
  return computeStatement(
    period,
    {
      invoices: [
        { number: 1, issuedDate: '2026-01-05', dueDate: '2026-02-04', totalMinor: 10000 },
        { number: 2, issuedDate: '2026-01-20', dueDate: '2026-01-20', totalMinor: -13000 },
      ],
      creditNotes: [],
      payments: [{ number: 1, invoiceNumber: 2, date: '2026-02-10', amountMinor: -1000 }],
    },
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

describe('describeStatement labels each kind of line', () => {
  it('names invoices, credit notes by their own number, payments by their invoice, and payments on account', async () => {
    const statement = await computeStatement(
      period,
      {
        invoices: [
          { number: 5, issuedDate: '2026-01-05', dueDate: '2026-02-04', totalMinor: 10000 },
          { number: 6, issuedDate: '2026-01-06', dueDate: '2026-01-06', totalMinor: -500 },
        ],
        creditNotes: [{ number: 5, issuedDate: '2026-01-10', totalMinor: 2000 }],
        payments: [
          { number: 1, invoiceNumber: 5, date: '2026-01-15', amountMinor: 3000 },
          { number: 2, date: '2026-01-16', amountMinor: 1000 },
          { number: 3, invoiceNumber: 404, date: '2026-01-17', amountMinor: 700 },
          { number: 4, invoiceNumber: 6, date: '2026-01-18', amountMinor: -500 },
          { number: 5, date: '2026-01-19', amountMinor: -200 },
        ],
      },
      '2026-04-15',
    );
    const content = describeStatement(statement, parties);

    expect(content.rows.map(({ type, reference, due }) => [type, reference, due])).toEqual([
      ['Opening balance', '', ''],
      ['Invoice', '5', '04 Feb 2026'],
      ['Credit note', '6', '06 Jan 2026'],
      ['Credit note 5', '', ''],
      ['Payment', '5', ''],
      ['Payment on account', '', ''],
      ['Payment on account', '', ''],
      ['Refund', '6', ''],
      ['Refund on account', '', ''],
      ['Closing balance', '', ''],
    ]);
    expect(statementTableText(content)).toMatch(/^Date +Type +Invoice +Due/m);
    expect(statementTableHtml(content)).not.toContain('404');
  });

  it("fits a ten-digit credit note number in the PDF's Type column, clear of the Invoice column", async () => {
    const statement = await computeStatement(
      period,
      {
        invoices: [],
        creditNotes: [{ number: 9999999999, issuedDate: '2026-02-01', totalMinor: 100 }],
        payments: [],
      },
      '2026-04-15',
    );
    const label = 'Credit note 9999999999';
    const { placed } = await pdfPlacedText(
      await renderStatementPdf(describeStatement(statement, parties), { company: 'Demo', subtitle: 'x' }),
    );
    const measure = await PDFDocument.create();
    const faces = await statementFont();
    measure.registerFontkit(faces.fontkit);
    const font = await measure.embedFont(faces.regular.bytes);
    const cell = placed.find((text) => text.text === label);
    const heading = placed.find((text) => text.text === 'Invoice');
    expect(cell).toBeDefined();
    expect(heading).toBeDefined();
    expect((cell?.x ?? 0) + font.widthOfTextAtSize(label, 9)).toBeLessThan(heading?.x ?? 0);
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

describe('describeStatement: statementtype=outstanding', () => {
  /** Invoice 1 part paid, invoice 2 settled, a credit note and a payment on account, at 2026-03-31. */
  async function outstanding() {
    return computeStatement(
      { ...period, statementType: 'outstanding' },
      {
        invoices: [
          { number: 1, issuedDate: '2026-01-05', dueDate: '2026-02-04', totalMinor: 10000 },
          { number: 2, issuedDate: '2026-01-06', dueDate: '2026-02-05', totalMinor: 5000 },
        ],
        creditNotes: [{ number: 1, issuedDate: '2026-02-01', totalMinor: 1500 }],
        payments: [
          { number: 1, invoiceNumber: 1, date: '2026-02-10', amountMinor: 4000 },
          { number: 2, invoiceNumber: 2, date: '2026-02-11', amountMinor: 5000 },
          { number: 3, date: '2026-03-01', amountMinor: 500 },
        ],
      },
      '2026-04-15',
    );
  }

  it('lists the open items with their original, paid and open amounts and the total owed, no opening balance', async () => {
    const content = describeStatement(await outstanding(), parties);

    expect(
      content.rows.map(({ type, reference, debit, credit, balance }) => [
        type,
        reference,
        debit,
        credit,
        balance,
      ]),
    ).toEqual([
      ['Invoice', '1', '£100.00', '£40.00', '£60.00'],
      ['Credit note 1', '', '-£15.00', '', '-£15.00'],
      ['Payment on account', '', '-£5.00', '', '-£5.00'],
      ['Total owed', '', '', '', '£40.00'],
    ]);
    expect(content.title).toBe('Statement of open items for Acme Ltd (101) at 31 Mar 2026');
    expect(content.tokens.BALANCE).toBe('£40.00');
  });

  it('says "In credit" when the open items come to a credit', async () => {
    const statement = await computeStatement(
      { ...period, statementType: 'outstanding' },
      {
        invoices: [],
        creditNotes: [{ number: 4, issuedDate: '2026-02-01', totalMinor: 2500 }],
        payments: [],
      },
      '2026-04-15',
    );

    expect(describeStatement(statement, parties).rows.at(-1)).toMatchObject({
      type: 'In credit',
      balance: '-£25.00',
    });
  });

  it("heads the HTML, text and PDF tables with the type's columns", async () => {
    const content = describeStatement(await outstanding(), parties);
    const { text } = await pdfText(await renderStatementPdf(content, { company: 'Demo', subtitle: 'x' }));

    expect(statementTableText(content)).toMatch(
      /^Date +Type +Invoice +Due +Original +Paid\/credited +Open$/m,
    );
    expect(statementTableHtml(content)).toMatch(/>Original<\/th>.*>Paid\/credited<\/th>.*>Open<\/th>/);
    expect(text).toEqual(expect.arrayContaining(['Original', 'Paid/credited', 'Open', 'Total owed']));
    expect(text).not.toContain('Balance');
  });

  it('keeps the activity headings on an activity statement', async () => {
    const content = describeStatement(await inCredit(), parties);
    const { text } = await pdfText(await renderStatementPdf(content, { company: 'Demo', subtitle: 'x' }));

    expect(statementTableText(content)).toMatch(/^Date +Type +Invoice +Due +Debit +Credit +Balance$/m);
    expect(text).toEqual(expect.arrayContaining(['Debit', 'Credit', 'Balance', 'Opening balance']));
  });
});
