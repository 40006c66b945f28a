import { randomUUID } from 'node:crypto';

export interface BenchLedger {
  invoices: { Number: number; CustomerCode: string; IssuedDate: string; DueDate: string; Total: string }[];
  payments: { InvoiceNumber: number; Date: string; Amount: string }[];
}

/** A fixture tenant for a benchmark: customers with addresses, and their ledgers if any. */
export function benchTenant(id: string, codes: string[], ledgers: BenchLedger[] = []) {
  return {
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
