/**
 * What a statement says, as the values of a template's tokens, the table's rows and the document
 * around them, every word in the statement's language and every figure formatted in its currency
 * and locale (labels.ts). statement-html.ts lays it out as the email's HTML and text.
 */
import { formatMoney, minorDigits, toDecimalText } from '../domain/money.ts';
import { paymentLinkProblem } from '../domain/payment-link.ts';
import { movementTotals, type OpenItem, type Statement, type StatementLine } from '../domain/statement.ts';
import { statementTypeOf } from '../domain/statement-period.ts';
import type { TokenValues } from '../domain/template.ts';
import type { StatementLogo, StoredAddress } from '../schemas/records.ts';
import { type HeadingLabels, labelsFor, type StatementLabels } from './labels.ts';

/** The tenant's logo (shared/schemas/records.ts), offered with the content that carries it. */
export type { StatementLogo };

/** What the tenant's statement settings say of it, for the letterhead and "How to pay"; all optional. */
export interface TenantDetails {
  address?: StoredAddress | undefined;
  vatNumber?: string | undefined;
  companyNumber?: string | undefined;
  phone?: string | undefined;
  website?: string | undefined;
  /** Where replies go; shown in the letterhead as the tenant's email address. */
  email?: string | undefined;
  paymentInstructions?: string | undefined;
  /** The payment link with its placeholders (PAYMENT_LINK_PLACEHOLDERS), filled per statement. */
  paymentLink?: string | undefined;
  logo?: StatementLogo | undefined;
}

/** Who the statement is from and to, and the currency and locale its figures are written in. */
export interface StatementParties {
  company: string;
  customerCode: string;
  customerName: string;
  contactName: string | undefined;
  currency: string;
  /** The statement's locale (labels.ts statementLocale): its words' language and its figures' format. */
  locale: string;
  /** The tenant's letterhead and payment details; absent: the letterhead is its name alone. */
  tenant?: TenantDetails | undefined;
  /** The customer's billing address (its first address). */
  billingAddress?: StoredAddress | undefined;
}

/** A caption and its value: a fact of the customer block, a summary figure, a field of the slip. */
export interface LabelledValue {
  label: string;
  value: string;
}

/**
 * The statement as a document, described once for the PDF, the HTML and the text, which lay it
 * out each in its own way but print the same words and figures.
 */
export interface StatementDocument {
  /** The document's heading ("Statement", "Statement of open items"). */
  heading: string;
  /** Who it is from: the tenant's name, logo, address, contact details and registration numbers. */
  letterhead: {
    name: string;
    logo?: StatementLogo | undefined;
    /** The postal address, one line each. */
    address: string[];
    /** Phone, email, website, each captioned as needed ("Tel 020 7946 0000"). */
    contact: string[];
    /** "VAT number GB123456789", "Company number 01234567". */
    registration: string[];
  };
  /** Who it is to: the customer's name and billing address. */
  recipient: { name: string; address: string[] };
  /** Account code, statement date and (activity statements) the period. */
  facts: LabelledValue[];
  /**
   * Activity statements: opening balance, invoiced, credit notes, payments received, closing
   * balance (opening + invoiced − credits − payments = closing). Outstanding ones: none.
   */
  summary: LabelledValue[];
  /** The amount due and how much of it is overdue, shown prominently; "In credit" when negative. */
  amountDue: LabelledValue;
  overdue: LabelledValue;
  /** Whether the customer owes anything (a "Pay now" and a slip only then make sense). */
  owes: boolean;
  /** How to pay: the tenant's instructions (its lines) and the filled payment link, when set. */
  howToPay: { instructions: string[]; link?: string | undefined } | undefined;
  /** The remittance advice slip at the foot of the last page: customer, account, date, amount due. */
  remittance: LabelledValue[];
}

/** One table row, formatted once for the HTML, the plain text and the PDF, so that all three agree. */
export interface FormattedLine {
  date: string;
  type: string;
  reference: string;
  due: string;
  debit: string;
  credit: string;
  balance: string;
  /**
   * What a page ending after this row carries forward (and the next brings forward): the running
   * balance of an activity statement, the running total of what is open on an outstanding one.
   */
  carried: string;
}

/** The table's column headings, which depend on the statement type (the rows' model does not). */
export type ColumnHeadings = HeadingLabels;

/** What the statement says, formatted for people: token values and the table, for the email and the PDF. */
export interface StatementContent {
  tokens: TokenValues;
  /** The table's headings, for the HTML, the text and the PDF alike. */
  headings: ColumnHeadings;
  /**
   * The table rows: an activity statement's opening balance, movements and closing balance; an
   * outstanding statement's open items and the total owed.
   */
  rows: FormattedLine[];
  ageing: { label: string; amount: string }[];
  title: string;
  /** The words of the statement's language, for what the PDF prints beyond the content. */
  labels: StatementLabels;
  /** Everything around the table: letterhead, customer block, summary, how to pay, the slip. */
  document: StatementDocument;
}

function formatDate(date: string, locale: string): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return new Intl.DateTimeFormat(locale, {
    day: '2-digit',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(year, month - 1, day)));
}

/**
 * The Type and Invoice columns of a line. The Invoice column holds invoice numbers only: the
 * invoice the line is or pays (a legacy credit note is an invoice with a negative total). A
 * credit note has a number of its own, so it is named in the Type column ("Credit note 5"),
 * where it cannot be read as invoice 5; a payment on account has no invoice.
 */
function describeLine(
  line: StatementLine | OpenItem,
  kinds: StatementLabels['lineKinds'],
): { type: string; reference: string } {
  if (line.creditNoteNumber !== undefined) {
    return { type: `${kinds[line.kind]} ${line.creditNoteNumber}`, reference: '' };
  }
  return {
    type: kinds[line.kind],
    reference: line.invoiceNumber === undefined ? '' : String(line.invoiceNumber),
  };
}

/**
 * C0 and C1 control characters but tab, line feed and carriage return: stored names may hold them
 * (the ledger's text rules read back what older data holds), and no document should print them.
 */
const CONTROL = /(?![\t\n\r])\p{Cc}/gu;

/** Text without control characters (CONTROL). */
export const printable = (text: string): string => text.replace(CONTROL, '');

const printableAddress = (address: StoredAddress | undefined): StoredAddress | undefined =>
  address === undefined
    ? undefined
    : Object.fromEntries(
        Object.entries(address).map(([key, value]) => [
          key,
          typeof value === 'string' ? printable(value) : value,
        ]),
      );

/**
 * The parties with every text the document prints made printable once, so that the PDF, the
 * HTML and the text parts, which all draw from the content, never show a control character.
 */
function printableParties(parties: StatementParties): StatementParties {
  const text = (value: string | undefined) => (value === undefined ? undefined : printable(value));
  const { tenant } = parties;
  return {
    ...parties,
    company: printable(parties.company),
    customerName: printable(parties.customerName),
    contactName: text(parties.contactName),
    billingAddress: printableAddress(parties.billingAddress),
    tenant:
      tenant === undefined
        ? undefined
        : {
            ...tenant,
            address: printableAddress(tenant.address),
            vatNumber: text(tenant.vatNumber),
            companyNumber: text(tenant.companyNumber),
            phone: text(tenant.phone),
            website: text(tenant.website),
            paymentInstructions: text(tenant.paymentInstructions),
          },
  };
}

/**
 * Formats a statement for people: token values, table rows, ageing. Debits, credits, ageing and
 * `#OVERDUE#` are never negative (see Ageing); the balances (`#BALANCE#`, `#OPENINGBALANCE#`, the
 * Balance column) are signed, negative when the customer is in credit.
 */
export function describeStatement(statement: Statement, given: StatementParties): StatementContent {
  const parties = printableParties(given);
  const money = (minor: number) => formatMoney(minor, parties.currency, parties.locale);
  const date = (iso: string) => formatDate(iso, parties.locale);
  const labels = labelsFor(parties.locale);
  const { period } = statement;
  const startLabel = period.filterAll ? labels.beginning : date(period.start);
  const endLabel = period.filterAll ? date(statement.asOf) : date(period.end);
  const contact = parties.contactName?.trim() || parties.customerName;
  const [firstName = contact, ...rest] = contact.split(/\s+/);
  const toRow = (line: StatementLine): FormattedLine => ({
    date: date(line.date),
    ...describeLine(line, labels.lineKinds),
    due: line.dueDate === undefined ? '' : date(line.dueDate),
    debit: line.debitMinor === 0 ? '' : money(line.debitMinor),
    credit: line.creditMinor === 0 ? '' : money(line.creditMinor),
    balance: money(line.balanceMinor),
    carried: money(line.balanceMinor),
  });
  /** An open item: its own amount and what is open signed as balances are; what was paid on it, as paid. */
  let openSoFar = 0;
  const toOpenRow = (item: OpenItem): FormattedLine => {
    openSoFar += item.openMinor;
    return {
      date: date(item.date),
      ...describeLine(item, labels.lineKinds),
      due: item.dueDate === undefined ? '' : date(item.dueDate),
      debit: money(item.originalMinor),
      credit: item.paidMinor === 0 ? '' : money(item.paidMinor),
      balance: money(item.openMinor),
      carried: money(openSoFar),
    };
  };
  const balanceRow = (label: string, on: string, minor: number): FormattedLine => ({
    date: on,
    type: label,
    reference: '',
    due: '',
    debit: '',
    credit: '',
    balance: money(minor),
    carried: money(minor),
  });
  const outstanding = statementTypeOf(period) === 'outstanding';
  const rows = outstanding
    ? [
        ...(statement.openItems ?? []).map(toOpenRow),
        balanceRow(
          statement.closingMinor < 0 ? labels.inCredit : labels.totalOwed,
          endLabel,
          statement.closingMinor,
        ),
      ]
    : [
        balanceRow(labels.openingBalance, period.filterAll ? '' : date(period.start), statement.openingMinor),
        ...statement.lines.map(toRow),
        balanceRow(labels.closingBalance, endLabel, statement.closingMinor),
      ];
  const document = describeDocument(statement, parties, labels, {
    money,
    statementDate: date(statement.asOf),
    period: labels.document.periodRange(startLabel, endLabel),
    outstanding,
  });
  return {
    document,
    title: outstanding
      ? labels.outstandingTitle(parties.customerName, parties.customerCode, endLabel)
      : labels.activityTitle(parties.customerName, parties.customerCode, startLabel, endLabel),
    headings: outstanding ? labels.outstandingHeadings : labels.activityHeadings,
    labels,
    tokens: {
      NAME: parties.customerName,
      CONTACT: contact,
      FIRSTNAME: firstName,
      LASTNAME: rest.join(' '),
      CUSTCODE: parties.customerCode,
      COMPANY: parties.company,
      STARTDATE: startLabel,
      ENDDATE: endLabel,
      STATEMENTDATE: date(statement.asOf),
      OPENINGBALANCE: money(statement.openingMinor),
      BALANCE: money(statement.closingMinor),
      OVERDUE: money(statement.overdueMinor),
      PAYONLINE: document.howToPay?.link ?? '',
    },
    rows,
    ageing: [
      { label: labels.ageing.current, amount: money(statement.ageing.currentMinor) },
      { label: labels.ageing.days1To30, amount: money(statement.ageing.days1To30Minor) },
      { label: labels.ageing.days31To60, amount: money(statement.ageing.days31To60Minor) },
      { label: labels.ageing.days61To90, amount: money(statement.ageing.days61To90Minor) },
      { label: labels.ageing.over90, amount: money(statement.ageing.over90Minor) },
      ...(statement.ageing.unappliedCreditMinor > 0
        ? [{ label: labels.ageing.unappliedCredit, amount: money(statement.ageing.unappliedCreditMinor) }]
        : []),
      statement.closingMinor < 0
        ? { label: labels.inCredit, amount: money(-statement.closingMinor) }
        : { label: labels.ageing.totalDue, amount: money(statement.closingMinor) },
    ],
  };
}

/** An address as lines: its lines, town with county, postcode, and the country's name in the locale. */
export function addressLines(address: StoredAddress | undefined, locale: string): string[] {
  if (address === undefined) return [];
  const country =
    address.CountryCode === undefined
      ? undefined
      : (new Intl.DisplayNames([locale], { type: 'region' }).of(address.CountryCode) ?? address.CountryCode);
  return [
    address.Line1,
    address.Line2,
    address.Line3,
    [address.Town, address.County].filter(Boolean).join(', '),
    address.PostCode,
    country,
  ].filter((line): line is string => line !== undefined && line.trim() !== '');
}

/**
 * The payment link for one statement: each placeholder filled, percent-encoded. The amount is a
 * plain decimal in the currency's minor units (`1730.50`, `12000` for JPY), zero when nothing is owed.
 */
export function fillPaymentLink(
  link: string,
  values: { customerCode: string; amountMinor: number; currency: string; statementDate: string },
): string {
  const filled: Record<string, string> = {
    '{CustomerCode}': values.customerCode,
    '{Amount}': toDecimalText(Math.max(values.amountMinor, 0), minorDigits(values.currency)),
    '{Currency}': values.currency,
    '{StatementDate}': values.statementDate,
  };
  return link.replace(/\{[A-Za-z]+\}/g, (placeholder) =>
    placeholder in filled ? encodeURIComponent(filled[placeholder] ?? '') : placeholder,
  );
}

/** Everything around the table (StatementDocument), from the statement and the parties. */
function describeDocument(
  statement: Statement,
  parties: StatementParties,
  labels: StatementLabels,
  formatted: {
    money: (minor: number) => string;
    statementDate: string;
    period: string;
    outstanding: boolean;
  },
): StatementDocument {
  const { money, statementDate, outstanding } = formatted;
  const words = labels.document;
  const tenant = parties.tenant ?? {};
  const { invoicedMinor, creditedMinor, paidMinor } = movementTotals(statement.lines);
  const owes = statement.closingMinor > 0;
  const amountDue = money(statement.closingMinor);
  // A link stored before the settings refused placeholders in its host is not filled: a customer
  // code must never choose where "Pay now" goes.
  const link =
    tenant.paymentLink === undefined || paymentLinkProblem(tenant.paymentLink) !== undefined
      ? undefined
      : fillPaymentLink(tenant.paymentLink, {
          customerCode: parties.customerCode,
          amountMinor: statement.closingMinor,
          currency: parties.currency,
          statementDate: statement.asOf,
        });
  const instructions = (tenant.paymentInstructions ?? '')
    .split(/\r?\n/)
    .map((line) => line.trimEnd())
    .filter((line, index, lines) => line !== '' || (index > 0 && lines[index - 1] !== ''));
  while (instructions.at(-1) === '') instructions.pop();
  return {
    heading: outstanding ? words.outstandingHeading : words.activityHeading,
    letterhead: {
      name: parties.company,
      logo: tenant.logo,
      address: addressLines(tenant.address, parties.locale),
      contact: [
        tenant.phone === undefined ? undefined : `${words.phone} ${tenant.phone}`,
        tenant.email,
        tenant.website,
      ].filter((line): line is string => line !== undefined && line !== ''),
      registration: [
        tenant.vatNumber === undefined ? undefined : `${words.vatNumber} ${tenant.vatNumber}`,
        tenant.companyNumber === undefined ? undefined : `${words.companyNumber} ${tenant.companyNumber}`,
      ].filter((line): line is string => line !== undefined),
    },
    recipient: { name: parties.customerName, address: addressLines(parties.billingAddress, parties.locale) },
    facts: [
      { label: words.account, value: parties.customerCode },
      { label: words.statementDate, value: statementDate },
      ...(outstanding ? [] : [{ label: words.period, value: formatted.period }]),
    ],
    summary: outstanding
      ? []
      : [
          { label: labels.openingBalance, value: money(statement.openingMinor) },
          { label: words.invoiced, value: money(invoicedMinor) },
          { label: words.credits, value: money(creditedMinor) },
          { label: words.payments, value: money(paidMinor) },
          { label: labels.closingBalance, value: money(statement.closingMinor) },
        ],
    amountDue: owes
      ? { label: words.amountDue, value: amountDue }
      : {
          label: statement.closingMinor < 0 ? labels.inCredit : words.amountDue,
          value: money(-statement.closingMinor),
        },
    overdue: { label: words.overdue, value: money(statement.overdueMinor) },
    owes,
    howToPay: instructions.length === 0 && link === undefined ? undefined : { instructions, link },
    remittance: [
      { label: words.customer, value: parties.customerName },
      { label: words.account, value: parties.customerCode },
      { label: words.statementDate, value: statementDate },
      { label: words.amountDue, value: owes ? amountDue : money(0) },
      { label: words.amountEnclosed, value: '' },
    ],
  };
}
