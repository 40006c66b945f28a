/**
 * The sample statement of `npm run render:sample` and of the HTML email's browser and SpamAssassin
 * tests, built in memory: a tenant with its full letterhead, payment instructions, payment link
 * and logo, a Polish customer with a billing address, and a quarter's ledger of 80 lines that
 * runs to several PDF pages (invoices, payments, a credit note, a payment on account).
 */
import { readFileSync } from 'node:fs';
import { computeStatement, type LedgerInvoice, type LedgerPayment } from '#shared/domain/statement.ts';
import { BUILT_IN_TEMPLATE, type ComposeInput } from '#shared/render/statement-email.ts';
import type { CustomerRecord, TenantRecord } from '#shared/schemas/records.ts';

/** The sample's logo: a 360 × 96 PNG made once from an SVG with Chromium (docs/statement.md). */
export const SAMPLE_LOGO_FILE = new URL('../fixtures/sample-logo.png', import.meta.url);

export const SAMPLE_TENANT: TenantRecord = {
  tenantId: 'sample',
  name: 'Northgate Building Supplies Ltd',
  fromEmail: 'accounts@northgate.example',
  timeZone: 'Europe/London',
  currency: 'GBP',
  locale: 'en-GB',
  address: {
    Line1: 'Unit 4, Riverside Trading Estate',
    Line2: 'Canal Road',
    Town: 'Leeds',
    County: 'West Yorkshire',
    PostCode: 'LS12 2LX',
    CountryCode: 'GB',
  },
  vatNumber: 'GB 123 4567 89',
  companyNumber: '08123456',
  phone: '0113 496 0000',
  website: 'www.northgate.example',
  replyTo: 'accounts@northgate.example',
  paymentInstructions: [
    'Pay by BACS or Faster Payments to Northgate Building Supplies Ltd',
    'Sort code 12-34-56, account 12345678',
    'IBAN GB29 NWBK 6016 1331 9268 19, BIC NWBKGB2L',
    'Please quote your account code as the payment reference.',
  ].join('\n'),
  paymentLink:
    'https://pay.northgate.example/statement?account={CustomerCode}&amount={Amount}&currency={Currency}',
};

export const SAMPLE_CUSTOMER: CustomerRecord = {
  code: 'LODZ01',
  name: 'Łódź Hurtownia Materiałów Budowlanych Sp. z o.o.',
  contactName: 'Zofia Wiśniewska',
  email: 'ksiegowosc@lodz-hurtownia.example',
  addresses: [
    { Line1: 'ul. Piotrkowska 104', Line2: 'lok. 12', Town: 'Łódź', PostCode: '90-926', CountryCode: 'PL' },
  ],
};

const PERIOD = { start: '2026-01-01', end: '2026-03-31', filterAll: false, excludePaid: false };
const AS_OF = '2026-04-15';

function addDays(date: string, days: number): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/**
 * Three invoices from December carried into the opening balance, then 51 invoices in the quarter,
 * most paid 20 days later until early March, a credit note and a payment on account: 80 lines
 * between the opening and closing balances. Amounts come from a fixed sequence, so every run
 * renders the same statement.
 */
export function sampleStatement() {
  let seed = 20260101;
  const amount = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return 4000 + (seed % 180000);
  };
  const invoices: LedgerInvoice[] = [];
  const payments: LedgerPayment[] = [];
  for (let index = 0; index < 54; index += 1) {
    const issuedDate = addDays('2025-12-27', Math.floor((index * 7) / 4));
    const invoice = {
      number: 4101 + index,
      issuedDate,
      dueDate: addDays(issuedDate, 30),
      totalMinor: amount(),
    };
    invoices.push(invoice);
    const paidOn = addDays(issuedDate, 20);
    // Paid in full 20 days on until early March, but for one invoice in seven, left unpaid.
    if (paidOn <= '2026-03-10' && index % 7 !== 3)
      payments.push({
        number: payments.length + 1,
        invoiceNumber: invoice.number,
        date: paidOn,
        amountMinor: invoice.totalMinor,
      });
  }
  payments.push({ number: payments.length + 1, date: '2026-03-06', amountMinor: 150000 });
  return computeStatement(
    PERIOD,
    {
      invoices,
      creditNotes: [{ number: 310, issuedDate: '2026-02-24', totalMinor: 18450 }],
      payments,
    },
    AS_OF,
  );
}

/** Everything composeStatementEmail needs for the sample, with the customer's fields overridden. */
export async function sampleComposeInput(customer: Partial<CustomerRecord> = {}): Promise<ComposeInput> {
  return {
    tenant: SAMPLE_TENANT,
    customer: { ...SAMPLE_CUSTOMER, ...customer },
    template: BUILT_IN_TEMPLATE,
    statement: await sampleStatement(),
    now: new Date(`${AS_OF}T08:30:00Z`),
    logo: { contentType: 'image/png', bytes: readFileSync(SAMPLE_LOGO_FILE) },
  };
}
