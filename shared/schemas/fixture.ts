/**
 * The fixture format of `npm run seed` (DESIGN.md "Data import"): PascalCase, as KashFlow's own
 * models. A fixture is validated whole, cross-references included, before anything is written.
 */
import * as z from 'zod';
import { IsoDateSchema, isTimeZone } from '../domain/calendar-date.ts';
import { isLookupableCode } from '../domain/customer-status.ts';
import { isValidEmailAddress } from '../domain/email-address.ts';
import { isCurrency, minorDigits, toMinorUnits } from '../domain/money.ts';

const DECIMAL = /^-?\d+(\.\d+)?$/;
const MoneySchema = z.string().regex(DECIMAL, { message: 'must be a decimal amount such as "120.00"' });
const PositiveInt = z.number().int().positive();

export const EmailTemplateFixtureSchema = z.strictObject({
  Number: PositiveInt,
  Name: z.string().min(1),
  Subject: z.string().min(1).max(998),
  Body: z.string().min(1),
  IsHtml: z.boolean(),
});

export const CustomerFixtureSchema = z.strictObject({
  Code: z
    .string()
    .refine(isLookupableCode, { message: 'must be 1 to 64 characters with no control characters' }),
  Name: z.string().min(1),
  ContactName: z.string().optional(),
  // Not validated: a customer with a bad address is legitimate data, reported per request.
  Email: z.string().optional(),
  EmailTemplateNumber: PositiveInt.optional(),
});

export const InvoiceFixtureSchema = z.strictObject({
  Number: PositiveInt,
  CustomerCode: z.string(),
  IssuedDate: IsoDateSchema,
  DueDate: IsoDateSchema,
  Total: MoneySchema,
});

export const PaymentFixtureSchema = z.strictObject({
  InvoiceNumber: PositiveInt,
  Date: IsoDateSchema,
  Amount: MoneySchema,
});

function findDuplicates<T>(items: readonly T[], key: (item: T) => unknown): number[] {
  const seen = new Set<unknown>();
  const duplicates: number[] = [];
  items.forEach((item, index) => {
    const value = key(item);
    if (seen.has(value)) duplicates.push(index);
    seen.add(value);
  });
  return duplicates;
}

export const TenantFixtureSchema = z
  .strictObject({
    Id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { message: 'must be lower-case letters, digits and dashes' }),
    Name: z.string().min(1),
    FromEmail: z.string().refine(isValidEmailAddress, { message: 'must be a valid email address' }),
    TimeZone: z.string().refine(isTimeZone, { message: 'must be an IANA time zone such as Europe/London' }),
    Currency: z.string().refine(isCurrency, { message: 'must be an ISO 4217 currency code such as GBP' }),
    Locale: z.string().min(2).optional(),
    ApiTokens: z.array(
      z.string().regex(/^[\x21-\x7E]{8,512}$/, { message: 'must be 8 to 512 visible ASCII characters' }),
    ),
    DefaultStatementTemplateNumber: PositiveInt.optional(),
    EmailTemplates: z.array(EmailTemplateFixtureSchema).default([]),
    Customers: z.array(CustomerFixtureSchema).default([]),
    Invoices: z.array(InvoiceFixtureSchema).default([]),
    Payments: z.array(PaymentFixtureSchema).default([]),
  })
  .superRefine((tenant, context) => {
    const fail = (path: (string | number)[], message: string) =>
      context.addIssue({ code: 'custom', path, message });
    const templates = new Set(tenant.EmailTemplates.map((template) => template.Number));
    const customers = new Set(tenant.Customers.map((customer) => customer.Code));
    for (const index of findDuplicates(tenant.EmailTemplates, (template) => template.Number)) {
      fail(['EmailTemplates', index, 'Number'], 'duplicates another template number');
    }
    for (const index of findDuplicates(tenant.Customers, (customer) => customer.Code)) {
      fail(['Customers', index, 'Code'], 'duplicates another customer code');
    }
    for (const index of findDuplicates(tenant.Invoices, (invoice) => invoice.Number)) {
      fail(['Invoices', index, 'Number'], 'duplicates another invoice number');
    }
    if (
      tenant.DefaultStatementTemplateNumber !== undefined &&
      !templates.has(tenant.DefaultStatementTemplateNumber)
    ) {
      fail(['DefaultStatementTemplateNumber'], 'must be the Number of one of EmailTemplates');
    }
    tenant.Customers.forEach((customer, index) => {
      if (customer.EmailTemplateNumber !== undefined && !templates.has(customer.EmailTemplateNumber)) {
        fail(['Customers', index, 'EmailTemplateNumber'], 'must be the Number of one of EmailTemplates');
      }
    });
    const digits = isCurrency(tenant.Currency) ? minorDigits(tenant.Currency) : 2;
    const invoiceTotals = new Map<number, number>();
    tenant.Invoices.forEach((invoice, index) => {
      if (!customers.has(invoice.CustomerCode))
        fail(['Invoices', index, 'CustomerCode'], 'must be the Code of one of Customers');
      if (invoice.DueDate < invoice.IssuedDate)
        fail(['Invoices', index, 'DueDate'], 'must not be before IssuedDate');
      // zod runs this refinement even when a field failed: judge only well-formed amounts here.
      if (!DECIMAL.test(invoice.Total)) return;
      const total = toMinorUnits(invoice.Total, digits);
      if (total === undefined)
        fail(['Invoices', index, 'Total'], `must have at most ${digits} decimals for ${tenant.Currency}`);
      else invoiceTotals.set(invoice.Number, total);
    });
    const paid = new Map<number, number>();
    tenant.Payments.forEach((payment, index) => {
      if (!DECIMAL.test(payment.Amount)) return;
      const amount = toMinorUnits(payment.Amount, digits);
      if (amount === undefined || amount <= 0) {
        fail(['Payments', index, 'Amount'], `must be a positive amount with at most ${digits} decimals`);
        return;
      }
      const total = invoiceTotals.get(payment.InvoiceNumber);
      if (total === undefined) {
        fail(['Payments', index, 'InvoiceNumber'], 'must be the Number of one of Invoices');
        return;
      }
      const sum = (paid.get(payment.InvoiceNumber) ?? 0) + amount;
      paid.set(payment.InvoiceNumber, sum);
      if (sum > total) fail(['Payments', index, 'Amount'], 'makes the payments exceed the invoice total');
    });
  });
export type TenantFixture = z.infer<typeof TenantFixtureSchema>;

export const FixtureSchema = z
  .strictObject({
    /**
     * Optional: the date the fixture's dates were written relative to. When present, every date is
     * moved forward by the whole months from it to the load date, so demo data stays recent.
     */
    AsOf: IsoDateSchema.optional(),
    Tenants: z.array(TenantFixtureSchema).min(1),
  })
  .superRefine((fixture, context) => {
    for (const index of findDuplicates(fixture.Tenants, (tenant) => tenant.Id)) {
      context.addIssue({
        code: 'custom',
        path: ['Tenants', index, 'Id'],
        message: 'duplicates another tenant id',
      });
    }
    const tokens = fixture.Tenants.flatMap((tenant, t) =>
      tenant.ApiTokens.map((token, i) => ({ token, t, i })),
    );
    for (const index of findDuplicates(tokens, (entry) => entry.token)) {
      const entry = tokens[index];
      if (entry !== undefined) {
        context.addIssue({
          code: 'custom',
          path: ['Tenants', entry.t, 'ApiTokens', entry.i],
          message: 'is used twice',
        });
      }
    }
  });
export type Fixture = z.infer<typeof FixtureSchema>;
