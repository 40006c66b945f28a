/**
 * What a statement says, as the values of a template's tokens and as the statement table in HTML
 * and plain text, every word in the statement's language and every figure formatted in its
 * currency and locale (labels.ts).
 */
import { formatMoney } from '../domain/money.ts';
import type { OpenItem, Statement, StatementLine } from '../domain/statement.ts';
import { statementTypeOf } from '../domain/statement-period.ts';
import { escapeHtml, type TokenValues } from '../domain/template.ts';
import { type HeadingLabels, labelsFor, type StatementLabels } from './labels.ts';

/** Who the statement is from and to, and the currency and locale its figures are written in. */
export interface StatementParties {
  company: string;
  customerCode: string;
  customerName: string;
  contactName: string | undefined;
  currency: string;
  /** The statement's locale (labels.ts statementLocale): its words' language and its figures' format. */
  locale: string;
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
 * Formats a statement for people: token values, table rows, ageing. Debits, credits, ageing and
 * `#OVERDUE#` are never negative (see Ageing); the balances (`#BALANCE#`, `#OPENINGBALANCE#`, the
 * Balance column) are signed, negative when the customer is in credit.
 */
export function describeStatement(statement: Statement, parties: StatementParties): StatementContent {
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
  });
  /** An open item: its own amount and what is open signed as balances are; what was paid on it, as paid. */
  const toOpenRow = (item: OpenItem): FormattedLine => ({
    date: date(item.date),
    ...describeLine(item, labels.lineKinds),
    due: item.dueDate === undefined ? '' : date(item.dueDate),
    debit: money(item.originalMinor),
    credit: item.paidMinor === 0 ? '' : money(item.paidMinor),
    balance: money(item.openMinor),
  });
  const balanceRow = (label: string, on: string, minor: number): FormattedLine => ({
    date: on,
    type: label,
    reference: '',
    due: '',
    debit: '',
    credit: '',
    balance: money(minor),
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
  return {
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

const COLUMNS: (keyof FormattedLine)[] = ['date', 'type', 'reference', 'due', 'debit', 'credit', 'balance'];

/** The statement table as HTML; every value escaped. */
export function statementTableHtml(content: StatementContent): string {
  const cell = (tag: string, text: string, numeric: boolean) =>
    `<${tag} style="padding:4px 8px;border-bottom:1px solid #ddd;text-align:${numeric ? 'right' : 'left'}">${escapeHtml(text)}</${tag}>`;
  const numeric = (column: keyof FormattedLine) => ['debit', 'credit', 'balance'].includes(column);
  const head = COLUMNS.map((column) => cell('th', content.headings[column], numeric(column))).join('');
  const body = content.rows
    .map((row) => `<tr>${COLUMNS.map((column) => cell('td', row[column], numeric(column))).join('')}</tr>`)
    .join('\n');
  const ageing = content.ageing
    .map((bucket) => `<tr>${cell('td', bucket.label, false)}${cell('td', bucket.amount, true)}</tr>`)
    .join('');
  return [
    `<h2 style="font-family:sans-serif;font-size:16px">${escapeHtml(content.title)}</h2>`,
    `<table style="border-collapse:collapse;font-family:sans-serif;font-size:13px"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`,
    `<h3 style="font-family:sans-serif;font-size:14px">${escapeHtml(content.labels.amountDueByAge)}</h3>`,
    `<table style="border-collapse:collapse;font-family:sans-serif;font-size:13px"><tbody>${ageing}</tbody></table>`,
  ].join('\n');
}

/** The statement table as plain text, one line per row, the same figures as the HTML. */
export function statementTableText(content: StatementContent): string {
  const headings = COLUMNS.map((column) => content.headings[column]);
  const rows = [headings, ...content.rows.map((row) => COLUMNS.map((column) => row[column]))];
  const widths = headings.map((_, index) => Math.max(...rows.map((row) => (row[index] ?? '').length)));
  const format = (row: string[]) =>
    row
      .map((value, index) =>
        index >= 4 ? value.padStart(widths[index] ?? 0) : value.padEnd(widths[index] ?? 0),
      )
      .join('  ')
      .trimEnd();
  const ageingWidth = Math.max(...content.ageing.map((bucket) => bucket.label.length));
  return [
    content.title,
    '',
    ...rows.map(format),
    '',
    content.labels.amountDueByAge,
    ...content.ageing.map((bucket) => `${bucket.label.padEnd(ageingWidth)}  ${bucket.amount}`),
  ].join('\n');
}
