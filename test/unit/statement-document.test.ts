import { describe, expect, it } from 'vitest';
import { computeStatement } from '#shared/domain/statement.ts';
import {
  addressLines,
  describeStatement,
  fillPaymentLink,
  type StatementParties,
} from '#shared/render/statement-content.ts';
import { statementEmailHtml, statementEmailText } from '#shared/render/statement-html.ts';
import { renderStatementPdf } from '#shared/render/statement-pdf.ts';
import { StatementSettingsSchema } from '#shared/schemas/ledger-records.ts';
import { tenLineStatement } from '#test/support/statements.ts';
import { pdfText } from '../support/pdf-text.ts';

const parties = (overrides: Partial<StatementParties> = {}): StatementParties => ({
  company: 'Demo Trading Ltd',
  customerCode: 'ŁDZ-1',
  customerName: 'Łódź Sp. z o.o.',
  contactName: 'Zofia Wójcik',
  currency: 'GBP',
  locale: 'en-GB',
  ...overrides,
});

const tenant = {
  address: { Line1: '12 Canal Street', Town: 'Manchester', PostCode: 'M1 3HE', CountryCode: 'GB' },
  vatNumber: 'GB123456789',
  companyNumber: '09876543',
  phone: '0161 496 0000',
  website: 'www.demo.example',
  email: 'credit-control@demo.example',
  paymentInstructions: 'Sort code 04-00-04\nAccount 12345678\n\n\nQuote your account code.\n\n',
  paymentLink: 'https://pay.example/s?c={CustomerCode}&a={Amount}&cur={Currency}&d={StatementDate}',
};

describe('the statement document (what the PDF, the HTML and the text all show)', () => {
  it('has the letterhead, the customer block and the facts', async () => {
    const content = describeStatement(
      await tenLineStatement(),
      parties({ tenant, billingAddress: { Line1: 'ul. Piotrkowska 1', Town: 'Łódź', CountryCode: 'PL' } }),
    );
    const { letterhead, recipient, facts, heading } = content.document;

    expect(heading).toBe('Statement');
    expect(letterhead).toMatchObject({
      name: 'Demo Trading Ltd',
      address: ['12 Canal Street', 'Manchester', 'M1 3HE', 'United Kingdom'],
      contact: ['Tel 0161 496 0000', 'credit-control@demo.example', 'www.demo.example'],
      registration: ['VAT number GB123456789', 'Company number 09876543'],
    });
    expect(recipient).toEqual({ name: 'Łódź Sp. z o.o.', address: ['ul. Piotrkowska 1', 'Łódź', 'Poland'] });
    expect(facts).toEqual([
      { label: 'Account', value: 'ŁDZ-1' },
      { label: 'Statement date', value: '31 Mar 2026' },
      { label: 'Period', value: '01 Jan 2026 to 31 Mar 2026' },
    ]);
  });

  it('sums the summary from the lines, and shows what is due and overdue', async () => {
    const statement = await computeStatement(
      { start: '2026-02-01', end: '2026-03-31', filterAll: false, excludePaid: false },
      {
        invoices: [
          { number: 1, issuedDate: '2026-01-10', dueDate: '2026-01-31', totalMinor: 50_000 },
          { number: 2, issuedDate: '2026-02-10', dueDate: '2026-02-28', totalMinor: 120_000 },
          { number: 3, issuedDate: '2026-03-10', dueDate: '2026-04-30', totalMinor: 43_000 },
        ],
        creditNotes: [{ number: 1, issuedDate: '2026-03-01', totalMinor: 15_000 }],
        payments: [
          { number: 1, invoiceNumber: 1, date: '2026-02-15', amountMinor: 50_000 },
          { number: 2, date: '2026-03-20', amountMinor: 10_000 },
        ],
      },
      '2026-04-15',
    );
    const { summary, amountDue, overdue, owes } = describeStatement(statement, parties()).document;

    expect(summary).toEqual([
      { label: 'Opening balance', value: '£500.00' },
      { label: 'Invoiced', value: '£1,630.00' },
      { label: 'Credit notes', value: '£150.00' },
      { label: 'Payments received', value: '£600.00' },
      { label: 'Closing balance', value: '£1,380.00' },
    ]);
    expect(owes).toBe(true);
    expect(amountDue).toEqual({ label: 'Amount due', value: '£1,380.00' });
    // Invoice 2 (£1,200.00) is past due; the £150 credit and £100 on account go to the oldest debt first.
    expect(overdue).toEqual({ label: 'Of which overdue', value: '£950.00' });
  });

  it('says "In credit" and offers no amount to pay when the customer owes nothing', async () => {
    const statement = await computeStatement(
      { start: '2026-01-01', end: '2026-03-31', filterAll: false, excludePaid: false },
      {
        invoices: [],
        creditNotes: [{ number: 9, issuedDate: '2026-02-01', totalMinor: 2_500 }],
        payments: [],
      },
      '2026-04-15',
    );
    const { document, tokens } = describeStatement(statement, parties({ tenant }));

    expect(document.owes).toBe(false);
    expect(document.amountDue).toEqual({ label: 'In credit', value: '£25.00' });
    expect(document.remittance.find((field) => field.label === 'Amount due')?.value).toBe('£0.00');
    expect(tokens.PAYONLINE).toContain('a=0.00');
  });

  it('keeps the payment instructions line by line, without runs of blank lines', async () => {
    const { howToPay } = describeStatement(await tenLineStatement(), parties({ tenant })).document;

    expect(howToPay?.instructions).toEqual([
      'Sort code 04-00-04',
      'Account 12345678',
      '',
      'Quote your account code.',
    ]);
  });

  it('has no "How to pay" when the tenant set neither instructions nor a link', async () => {
    const content = describeStatement(await tenLineStatement(), parties({ tenant: { vatNumber: 'X' } }));

    expect(content.document.howToPay).toBeUndefined();
    expect(content.tokens.PAYONLINE).toBe('');
  });

  it('fills #PAYONLINE# with the payment link of this statement', async () => {
    const statement = await tenLineStatement();
    const content = describeStatement(statement, parties({ tenant }));

    expect(content.tokens.PAYONLINE).toBe(
      `https://pay.example/s?c=%C5%81DZ-1&a=${(statement.closingMinor / 100).toFixed(2)}&cur=GBP&d=2026-03-31`,
    );
    expect(content.document.howToPay?.link).toBe(content.tokens.PAYONLINE);
  });

  it('writes the document in the statement language', async () => {
    const content = describeStatement(
      await tenLineStatement(),
      parties({ locale: 'fr-FR', tenant, billingAddress: { Town: 'Lyon', CountryCode: 'GB' } }),
    );

    expect(content.document.heading).toBe('Relevé de compte');
    expect(content.document.recipient.address).toEqual(['Lyon', 'Royaume-Uni']);
    expect(content.document.summary.map((row) => row.label)).toEqual([
      "Solde d'ouverture",
      'Facturé',
      'Avoirs',
      'Règlements reçus',
      'Solde de clôture',
    ]);
    expect(content.document.letterhead.registration[0]).toBe('N° TVA GB123456789');
  });
});

describe('control characters in stored text', () => {
  it('prints none of them, in the document, the tokens, the HTML, the text or the PDF', async () => {
    const bell = 'Acme\u0007 Ltd\u001b\u0000\u0085';
    const content = describeStatement(
      await tenLineStatement(),
      parties({
        customerName: bell,
        contactName: 'Ann\u0008 Smith',
        company: 'Demo\u0001 Ltd',
        tenant: { ...tenant, paymentInstructions: 'Sort code\u0007 04-00-04\nAccount 1' },
        billingAddress: { Line1: '1 High\u001f St', CountryCode: 'GB' },
      }),
    );
    const pdf = (await pdfText(await renderStatementPdf(content, { company: '', subtitle: '' }))).text.join(
      '\n',
    );
    const everything = [
      JSON.stringify(content.document),
      JSON.stringify(content.tokens),
      content.title,
      statementEmailHtml(content, { subject: 's', locale: 'en-GB', html: '' }),
      statementEmailText(content, { text: '' }),
      pdf,
    ];

    for (const printed of everything) {
      expect(printed).not.toMatch(/(?![\t\n\r])\p{Cc}|\\u00(0[0-8bcef]|1[0-9a-f]|7f|8[0-9a-f]|9[0-9a-f])/iu);
    }
    expect(content.document.recipient.name).toBe('Acme Ltd');
    expect(content.tokens.CONTACT).toBe('Ann Smith');
    expect(pdf).toContain('Acme Ltd');
    expect(pdf).not.toContain('Acme? Ltd');
  });
});

describe('fillPaymentLink', () => {
  it.each([
    ['GBP', 173_050, '1730.50'],
    ['JPY', 12_000, '12000'],
    ['BHD', 1_234_567, '1234.567'],
    ['GBP', -500, '0.00'],
  ])('writes %s %i minor units as %s', (currency, amountMinor, amount) => {
    const link = fillPaymentLink('https://pay.example/{Amount}/{Currency}', {
      customerCode: 'A',
      amountMinor,
      currency,
      statementDate: '2026-11-30',
    });

    expect(link).toBe(`https://pay.example/${amount}/${currency}`);
  });

  it('percent-encodes what it fills, so a code cannot change the URL', () => {
    const link = fillPaymentLink('https://pay.example/?c={CustomerCode}', {
      customerCode: 'A&b=1 #x/?',
      amountMinor: 0,
      currency: 'GBP',
      statementDate: '2026-11-30',
    });

    expect(new URL(link).searchParams.get('c')).toBe('A&b=1 #x/?');
    expect(new URL(link).searchParams.get('b')).toBeNull();
  });
});

describe('addressLines', () => {
  it('drops empty parts and joins town and county', () => {
    expect(
      addressLines(
        { Line1: '1 High St', Line2: ' ', Town: 'Leeds', County: 'West Yorkshire', PostCode: 'LS1 1AA' },
        'en-GB',
      ),
    ).toEqual(['1 High St', 'Leeds, West Yorkshire', 'LS1 1AA']);
    expect(addressLines(undefined, 'en-GB')).toEqual([]);
  });
});

describe('StatementSettings PaymentLink', () => {
  const settings = (PaymentLink: string) => ({
    CompanyName: 'Demo',
    TimeZone: 'Europe/London',
    Currency: 'GBP',
    PaymentLink,
  });

  it('takes an https URL with the known placeholders', () => {
    expect(
      StatementSettingsSchema.safeParse(
        settings('https://pay.example/{CustomerCode}?a={Amount}&d={StatementDate}'),
      ).success,
    ).toBe(true);
  });

  it.each([
    ['http://pay.example/', 'must be an https URL'],
    ['javascript:alert(1)', 'must be an https URL'],
    [
      'https://pay.example/{Customer}',
      'must use only the placeholders {CustomerCode}, {Amount}, {Currency}, {StatementDate} (not {Customer})',
    ],
  ])('refuses %s, naming the rule', (link, message) => {
    const result = StatementSettingsSchema.safeParse(settings(link));

    expect(result.error?.issues).toEqual([expect.objectContaining({ path: ['PaymentLink'], message })]);
  });
});
