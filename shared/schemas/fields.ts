/**
 * The rules of the fields a statement depends on, one definition each. The fixture (where data
 * comes in) and the stored records (where it is read back) both use them, so that whatever loads
 * can be rendered, and a record that was changed behind the importer's back is caught by the same
 * rule when it is read.
 */
import * as z from 'zod';
import { isTimeZone } from '../domain/calendar-date.ts';
import { isLookupableCode } from '../domain/customer-status.ts';
import { isValidEmailAddress } from '../domain/email-address.ts';

/**
 * False for text with a lone surrogate (JSON's `"\ud800"`): it has no UTF-8 form, so DynamoDB,
 * the MIME message and the PDF would each store or show something else.
 */
export function isWellFormedText(text: string): boolean {
  return !/\p{Cs}/u.test(text);
}

/** Any stored text: valid Unicode; later checks run only on text that is. */
export const TextSchema = z
  .string()
  .refine(isWellFormedText, { message: 'must be valid Unicode text (no lone surrogates)', abort: true });

/**
 * Names and other free text shown in a statement. The cap keeps every item far inside DynamoDB's
 * 400 KB item limit, so that no write of a validated fixture can fail half way.
 */
export const MAX_NAME_LENGTH = 1_000;
/** Names shown on a statement: not blank, and capped so a fixture item fits DynamoDB's 400 KB limit. */
export const NameSchema = TextSchema.refine((text) => text.trim() !== '', {
  message: 'must not be blank',
  abort: true,
}).max(MAX_NAME_LENGTH, { message: `must be at most ${MAX_NAME_LENGTH} characters` });

/** Optional free text (a contact name, a customer's address as entered): may be blank, not huge. */
export const OptionalTextSchema = TextSchema.max(MAX_NAME_LENGTH, {
  message: `must be at most ${MAX_NAME_LENGTH} characters`,
});

/** A tenant id starts every key (`TENANT#id`): lower-case letters, digits and dashes, so never a `#`. */
export const TenantIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { message: 'must be lower-case letters, digits and dashes' });

/** Only codes a request can look up (isLookupableCode) are loaded, so every customer can be emailed. */
export const CustomerCodeSchema = TextSchema.refine(isLookupableCode, {
  message: 'must be 1 to 64 characters with no control characters',
});

/** Sort keys pad invoice and template numbers to ten digits (table-keys.ts) so that they sort as numbers. */
export const MAX_RECORD_NUMBER = 9_999_999_999;
const RECORD_NUMBER_RULE = `must be a whole number from 1 to ${MAX_RECORD_NUMBER}`;
/** Positive whole numbers of at most ten digits, so that their zero-padded sort keys sort as numbers. */
export const RecordNumberSchema = z
  .number({ message: RECORD_NUMBER_RULE })
  .int({ message: RECORD_NUMBER_RULE })
  .min(1, { message: RECORD_NUMBER_RULE })
  .max(MAX_RECORD_NUMBER, { message: RECORD_NUMBER_RULE });

/** A tenant's From address, held to the rule the request path applies to a customer's address. */
export const EmailAddressSchema = z
  .string()
  .refine(isValidEmailAddress, { message: 'must be a valid email address' });

/** The tenant's time zone decides "today" for its periods; it must be one this runtime's Intl knows. */
export const TimeZoneSchema = z
  .string()
  .refine(isTimeZone, { message: 'must be an IANA time zone such as Europe/London' });

let currencies: ReadonlySet<string> | undefined;

/**
 * True for an ISO 4217 code this runtime's Intl knows. `Intl.NumberFormat` alone would format any
 * three capital letters (`XYZ`), so the list of supported values decides.
 */
export function isKnownCurrency(code: string): boolean {
  currencies ??= new Set(Intl.supportedValuesOf('currency'));
  return currencies.has(code);
}

/** The tenant's currency decides minor units and money format: an ISO 4217 code Intl knows. */
export const CurrencySchema = z
  .string()
  .refine(isKnownCurrency, { message: 'must be an ISO 4217 currency code such as GBP' });

/**
 * Why a locale cannot be used for a statement, or `undefined` when it can: a BCP 47 tag
 * (`Intl.getCanonicalLocales`), written in its canonical form, that this runtime's Intl can format
 * money and dates in (otherwise Intl would quietly fall back to another language).
 */
export function localeProblem(tag: string): string | undefined {
  let canonical: string | undefined;
  try {
    [canonical] = Intl.getCanonicalLocales(tag);
  } catch {
    return 'must be a BCP 47 language tag such as en-GB';
  }
  if (canonical === undefined) return 'must be a BCP 47 language tag such as en-GB';
  if (canonical !== tag) return `must be written ${canonical}`;
  const supported =
    Intl.NumberFormat.supportedLocalesOf(tag).length > 0 &&
    Intl.DateTimeFormat.supportedLocalesOf(tag).length > 0;
  return supported ? undefined : 'must be a locale this runtime can format money and dates in, such as en-GB';
}

/** A canonical BCP 47 tag Intl can format, so statements never fall back to another language unseen. */
export const LocaleSchema = z.string().superRefine((tag, context) => {
  const problem = localeProblem(tag);
  if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
});

/** RFC 5322 caps a header line at 998 characters; the subject must fit before its tokens are filled. */
export const SubjectSchema = TextSchema.refine((text) => text.trim() !== '', {
  message: 'must not be blank',
  abort: true,
}).max(998, { message: 'must be at most 998 characters' });

/** A template body; the cap keeps the template item far inside DynamoDB's 400 KB (3 bytes a character at most). */
export const MAX_BODY_LENGTH = 100_000;
/** A template body: not blank, and capped so that the template item fits DynamoDB's 400 KB limit. */
export const BodySchema = TextSchema.refine((text) => text.trim() !== '', {
  message: 'must not be blank',
  abort: true,
}).max(MAX_BODY_LENGTH, { message: `must be at most ${MAX_BODY_LENGTH} characters` });
