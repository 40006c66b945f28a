/**
 * Who a customer's statement email goes to, decided in one place for the request path's verdict,
 * the dry run, the composed message's headers and the worker's record of the send.
 *
 * - To: the contacts marked `To`, the primary contact first (a primary contact with no
 *   `StatementRecipient` is `To`); Cc: the contacts marked `CC`, in their order. A customer with
 *   no contacts (written before the ledger API) has its `email` on To.
 * - Every address is checked (`isValidEmailAddress`); an invalid one, or one that bounced or
 *   complained before (the customer's suppressions), is left off and reported in `dropped`.
 * - Addresses are compared without letter case: an address is on one line only, the first it
 *   comes on (To before Cc before Bcc).
 * - When no contact is left on To but some are on Cc, the first Cc is moved to To (`promoted`): a
 *   message with only copies has no addressee.
 * - Bcc: the tenant's copy address, which is never a header, only an envelope destination.
 */
import { isValidEmailAddress } from './email-address.ts';

/** The line an address is on; `Bcc` is an envelope destination only, never a header. */
export type RecipientLine = 'To' | 'Cc' | 'Bcc';

/** An address and its display name. */
export interface StatementMailbox {
  name?: string | undefined;
  address: string;
}

/** One address the statement goes to, and on which line. */
export interface StatementRecipient extends StatementMailbox {
  line: RecipientLine;
}

/** Why an address of the customer was left off. */
export type DropReason = 'Invalid' | 'Bounced' | 'Complained' | 'OverLimit';

/** An address left off the statement, with the line it would have been on and why. */
export interface DroppedRecipient extends StatementRecipient {
  reason: DropReason;
}

/** Who the statement goes to, and who it does not go to and why. */
export interface StatementRecipients {
  to: StatementRecipient[];
  cc: StatementRecipient[];
  bcc: StatementRecipient[];
  dropped: DroppedRecipient[];
  /** True when no contact was on To and the first Cc was moved there. */
  promoted: boolean;
}

/** What suppressing an address remembers; the map of them is keyed by `addressKey`. */
export interface AddressSuppression {
  reason: 'Bounced' | 'Complained';
  at: string;
}

/** A customer's suppressed addresses, keyed by `addressKey` (lower-cased). */
export type SuppressedAddresses = ReadonlyMap<string, AddressSuppression>;

/** A contact as stored (records.ts StoredContact), or any record with the same fields. */
export interface RecipientContact {
  Name?: string | undefined;
  Email?: string | undefined;
  IsPrimary?: boolean | undefined;
  StatementRecipient?: 'To' | 'CC' | 'None' | undefined;
}

/** What addressing needs of a customer record. */
export interface RecipientCustomer {
  name: string;
  contactName?: string | undefined;
  email?: string | undefined;
  contacts?: readonly RecipientContact[] | undefined;
}

/** What addressing needs of a tenant record. */
export interface SenderTenant {
  name: string;
  fromEmail: string;
  fromName?: string | undefined;
  replyTo?: string | undefined;
  bcc?: string | undefined;
}

/** SES refuses a message with more than 50 recipients (To, Cc and Bcc together). */
export const MAX_RECIPIENTS = 50;

/** Addresses are compared, and suppressions keyed, without letter case. */
export const addressKey = (address: string): string => address.toLowerCase();

/**
 * The primary contact: the one marked primary, else the first marked To, else the first (the
 * ledger API's rule for the customer's `email` and `contactName`).
 */
export function primaryOf<C extends Pick<RecipientContact, 'IsPrimary' | 'StatementRecipient'>>(
  contacts: readonly C[],
): C | undefined {
  return (
    contacts.find((contact) => contact.IsPrimary === true) ??
    contacts.find((contact) => contact.StatementRecipient === 'To') ??
    contacts[0]
  );
}

/** The customer's contacts on each line, primary first; a customer without contacts has its `email` on To. */
function linesOf(customer: RecipientCustomer): { to: StatementMailbox[]; cc: StatementMailbox[] } {
  const mailbox = (contact: RecipientContact): StatementMailbox => ({
    name: contact.Name ?? customer.name,
    address: contact.Email ?? '',
  });
  const contacts = customer.contacts ?? [];
  if (contacts.length === 0) {
    if (customer.email === undefined) return { to: [], cc: [] };
    return { to: [{ name: customer.contactName ?? customer.name, address: customer.email }], cc: [] };
  }
  const primary = primaryOf(contacts);
  const lineOf = (contact: RecipientContact) =>
    contact.StatementRecipient ?? (contact === primary ? 'To' : 'None');
  const ordered = primary === undefined ? contacts : [primary, ...contacts.filter((c) => c !== primary)];
  return {
    to: ordered.filter((contact) => lineOf(contact) === 'To').map(mailbox),
    cc: contacts.filter((contact) => lineOf(contact) === 'CC').map(mailbox),
  };
}

/**
 * The statement's recipients: the customer's To and Cc contacts less invalid and suppressed
 * addresses, and the tenant's `bcc` copy. No To left means `Invalid customer email address`.
 */
export function statementRecipients(
  customer: RecipientCustomer,
  options: { bcc?: string | undefined; suppressed?: SuppressedAddresses | undefined } = {},
): StatementRecipients {
  const { suppressed } = options;
  const result: StatementRecipients = { to: [], cc: [], bcc: [], dropped: [], promoted: false };
  const seen = new Set<string>();
  let count = 0;
  const consider = (mailbox: StatementMailbox, line: RecipientLine, kept: StatementRecipient[]) => {
    const key = addressKey(mailbox.address);
    if (key !== '' && seen.has(key)) return;
    if (key !== '') seen.add(key);
    const recipient: StatementRecipient = { ...mailbox, line };
    const suppression = line === 'Bcc' ? undefined : suppressed?.get(key);
    if (!isValidEmailAddress(mailbox.address)) result.dropped.push({ ...recipient, reason: 'Invalid' });
    else if (suppression !== undefined) result.dropped.push({ ...recipient, reason: suppression.reason });
    else if (count >= MAX_RECIPIENTS) result.dropped.push({ ...recipient, reason: 'OverLimit' });
    else {
      kept.push(recipient);
      count += 1;
    }
  };
  const { to, cc } = linesOf(customer);
  for (const mailbox of to) consider(mailbox, 'To', result.to);
  for (const mailbox of cc) consider(mailbox, 'Cc', result.cc);
  const [first, ...others] = result.cc;
  if (result.to.length === 0 && first !== undefined) {
    result.to = [{ ...first, line: 'To' }];
    result.cc = others;
    result.promoted = true;
  }
  if (options.bcc !== undefined) consider({ address: options.bcc }, 'Bcc', result.bcc);
  return result;
}

/**
 * The customer as it is addressed now: its contacts are exactly the To and Cc recipients left
 * (suppressed and invalid addresses gone, a promotion made), so that addressing it again, as
 * composing the message does without its suppressions, finds the same To and Cc.
 */
export function addressedCustomer<C extends RecipientCustomer>(
  customer: C,
  recipients: StatementRecipients,
): C {
  const contact = (recipient: StatementRecipient, index: number) => ({
    Name: recipient.name,
    Email: recipient.address,
    IsPrimary: recipient.line === 'To' && index === 0,
    StatementRecipient: recipient.line === 'To' ? ('To' as const) : ('CC' as const),
  });
  return { ...customer, contacts: [...recipients.to, ...recipients.cc].map(contact) };
}

/** Every address the message is sent to, To then Cc then Bcc: SES's envelope destinations. */
export function sentRecipients(recipients: StatementRecipients): StatementRecipient[] {
  return [...recipients.to, ...recipients.cc, ...recipients.bcc];
}

/**
 * The From and Reply-To of the tenant's statements: its `fromName` (else its name) on its From
 * address; its `replyTo` when set and valid (else replies go to the From address).
 */
export function statementSender(tenant: SenderTenant): {
  from: StatementMailbox;
  replyTo?: StatementMailbox;
} {
  const from = { name: tenant.fromName ?? tenant.name, address: tenant.fromEmail };
  if (!isValidEmailAddress(tenant.replyTo) || addressKey(tenant.replyTo) === addressKey(tenant.fromEmail)) {
    return { from };
  }
  return { from, replyTo: { address: tenant.replyTo } };
}

/** Why an address was left off, in words (a job's recipient line in the batch status says this). */
export const DROP_REASONS: Record<DropReason, string> = {
  Invalid: 'Not a valid email address',
  Bounced: 'Bounced before',
  Complained: 'Complained before',
  OverLimit: `Over SES's limit of ${MAX_RECIPIENTS} recipients`,
};

/**
 * Why the customer's addresses were left off, in words for a job's reason; never the addresses
 * (reasons are logged). The tenant's Bcc is not the customer's and is not counted.
 */
export function describeDropped(dropped: readonly DroppedRecipient[]): string {
  const customers = dropped.filter((recipient) => recipient.line !== 'Bcc');
  if (customers.length === 0) return 'no address for statements';
  const counts = new Map<DropReason, number>();
  for (const { reason } of customers) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  return [...counts].map(([reason, count]) => `${count} ${DROP_REASONS[reason].toLowerCase()}`).join(', ');
}
