/**
 * The ledger API's records, in KashFlow's REST v2 names (PascalCase): what `PUT /v2/customers/{code}`,
 * `PUT /v2/invoices/{number}` and the rest accept, what `POST /v2/ledger/batch` carries, and what
 * the fixture import writes through the same path. Each field is judged by the rules of fields.ts,
 * the ones the stored records are read back with, so whatever the API accepts can be rendered.
 * Objects are strict: a misspelt field is refused by name instead of being dropped unseen.
 * Rules that need other records (the customer of an invoice exists, a payment's invoice is live)
 * are judged by the write path against the table (shared/services/ledger/).
 */
import * as z from 'zod';
import { IsoDateSchema } from '../domain/calendar-date.ts';
import { paymentLinkProblem } from '../domain/payment-link.ts';
import { unknownTokens } from '../domain/template.ts';
import {
  BodySchema,
  CurrencySchema,
  CustomerCodeSchema,
  EmailAddressSchema,
  LocaleSchema,
  NameSchema,
  OptionalTextSchema,
  RecordNumberSchema,
  SubjectSchema,
  TextSchema,
  TimeZoneSchema,
} from './fields.ts';
import { inspectLogo, LogoImageError } from './logo-image.ts';

const DECIMAL = /^-?\d+(\.\d+)?$/;
const MONEY_RULE = 'must be a decimal amount such as 120.00 or "120.00"';

/** `007.50` → `7.5`, `-0.00` → `0`: one text per amount, so that equal amounts hash alike. */
function canonicalDecimal(text: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (match === null) return text;
  const [, sign = '', whole = '', fraction = ''] = match;
  const integer = whole.replace(/^0+(?=\d)/, '');
  const decimals = fraction.replace(/0+$/, '');
  const body = decimals === '' ? integer : `${integer}.${decimals}`;
  return /^0(\.0*)?$/.test(body) ? body : `${sign}${body}`;
}

/**
 * An amount as KashFlow sends it (a JSON number) or as decimal text (`"120.00"`), kept as decimal
 * text in one canonical form (`120`): it becomes integer minor units against the record's
 * currency, never through a binary float, and a record sent again with `120.00` for `120` is the
 * same record. A JSON number is taken as the shortest text that reads back as it (`120.1`).
 */
export const MoneySchema = z
  .union([z.number({ message: MONEY_RULE }), z.string({ message: MONEY_RULE })], { message: MONEY_RULE })
  .transform((value) => (typeof value === 'number' ? String(value) : value))
  .refine((text) => DECIMAL.test(text), { message: MONEY_RULE })
  .transform(canonicalDecimal);

/**
 * The largest amount of one document, in minor units: a customer's statement sums its documents,
 * and 9,000 documents at this size still add up exactly in a double (2^53 − 1).
 */
export const MAX_DOCUMENT_MINOR = 1_000_000_000_000;

const VERSION_RULE =
  'must be a whole number from 0 to 9007199254740991 or an ISO 8601 timestamp with a time zone and at most millisecond precision, such as 2026-11-24T10:15:00.123Z';

/**
 * The source system's version of a record: a counter or a timestamp. A write whose Version is
 * older than the stored one is answered `Stale` and changes nothing (docs/api.md "Versions").
 */
export const VersionSchema = z.union(
  [
    z
      .number({ message: VERSION_RULE })
      .int({ message: VERSION_RULE })
      .min(0, { message: VERSION_RULE })
      .max(Number.MAX_SAFE_INTEGER, { message: VERSION_RULE }),
    z.iso
      .datetime({ offset: true, message: VERSION_RULE })
      // Compared as epoch milliseconds: finer digits would be lost, and two versions made equal.
      .refine((text) => Number.isFinite(Date.parse(text)) && !/\.\d{4}/.test(text), {
        message: VERSION_RULE,
      }),
  ],
  { message: VERSION_RULE },
);
/** A Version as given: a number, or a timestamp's text. */
export type Version = z.infer<typeof VersionSchema>;

/** A short identifier-like text: a VAT or company number, a payment reference. */
const ShortTextSchema = TextSchema.max(100, { message: 'must be at most 100 characters' });

/** ISO 3166-1 alpha-2, as KashFlow's `CountryCode`. */
const CountryCodeSchema = z
  .string()
  .regex(/^[A-Z]{2}$/, { message: 'must be an ISO 3166 country code such as GB' });

/** A postal address: the lines, town, county, postcode and country of KashFlow's address. */
export const AddressSchema = z.strictObject({
  Line1: OptionalTextSchema.optional(),
  Line2: OptionalTextSchema.optional(),
  Line3: OptionalTextSchema.optional(),
  Town: OptionalTextSchema.optional(),
  County: OptionalTextSchema.optional(),
  PostCode: ShortTextSchema.optional(),
  CountryCode: CountryCodeSchema.optional(),
});
/** A postal address of a customer or of the tenant. */
export type Address = z.infer<typeof AddressSchema>;

/** How a contact receives statements: on the To line, copied, or not at all. */
export const STATEMENT_RECIPIENT = ['To', 'CC', 'None'] as const;

/**
 * A customer's contact. The address is checked as text only: a customer with a bad address is
 * legitimate data, and the bulk email endpoint reports it per request (`Invalid customer email
 * address`), as KashFlow does.
 */
export const ContactSchema = z.strictObject({
  Name: OptionalTextSchema.optional(),
  Email: OptionalTextSchema.optional(),
  IsPrimary: z.boolean().default(false),
  /** Absent: To for the primary contact, None for the others. */
  StatementRecipient: z.enum(STATEMENT_RECIPIENT).optional(),
});
/** A customer's contact as the API takes it. */
export type Contact = z.infer<typeof ContactSchema>;

/** KashFlow's payment terms: so many days after the invoice date, or after the end of its month. */
export const PaymentTermsSchema = z.strictObject({
  Days: z.number().int().min(0).max(365, { message: 'must be a whole number of days from 0 to 365' }),
  Type: z.enum(['DaysAfterInvoiceDate', 'DaysAfterEndOfMonth']).default('DaysAfterInvoiceDate'),
});

/** KashFlow's currency object; only its code is used. */
export const CurrencyRefSchema = z.strictObject({ Code: CurrencySchema });

/** Every write may carry the source's Version. */
const versioned = { Version: VersionSchema.optional() };

/** `PUT /v2/customers/{code}`: a customer, with its contacts and addresses. */
export const CustomerSchema = z
  .strictObject({
    Code: CustomerCodeSchema,
    Name: NameSchema,
    Contacts: z.array(ContactSchema).max(20, { message: 'must have at most 20 contacts' }).default([]),
    Addresses: z.array(AddressSchema).max(10, { message: 'must have at most 10 addresses' }).default([]),
    /** Absent: the tenant's currency. */
    Currency: CurrencyRefSchema.optional(),
    EmailTemplateNumber: RecordNumberSchema.optional(),
    PaymentTerms: PaymentTermsSchema.optional(),
    VATNumber: ShortTextSchema.optional(),
    /** The language statements are written in, a BCP 47 tag such as `en` or `fr-BE`. */
    Language: LocaleSchema.optional(),
    IsArchived: z.boolean().default(false),
    ...versioned,
  })
  .superRefine((customer, context) => {
    const primaries = customer.Contacts.flatMap((contact, index) => (contact.IsPrimary ? [index] : []));
    for (const index of primaries.slice(1)) {
      context.addIssue({
        code: 'custom',
        path: ['Contacts', index, 'IsPrimary'],
        message: 'only one contact may be primary',
      });
    }
  });
/** A customer as the API takes and answers it. */
export type Customer = z.infer<typeof CustomerSchema>;

/** `PUT /v2/invoices/{number}`: an invoice of one customer. */
export const InvoiceSchema = z
  .strictObject({
    Number: RecordNumberSchema,
    CustomerCode: CustomerCodeSchema,
    IssuedDate: IsoDateSchema,
    DueDate: IsoDateSchema,
    Total: MoneySchema,
    /** Absent: the customer's currency; present, it must be the customer's. */
    Currency: CurrencyRefSchema.optional(),
    Reference: ShortTextSchema.optional(),
    ...versioned,
  })
  .superRefine((invoice, context) => {
    if (invoice.DueDate < invoice.IssuedDate) {
      context.addIssue({ code: 'custom', path: ['DueDate'], message: 'must not be before IssuedDate' });
    }
  });
/** An invoice as the API takes and answers it. */
export type Invoice = z.infer<typeof InvoiceSchema>;

/** Part of a credit note set against one invoice of the same customer. */
export const AllocationSchema = z.strictObject({ InvoiceNumber: RecordNumberSchema, Amount: MoneySchema });

/** `PUT /v2/creditnotes/{number}`: a credit note, a document of its own, optionally allocated to invoices. */
export const CreditNoteSchema = z.strictObject({
  Number: RecordNumberSchema,
  CustomerCode: CustomerCodeSchema,
  IssuedDate: IsoDateSchema,
  /** The credit's size: a positive amount. */
  Total: MoneySchema,
  Currency: CurrencyRefSchema.optional(),
  Reference: ShortTextSchema.optional(),
  Allocations: z
    .array(AllocationSchema)
    .max(100, { message: 'must have at most 100 allocations' })
    .default([]),
  ...versioned,
});
/** A credit note as the API takes and answers it. */
export type CreditNote = z.infer<typeof CreditNoteSchema>;

/**
 * A payment, numbered by the source system so that a retried POST never pays twice: allocated to
 * an invoice (`InvoiceNumber`; its customer is the invoice's) or on account (`CustomerCode` alone).
 */
export const PaymentSchema = z
  .strictObject({
    Number: RecordNumberSchema,
    InvoiceNumber: RecordNumberSchema.optional(),
    CustomerCode: CustomerCodeSchema.optional(),
    Date: IsoDateSchema,
    /** A positive amount. */
    Amount: MoneySchema,
    Method: ShortTextSchema.optional(),
    Reference: ShortTextSchema.optional(),
    ...versioned,
  })
  .superRefine((payment, context) => {
    if (payment.InvoiceNumber === undefined && payment.CustomerCode === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['CustomerCode'],
        message: 'is required for a payment on account (one with no InvoiceNumber)',
      });
    }
  });
/** A payment as the API takes and answers it. */
export type Payment = z.infer<typeof PaymentSchema>;

/** A template text whose every `#TOKEN#` the renderer can fill, so a saved template never fails a send. */
const withKnownTokens = <T extends z.ZodType<string>>(schema: T) =>
  schema.superRefine((text, context) => {
    for (const problem of unknownTokens(text)) context.addIssue({ code: 'custom', message: problem });
  });

/** The most translations a template may carry (the template and its translations are one item). */
export const MAX_TEMPLATE_TRANSLATIONS = 10;

/** A template's subject and body in one language, by the same rules as the template's own. */
export const TemplateTranslationSchema = z.strictObject({
  Language: LocaleSchema,
  Subject: withKnownTokens(SubjectSchema),
  Body: withKnownTokens(BodySchema),
});

/** At most one translation per language tag. */
const TranslationsSchema = z
  .array(TemplateTranslationSchema)
  .max(MAX_TEMPLATE_TRANSLATIONS, {
    message: `must have at most ${MAX_TEMPLATE_TRANSLATIONS} translations`,
  })
  .superRefine((translations, context) => {
    const seen = new Set<string>();
    translations.forEach((translation, index) => {
      if (seen.has(translation.Language)) {
        context.addIssue({
          code: 'custom',
          path: [index, 'Language'],
          message: `must not repeat another translation's language (${translation.Language})`,
        });
      }
      seen.add(translation.Language);
    });
  });

/**
 * `PUT /v2/emailtemplates/{number}`: KashFlow's email template; unknown tokens are refused here.
 * `Translations` (ours) hold its text in other languages: a customer's statement uses the one in
 * its language (docs/api.md).
 */
export const EmailTemplateSchema = z.strictObject({
  Number: RecordNumberSchema,
  Name: NameSchema,
  Subject: withKnownTokens(SubjectSchema),
  Body: withKnownTokens(BodySchema),
  IsHtml: z.boolean().default(true),
  Translations: TranslationsSchema.optional(),
  ...versioned,
});
/** An email template as the API takes and answers it. */
export type EmailTemplate = z.infer<typeof EmailTemplateSchema>;

/** An https URL of at most 2000 characters whose only `{…}` are PAYMENT_LINK_PLACEHOLDERS, after its host. */
export const PaymentLinkSchema = z
  .string()
  .max(2000, { message: 'must be at most 2000 characters' })
  .superRefine((link, context) => {
    const problem = paymentLinkProblem(link);
    if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
  });

/** The largest logo, decoded: it is embedded in every statement PDF. */
export const MAX_LOGO_BYTES = 64 * 1024;

/**
 * A logo: PNG or JPEG, base64, at most 64 KB decoded, its bytes a complete image of its type of at
 * most MAX_LOGO_SIDE pixels a side (logo-image.ts), so that every logo stored is one the PDF
 * embeds and the email shows, and none decodes to more than the worker's memory.
 */
export const LogoSchema = z
  .strictObject({
    ContentType: z.enum(['image/png', 'image/jpeg']),
    Data: z.base64({ message: 'must be base64' }),
  })
  .superRefine((logo, context) => {
    const bytes = Buffer.from(logo.Data, 'base64');
    if (bytes.length > MAX_LOGO_BYTES) {
      context.addIssue({
        code: 'custom',
        path: ['Data'],
        message: `must be at most ${MAX_LOGO_BYTES} bytes decoded (it is ${bytes.length})`,
      });
      return;
    }
    try {
      inspectLogo(logo.ContentType, bytes);
    } catch (error) {
      if (!(error instanceof LogoImageError)) throw error;
      context.addIssue({ code: 'custom', path: ['Data'], message: error.message });
    }
  });

/** `PUT /v2/settings/statements`: what the tenant's statements say about it and how they are sent. */
export const StatementSettingsSchema = z.strictObject({
  CompanyName: NameSchema,
  Address: AddressSchema.optional(),
  VATNumber: ShortTextSchema.optional(),
  CompanyNumber: ShortTextSchema.optional(),
  Phone: ShortTextSchema.optional(),
  Website: ShortTextSchema.optional(),
  TimeZone: TimeZoneSchema,
  Currency: CurrencySchema,
  Locale: LocaleSchema.default('en-GB'),
  /** The display name of the From address (the address itself is the operator's: see docs/deploy.md). */
  FromName: OptionalTextSchema.optional(),
  ReplyTo: EmailAddressSchema.optional(),
  /** A copy of every statement email goes here. */
  Bcc: EmailAddressSchema.optional(),
  PaymentInstructions: TextSchema.max(2000, { message: 'must be at most 2000 characters' }).optional(),
  /**
   * The online payment link: the statement's "Pay now" button and `#PAYONLINE#`. An https URL
   * that may hold placeholders, each filled (percent-encoded) per statement: see PAYMENT_LINK_PLACEHOLDERS (shared/domain/payment-link.ts).
   */
  PaymentLink: PaymentLinkSchema.optional(),
  Logo: LogoSchema.optional(),
  DefaultStatementTemplateNumber: RecordNumberSchema.optional(),
  ...versioned,
});
/** The tenant's statement settings as the API takes and answers them. */
export type StatementSettings = z.infer<typeof StatementSettingsSchema>;
