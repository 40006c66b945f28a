import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface BenchLedger {
  invoices: { Number: number; CustomerCode: string; IssuedDate: string; DueDate: string; Total: string }[];
  payments: { InvoiceNumber: number; Date: string; Amount: string }[];
}

/**
 * What a production tenant's statements carry (issue 13's document): a letterhead with the demo
 * logo, registration numbers, payment instructions and a payment link; the worker benchmark renders
 * every statement with them.
 */
export const BENCH_STATEMENT_SETTINGS = {
  Address: { Line1: '12 Canal Street', Town: 'Manchester', PostCode: 'M1 3HE', CountryCode: 'GB' },
  VATNumber: 'GB123456789',
  CompanyNumber: '09876543',
  Phone: '0161 496 0000',
  Website: 'www.bench.example',
  ReplyTo: 'credit@bench.example',
  PaymentInstructions: 'Pay by BACS to Bench Ltd\nSort code 12-34-56, account 12345678',
  PaymentLink: 'https://pay.bench.example/s?c={CustomerCode}&a={Amount}',
  Logo: {
    ContentType: 'image/png',
    Data: readFileSync(new URL('../../fixtures/demo-logo.png', import.meta.url)).toString('base64'),
  },
} as const;

/** A fixture tenant for a benchmark: customers with addresses, and their ledgers if any. */
export function benchTenant(
  id: string,
  codes: string[],
  ledgers: BenchLedger[] = [],
  settings?: typeof BENCH_STATEMENT_SETTINGS,
) {
  return {
    ...(settings === undefined ? {} : { StatementSettings: settings }),
    Id: id,
    Name: 'Bench Ltd',
    FromEmail: 'accounts@bench.example',
    TimeZone: 'Europe/London',
    Currency: 'GBP',
    ApiTokens: [`bench-${randomUUID()}`],
    Customers: codes.map((code) => ({
      Code: code,
      Name: code,
      Email: `${code.toLowerCase()}.${id}@bench.example`,
    })),
    Invoices: ledgers.flatMap((ledger) => ledger.invoices),
    Payments: ledgers.flatMap((ledger) => ledger.payments),
  };
}
