/**
 * The fixture format of `npm run seed` (DESIGN.md "Data import"): PascalCase, as KashFlow's own
 * models. A fixture is validated whole, cross-references included, before anything is written, by
 * the rules the stored records are read back with (fields.ts) and then some: a fixture that loads
 * can always be rendered.
 */
import * as z from 'zod';
import { IsoDateSchema } from '../domain/calendar-date.ts';
import { minorDigits, toMinorUnits } from '../domain/money.ts';
import {
  CurrencySchema,
  EmailAddressSchema,
  isKnownCurrency,
  LocaleSchema,
  NameSchema,
  OptionalTextSchema,
  RecordNumberSchema,
  TenantIdSchema,
  TimeZoneSchema,
} from './fields.ts';
import {
  CreditNoteSchema,
  CustomerSchema,
  EmailTemplateSchema,
  InvoiceSchema,
  MAX_DOCUMENT_MINOR,
  PaymentSchema,
  StatementSettingsSchema,
} from './ledger-records.ts';

const DECIMAL = /^-?\d+(\.\d+)?$/;
/**
 * A statement's running balances are sums of a customer's invoice totals and payments, and payments
 * never exceed the totals: with the totals' magnitudes at most half of 2^53 - 1, every sum is exact.
 */
const MAX_EXACT_INVOICED = Number.MAX_SAFE_INTEGER / 2;

/** A record's fields without its Version: a fixture is the truth as it stands, not a versioned write. */
function withoutVersion<T extends { Version?: unknown }>(shape: T): Omit<T, 'Version'> {
  const { Version: _, ...rest } = shape;
  return rest;
}

/**
 * What a tenant's statements say of it beyond its name: the API's StatementSettings without what
 * the tenant's own fields give (name, time zone, currency, locale, default template).
 */
export const SettingsFixtureSchema = StatementSettingsSchema.omit({
  CompanyName: true,
  TimeZone: true,
  Currency: true,
  Locale: true,
  DefaultStatementTemplateNumber: true,
  Version: true,
});

/** A template of the fixture: the API's EmailTemplate (only tokens the renderer fills). */
export const EmailTemplateFixtureSchema = z.strictObject(withoutVersion(EmailTemplateSchema.shape));

/**
 * A customer of the fixture: the API's Customer, or the first version's shorthand `ContactName` and
 * `Email` for a single primary contact (not both). A bad email is loaded, since the API must report
 * it per request.
 */
export const CustomerFixtureSchema = z.strictObject({
  ...withoutVersion(CustomerSchema.shape),
  ContactName: OptionalTextSchema.optional(),
  Email: OptionalTextSchema.optional(),
});
/** A customer as a fixture writes it. */
export type CustomerFixture = z.infer<typeof CustomerFixtureSchema>;

/** An invoice of the fixture: the API's Invoice, its total a decimal so it converts to minor units exactly. */
export const InvoiceFixtureSchema = z.strictObject(withoutVersion(InvoiceSchema.shape));

/** A credit note of the fixture: the API's CreditNote. */
export const CreditNoteFixtureSchema = z.strictObject(withoutVersion(CreditNoteSchema.shape));

/**
 * A payment of the fixture: the API's Payment, whose `Number` may be left out (it is then its
 * 1-based place in `Payments`, so loading the same file again finds the same payments).
 */
export const PaymentFixtureSchema = z.strictObject({
  ...withoutVersion(PaymentSchema.shape),
  Number: RecordNumberSchema.optional(),
});

/** The number a fixture payment is stored under: its own, else its place in the list. */
export const fixturePaymentNumber = (payment: { Number?: number | undefined }, index: number): number =>
  payment.Number ?? index + 1;

function findDuplicates<T>(items: readonly T[], key: (item: T, index: number) => unknown): number[] {
  const seen = new Set<unknown>();
  const duplicates: number[] = [];
  items.forEach((item, index) => {
    const value = key(item, index);
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
    /** The letterhead, payment details and sending options (PUT /v2/settings/statements). */
    StatementSettings: SettingsFixtureSchema.optional(),
    EmailTemplates: z.array(EmailTemplateFixtureSchema).default([]),
    Customers: z.array(CustomerFixtureSchema).default([]),
    Invoices: z.array(InvoiceFixtureSchema).default([]),
    CreditNotes: z.array(CreditNoteFixtureSchema).default([]),
    Payments: z.array(PaymentFixtureSchema).default([]),
  })
  .superRefine((tenant, context) => {
    // The rules the ledger API judges against the table, judged here against the fixture itself,
    // so that a fixture the importer takes is written whole (shared/seed/import-fixture.ts).
    const fail = (path: (string | number)[], message: string) =>
      context.addIssue({ code: 'custom', path, message });
    const templates = new Set(tenant.EmailTemplates.map((template) => template.Number));
    const customers = new Map(tenant.Customers.map((customer) => [customer.Code, customer]));
    for (const index of findDuplicates(tenant.EmailTemplates, (template) => template.Number)) {
      fail(['EmailTemplates', index, 'Number'], 'duplicates another template number');
    }
    for (const index of findDuplicates(tenant.Customers, (customer) => customer.Code)) {
      fail(['Customers', index, 'Code'], 'duplicates another customer code');
    }
    for (const index of findDuplicates(tenant.Invoices, (invoice) => invoice.Number)) {
      fail(['Invoices', index, 'Number'], 'duplicates another invoice number');
    }
    for (const index of findDuplicates(tenant.CreditNotes, (note) => note.Number)) {
      fail(['CreditNotes', index, 'Number'], 'duplicates another credit note number');
    }
    for (const index of findDuplicates(tenant.Payments, fixturePaymentNumber)) {
      fail(
        ['Payments', index, 'Number'],
        'duplicates another payment number (a payment without one is numbered by its place)',
      );
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
      if (
        (customer.ContactName !== undefined || customer.Email !== undefined) &&
        customer.Contacts.length > 0
      ) {
        fail(
          ['Customers', index, 'Contacts'],
          'must not be given with ContactName or Email (use one or the other)',
        );
      }
      if (customer.Contacts.filter((contact) => contact.IsPrimary).length > 1) {
        fail(['Customers', index, 'Contacts'], 'only one contact may be primary');
      }
    });
    /** The currency of a customer's documents: its own, else the tenant's. */
    const currencyOf = (code: string) => customers.get(code)?.Currency?.Code ?? tenant.Currency;
    const digitsOf = (currency: string) => (isKnownCurrency(currency) ? minorDigits(currency) : 2);
    /** Minor units of a well-formed amount, or undefined after reporting why not. */
    const amount = (text: string, currency: string, path: (string | number)[], positive: boolean) => {
      // zod runs this refinement even when a field failed: judge only well-formed amounts here.
      if (!DECIMAL.test(text)) return undefined;
      const digits = digitsOf(currency);
      const minor = toMinorUnits(text, digits);
      if (minor === undefined || (positive && minor <= 0) || Math.abs(minor) > MAX_DOCUMENT_MINOR) {
        fail(
          path,
          `must be ${positive ? 'a positive amount' : 'an amount'} of at most ${MAX_DOCUMENT_MINOR} minor units with at most ${digits} decimals for ${currency}`,
        );
        return undefined;
      }
      return minor;
    };
    const invoiceCustomer = new Map<number, string>();
    const invoiced = new Map<string, number>();
    tenant.Invoices.forEach((invoice, index) => {
      if (!customers.has(invoice.CustomerCode))
        fail(['Invoices', index, 'CustomerCode'], 'must be the Code of one of Customers');
      if (invoice.DueDate < invoice.IssuedDate)
        fail(['Invoices', index, 'DueDate'], 'must not be before IssuedDate');
      const currency = currencyOf(invoice.CustomerCode);
      if (invoice.Currency !== undefined && invoice.Currency.Code !== currency)
        fail(['Invoices', index, 'Currency', 'Code'], `must be the customer's currency, ${currency}`);
      invoiceCustomer.set(invoice.Number, invoice.CustomerCode);
      const total = amount(invoice.Total, currency, ['Invoices', index, 'Total'], false);
      if (total === undefined) return;
      const sum = (invoiced.get(invoice.CustomerCode) ?? 0) + Math.abs(total);
      invoiced.set(invoice.CustomerCode, sum);
      if (sum > MAX_EXACT_INVOICED) {
        fail(
          ['Invoices', index, 'Total'],
          `makes the invoices of customer ${invoice.CustomerCode} too large to add up exactly`,
        );
      }
    });
    tenant.CreditNotes.forEach((note, index) => {
      if (!customers.has(note.CustomerCode))
        fail(['CreditNotes', index, 'CustomerCode'], 'must be the Code of one of Customers');
      const currency = currencyOf(note.CustomerCode);
      if (note.Currency !== undefined && note.Currency.Code !== currency)
        fail(['CreditNotes', index, 'Currency', 'Code'], `must be the customer's currency, ${currency}`);
      const total = amount(note.Total, currency, ['CreditNotes', index, 'Total'], true);
      let allocated = 0;
      note.Allocations.forEach((allocation, a) => {
        if (invoiceCustomer.get(allocation.InvoiceNumber) !== note.CustomerCode) {
          fail(
            ['CreditNotes', index, 'Allocations', a, 'InvoiceNumber'],
            "must be the Number of one of the customer's Invoices",
          );
        }
        allocated +=
          amount(allocation.Amount, currency, ['CreditNotes', index, 'Allocations', a, 'Amount'], true) ?? 0;
      });
      if (total !== undefined && allocated > total)
        fail(['CreditNotes', index, 'Allocations'], 'must not add up to more than Total');
    });
    tenant.Payments.forEach((payment, index) => {
      let customerCode = payment.CustomerCode;
      if (payment.InvoiceNumber !== undefined) {
        const owner = invoiceCustomer.get(payment.InvoiceNumber);
        if (owner === undefined) {
          fail(['Payments', index, 'InvoiceNumber'], 'must be the Number of one of Invoices');
          return;
        }
        if (customerCode !== undefined && customerCode !== owner)
          fail(['Payments', index, 'CustomerCode'], "must be the invoice's customer, or be left out");
        customerCode = owner;
      } else if (customerCode === undefined || !customers.has(customerCode)) {
        fail(
          ['Payments', index, 'CustomerCode'],
          'must be the Code of one of Customers for a payment on account',
        );
        return;
      }
      amount(payment.Amount, currencyOf(customerCode), ['Payments', index, 'Amount'], true);
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
      tenant.CreditNotes.forEach((note, i) => {
        if (note.IssuedDate > AsOf) fail(['CreditNotes', i, 'IssuedDate']);
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
