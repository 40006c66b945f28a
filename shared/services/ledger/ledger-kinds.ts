/**
 * The six kinds of ledger record, one description each: how the record is keyed, what else must be
 * read to judge it (the customer of an invoice, the invoice of a payment), the rules that need
 * those records, and the items that hold it (its canonical item and its projections, the items a
 * statement reads; docs/data-model.md). The write path (apply-ledger-operations.ts) and the reads
 * (read-ledger-records.ts) work on any kind through this description.
 */
import type * as z from 'zod';
import type { Item } from '../../aws/dynamodb.ts';
import type { TableWrite } from '../../aws/dynamodb-ledger-records.ts';
import {
  creditNoteKey,
  customerKey,
  customerRecordKey,
  type DocumentKind,
  documentKey,
  invoiceKey,
  logoKey,
  paymentKey,
  settingsKey,
  type TableKey,
  templateKey,
  tenantKey,
} from '../../aws/table-keys.ts';
import { minorDigits, toDecimalText, toMinorUnits } from '../../domain/money.ts';
import { primaryOf } from '../../domain/statement-recipients.ts';
import { CustomerCodeSchema, MAX_BODY_LENGTH, RecordNumberSchema } from '../../schemas/fields.ts';
import {
  type CreditNote,
  CreditNoteSchema,
  type Customer,
  CustomerSchema,
  type EmailTemplate,
  EmailTemplateSchema,
  type Invoice,
  InvoiceSchema,
  MAX_DOCUMENT_MINOR,
  type Payment,
  PaymentSchema,
  type StatementSettings,
  StatementSettingsSchema,
} from '../../schemas/ledger-records.ts';
import { sha256Hex } from '../../sha256.ts';

/** The record types of `POST /v2/ledger/batch`, in KashFlow's names. */
export const LEDGER_TYPES = [
  'EmailTemplate',
  'StatementSettings',
  'Customer',
  'Invoice',
  'CreditNote',
  'Payment',
] as const;
/** One of the ledger's record types. */
export type LedgerType = (typeof LEDGER_TYPES)[number];

/** A record's identity within its tenant: a customer code, a document or template number. */
export type RecordId = string | number;

/** A rule broken: the field's path in the record and the rule. */
export interface Problem {
  path: (string | number)[];
  message: string;
}

/** What judging a record may read: the items read before (consistently), by key. */
export interface ReadView {
  tenantId: string;
  get(key: TableKey): Item | undefined;
}

/** A record ready to store: its content (money as exact decimal text) and what holds it. */
export interface Placed {
  /** The record as stored and answered, Version left out. */
  record: Record<string, unknown>;
  /** Attributes the canonical item carries besides the record (what readers need without parsing it). */
  attributes: Item;
  /** The projections to write with it (and those of its previous state to remove). */
  writes: TableWrite[];
}

/** One kind of ledger record. */
export interface LedgerKind<R extends { Version?: number | string | undefined }> {
  type: LedgerType;
  /** The record's rules as the API takes it. */
  schema: z.ZodType<R, unknown>;
  /** The record's id, from the record. */
  idOf(record: R): RecordId;
  /** The id as the rules of the record's key field see it: what a delete or a path must name. */
  idSchema: z.ZodType<RecordId, unknown>;
  /** The field the id is in (`Code`, `Number`), for messages and for filling it from the path. */
  idField: 'Code' | 'Number' | undefined;
  canonicalKey(tenantId: string, id: RecordId): TableKey;
  /** What judging an upsert reads besides the canonical item. */
  upsertReads(tenantId: string, record: R): TableKey[];
  /** What judging a delete reads besides the canonical item. */
  deleteReads(tenantId: string, id: RecordId): TableKey[];
  /** The rules that need other records; then the record placed, or the problems. */
  place(record: R, view: ReadView, previous: Item | undefined): Placed | Problem[];
  /** The projections to remove when the record is deleted, or why it may not be. */
  remove(previous: Item, view: ReadView): TableWrite[] | Problem[];
  /** The record as the API answers it, from its live canonical item. */
  view(item: Item): Record<string, unknown>;
}

const live = (item: Item | undefined): Item | undefined =>
  item === undefined || item.deleted === true ? undefined : item;
const recordOf = (item: Item) => (item.record ?? {}) as Record<string, unknown>;

/** The stored record with its Version as it was given, KashFlow's shape. */
function versionedView(item: Item): Record<string, unknown> {
  return { ...recordOf(item), ...(item.versionText === undefined ? {} : { Version: item.versionText }) };
}

/** Drops `undefined` and the Version: the content that is stored and hashed. */
function content<R extends object>(record: R): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(record).filter(([key, value]) => key !== 'Version' && value !== undefined),
  );
}

/** The currency a customer's documents are in: its own, else the tenant's. */
function customerCurrency(customer: Item | undefined, tenant: Item | undefined): string | undefined {
  const own = (recordOf(customer ?? {}).Currency as { Code?: string } | undefined)?.Code;
  return own ?? (typeof tenant?.currency === 'string' ? tenant.currency : undefined);
}

/** Decimal text to minor units in a currency, or the rule it breaks. */
function money(
  text: string,
  currency: string,
  { positive }: { positive: boolean },
): { minor: number; text: string } | string {
  const digits = minorDigits(currency);
  const fraction = /\.(\d+)$/.exec(text)?.[1] ?? '';
  if (fraction.length > digits) return `must have at most ${digits} decimals for ${currency}`;
  const tooLarge = `must be at most ${toDecimalText(MAX_DOCUMENT_MINOR, digits)} (${currency})`;
  // More whole digits than the largest amount has cannot be held exactly: too large, not malformed.
  const whole = text.replace(/^-/, '').split('.')[0] ?? '';
  if (whole.length > String(MAX_DOCUMENT_MINOR).length) return tooLarge;
  const minor = toMinorUnits(text, digits);
  if (minor === undefined || Math.abs(minor) > MAX_DOCUMENT_MINOR) return tooLarge;
  if (positive && minor <= 0) return 'must be more than zero';
  return { minor, text: toDecimalText(minor, digits) };
}

const CUSTOMER_MISSING = 'must be the code of a customer of this tenant';
const INVOICE_MISSING = 'must be the number of an invoice of this tenant';
const TEMPLATE_MISSING = 'must be the number of an email template of this tenant';

/** A customer: its canonical item in the tenant's partition, projected into its own partition. */
const customerKind: LedgerKind<Customer> = {
  type: 'Customer',
  schema: CustomerSchema,
  idOf: (customer) => customer.Code,
  idSchema: CustomerCodeSchema,
  idField: 'Code',
  canonicalKey: (tenantId, id) => customerRecordKey(tenantId, String(id)),
  upsertReads: (tenantId, customer) => [
    tenantKey(tenantId),
    ...(customer.EmailTemplateNumber === undefined
      ? []
      : [templateKey(tenantId, customer.EmailTemplateNumber)]),
  ],
  deleteReads: () => [],
  place(customer, view, previous) {
    const { tenantId } = view;
    if (
      customer.EmailTemplateNumber !== undefined &&
      live(view.get(templateKey(tenantId, customer.EmailTemplateNumber))) === undefined
    ) {
      return [{ path: ['EmailTemplateNumber'], message: TEMPLATE_MISSING }];
    }
    // A customer's documents are stored in minor units of its currency, fixed when it is created
    // (its own, else the tenant's then), so no later change can make them read in another one. A
    // deleted customer's tombstone keeps it: its documents stay, and are its ledger again.
    const before = previous?.currency;
    const currency =
      customer.Currency?.Code ??
      (typeof before === 'string' ? before : customerCurrency(undefined, view.get(tenantKey(tenantId))));
    if (currency === undefined)
      return [{ path: ['Currency'], message: 'is required: the tenant has no currency' }];
    if (typeof before === 'string' && before !== currency) {
      return [
        {
          path: ['Currency', 'Code'],
          message: `must stay ${before}: the customer's documents are held in it (create a new customer for another currency)`,
        },
      ];
    }
    const record = content(customer);
    const primary = primaryOf(customer.Contacts);
    return {
      record,
      attributes: { code: customer.Code, currency },
      writes: [
        {
          put: {
            ...customerKey(tenantId, customer.Code),
            type: 'Customer',
            code: customer.Code,
            name: customer.Name,
            contactName: primary?.Name,
            email: primary?.Email,
            emailTemplateNumber: customer.EmailTemplateNumber,
            currency,
            language: customer.Language,
            isArchived: customer.IsArchived,
            contacts: customer.Contacts,
            addresses: customer.Addresses,
            vatNumber: customer.VATNumber,
            paymentTerms: customer.PaymentTerms,
          },
        },
      ],
    };
  },
  remove: (previous, view) => [{ delete: customerKey(view.tenantId, String(previous.code)) }],
  view: versionedView,
};

/** The parts every document (invoice, credit note, payment) shares. */
interface DocumentParts {
  kind: DocumentKind;
  /** Its projection's key in its customer's partition. */
  projectionKey(tenantId: string, customerCode: string, number: number): TableKey;
}

/** The projection of a document in its customer's partition, and the removal of its old one if it moved. */
function documentWrites(
  parts: DocumentParts,
  tenantId: string,
  number: number,
  customerCode: string,
  projection: Item,
  previous: Item | undefined,
): TableWrite[] {
  const writes: TableWrite[] = [
    { put: { ...parts.projectionKey(tenantId, customerCode, number), ...projection } },
  ];
  const before = live(previous)?.customerCode;
  if (typeof before === 'string' && before !== customerCode) {
    writes.push({ delete: parts.projectionKey(tenantId, before, number) });
  }
  return writes;
}

function removeDocument(parts: DocumentParts, previous: Item, tenantId: string): TableWrite[] {
  return [{ delete: parts.projectionKey(tenantId, String(previous.customerCode), Number(previous.number)) }];
}

const INVOICE: DocumentParts = { kind: 'INVOICE', projectionKey: invoiceKey };
const CREDIT_NOTE: DocumentParts = { kind: 'CREDITNOTE', projectionKey: creditNoteKey };
const PAYMENT: DocumentParts = { kind: 'PAYMENT', projectionKey: paymentKey };

/** The customer a document names must exist, and the document be in its currency. */
function documentCurrency(
  view: ReadView,
  customerCode: string,
  given: { Code: string } | undefined,
): { currency: string } | Problem[] {
  const customer = live(view.get(customerRecordKey(view.tenantId, customerCode)));
  if (customer === undefined) return [{ path: ['CustomerCode'], message: CUSTOMER_MISSING }];
  const currency =
    typeof customer.currency === 'string'
      ? customer.currency
      : customerCurrency(customer, view.get(tenantKey(view.tenantId)));
  if (currency === undefined)
    return [{ path: ['CustomerCode'], message: 'has no currency and the tenant has none' }];
  if (given !== undefined && given.Code !== currency) {
    return [{ path: ['Currency', 'Code'], message: `must be the customer's currency, ${currency}` }];
  }
  return { currency };
}

const invoiceKind: LedgerKind<Invoice> = {
  type: 'Invoice',
  schema: InvoiceSchema,
  idOf: (invoice) => invoice.Number,
  idSchema: RecordNumberSchema,
  idField: 'Number',
  canonicalKey: (tenantId, id) => documentKey(tenantId, 'INVOICE', Number(id)),
  upsertReads: (tenantId, invoice) => [
    customerRecordKey(tenantId, invoice.CustomerCode),
    tenantKey(tenantId),
  ],
  deleteReads: () => [],
  place(invoice, view, previous) {
    const resolved = documentCurrency(view, invoice.CustomerCode, invoice.Currency);
    if (Array.isArray(resolved)) return resolved;
    const total = money(invoice.Total, resolved.currency, { positive: false });
    if (typeof total === 'string') return [{ path: ['Total'], message: total }];
    return {
      record: { ...content(invoice), Total: total.text },
      attributes: { number: invoice.Number, customerCode: invoice.CustomerCode, currency: resolved.currency },
      writes: documentWrites(
        INVOICE,
        view.tenantId,
        invoice.Number,
        invoice.CustomerCode,
        {
          type: 'Invoice',
          number: invoice.Number,
          customerCode: invoice.CustomerCode,
          issuedDate: invoice.IssuedDate,
          dueDate: invoice.DueDate,
          totalMinor: total.minor,
          reference: invoice.Reference,
        },
        previous,
      ),
    };
  },
  remove: (previous, view) => removeDocument(INVOICE, previous, view.tenantId),
  view: versionedView,
};

const creditNoteKind: LedgerKind<CreditNote> = {
  type: 'CreditNote',
  schema: CreditNoteSchema,
  idOf: (note) => note.Number,
  idSchema: RecordNumberSchema,
  idField: 'Number',
  canonicalKey: (tenantId, id) => documentKey(tenantId, 'CREDITNOTE', Number(id)),
  upsertReads: (tenantId, note) => [
    customerRecordKey(tenantId, note.CustomerCode),
    tenantKey(tenantId),
    ...note.Allocations.map((allocation) => documentKey(tenantId, 'INVOICE', allocation.InvoiceNumber)),
  ],
  deleteReads: () => [],
  place(note, view, previous) {
    const resolved = documentCurrency(view, note.CustomerCode, note.Currency);
    if (Array.isArray(resolved)) return resolved;
    const total = money(note.Total, resolved.currency, { positive: true });
    if (typeof total === 'string') return [{ path: ['Total'], message: total }];
    const problems: Problem[] = [];
    const allocations: { invoiceNumber: number; amountMinor: number; text: string }[] = [];
    note.Allocations.forEach((allocation, index) => {
      const invoice = live(view.get(documentKey(view.tenantId, 'INVOICE', allocation.InvoiceNumber)));
      if (invoice === undefined || invoice.customerCode !== note.CustomerCode) {
        problems.push({
          path: ['Allocations', index, 'InvoiceNumber'],
          message: "must be the number of an invoice of the credit note's customer",
        });
      }
      const amount = money(allocation.Amount, resolved.currency, { positive: true });
      if (typeof amount === 'string')
        problems.push({ path: ['Allocations', index, 'Amount'], message: amount });
      else
        allocations.push({
          invoiceNumber: allocation.InvoiceNumber,
          amountMinor: amount.minor,
          text: amount.text,
        });
    });
    const allocated = allocations.reduce((sum, allocation) => sum + allocation.amountMinor, 0);
    if (problems.length === 0 && allocated > total.minor) {
      problems.push({ path: ['Allocations'], message: 'must not add up to more than Total' });
    }
    if (problems.length > 0) return problems;
    return {
      record: {
        ...content(note),
        Total: total.text,
        Allocations: allocations.map(({ invoiceNumber, text }) => ({
          InvoiceNumber: invoiceNumber,
          Amount: text,
        })),
      },
      attributes: { number: note.Number, customerCode: note.CustomerCode, currency: resolved.currency },
      writes: documentWrites(
        CREDIT_NOTE,
        view.tenantId,
        note.Number,
        note.CustomerCode,
        {
          type: 'CreditNote',
          number: note.Number,
          customerCode: note.CustomerCode,
          issuedDate: note.IssuedDate,
          totalMinor: total.minor,
          reference: note.Reference,
          allocations: allocations.map(({ invoiceNumber, amountMinor }) => ({ invoiceNumber, amountMinor })),
        },
        previous,
      ),
    };
  },
  remove: (previous, view) => removeDocument(CREDIT_NOTE, previous, view.tenantId),
  view: versionedView,
};

const paymentKind: LedgerKind<Payment> = {
  type: 'Payment',
  schema: PaymentSchema,
  idOf: (payment) => payment.Number,
  idSchema: RecordNumberSchema,
  idField: 'Number',
  canonicalKey: (tenantId, id) => documentKey(tenantId, 'PAYMENT', Number(id)),
  upsertReads: (tenantId, payment) =>
    payment.InvoiceNumber !== undefined
      ? [documentKey(tenantId, 'INVOICE', payment.InvoiceNumber)]
      : [customerRecordKey(tenantId, payment.CustomerCode ?? ''), tenantKey(tenantId)],
  deleteReads: () => [],
  place(payment, view, previous) {
    let customerCode: string;
    let currency: string;
    if (payment.InvoiceNumber !== undefined) {
      const invoice = live(view.get(documentKey(view.tenantId, 'INVOICE', payment.InvoiceNumber)));
      if (invoice === undefined) return [{ path: ['InvoiceNumber'], message: INVOICE_MISSING }];
      customerCode = String(invoice.customerCode);
      currency = String(invoice.currency);
      if (payment.CustomerCode !== undefined && payment.CustomerCode !== customerCode) {
        return [{ path: ['CustomerCode'], message: "must be the invoice's customer, or be left out" }];
      }
    } else {
      customerCode = payment.CustomerCode ?? '';
      const resolved = documentCurrency(view, customerCode, undefined);
      if (Array.isArray(resolved)) return resolved;
      currency = resolved.currency;
    }
    const amount = money(payment.Amount, currency, { positive: true });
    if (typeof amount === 'string') return [{ path: ['Amount'], message: amount }];
    return {
      record: { ...content(payment), CustomerCode: customerCode, Amount: amount.text },
      attributes: { number: payment.Number, customerCode, currency },
      writes: documentWrites(
        PAYMENT,
        view.tenantId,
        payment.Number,
        customerCode,
        {
          type: 'Payment',
          number: payment.Number,
          customerCode,
          invoiceNumber: payment.InvoiceNumber,
          date: payment.Date,
          amountMinor: amount.minor,
          method: payment.Method,
          reference: payment.Reference,
        },
        previous,
      ),
    };
  },
  remove: (previous, view) => removeDocument(PAYMENT, previous, view.tenantId),
  view: versionedView,
};

/** A template's canonical item is also what the worker reads: no projection. */
const templateKind: LedgerKind<EmailTemplate> = {
  type: 'EmailTemplate',
  schema: EmailTemplateSchema,
  idOf: (template) => template.Number,
  idSchema: RecordNumberSchema,
  idField: 'Number',
  canonicalKey: (tenantId, id) => templateKey(tenantId, Number(id)),
  upsertReads: () => [],
  deleteReads: (tenantId) => [settingsKey(tenantId), tenantKey(tenantId)],
  // The subject and body are stored once, as the attributes the worker reads (an item holds at
  // most 400 KB); the answer is made from them. The translations' bodies share the body's limit.
  place(template) {
    const translations = template.Translations ?? [];
    const bodyLength = translations.reduce((total, { Body }) => total + Body.length, template.Body.length);
    if (bodyLength > MAX_BODY_LENGTH) {
      return [
        {
          path: ['Translations'],
          message: `must hold, with Body, at most ${MAX_BODY_LENGTH} characters of bodies in all (it holds ${bodyLength})`,
        },
      ];
    }
    return {
      record: { Number: template.Number, Name: template.Name, IsHtml: template.IsHtml },
      attributes: {
        number: template.Number,
        name: template.Name,
        subject: template.Subject,
        body: template.Body,
        isHtml: template.IsHtml,
        translations:
          template.Translations === undefined
            ? undefined
            : template.Translations.map(({ Language, Subject, Body }) => ({
                language: Language,
                subject: Subject,
                body: Body,
              })),
      },
      writes: [],
    };
  },
  remove(previous, view) {
    const tenant = view.get(tenantKey(view.tenantId));
    if (tenant?.defaultStatementTemplateNumber === previous.number) {
      return [
        {
          path: ['Number'],
          message:
            "is the tenant's default statement template (settings DefaultStatementTemplateNumber): choose another first",
        },
      ];
    }
    return [];
  },
  view: (item) => ({
    Number: item.number,
    Name: item.name,
    Subject: item.subject,
    Body: item.body,
    IsHtml: item.isHtml,
    ...(Array.isArray(item.translations)
      ? {
          Translations: (item.translations as Item[]).map((translation) => ({
            Language: translation.language,
            Subject: translation.subject,
            Body: translation.body,
          })),
        }
      : {}),
    ...(item.versionText === undefined ? {} : { Version: item.versionText }),
  }),
};

/** The tenant's settings: projected onto the tenant item the request path reads, and the logo item. */
const settingsKind: LedgerKind<StatementSettings> = {
  type: 'StatementSettings',
  schema: StatementSettingsSchema,
  idOf: () => 'settings',
  idSchema: undefined as unknown as z.ZodType<RecordId, unknown>,
  idField: undefined,
  canonicalKey: (tenantId) => settingsKey(tenantId),
  upsertReads: (tenantId, settings) => [
    tenantKey(tenantId),
    ...(settings.DefaultStatementTemplateNumber === undefined
      ? []
      : [templateKey(tenantId, settings.DefaultStatementTemplateNumber)]),
  ],
  deleteReads: () => [],
  place(settings, view) {
    const { tenantId } = view;
    const tenant = view.get(tenantKey(tenantId));
    if (tenant === undefined) {
      return [
        { path: [], message: 'the tenant has no record: an operator creates it (npm run tenants -- create)' },
      ];
    }
    if (
      settings.DefaultStatementTemplateNumber !== undefined &&
      live(view.get(templateKey(tenantId, settings.DefaultStatementTemplateNumber))) === undefined
    ) {
      return [{ path: ['DefaultStatementTemplateNumber'], message: TEMPLATE_MISSING }];
    }
    const { Logo, ...rest } = content(settings) as StatementSettings;
    const logoWrite: TableWrite =
      Logo === undefined
        ? { delete: logoKey(tenantId) }
        : {
            put: {
              ...logoKey(tenantId),
              type: 'Logo',
              contentType: Logo.ContentType,
              data: Buffer.from(Logo.Data, 'base64'),
            },
          };
    return {
      // The record keeps the logo's digest, so a new logo of the same type is a change; the bytes
      // live in the logo item, and the settings' answer adds them back (read-ledger-records.ts).
      record: {
        ...rest,
        ...(Logo === undefined
          ? {}
          : { Logo: { ContentType: Logo.ContentType, Sha256: sha256Hex(Logo.Data) } }),
      },
      attributes: {},
      writes: [
        {
          // The tenant item keeps what an operator owns (its id, From address); the rest is replaced.
          put: {
            ...tenantKey(tenantId),
            type: 'Tenant',
            tenantId,
            fromEmail: tenant.fromEmail,
            name: settings.CompanyName,
            timeZone: settings.TimeZone,
            currency: settings.Currency,
            locale: settings.Locale,
            defaultStatementTemplateNumber: settings.DefaultStatementTemplateNumber,
            address: settings.Address,
            vatNumber: settings.VATNumber,
            companyNumber: settings.CompanyNumber,
            phone: settings.Phone,
            website: settings.Website,
            fromName: settings.FromName,
            replyTo: settings.ReplyTo,
            bcc: settings.Bcc,
            paymentInstructions: settings.PaymentInstructions,
            paymentLink: settings.PaymentLink,
            logoContentType: Logo?.ContentType,
            logoSha256: Logo === undefined ? undefined : sha256Hex(Logo.Data),
          },
          condition: { expression: 'attribute_exists(PK)' },
        },
        logoWrite,
      ],
    };
  },
  remove: () => [{ path: [], message: 'statement settings cannot be deleted; PUT new ones' }],
  view: versionedView,
};

/** Every kind by its type. */
export const LEDGER_KINDS: { [T in LedgerType]: LedgerKind<never> } = {
  EmailTemplate: templateKind as LedgerKind<never>,
  StatementSettings: settingsKind as LedgerKind<never>,
  Customer: customerKind as LedgerKind<never>,
  Invoice: invoiceKind as LedgerKind<never>,
  CreditNote: creditNoteKind as LedgerKind<never>,
  Payment: paymentKind as LedgerKind<never>,
};
