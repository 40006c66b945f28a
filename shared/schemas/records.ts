/**
 * Records as stored in the table. Parsed whenever they are read, because a request's outcome
 * depends on them (a trust boundary like any other). Every setting that decides how a statement is
 * made (ids, codes, numbers, addresses, locale, time zone, currency) is judged by the same rule as
 * in the fixture that writes it (fields.ts), so a record changed behind the importer's back is
 * refused naming its field instead of failing deep in Intl or the MIME writer. Free text (names,
 * subjects, bodies) is checked only for its type here: every renderer escapes, folds or encodes
 * whatever it holds, and one odd customer name must not fail a request for the others.
 */
import * as z from 'zod';
import {
  type CustomerStatementEmailStatus,
  CustomerStatementEmailStatusSchema,
} from '../domain/customer-status.ts';
import { JOB_STATES } from '../domain/job-state.ts';
import { RECIPIENT_STATES } from '../domain/recipient-state.ts';
import { StatementPeriodSchema } from '../domain/statement-period.ts';
import {
  type AddressSuppression,
  addressKey,
  type SuppressedAddresses,
} from '../domain/statement-recipients.ts';
import {
  CurrencySchema,
  CustomerCodeSchema,
  EmailAddressSchema,
  LocaleSchema,
  RecordNumberSchema,
  TenantIdSchema,
  TimeZoneSchema,
} from './fields.ts';

/** A postal address as stored: the lines, town, county, postcode and country (ISO 3166 alpha-2). */
export const StoredAddressSchema = z.object({
  Line1: z.string().optional(),
  Line2: z.string().optional(),
  Line3: z.string().optional(),
  Town: z.string().optional(),
  County: z.string().optional(),
  PostCode: z.string().optional(),
  CountryCode: z.string().optional(),
});
/** A stored postal address (the tenant's, a customer's). */
export type StoredAddress = z.infer<typeof StoredAddressSchema>;

/** A customer's contact as stored: who receives statements, on which line. */
export const StoredContactSchema = z.object({
  Name: z.string().optional(),
  Email: z.string().optional(),
  IsPrimary: z.boolean().default(false),
  /** Absent: To for the primary contact, None for the others. */
  StatementRecipient: z.enum(['To', 'CC', 'None']).optional(),
});
/** A stored contact of a customer. */
export type StoredContact = z.infer<typeof StoredContactSchema>;

/** The tenant's logo, as the PDF embeds it and the HTML shows it (an inline part, never a URL). */
export interface StatementLogo {
  contentType: 'image/png' | 'image/jpeg';
  bytes: Uint8Array;
}

/** A tenant (one business): where its statements come from and how they are dated and priced. */
export const TenantRecordSchema = z.object({
  tenantId: TenantIdSchema,
  name: z.string(),
  fromEmail: EmailAddressSchema,
  timeZone: TimeZoneSchema,
  currency: CurrencySchema,
  locale: LocaleSchema.optional(),
  defaultStatementTemplateNumber: RecordNumberSchema.optional(),
  /** What its statements' letterhead says of it (PUT /v2/settings/statements). */
  address: StoredAddressSchema.optional(),
  vatNumber: z.string().optional(),
  companyNumber: z.string().optional(),
  phone: z.string().optional(),
  website: z.string().optional(),
  /** The display name of the From address; absent: the tenant's name. */
  fromName: z.string().optional(),
  /** Replies go here; absent: to the From address. */
  replyTo: z.string().optional(),
  /** A copy of every statement email goes here. */
  bcc: z.string().optional(),
  /** How to pay, printed on the statement as written (lines kept). */
  paymentInstructions: z.string().optional(),
  /** The online payment link (`#PAYONLINE#`, the statement's "Pay now"), with its placeholders. */
  paymentLink: z.string().optional(),
  /** Set when the tenant has a logo (its bytes are the `LOGO` item); the SHA-256 names its version. */
  logoContentType: z.enum(['image/png', 'image/jpeg']).optional(),
  logoSha256: z.string().optional(),
});
/** A stored tenant, as the request path and the worker read it back. */
export type TenantRecord = z.infer<typeof TenantRecordSchema>;

/**
 * Unknown `#TOKENS#` are refused at import (fixture.ts) but not here: when a stored template has
 * one, the worker fails the job with the template's name and the token, which is the better report.
 */
export const TemplateRecordSchema = z.object({
  number: RecordNumberSchema,
  name: z.string(),
  subject: z.string(),
  body: z.string(),
  isHtml: z.boolean(),
  /** The subject and body in other languages; a customer's statement uses the one in its language. */
  translations: z.array(z.object({ language: z.string(), subject: z.string(), body: z.string() })).optional(),
});
/** A stored email template, as the worker fills it. */
export type TemplateRecord = z.infer<typeof TemplateRecordSchema>;

/** A customer of a tenant, as the request path and the worker read it. */
export const CustomerRecordSchema = z.object({
  code: CustomerCodeSchema,
  name: z.string(),
  contactName: z.string().optional(),
  /** Not required to be a valid address: a bad one is reported per request. */
  email: z.string().optional(),
  emailTemplateNumber: RecordNumberSchema.optional(),
  /** The currency its documents are held in (fixed when it was created); absent: the tenant's. */
  currency: CurrencySchema.optional(),
  /** The language its statements are written in (BCP 47); absent: the tenant's locale's. */
  language: LocaleSchema.optional(),
  /** Its contacts; customers written before the ledger API have only `email`. */
  contacts: z.array(StoredContactSchema).optional(),
  /** Its addresses, the billing address first. */
  addresses: z.array(StoredAddressSchema).optional(),
});
/** A stored customer, as the request path judges it and the worker addresses it. */
export type CustomerRecord = z.infer<typeof CustomerRecordSchema>;

const SuppressionReasonSchema = z.enum(['Bounced', 'Complained']);

/**
 * A customer's suppressed addresses, one item per customer (so the request path reads them with
 * the customers, one key each): `addresses` maps each lower-cased address that bounced
 * (permanently) or complained to why and when. Items written before suppression was per address
 * hold one `address`, `reason` and `at`; both forms are read, and the map wins for an address in
 * both. A changed contact address is simply not in the map: nothing needs clearing.
 */
export const SuppressionRecordSchema = z
  .object({
    code: z.string(),
    addresses: z.record(z.string(), z.object({ reason: SuppressionReasonSchema, at: z.string() })).optional(),
    address: z.string().optional(),
    reason: SuppressionReasonSchema.optional(),
    at: z.string().optional(),
  })
  .transform(({ code, addresses = {}, address, reason, at = '' }) => {
    const suppressed = new Map<string, AddressSuppression>();
    if (address !== undefined && reason !== undefined) suppressed.set(addressKey(address), { reason, at });
    for (const [key, entry] of Object.entries(addresses)) suppressed.set(addressKey(key), entry);
    return { code, addresses: suppressed as SuppressedAddresses };
  });
/** A customer's suppressed addresses, by lower-cased address, as judging and the worker read them. */
export type SuppressionRecord = z.infer<typeof SuppressionRecordSchema>;

/** A customer note's number: KashFlow numbers notes per customer (the customer's counter gives them out). */
const NoteNumberSchema = z.number().int();

/** A customer note, KashFlow's `{Number, Date, LastModifiedBy, Text}` as stored. */
export const NoteRecordSchema = z.object({
  number: NoteNumberSchema,
  date: z.string(),
  text: z.string(),
  lastModifiedBy: z.string(),
});
/** A stored customer note, as the worker writes it and the notes endpoint answers it. */
export type NoteRecord = z.infer<typeof NoteRecordSchema>;

/** Money is held in integer minor units (pence, cents), never in floating point. */
const MinorUnitsSchema = z.number().int();

/**
 * What the worker reads of a stored invoice's projection (`INVOICE#<number>` in its customer's
 * partition): the attributes a statement needs, nothing else (the ledger queries project these).
 * Checked only for type: the ledger is read in pages of thousands, and the write path judged the
 * values when it wrote them. A negative total is a legacy credit note (old fixtures wrote them so).
 */
export const InvoiceRecordSchema = z.object({
  number: z.number().int(),
  issuedDate: z.string(),
  dueDate: z.string(),
  totalMinor: MinorUnitsSchema,
});
/** A stored invoice, as the ledger reads it back. */
export type InvoiceRecord = z.infer<typeof InvoiceRecordSchema>;

/**
 * What the worker reads of a stored credit note's projection (`CREDITNOTE#<number>`; see
 * InvoiceRecordSchema). A document of its own, numbered apart from invoices; its total is the
 * credit's size, positive. Its allocations to invoices are not read: the statement does not use them.
 */
export const CreditNoteRecordSchema = z.object({
  number: z.number().int(),
  issuedDate: z.string(),
  totalMinor: MinorUnitsSchema,
});
/** A stored credit note, as the ledger reads it back. */
export type CreditNoteRecord = z.infer<typeof CreditNoteRecordSchema>;

/**
 * What the worker reads of a stored payment's projection (`PAYMENT#<number>`; see
 * InvoiceRecordSchema): allocated to `invoiceNumber`, or on account when it has none.
 */
export const PaymentRecordSchema = z.object({
  number: z.number().int(),
  invoiceNumber: z.number().int().optional(),
  date: z.string(),
  amountMinor: MinorUnitsSchema,
});
/** A stored payment, as the ledger reads it back. */
export type PaymentRecord = z.infer<typeof PaymentRecordSchema>;

/** An API token's record, under the token's SHA-256 (the token itself is never stored). */
export const TokenRecordSchema = z.object({
  tenantId: TenantIdSchema,
  /** Epoch seconds after which the token is refused; absent: it does not expire. */
  expiresAt: z.number().int().optional(),
  revoked: z.boolean().optional(),
});
/** A stored API token, as the authorizer reads it. */
export type TokenRecord = z.infer<typeof TokenRecordSchema>;

/** The status belongs to domain/ (it decides it); offered here too, as batch and key records store it. */
export { type CustomerStatementEmailStatus, CustomerStatementEmailStatusSchema };

/** One POST's batch: its period and its answer, the statuses in request order. */
export const BatchRecordSchema = z.object({
  tenantId: z.string(),
  batchId: z.string(),
  createdAt: z.iso.datetime(),
  period: StatementPeriodSchema,
  statuses: z.array(CustomerStatementEmailStatusSchema),
});
/** A stored batch, as the batch status and a resumed request read it. */
export type BatchRecord = z.infer<typeof BatchRecordSchema>;

/**
 * One address of a sent job: the line it was on, and how far the email got to it (SES events move
 * it forward only, by `stateRank`; shared/domain/recipient-state.ts). `NotSent`: an address of the
 * customer that was left off, `detail` says why.
 */
export const JobRecipientSchema = z.object({
  address: z.string(),
  line: z.enum(['To', 'Cc', 'Bcc']),
  state: z.enum(RECIPIENT_STATES),
  stateRank: z.number().int(),
  /** Why it was left off, or the SES event that set its state (`Bounce: Permanent (General)`). */
  detail: z.string().optional(),
  /** When its state last changed. */
  at: z.string().optional(),
});
/** One recipient of a sent job, as stored on the job's record. */
export type JobRecipient = z.infer<typeof JobRecipientSchema>;

/** The worker's record of one job: its state, its claim and the sent marker (shared/aws/dynamodb-jobs.ts). */
export const JobRecordSchema = z.object({
  state: z.enum(JOB_STATES),
  owner: z.string().optional(),
  /** Epoch ms until which the owner's claim holds. */
  leaseUntil: z.number().optional(),
  attempts: z.number().int().default(0),
  sesMessageId: z.string().optional(),
  sentAt: z.string().optional(),
  /** Every address the email went to (and each customer address left off), in send order. */
  recipients: z.array(JobRecipientSchema).optional(),
  /** Records sent before `recipients`: the one address SES accepted the email for. */
  sentTo: z.string().optional(),
  reason: z.string().optional(),
  lastError: z.string().optional(),
  /** Set on a job left `Sending` when its last delivery failed: SES may have sent it. */
  deadLetterReason: z.string().optional(),
  noteNumber: NoteNumberSchema.optional(),
  bounceNoteNumber: NoteNumberSchema.optional(),
  complaintNoteNumber: NoteNumberSchema.optional(),
  /** The SES event that set the state (Delivery, Bounce, Complaint), in SES's words. */
  lastEvent: z.string().optional(),
  updatedAt: z.string(),
});
/** A stored job, as the worker, the SES events and the batch status read it. */
export type JobRecord = z.infer<typeof JobRecordSchema>;
