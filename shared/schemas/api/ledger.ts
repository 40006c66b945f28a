/**
 * The ledger API's answers (shared/http/ledger-api.ts): each record as stored and answered, the
 * lists and the bulk's results. Loaded by the OpenAPI generator only; the handler imports the
 * types. A record is answered as its write schema parsed it (defaults filled in, money as exact
 * decimal text, `Version` as given), so each record's answer is checked against the type its write
 * schema outputs (Assert below), and the handler's list and bulk bodies against these (satisfies).
 */
import * as z from 'zod';
import type { CustomerListMetaData, LedgerBatchResultBody } from '../../http/ledger-api.ts';
import type { LedgerResultWord } from '../../services/ledger/apply-ledger-operations.ts';
import { LEDGER_TYPES, type LedgerType } from '../../services/ledger/ledger-kinds.ts';
import { CustomerCodeSchema, MAX_RECORD_NUMBER } from '../fields.ts';
import {
  AllocationSchema,
  type CreditNote,
  CreditNoteSchema,
  type Customer,
  CustomerSchema,
  type EmailTemplate,
  EmailTemplateSchema,
  type Invoice,
  InvoiceSchema,
  LogoSchema,
  type Payment,
  PaymentSchema,
  type StatementSettings,
  StatementSettingsSchema,
} from '../ledger-records.ts';
import type { Assert, Exact, Same } from './same-type.ts';

/** Money as answered: exact decimal text with the currency's decimals (`"120.00"`). */
export const MoneyTextSchema = z.string();

/** A customer as stored: the write schema's own output (contacts, addresses and flags filled in). */
export const CustomerBodySchema = CustomerSchema;

/** An invoice as stored: `Total` as decimal text. */
export const InvoiceBodySchema = z.strictObject({ ...InvoiceSchema.shape, Total: MoneyTextSchema });

/** A credit note as stored: `Total` and each allocation's `Amount` as decimal text. */
export const CreditNoteBodySchema = z.strictObject({
  ...CreditNoteSchema.shape,
  Total: MoneyTextSchema,
  Allocations: z.array(z.strictObject({ ...AllocationSchema.shape, Amount: MoneyTextSchema })),
});

/** A payment as stored: its customer always named (an allocated payment's is its invoice's). */
export const PaymentBodySchema = z.strictObject({
  ...PaymentSchema.shape,
  CustomerCode: CustomerCodeSchema,
  Amount: MoneyTextSchema,
});

/** An email template as stored: the write schema's own output. */
export const EmailTemplateBodySchema = EmailTemplateSchema;

/** `GET /v2/emailtemplates/defaultStatementTemplate`: a template, or the built-in one (`Number` 0). */
export const DefaultStatementTemplateBodySchema = z.strictObject({
  ...EmailTemplateSchema.shape,
  Number: z.number().int().min(0).max(MAX_RECORD_NUMBER),
});

/** The logo as a PUT answers it: the stored record keeps its digest; the bytes are another item. */
export const LogoDigestBodySchema = z.strictObject({
  ContentType: LogoSchema.shape.ContentType,
  Sha256: z.string(),
});

/**
 * The statement settings as stored. `Logo` is answered with its bytes by a GET and with their
 * SHA-256 by a PUT. Before any were PUT, a GET answers what the tenant was created with, which
 * may lack `Locale`.
 */
export const StatementSettingsBodySchema = z.strictObject({
  ...StatementSettingsSchema.shape,
  Locale: StatementSettingsSchema.shape.Locale.unwrap().optional(),
  Logo: z.union([LogoSchema, LogoDigestBodySchema]).optional(),
});

/** `GET /v2/customers`: a page of customers, and the next page's URL unless this is the last. */
export const CustomerListBodySchema = z.strictObject({
  Data: z.array(CustomerBodySchema),
  MetaData: z.strictObject({ PerPage: z.number().int(), NextPageUrl: z.string().optional() }),
});

/** `GET /v2/emailtemplates`: every template, by number. */
export const EmailTemplateListBodySchema = z.array(EmailTemplateBodySchema);

/** `GET /v2/invoices/{number}/payments`: the payments allocated to the invoice, by number. */
export const PaymentListBodySchema = z.array(PaymentBodySchema);

/** What happened to one operation, in the order the bulk's Summary lists them. */
export const LEDGER_RESULT_WORDS = [
  'Created',
  'Updated',
  'Unchanged',
  'Deleted',
  'Stale',
  'NotFound',
  'Invalid',
  'Conflict',
] as const;

/** One operation's result in `POST /v2/ledger/batch`'s answer. */
export const LedgerOperationResultBodySchema = z.strictObject({
  Index: z.number().int().min(0),
  Type: z.enum(LEDGER_TYPES).optional(),
  Key: z.string().optional(),
  Result: z.enum(LEDGER_RESULT_WORDS),
  Message: z.string().optional(),
});

/** `POST /v2/ledger/batch`: every operation's result in request order, and how many of each. */
export const LedgerBatchResultBodySchema = z.strictObject({
  Results: z.array(LedgerOperationResultBodySchema),
  Summary: z.strictObject(
    Object.fromEntries(LEDGER_RESULT_WORDS.map((word) => [word, z.number().int().min(0)])) as Record<
      LedgerResultWord,
      z.ZodNumber
    >,
  ),
});

/** Compile-time check: the customer list's `MetaData` schema is the handler's type. */
export type CustomerListMatches = Assert<
  Exact<z.infer<typeof CustomerListBodySchema>['MetaData'], CustomerListMetaData>
>;
/** Compile-time check: the bulk's answer schema is the handler's type. */
export type LedgerBatchResultMatches = Assert<
  Exact<z.infer<typeof LedgerBatchResultBodySchema>, LedgerBatchResultBody>
>;

/** Compile-time check (CustomerMatches): the documented schema and the type the code answers with are the same. */
export type CustomerMatches = Assert<Exact<z.infer<typeof CustomerBodySchema>, Customer>>;
/** Compile-time check (InvoiceMatches): the documented schema and the type the code answers with are the same. */
export type InvoiceMatches = Assert<Exact<z.infer<typeof InvoiceBodySchema>, Invoice>>;
/** Compile-time check (CreditNoteMatches): the documented schema and the type the code answers with are the same. */
export type CreditNoteMatches = Assert<Exact<z.infer<typeof CreditNoteBodySchema>, CreditNote>>;
/** Compile-time check (PaymentMatches): the documented schema and the type the code answers with are the same. */
export type PaymentMatches = Assert<
  Exact<z.infer<typeof PaymentBodySchema>, Omit<Payment, 'CustomerCode'> & { CustomerCode: string }>
>;
/** Compile-time check (EmailTemplateMatches): the documented schema and the type the code answers with are the same. */
export type EmailTemplateMatches = Assert<Exact<z.infer<typeof EmailTemplateBodySchema>, EmailTemplate>>;
/** Compile-time check (StatementSettingsMatches): the documented schema and the type the code answers with are the same. */
export type StatementSettingsMatches = Assert<
  Exact<
    Omit<z.infer<typeof StatementSettingsBodySchema>, 'Locale' | 'Logo'>,
    Omit<StatementSettings, 'Locale' | 'Logo'>
  >
>;
/** Compile-time check (ResultWordsMatch): the documented schema and the type the code answers with are the same. */
export type ResultWordsMatch = Assert<Same<(typeof LEDGER_RESULT_WORDS)[number], LedgerResultWord>>;
/** Compile-time check (TypesMatch): the documented schema and the type the code answers with are the same. */
export type TypesMatch = Assert<
  Same<z.infer<typeof LedgerOperationResultBodySchema>['Type'], LedgerType | undefined>
>;
