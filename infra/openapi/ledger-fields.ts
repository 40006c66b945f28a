/**
 * What the ledger's field schemas hold that JSON Schema cannot read from them (their refinements:
 * a code's characters, a real date, money's digits, a known `#TOKEN#`), and what each field means.
 * Kept here, beside the generator, so no schema a Lambda bundle loads carries documentation; laid
 * onto the generated JSON Schema by field path, so only the ledger's components get them (the
 * field schemas are shared with other routes' components, which a registry entry would change).
 */
import { DEFAULT_PER_PAGE, MAX_BATCH_OPERATIONS } from '#shared/http/parse-ledger-request.ts';
import { MAX_BODY_LENGTH, MAX_NAME_LENGTH, MAX_RECORD_NUMBER } from '#shared/schemas/fields.ts';
import {
  MAX_DOCUMENT_MINOR,
  MAX_LOGO_BYTES,
  MAX_TEMPLATE_TRANSLATIONS,
} from '#shared/schemas/ledger-records.ts';
import type { JsonSchema, SchemaDoc } from './json-schema.ts';

/** No control characters (isLookupableCode: `\p{Cc}`), 1 to 64 of them. */
const CODE_RULE: SchemaDoc = {
  minLength: 1,
  maxLength: 64,
  pattern: '^[^\\u0000-\\u001F\\u007F-\\u009F]*$',
};
const NOT_BLANK = '\\S';
const DECIMAL = '^-?\\d+(\\.\\d+)?$';
const DATE: SchemaDoc = { format: 'date' };

const money = (what: string, positive: boolean): SchemaDoc => ({
  description: `${what}: a JSON number (\`120.5\`) or decimal text (\`"120.50"\`)${positive ? ', more than zero' : ''}, with at most the currency's decimals and at most ${MAX_DOCUMENT_MINOR} of its minor units (pence, cents); answered as exact decimal text with the currency's decimals (\`"120.50"\`).`,
  pattern: DECIMAL,
});

/**
 * Each field's documentation by its path (object fields joined by `.`, list items transparent);
 * a field takes the entry of the longest suffix of its path that has one (`Data.Contacts.Email`
 * takes `Contacts.Email`).
 */
export const RECORD_DOCS: Record<string, SchemaDoc> = {
  Code: {
    description:
      'The customer code: 1 to 64 characters with no control characters, kept exactly (`0065` is not `65`).',
    ...CODE_RULE,
  },
  CustomerCode: {
    description: "The customer's code (1 to 64 characters with no control characters, kept exactly).",
    ...CODE_RULE,
  },
  Number: {
    description: `The record's number, the source's own (so a retried write is the same record): a whole number from 1 to ${MAX_RECORD_NUMBER}.`,
  },
  InvoiceNumber: { description: 'The number of an invoice of this tenant.' },
  Name: { description: `Not blank; at most ${MAX_NAME_LENGTH} characters.`, pattern: NOT_BLANK },
  Contacts: {
    description:
      'Who statements go to: at most 20, at most one of them primary. XML items: `<Contact>` (any item name is read).',
  },
  'Contacts.Name': { description: 'May be blank.' },
  'Contacts.Email': {
    description:
      "The contact's address, checked as text only: a customer with a bad address is legitimate data, and the bulk email answers `Invalid customer email address` for it.",
  },
  'Contacts.IsPrimary': { description: 'The primary contact (at most one).' },
  'Contacts.StatementRecipient': {
    description:
      'How it receives statements: on the To line, copied, or not at all. Absent: `To` for the primary contact, `None` for the others.',
  },
  Addresses: { description: 'At most 10, the billing address first. XML items: `<Address>`.' },
  CountryCode: { description: 'An ISO 3166-1 alpha-2 code, such as `GB`.' },
  Currency: {
    description:
      'The currency, by an ISO 4217 code this runtime knows. A customer\'s (`{"Code":"GBP"}`) is fixed when it is created (absent: the tenant\'s then); a document\'s, if given, must be its customer\'s; the settings\' (`"GBP"`) is the tenant\'s, for customers created after.',
  },
  'Currency.Code': { description: 'An ISO 4217 code, such as `GBP`.', pattern: '^[A-Z]{3}$' },
  EmailTemplateNumber: {
    description: "The number of an email template of this tenant; absent: the settings' default template.",
  },
  PaymentTerms: { description: "KashFlow's payment terms." },
  'PaymentTerms.Days': {
    description: 'Days after the invoice date, or after the end of its month: 0 to 365.',
  },
  'PaymentTerms.Type': { description: 'What `Days` count from.' },
  Language: {
    description:
      "The language its statements are written in: a canonical BCP 47 tag this runtime can format money and dates in (`en`, `fr-BE`). Absent: the tenant's `Locale`.",
  },
  IsArchived: { description: 'Archived in the source system.' },
  Version: {
    description:
      "The source system's version of the record: a whole number from 0 to 2^53 − 1, or an ISO 8601 timestamp with a time zone and at most millisecond precision. A write older than the stored one is `Stale` and changes nothing; answered as given.",
  },
  IssuedDate: { description: 'The date it was issued: `YYYY-MM-DD`, a real date.', ...DATE },
  DueDate: { description: 'When it is due: `YYYY-MM-DD`, not before `IssuedDate`.', ...DATE },
  Date: { description: 'The payment date: `YYYY-MM-DD`, a real date.', ...DATE },
  Total: money("The document's total", false),
  'Allocations.Amount': money('The amount set against the invoice', true),
  Amount: money('The amount paid', true),
  Reference: { description: 'At most 100 characters.' },
  Method: { description: 'How it was paid, at most 100 characters.' },
  Allocations: {
    description:
      'Parts of the credit set against invoices of the same customer: at most 100, together at most `Total`. XML items: `<Allocation>`.',
  },
  'Allocations.InvoiceNumber': { description: "The number of an invoice of the credit note's customer." },
  Subject: {
    description:
      'The subject: not blank, at most 998 characters; every `#TOKEN#` one the renderer knows (`#NAME#`, `#CONTACT#`, `#BALANCE#`, …), refused when saved.',
    pattern: NOT_BLANK,
  },
  Body: {
    description: `The body: not blank; with the translations' bodies at most ${MAX_BODY_LENGTH} characters; every \`#TOKEN#\` one the renderer knows.`,
    pattern: NOT_BLANK,
  },
  IsHtml: { description: 'The body is HTML (values are HTML-escaped into it).' },
  Translations: {
    description: `Ours: the subject and body in other languages, at most ${MAX_TEMPLATE_TRANSLATIONS}, one per language. A customer's statement uses the one in its language (the exact tag, else the bare language, else another region of it), else the template's own. XML items: \`<Translation>\`.`,
  },
  'Translations.Language': { description: 'A canonical BCP 47 tag, one per translation.' },
  CompanyName: {
    description: `The tenant's name on its statements: not blank, at most ${MAX_NAME_LENGTH} characters.`,
    pattern: NOT_BLANK,
  },
  Address: { description: 'The letterhead address.' },
  TimeZone: {
    description: 'An IANA time zone this runtime knows, such as `Europe/London`: "today" for periods.',
  },
  Locale: {
    description: 'A canonical BCP 47 tag this runtime can format money and dates in (default `en-GB`).',
  },
  FromName: { description: "The From address's display name (the address itself is the operator's)." },
  ReplyTo: { description: 'Replies go here: a valid email address. Absent: the From address.' },
  Bcc: { description: 'A copy of every statement email goes here: a valid email address.' },
  PaymentInstructions: { description: 'Printed line by line under "How to pay"; at most 2,000 characters.' },
  PaymentLink: {
    description:
      'Ours: the statement\'s "Pay now" and `#PAYONLINE#`: an https URL of at most 2,000 characters that may hold `{CustomerCode}`, `{Amount}`, `{Currency}` and `{StatementDate}` after its host, each filled percent-encoded per statement; any other `{…}` is refused.',
    pattern: '^https://',
  },
  Logo: {
    description: `PNG or JPEG, at most ${MAX_LOGO_BYTES} bytes decoded, a complete image of at most 2,000 × 2,000 pixels.`,
  },
  'Logo.Data': { description: 'The image, base64.' },
  'Logo.Sha256': { description: "The image's SHA-256 (hex): a PUT answers this instead of the bytes." },
  DefaultStatementTemplateNumber: {
    description:
      'The number of the email template a customer without its own is sent (an email template of this tenant); absent: the built-in one.',
  },
  Data: { description: 'The customers of this page, by code.' },
  'MetaData.PerPage': { description: `The page size asked for (default ${DEFAULT_PER_PAGE}).` },
  'MetaData.NextPageUrl': {
    description:
      "The next page, relative to the API's base URL (the stage or custom domain base path included); absent on the last page.",
  },
  Results: { description: 'One result per operation, in request order. XML items: `<Result>`.' },
  'Results.Index': { description: "The operation's place in the request, from 0." },
  'Results.Type': { description: "The operation's `Type`, when it could be read." },
  'Results.Key': { description: "The record's `Code` or `Number`, as text, when it could be read." },
  'Results.Result': { description: 'What happened to the operation.' },
  'Results.Message': {
    description: 'Why, for `Invalid` (each field and its rule), `Stale`, `NotFound` and `Conflict`.',
  },
  Summary: { description: 'How many operations had each result.' },
  Action: { description: '`Upsert` or `Delete`.' },
  Type: { description: 'The record type.' },
};

/** The bulk body's own documentation. */
export const LEDGER_BATCH_DOC: SchemaDoc = {
  description: `Up to ${MAX_BATCH_OPERATIONS} operations, each an Upsert or a Delete of one record; any other field of an operation is that operation's \`Invalid\`.`,
};

const isObject = (value: unknown): value is JsonSchema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function docFor(path: string[], docs: Record<string, SchemaDoc>): SchemaDoc | undefined {
  for (let start = 0; start < path.length; start += 1) {
    const doc = docs[path.slice(start).join('.')];
    if (doc !== undefined) return doc;
  }
  return undefined;
}

/**
 * The schema with each field's documentation (its description first, then its keywords), walking
 * objects, list items and unions; a `$ref` is left alone (its component is documented itself).
 * Base64 text is described by `contentEncoding` alone.
 */
export function describeFields(
  schema: JsonSchema,
  docs: Record<string, SchemaDoc>,
  path: string[] = [],
): JsonSchema {
  if (typeof schema.$ref === 'string') return schema;
  const next: JsonSchema = { ...schema };
  // zod writes base64 text as OpenAPI 3.0's `format: base64` beside 2020-12's `contentEncoding`;
  // 3.1 has only the latter, and validators refuse a format they do not know.
  if (next.format === 'base64' && next.contentEncoding === 'base64') delete next.format;
  if (isObject(next.properties)) {
    next.properties = Object.fromEntries(
      Object.entries(next.properties).map(([name, child]) => {
        if (!isObject(child)) return [name, child];
        const childPath = [...path, name];
        const described = describeFields(child, docs, childPath);
        const doc = typeof child.$ref === 'string' ? undefined : docFor(childPath, docs);
        if (doc === undefined) return [name, described];
        const { description, ...keywords } = doc;
        return [name, { ...(description === undefined ? {} : { description }), ...described, ...keywords }];
      }),
    );
  }
  if (isObject(next.items)) next.items = describeFields(next.items, docs, path);
  for (const union of ['anyOf', 'oneOf'] as const) {
    const options = next[union];
    if (Array.isArray(options))
      next[union] = options.map((option) => (isObject(option) ? describeFields(option, docs, path) : option));
  }
  return next;
}
