import { listKeys, type WriteSet, writeItems } from '../aws/dynamodb.ts';
import {
  customerKey,
  customerPartition,
  invoiceKey,
  paymentKey,
  type TableKey,
  templateKey,
  tenantKey,
  tokenKey,
} from '../aws/table-keys.ts';
import { addMonths } from '../domain/calendar-date.ts';
import { minorDigits, toMinorUnits } from '../domain/money.ts';
import { type Fixture, FixtureSchema, type TenantFixture } from '../schemas/fixture.ts';
import { hashToken } from '../services/authorize-token.ts';

/** A fixture that failed validation; nothing of it was written. */
export class FixtureError extends Error {
  override readonly name = 'FixtureError';
  constructor(readonly problems: string[]) {
    super(
      `The fixture is invalid; nothing was written:\n${problems.map((problem) => `  ${problem}`).join('\n')}`,
    );
  }
}

/** `$.Tenants[0].Customers[2].Code` for zod's `['Tenants', 0, 'Customers', 2, 'Code']`. */
export function toJsonPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, part) => (typeof part === 'number' ? `${text}[${part}]` : `${text}.${String(part)}`),
    '$',
  );
}

/** Validates a whole fixture document, or throws a FixtureError naming the path of every problem. */
export function validateFixture(document: unknown): Fixture {
  const parsed = FixtureSchema.safeParse(document);
  if (!parsed.success) {
    throw new FixtureError(parsed.error.issues.map((issue) => `${toJsonPath(issue.path)}: ${issue.message}`));
  }
  return parsed.data;
}

function monthsBetween(from: string, to: string): number {
  const [fromYear, fromMonth] = from.split('-').map(Number) as [number, number];
  const [toYear, toMonth] = to.split('-').map(Number) as [number, number];
  return toYear * 12 + toMonth - (fromYear * 12 + fromMonth);
}

type Item = Record<string, unknown>;

function tenantItems(tenant: TenantFixture, shift: (date: string) => string): Item[] {
  const tenantId = tenant.Id;
  const digits = minorDigits(tenant.Currency);
  const money = (text: string) => toMinorUnits(text, digits) ?? 0; // validated already
  const invoiceCustomer = new Map(tenant.Invoices.map((invoice) => [invoice.Number, invoice.CustomerCode]));
  const paymentSequence = new Map<string, number>();
  return [
    {
      ...tenantKey(tenantId),
      type: 'Tenant',
      tenantId,
      name: tenant.Name,
      fromEmail: tenant.FromEmail,
      timeZone: tenant.TimeZone,
      currency: tenant.Currency,
      locale: tenant.Locale ?? 'en-GB',
      defaultStatementTemplateNumber: tenant.DefaultStatementTemplateNumber,
    },
    ...tenant.ApiTokens.map((token) => ({ ...tokenKey(hashToken(token)), type: 'Token', tenantId })),
    ...tenant.EmailTemplates.map((template) => ({
      ...templateKey(tenantId, template.Number),
      type: 'Template',
      number: template.Number,
      name: template.Name,
      subject: template.Subject,
      body: template.Body,
      isHtml: template.IsHtml,
    })),
    ...tenant.Customers.map((customer) => ({
      ...customerKey(tenantId, customer.Code),
      type: 'Customer',
      code: customer.Code,
      name: customer.Name,
      contactName: customer.ContactName,
      email: customer.Email,
      emailTemplateNumber: customer.EmailTemplateNumber,
    })),
    ...tenant.Invoices.map((invoice) => {
      const issuedDate = shift(invoice.IssuedDate);
      return {
        ...invoiceKey(tenantId, invoice.CustomerCode, issuedDate, invoice.Number),
        type: 'Invoice',
        number: invoice.Number,
        customerCode: invoice.CustomerCode,
        issuedDate,
        dueDate: shift(invoice.DueDate),
        totalMinor: money(invoice.Total),
      };
    }),
    ...tenant.Payments.map((payment) => {
      const customerCode = invoiceCustomer.get(payment.InvoiceNumber) ?? '';
      const date = shift(payment.Date);
      const occurrence = `${payment.InvoiceNumber}#${date}`;
      const sequence = paymentSequence.get(occurrence) ?? 0;
      paymentSequence.set(occurrence, sequence + 1);
      return {
        ...paymentKey(tenantId, customerCode, date, payment.InvoiceNumber, sequence),
        type: 'Payment',
        invoiceNumber: payment.InvoiceNumber,
        customerCode,
        date,
        amountMinor: money(payment.Amount),
      };
    }),
  ];
}

/**
 * The writes that make the table hold exactly the fixture's ledger: every record put, and the
 * invoices and payments of the fixture's customers that the fixture no longer has deleted.
 * `today` is the load date, used only when the fixture has `AsOf`.
 */
export async function planFixtureWrites(fixture: Fixture, today: string): Promise<WriteSet> {
  const months = fixture.AsOf === undefined ? 0 : Math.max(0, monthsBetween(fixture.AsOf, today));
  const shift = (date: string) => (months === 0 ? date : addMonths(date, months));
  const puts = fixture.Tenants.flatMap((tenant) => tenantItems(tenant, shift));
  const wanted = new Set(puts.map((item) => `${String(item.PK)}|${String(item.SK)}`));
  const deletes: TableKey[] = [];
  for (const tenant of fixture.Tenants) {
    for (const customer of tenant.Customers) {
      const partition = customerPartition(tenant.Id, customer.Code);
      for (const prefix of ['INVOICE#', 'PAYMENT#']) {
        const existing = await listKeys(partition, prefix);
        deletes.push(...existing.filter((key) => !wanted.has(`${key.PK}|${key.SK}`)));
      }
    }
  }
  return { puts, deletes };
}

export interface ImportSummary {
  tenants: number;
  itemsWritten: number;
  itemsDeleted: number;
}

/** Validates a fixture whole, then loads it; loading the same fixture again changes nothing. */
export async function importFixture(document: unknown, today: string): Promise<ImportSummary> {
  const fixture = validateFixture(document);
  const writes = await planFixtureWrites(fixture, today);
  await writeItems(writes);
  return {
    tenants: fixture.Tenants.length,
    itemsWritten: writes.puts.length,
    itemsDeleted: writes.deletes.length,
  };
}
