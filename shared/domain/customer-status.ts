import * as z from 'zod';
import {
  type RecipientCustomer,
  type SuppressedAddresses,
  statementRecipients,
} from './statement-recipients.ts';

/** Parses the statuses stored with a batch or an Idempotency-Key before they are answered again. */
export const CustomerStatementEmailStatusSchema = z.object({
  CustomerCode: z.string(),
  Sent: z.boolean(),
  Message: z.string(),
});
/** KashFlow's status object, one per customer code of a bulk email request. */
export type CustomerStatementEmailStatus = z.infer<typeof CustomerStatementEmailStatusSchema>;

/** KashFlow's status messages, word for word. */
export const STATUS_MESSAGES = {
  markedToSend: 'Marked to send',
  invalidCode: 'Invalid customer code',
  invalidEmail: 'Invalid customer email address',
  notQueued: 'Could not queue statement, please retry',
  /** Beyond KashFlow (`skipnothingowed=1`), in the words of its scheduled statements' option. */
  nothingOwed: 'Nothing owed',
} as const;

/** Longest customer code looked up; KashFlow's codes are far shorter. */
export const MAX_CUSTOMER_CODE_LENGTH = 64;

/**
 * True when a code could name a customer at all. Others (empty, over-long, control characters,
 * text that is not well-formed Unicode) are reported `Invalid customer code` without a read, like
 * any unknown code, so that one bad code never stops the statements of the others (KashFlow's
 * "important feature" 3). Lone surrogates must never reach a key: every one of them encodes to
 * the same UTF-8 (U+FFFD), so two of them would be one DynamoDB key twice in a BatchGetItem.
 */
export function isLookupableCode(code: string): boolean {
  return code.length > 0 && code.length <= MAX_CUSTOMER_CODE_LENGTH && !/[\p{Cc}\p{Cs}]/u.test(code);
}

/**
 * The code as it can be stored: lone surrogates (which UTF-8 cannot carry) become U+FFFD, as
 * `String.prototype.toWellFormed` does. Only codes that were never looked up can contain them.
 */
export function toStorableCode(code: string): string {
  return code.replace(/\p{Cs}/gu, '\uFFFD');
}

/** Statuses as they are stored (batch record, Idempotency-Key record): every code well-formed. */
export function toStorableStatuses(
  statuses: readonly CustomerStatementEmailStatus[],
): CustomerStatementEmailStatus[] {
  return statuses.map((status) => ({ ...status, CustomerCode: toStorableCode(status.CustomerCode) }));
}

/**
 * Why a code is or is not emailed, decided once per code; toStatus words it as KashFlow does.
 * `nothingOwed`: `skipnothingowed=1` and the customer's closing balance is zero or in credit.
 */
export type CustomerVerdict = 'send' | 'invalidCode' | 'invalidEmail' | 'nothingOwed';

/**
 * Decides whether a statement can be emailed to a customer (undefined: no such customer). It can
 * while at least one valid, unsuppressed address is left for To or Cc (statement-recipients.ts);
 * an address that bounced or complained counts as invalid until the contact's address changes.
 * The tenant's Bcc copy does not count: it is not the customer's.
 */
export function judgeCustomer(
  customer: (RecipientCustomer & Record<string, unknown>) | undefined,
  suppressed?: SuppressedAddresses,
): CustomerVerdict {
  if (customer === undefined) return 'invalidCode';
  return statementRecipients(customer, { suppressed }).to.length === 0 ? 'invalidEmail' : 'send';
}

/** The one place a verdict becomes KashFlow's status object, so every path answers in its words. */
export function toStatus(
  customerCode: string,
  verdict: CustomerVerdict | 'notQueued',
): CustomerStatementEmailStatus {
  switch (verdict) {
    case 'send':
      return { CustomerCode: customerCode, Sent: true, Message: STATUS_MESSAGES.markedToSend };
    case 'invalidCode':
      return { CustomerCode: customerCode, Sent: false, Message: STATUS_MESSAGES.invalidCode };
    case 'invalidEmail':
      return { CustomerCode: customerCode, Sent: false, Message: STATUS_MESSAGES.invalidEmail };
    case 'notQueued':
      return { CustomerCode: customerCode, Sent: false, Message: STATUS_MESSAGES.notQueued };
    case 'nothingOwed':
      return { CustomerCode: customerCode, Sent: false, Message: STATUS_MESSAGES.nothingOwed };
  }
}
