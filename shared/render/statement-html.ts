/**
 * The statement email's HTML body and its plain-text part, laid out from the statement's content
 * (statement-content.ts): the letterhead, the template's message, the amount due with a "Pay now"
 * button, the summary, the customer block, the table, the ageing, how to pay and a footer.
 *
 * The HTML is written for mail clients, not browsers: table-based layout, every style inline (the
 * one <style> block only tightens spacing on narrow screens, and the email reads the same without
 * it), a 640 px column centred on wide screens and fluid below, no external resource (no remote
 * image, font, stylesheet or script: the payment link is the only URL). The table keeps its seven
 * columns, as the PDF and the text do, and scrolls sideways inside its own box on a phone; the
 * page itself never scrolls sideways. Every value is escaped.
 */
import { escapeHtml } from '../domain/template.ts';
import type { ColumnHeadings, LabelledValue, StatementContent } from './statement-content.ts';

/** What the email says besides the statement: the template, filled, and what its HTML is titled. */
export interface StatementEmailMessage {
  /** The email's subject, the HTML document's title. */
  subject: string;
  /** The statement's locale (labels.ts statementLocale): the HTML's `lang`. */
  locale: string;
  /** The template's body, rendered for HTML (its values escaped). */
  html: string;
  /**
   * Where the letterhead's logo image is, e.g. `cid:logo` for an inline MIME part; absent: no
   * image. Never a remote URL: the email loads nothing from the network.
   */
  logoSrc?: string | undefined;
}

const COLUMNS: (keyof ColumnHeadings)[] = ['date', 'type', 'reference', 'due', 'debit', 'credit', 'balance'];
const NUMERIC: ReadonlySet<keyof ColumnHeadings> = new Set(['debit', 'credit', 'balance']);

const FONT = "font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";
const INK = '#1f2937';
const MUTED = '#4b5563';
const RULE = '#e5e7eb';
const PAGE = '#f3f4f6';
const ACCENT = '#0b5cab';
/** Long names and unbroken strings (a Greek company name, a URL) wrap instead of widening the page. */
const WRAP = 'overflow-wrap:anywhere;word-break:break-word';

const esc = escapeHtml;

/** The text direction of the statement's words: every language labels.ts writes is left to right. */
const DIRECTION = 'ltr';

/** A section heading inside the email's column. */
function heading(text: string): string {
  return `<h2 style="margin:0 0 8px;${FONT};font-size:17px;line-height:1.3;font-weight:700;color:${INK}">${esc(text)}</h2>`;
}

/** One row of the email's column: a table row whose cell holds one section. */
function section(inner: string, style = ''): string {
  return `<tr><td class="sm-px" style="padding:20px 24px 0;${FONT};color:${INK};${style}">${inner}</td></tr>`;
}

/** Captions and figures in two columns, figures right-aligned; `strongLast` sets the last row in bold. */
function figures(rows: LabelledValue[], strongLast: boolean): string {
  const body = rows
    .map((row, index) => {
      const strong = strongLast && index === rows.length - 1;
      const border = strong ? `border-top:2px solid ${INK}` : `border-bottom:1px solid ${RULE}`;
      const weight = strong ? 'font-weight:700;' : '';
      return (
        `<tr><td style="padding:6px 12px 6px 0;${border};${weight}${FONT};font-size:14px;color:${INK};${WRAP}">${esc(row.label)}</td>` +
        `<td align="right" style="padding:6px 0;${border};${weight}${FONT};font-size:14px;color:${INK};text-align:right;white-space:nowrap">${esc(row.value)}</td></tr>`
      );
    })
    .join('');
  return `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:400px;border-collapse:collapse">${body}</table>`;
}

/**
 * A "bulletproof" button: a link styled as a button inside a coloured table cell, so that clients
 * that drop the link's padding (Outlook's Word engine) still show a coloured, clickable block.
 */
function button(label: string, href: string): string {
  return (
    '<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="border-collapse:separate"><tr>' +
    `<td align="center" bgcolor="${ACCENT}" style="border-radius:6px;background-color:${ACCENT}">` +
    `<a href="${esc(href)}" target="_blank" rel="noopener" style="display:inline-block;padding:13px 32px;${FONT};font-size:16px;line-height:20px;font-weight:700;color:#ffffff;text-decoration:none;border-radius:6px">${esc(label)}</a>` +
    '</td></tr></table>'
  );
}

/** The payment link if it is one a recipient may be sent to (https); anything else is not linked. */
function safeLink(link: string | undefined): string | undefined {
  if (link === undefined) return undefined;
  try {
    return new URL(link).protocol === 'https:' ? link : undefined;
  } catch {
    return undefined;
  }
}

function letterhead(content: StatementContent, logoSrc: string | undefined): string {
  const { letterhead: head } = content.document;
  const small = (values: string[], className = '') =>
    values.length === 0
      ? ''
      : `<div${className === '' ? '' : ` class="${className}"`} style="margin-top:4px;${FONT};font-size:13px;line-height:1.5;color:${MUTED};${WRAP}">${values.map(esc).join(' &middot; ')}</div>`;
  const logo =
    logoSrc === undefined
      ? ''
      : `<img src="${esc(logoSrc)}" alt="${esc(head.name)}" height="48" style="display:block;height:48px;width:auto;max-width:100%;border:0;margin:0 0 12px">`;
  return (
    `<tr><td class="sm-px" style="padding:24px 24px 18px;border-bottom:3px solid ${ACCENT};${FONT};color:${INK}">` +
    logo +
    `<div style="${FONT};font-size:20px;line-height:1.3;font-weight:700;color:${INK};${WRAP}">${esc(head.name)}</div>` +
    small(head.address) +
    small(head.contact) +
    // Also in the footer: on a phone the letterhead leaves it there, to bring the amount due up.
    small(head.registration, 'sm-hide') +
    '</td></tr>'
  );
}

/** Amount due and overdue, large, with "Pay now" when there is something to pay and a link to pay it. */
function amountDue(content: StatementContent): string {
  const { document } = content;
  const link = safeLink(document.howToPay?.link);
  const overdue = document.owes
    ? `<div style="margin-top:6px;${FONT};font-size:15px;line-height:1.4;color:${INK}">${esc(document.overdue.label)} <strong style="white-space:nowrap">${esc(document.overdue.value)}</strong></div>`
    : '';
  const pay =
    document.owes && link !== undefined
      ? `<div style="margin-top:16px">${button(content.labels.document.payNow, link)}</div>`
      : '';
  return section(
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;border-collapse:separate;background-color:#eef4fb;border:1px solid #c9dcf2;border-radius:8px">` +
      `<tr><td style="padding:18px 20px;${FONT};color:${INK}">` +
      `<div style="${FONT};font-size:14px;line-height:1.4;color:${MUTED}">${esc(document.amountDue.label)}</div>` +
      `<div style="${FONT};font-size:30px;line-height:1.2;font-weight:700;color:${INK};white-space:nowrap">${esc(document.amountDue.value)}</div>` +
      overdue +
      pay +
      '</td></tr></table>',
  );
}

/** Two blocks side by side on a wide screen, one above the other on a phone (no media query needed). */
function columns(left: string, right: string): string {
  const column = (inner: string) =>
    `<div style="display:inline-block;vertical-align:top;width:100%;max-width:280px;margin:0 0 8px">${inner}</div>`;
  return `<div style="font-size:0">${column(left)}<div style="display:inline-block;width:16px"></div>${column(right)}</div>`;
}

/** The customer block: who the statement is to, and its account, date and period. */
function customerBlock(content: StatementContent): string {
  const { recipient, facts, heading: title } = content.document;
  const to =
    `<div style="${FONT};font-size:15px;line-height:1.4;font-weight:700;color:${INK};${WRAP}">${esc(recipient.name)}</div>` +
    (recipient.address.length === 0
      ? ''
      : `<div style="margin-top:2px;${FONT};font-size:14px;line-height:1.5;color:${MUTED};${WRAP}">${recipient.address.map(esc).join('<br>')}</div>`);
  const rows = facts
    .map(
      (fact) =>
        `<tr><td style="padding:2px 12px 2px 0;${FONT};font-size:14px;line-height:1.5;color:${MUTED};white-space:nowrap;vertical-align:top">${esc(fact.label)}</td>` +
        `<td style="padding:2px 0;${FONT};font-size:14px;line-height:1.5;color:${INK};${WRAP}">${esc(fact.value)}</td></tr>`,
    )
    .join('');
  const table = `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse">${rows}</table>`;
  return section(heading(title) + columns(to, table));
}

/** The ledger's class and its cells' (c1 … c7, by column), which the narrow-screen rules stack. */
const LEDGER = 'lg';
const cellClass = (column: keyof ColumnHeadings) => `c${COLUMNS.indexOf(column) + 1}`;

/**
 * The statement table: a heading, then the rows in alternate shades, the balance rows (opening,
 * closing, total owed) in bold. Its cells carry no style of their own (the table's font, padding
 * and no-wrap are inherited) so that a long statement stays small: Gmail clips a message whose
 * HTML passes 102 KB.
 */
export function statementTableHtml(content: StatementContent): string {
  const { rows, labels } = content;
  const balanceRow = (index: number) =>
    index === rows.length - 1 || (index === 0 && rows[0]?.type === labels.openingBalance);
  const attributes = (column: keyof ColumnHeadings) =>
    `class="${cellClass(column)}"${NUMERIC.has(column) ? ' align="right"' : ''}${column === 'type' ? ' style="white-space:normal"' : ''}`;
  const head = COLUMNS.map((column) => {
    const align = NUMERIC.has(column) ? 'right' : 'left';
    return `<th align="${align}" style="background-color:${PAGE};border-bottom:1px solid #d1d5db;font-weight:600;color:${MUTED};text-align:${align}">${esc(content.headings[column])}</th>`;
  }).join('');
  const body = rows
    .map((row, index) => {
      const shade = balanceRow(index)
        ? ` class="b" bgcolor="#f3f4f6" style="font-weight:700"`
        : index % 2 === 1
          ? ' bgcolor="#f9fafb"'
          : '';
      return `<tr${shade}>${COLUMNS.map((column) => `<td ${attributes(column)}>${esc(row[column])}</td>`).join('')}</tr>`;
    })
    .join('\n');
  return (
    `<h2 style="margin:0 0 8px;${FONT};font-size:15px;line-height:1.35;font-weight:700;color:${INK};${WRAP}">${esc(content.title)}</h2>` +
    // Without the narrow-screen rules the table scrolls inside this box on a phone, never the page.
    '<div style="width:100%;overflow-x:auto;-webkit-overflow-scrolling:touch">' +
    `<table class="${LEDGER}" cellpadding="5" cellspacing="0" border="0" style="width:100%;border-collapse:collapse;${FONT};font-size:13px;line-height:1.4;color:${INK};white-space:nowrap">` +
    `<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>` +
    '</div>'
  );
}

/** A CSS string of any text: every character but letters, digits and spaces escaped. */
function cssString(text: string): string {
  const escaped = [...text]
    .map((char) => (/^[\p{L}\p{N} ]$/u.test(char) ? char : `\\${(char.codePointAt(0) ?? 0).toString(16)} `))
    .join('');
  return `"${escaped}"`;
}

/**
 * Narrow screens (progressive enhancement: clients without media queries keep the inline layout,
 * whose table scrolls in its own box): tighter margins, and each row of the table stacked as two
 * lines, date, type, invoice and amount over due date and balance, each figure captioned with
 * its column's heading. A client with media queries but no flexbox shows one cell a line, still
 * captioned.
 */
function narrowScreenRules(content: StatementContent): string {
  const { headings } = content;
  const caption = (column: keyof ColumnHeadings) =>
    `.${LEDGER} .${cellClass(column)}::before{content:${cssString(`${headings[column]} `)};font-weight:400;color:${MUTED}}`;
  const l = `.${LEDGER}`;
  return [
    '@media (max-width:480px){',
    '.sm-px{padding-left:16px!important;padding-right:16px!important}',
    '.sm-outer{padding:0!important}',
    '.sm-hide{display:none!important}',
    `${l} thead{display:none!important}`,
    `${l},${l} tbody{display:block!important;width:100%!important}`,
    // Each row a wrapping flex line: date, type, invoice and amount, a break, then due date and balance.
    `${l} tr{display:flex!important;flex-wrap:wrap;align-items:baseline;padding:8px 6px!important}`,
    `${l} tr::after{content:"";flex-basis:100%;order:5;height:0}`,
    `${l} td{display:block!important;padding:0 6px 0 0!important;font-size:14px!important;line-height:1.5!important}`,
    `${l} td:empty{display:none!important}`,
    `${l} .c1{order:1}${l} .c2{order:2}${l} .c3{order:3}`,
    `${l} .c5,${l} .c6{order:4;margin-left:auto;padding-right:0!important}`,
    `${l} .c4{order:6}`,
    `${l} .c7{order:7;margin-left:auto;padding-right:0!important}`,
    `${l} .b .c7{order:4}`,
    caption('due'),
    caption('debit'),
    caption('credit'),
    caption('balance'),
    `${l} .b .c7::before{content:none}`,
    '}',
  ].join('');
}

function howToPay(content: StatementContent): string {
  const how = content.document.howToPay;
  const labels = content.labels.document;
  if (how === undefined) return '';
  const link = safeLink(how.link);
  const instructions =
    how.instructions.length === 0
      ? ''
      : `<div style="${FONT};font-size:15px;line-height:1.55;color:${INK};${WRAP}">${how.instructions.map(esc).join('<br>')}</div>`;
  const online =
    link === undefined
      ? ''
      : `<div style="margin-top:10px;${FONT};font-size:15px;line-height:1.55;color:${INK}">${esc(labels.payNow)}: <a href="${esc(link)}" target="_blank" rel="noopener" style="color:${ACCENT};word-break:break-all">${esc(link)}</a></div>`;
  return section(heading(labels.howToPay) + instructions + online);
}

function footer(content: StatementContent): string {
  const { letterhead: head } = content.document;
  return (
    `<tr><td class="sm-px" style="padding:18px 24px;background-color:#f9fafb;border-top:1px solid ${RULE};${FONT};font-size:13px;line-height:1.5;color:${MUTED};${WRAP}">` +
    [head.name, ...head.registration].map(esc).join(' &middot; ') +
    '</td></tr>'
  );
}

/**
 * The email's HTML: a complete document that reads the same in every mail client and on any
 * screen from 320 px up, loading nothing from the network.
 */
export function statementEmailHtml(content: StatementContent, message: StatementEmailMessage): string {
  const { document } = content;
  const preheader = [
    `${document.amountDue.label} ${document.amountDue.value}`,
    `${content.labels.document.statementDate} ${content.tokens.STATEMENTDATE}`,
  ].join(' · ');
  const summary =
    document.summary.length === 0
      ? ''
      : section(heading(content.labels.document.summary) + figures(document.summary, true));
  const ageing = section(
    heading(content.labels.amountDueByAge) +
      figures(
        content.ageing.map((bucket) => ({ label: bucket.label, value: bucket.amount })),
        true,
      ),
  );
  return [
    '<!DOCTYPE html>',
    `<html lang="${esc(message.locale)}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="x-apple-disable-message-reformatting">',
    '<meta name="color-scheme" content="light">',
    `<title>${esc(message.subject)}</title>`,
    // Progressive enhancement only (narrowScreenRules): without it the email reads the same.
    `<style>${narrowScreenRules(content)}</style>`,
    '</head>',
    `<body dir="${DIRECTION}" style="margin:0;padding:0;background-color:${PAGE};-webkit-text-size-adjust:100%">`,
    // The preheader: what an inbox shows beside the subject; hidden in the message itself. Not
    // hidden by colour: text the colour of its background is a spam sign (HTML_FONT_LOW_CONTRAST).
    `<div style="display:none;max-height:0;max-width:0;overflow:hidden;opacity:0;mso-hide:all;font-size:1px;line-height:1px">${esc(preheader)}</div>`,
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;background-color:${PAGE}"><tr>`,
    `<td class="sm-outer" align="center" style="padding:24px 12px">`,
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:640px;table-layout:fixed;border-collapse:separate;background-color:#ffffff;border:1px solid ${RULE};border-radius:8px">`,
    letterhead(content, message.logoSrc),
    // What the reader came for first, on the first screen of a phone: what is due, and Pay now.
    amountDue(content),
    // The template's message, in whatever direction its own text runs.
    `<tr><td class="sm-px" dir="auto" style="padding:20px 24px 0;${FONT};font-size:15px;line-height:1.55;color:${INK};${WRAP}">${message.html}</td></tr>`,
    summary,
    customerBlock(content),
    section(statementTableHtml(content)),
    ageing,
    howToPay(content),
    section('', 'padding-top:24px'),
    footer(content),
    '</table>',
    '</td></tr></table>',
    '</body>',
    '</html>',
  ]
    .filter(Boolean)
    .join('\n');
}

/** Captions and values in two aligned columns; figures (`numeric`) right-aligned. */
function aligned(rows: LabelledValue[], numeric = false): string[] {
  const width = Math.max(0, ...rows.map((row) => row.label.length));
  const valueWidth = numeric ? Math.max(0, ...rows.map((row) => row.value.length)) : 0;
  return rows.map((row) => `${row.label.padEnd(width)}  ${row.value.padStart(valueWidth)}`.trimEnd());
}

/** The statement table as plain text, one line per row, the same figures as the HTML. */
export function statementTableText(content: StatementContent): string {
  const headings = COLUMNS.map((column) => content.headings[column]);
  const rows = [headings, ...content.rows.map((row) => COLUMNS.map((column) => row[column]))];
  const widths = headings.map((_, index) => Math.max(...rows.map((row) => (row[index] ?? '').length)));
  const format = (row: string[]) =>
    row
      .map((value, index) =>
        NUMERIC.has(COLUMNS[index] ?? 'date')
          ? value.padStart(widths[index] ?? 0)
          : value.padEnd(widths[index] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [
    content.title,
    '',
    ...rows.map(format),
    '',
    content.labels.amountDueByAge,
    ...aligned(
      content.ageing.map((bucket) => ({ label: bucket.label, value: bucket.amount })),
      true,
    ),
  ].join('\n');
}

/**
 * The email's plain-text part: the same message, amount due, "Pay now" link, summary, customer
 * block, table, ageing, how to pay and remittance details as the HTML, in the same order.
 */
export function statementEmailText(content: StatementContent, message: { text: string }): string {
  const { document } = content;
  const words = content.labels.document;
  const link = safeLink(document.howToPay?.link);
  const due = [
    document.amountDue,
    ...(document.owes ? [document.overdue] : []),
    ...(document.owes && link !== undefined ? [{ label: words.payNow, value: link }] : []),
  ];
  const blocks: string[][] = [
    aligned(due),
    [message.text],
    document.summary.length === 0 ? [] : [words.summary, ...aligned(document.summary, true)],
    [
      document.heading,
      document.recipient.name,
      ...document.recipient.address,
      '',
      ...aligned(document.facts),
    ],
    [statementTableText(content)],
    document.howToPay === undefined
      ? []
      : [
          words.howToPay,
          ...document.howToPay.instructions,
          ...(link === undefined ? [] : ['', `${words.payNow}: ${link}`]),
        ],
    [words.remittance, ...aligned(document.remittance.filter((field) => field.value !== ''))],
    [[document.letterhead.name, ...document.letterhead.registration].join(' · ')],
  ];
  return `${blocks
    .filter((block) => block.length > 0)
    .map((block) => block.join('\n'))
    .join('\n\n')}\n`;
}
