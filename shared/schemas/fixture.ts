/**
 * The fixture format of `npm run seed` (DESIGN.md "Data import"): PascalCase, as KashFlow's own
 * models. A fixture is validated whole, cross-references included, before anything is written, by
 * the rules the stored records are read back with (fields.ts) and then some: a fixture that loads
 * can always be rendered.
 */
import * as z from 'zod';
import { IsoDateSchema } from '../domain/calendar-date.ts';
import { minorDigits, toMinorUnits } from '../domain/money.ts';
import { unknownTokens } from '../domain/template.ts';
import {
  BodySchema,
  CurrencySchema,
  CustomerCodeSchema,
  EmailAddressSchema,
  isKnownCurrency,
  LocaleSchema,
  NameSchema,
  OptionalTextSchema,
  RecordNumberSchema,
  SubjectSchema,
  TenantIdSchema,
  TimeZoneSchema,
} from './fields.ts';

const DECIMAL = /^-?\d+(\.\d+)?$/;
/**
 * A statement's running balances are sums of a customer's invoice totals and payments, and payments
 * never exceed the totals: with the totals' magnitudes at most half of 2^53 - 1, every sum is exact.
 */
const MAX_EXACT_INVOICED = Number.MAX_SAFE_INTEGER / 2;
const MoneySchema = z.string().regex(DECIMAL, { message: 'must be a decimal amount such as "120.00"' });

/** A template text whose every `#TOKEN#` the renderer can fill; the worker would fail the job otherwise. */
const withKnownTokens = <T extends z.ZodType<string>>(schema: T) =>
  schema.superRefine((text, context) => {
    for (const problem of unknownTokens(text)) context.addIssue({ code: 'custom', message: problem });
  });

/** A template of the fixture: only tokens the renderer fills, so a loaded template never fails a job. */
export const EmailTemplateFixtureSchema = z.strictObject({
  Number: RecordNumberSchema,
  Name: NameSchema,
  Subject: withKnownTokens(SubjectSchema),
  Body: withKnownTokens(BodySchema),
  IsHtml: z.boolean(),
});

/** A customer of the fixture; a bad email is loaded, since the API must report it per request. */
export const CustomerFixtureSchema = z.strictObject({
  Code: CustomerCodeSchema,
  Name: NameSchema,
  ContactName: OptionalTextSchema.optional(),
  // Not validated as an address: a customer with a bad one is legitimate data, reported per request.
  Email: OptionalTextSchema.optional(),
  EmailTemplateNumber: RecordNumberSchema.optional(),
});

/** An invoice of the fixture, its total a decimal string so it converts to minor units exactly. */
export const InvoiceFixtureSchema = z.strictObject({
  Number: RecordNumberSchema,
  CustomerCode: z.string(),
  IssuedDate: IsoDateSchema,
  DueDate: IsoDateSchema,
  Total: MoneySchema,
});

/** A payment of the fixture, against one of its tenant's invoices (checked in TenantFixtureSchema). */
export const PaymentFixtureSchema = z.strictObject({
  InvoiceNumber: RecordNumberSchema,
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

/** One tenant, checked whole: unique numbers and codes, references that resolve, sums that stay exact. */
export const TenantFixtureSchema = z
  .strictObject({
    Id: TenantIdSchema,
    Name: NameSchema,
    FromEmail: EmailAddressSchema,
    TimeZone: TimeZoneSchema,
    Currency: CurrencySchema,
    /** Absent: en-GB. */
    Locale: LocaleSchema.optional(),
    ApiTokens: z.array(
      z.string().regex(/^[\x21-\x7E]{8,512}$/, { message: 'must be 8 to 512 visible ASCII characters' }),
    ),
    DefaultStatementTemplateNumber: RecordNumberSchema.optional(),
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
    const digits = isKnownCurrency(tenant.Currency) ? minorDigits(tenant.Currency) : 2;
    const invoiceTotals = new Map<number, number>();
    const invoiced = new Map<string, number>();
    tenant.Invoices.forEach((invoice, index) => {
      if (!customers.has(invoice.CustomerCode))
        fail(['Invoices', index, 'CustomerCode'], 'must be the Code of one of Customers');
      if (invoice.DueDate < invoice.IssuedDate)
        fail(['Invoices', index, 'DueDate'], 'must not be before IssuedDate');
      // zod runs this refinement even when a field failed: judge only well-formed amounts here.
      if (!DECIMAL.test(invoice.Total)) return;
      const total = toMinorUnits(invoice.Total, digits);
      if (total === undefined) {
        fail(['Invoices', index, 'Total'], `must have at most ${digits} decimals for ${tenant.Currency}`);
        return;
      }
      invoiceTotals.set(invoice.Number, total);
      const sum = (invoiced.get(invoice.CustomerCode) ?? 0) + Math.abs(total);
      invoiced.set(invoice.CustomerCode, sum);
      if (sum > MAX_EXACT_INVOICED) {
        fail(
          ['Invoices', index, 'Total'],
          `makes the invoices of customer ${invoice.CustomerCode} too large to add up exactly`,
        );
      }
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
/** One tenant of a validated fixture, as the importer turns it into records. */
export type TenantFixture = z.infer<typeof TenantFixtureSchema>;

/** The `npm run seed` document, checked whole before anything is written: tenants, ids, tokens, AsOf. */
export const FixtureSchema = z
  .strictObject({
    /**
     * Optional: the date the fixture's dates were written relative to. When present, every date is
     * moved by the days from it to the load date, so demo data stays recent and every invoice is as
     * many days overdue at load as it was on AsOf; nothing may then be issued or paid after AsOf.
     */
    AsOf: IsoDateSchema.optional(),
    Tenants: z.array(TenantFixtureSchema).min(1),
  })
  .superRefine((fixture, context) => {
    const { AsOf } = fixture;
    fixture.Tenants.forEach((tenant, t) => {
      if (AsOf === undefined) return;
      const fail = (path: (string | number)[]) =>
        context.addIssue({
          code: 'custom',
          path: ['Tenants', t, ...path],
          message: 'must not be after AsOf',
        });
      tenant.Invoices.forEach((invoice, i) => {
        if (invoice.IssuedDate > AsOf) fail(['Invoices', i, 'IssuedDate']);
      });
      tenant.Payments.forEach((payment, i) => {
        if (payment.Date > AsOf) fail(['Payments', i, 'Date']);
      });
    });
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
/** A validated fixture, ready for the importer to plan its writes. */
export type Fixture = z.infer<typeof FixtureSchema>;
