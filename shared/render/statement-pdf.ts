/**
 * The statement as a PDF attachment, laid out on A4 as Xero's and QuickBooks' statements are:
 * page 1 has the letterhead (logo, the tenant's name, address, contact and registration numbers),
 * the document's heading, the customer block (name and billing address; account, statement date,
 * period), the account summary and the amount due with what of it is overdue; then the table,
 * its headings on every page, each page that continues ending with "Carried forward" and the next
 * starting with "Brought forward" (the same figure); then the ageing, how to pay (instructions and
 * a clickable payment link) and the remittance advice slip at the foot of the last page. Every
 * page has "Page N of M"; later pages a compact header. Every word and figure comes from the
 * content (statement-content.ts); the layout is docs/statement.md's "The PDF".
 */

import { type Align, COLOURS, CONTENT_WIDTH, MARGIN, PdfWriter, type TextStyle } from './pdf-layout.ts';
import type { EmbeddedLogo } from './pdf-logo.ts';
import { embedLogo } from './pdf-logo.ts';
import type { FormattedLine, LabelledValue, StatementContent } from './statement-content.ts';

/** The lowest y anything but the footer is drawn at. */
const BOTTOM = MARGIN.bottom + 18;
/** The footer's baseline. */
const FOOTER = MARGIN.bottom - 8;
/** The gap between the two columns of the header blocks; each column's width. */
const GUTTER = 25;
const HALF = (CONTENT_WIDTH - GUTTER) / 2;
const RIGHT_COLUMN = HALF + GUTTER;

const BODY: TextStyle = { size: 9 };
const BODY_BOLD: TextStyle = { size: 9, bold: true };
const CAPTION: TextStyle = { size: 8.5, color: COLOURS.muted };
const BOX_HEADING: TextStyle = { size: 9.5, bold: true, color: COLOURS.accent };

/** The table's first line per row, each further line of a wrapped cell, the headings' band, a forward row. */
const ROW = 13;
const WRAPPED_LINE = 10.5;
const HEADINGS = 18;
const FORWARD = 17;
/** A line of the summary and ageing boxes. */
const BOX_ROW = 13;
/**
 * The most lines a text of the tenant's or the customer's (up to 1,000 characters each, any of it
 * one unbroken word) takes where the PDF prints it, the last cut with '…' beyond: so that page 1's
 * header, a continuation page's compact header (which repeats the names) and the slip always fit
 * their page, whatever the data. A real name or address line takes one or two lines.
 */
const MAX_LINES = { name: 4, addressLine: 2, item: 2, title: 4, compact: 2, slip: 3 } as const;
/** The slip's field columns' width, and a line of them. */
const SLIP_COLUMN = 190;
const SLIP_LINE = 11.5;

/**
 * The table's columns, in points from the left margin. The Type column's words wrap within it;
 * dates, numbers and figures stay on one line, made smaller (never cut) when wider than their
 * column, figures right-aligned at its right edge. The Type column fits "Credit note 9999999999"
 * (99 pt at 9 pt), the Invoice column ten digits, the Date and Due columns "25. Nov. 2026" (57 pt).
 */
const COLUMNS: {
  key: keyof StatementContent['headings'];
  left: number;
  right: number;
  align: Align;
  wrap: boolean;
}[] = [
  { key: 'date', left: 0, right: 62, align: 'left', wrap: false },
  { key: 'type', left: 66, right: 181, align: 'left', wrap: true },
  { key: 'reference', left: 185, right: 240, align: 'left', wrap: false },
  { key: 'due', left: 244, right: 306, align: 'left', wrap: false },
  { key: 'debit', left: 310, right: 377, align: 'right', wrap: false },
  { key: 'credit', left: 381, right: 446, align: 'right', wrap: false },
  { key: 'balance', left: 450, right: CONTENT_WIDTH, align: 'right', wrap: false },
];

/** What the PDF was once told beyond the content; the content's document now says it all. */
export interface PdfMeta {
  company: string;
  subtitle: string;
}

/** Renders the statement; returns the PDF's bytes. `meta` is not used: the content describes the document. */
export async function renderStatementPdf(content: StatementContent, _meta?: PdfMeta): Promise<Uint8Array> {
  const pdf = await PdfWriter.create();
  const { document } = content;
  pdf.document.setTitle(content.title);
  pdf.document.setAuthor(document.letterhead.name);
  pdf.document.setSubject(document.heading);
  pdf.document.setCreator('statement mailer');
  pdf.document.setLanguage(content.labels.language);
  const logo =
    document.letterhead.logo === undefined
      ? undefined
      : await embedLogo(pdf.document.context, document.letterhead.logo);
  const layout = new StatementLayout(pdf, content);
  layout.firstPage(logo);
  layout.table();
  layout.ageingAndHowToPay();
  layout.remittanceSlip();
  layout.footers();
  return pdf.save();
}

/** A row of the table as drawn: each column's lines, and the row's height. */
interface PlacedRow {
  cells: string[][];
  height: number;
  bold: boolean;
}

/** Lays the statement out top to bottom, page by page; `y` is the top of the space left on the page. */
class StatementLayout {
  private y = 0;

  constructor(
    private readonly pdf: PdfWriter,
    private readonly content: StatementContent,
  ) {}

  private get words() {
    return this.content.labels.document;
  }

  /** Draws wrapped lines from `top`, aligned against x; returns the y below them. */
  private lines(
    lines: string[],
    x: number,
    top: number,
    style: TextStyle,
    leading: number,
    align: Align = 'left',
    ascent = style.size,
  ): number {
    let y = top;
    for (const line of lines) {
      this.pdf.text(line, x, y - ascent, style, align);
      y -= leading;
    }
    return y;
  }

  /** Items on as few lines as fit, ` · ` between them, each kept whole on a line when it fits one. */
  private packed(items: string[], style: TextStyle, width: number): string[] {
    const { pdf } = this;
    const lines: string[] = [];
    for (const item of items.flatMap((text) => pdf.wrap(text, style, width, MAX_LINES.item))) {
      const last = lines.at(-1);
      const joined = last === undefined ? item : `${last} · ${item}`;
      if (last !== undefined && pdf.widthOf(joined, style) <= width) lines[lines.length - 1] = joined;
      else lines.push(item);
    }
    return lines;
  }

  /**
   * Page 1 above the table, in two columns. Left: the logo, the document's heading, the
   * recipient. Right: the letterhead, then the facts. Then the summary and amount due, the title.
   */
  firstPage(logo: EmbeddedLogo | undefined): void {
    const { pdf } = this;
    const { letterhead, recipient, facts } = this.content.document;
    pdf.addPage();
    const top = pdf.top;

    // Left: the logo, scaled into 150 x 60 pt keeping its shape, the heading, the customer's
    // name and billing address.
    let left = top;
    if (logo !== undefined) {
      const scale = Math.min(150 / logo.width, 60 / logo.height);
      const [width, height] = [logo.width * scale, logo.height * scale];
      pdf.image(logo.ref, 0, top - height, width, height);
      left = top - height - 16;
    }
    const heading: TextStyle = { size: 20, bold: true, color: COLOURS.accent };
    left = this.lines(pdf.wrap(this.content.document.heading, heading, HALF), 0, left, heading, 24) - 10;
    const name: TextStyle = { size: 11, bold: true };
    left = this.lines(pdf.wrap(recipient.name, name, HALF, MAX_LINES.name), 0, left, name, 14) - 1;
    left = this.lines(
      recipient.address.flatMap((line) => pdf.wrap(line, BODY, HALF, MAX_LINES.addressLine)),
      0,
      left,
      BODY,
      11.5,
    );

    // Right, right-aligned: the tenant's name, address (a line each), contact and registration
    // (each group on a line, wrapped); then the facts, caption and value.
    const tenant: TextStyle = { size: 12, bold: true };
    let right =
      this.lines(
        pdf.wrap(letterhead.name, tenant, HALF, MAX_LINES.name),
        CONTENT_WIDTH,
        top,
        tenant,
        15,
        'right',
      ) - 2;
    const groups = [
      letterhead.address.flatMap((line) => pdf.wrap(line, CAPTION, HALF, MAX_LINES.addressLine)),
      this.packed(letterhead.contact, CAPTION, HALF),
      this.packed(letterhead.registration, CAPTION, HALF),
    ];
    for (const group of groups) {
      if (group.length === 0) continue;
      right = this.lines(group, CONTENT_WIDTH, right, CAPTION, 10.5, 'right') - 3;
    }
    right -= 10;
    const labelWidth = Math.max(
      ...facts.map((fact) => pdf.widthOf(pdf.drawable(fact.label, CAPTION), CAPTION)),
    );
    const valueWidth = HALF - Math.min(labelWidth, HALF / 2) - 10;
    for (const fact of facts) {
      const labelLines = pdf.wrap(fact.label, CAPTION, HALF / 2);
      const valueLines = pdf.wrap(fact.value, BODY_BOLD, valueWidth, MAX_LINES.item);
      this.lines(labelLines, RIGHT_COLUMN, right, CAPTION, 12, 'left', BODY.size);
      this.lines(valueLines, CONTENT_WIDTH, right, BODY_BOLD, 12, 'right');
      right -= Math.max(labelLines.length, valueLines.length) * 12 + 1;
    }
    this.y = Math.min(left, right) - 16;

    this.summaryAndAmountDue();
    const title: TextStyle = { size: 10, bold: true };
    this.y =
      this.lines(pdf.wrap(this.content.title, title, CONTENT_WIDTH, MAX_LINES.title), 0, this.y, title, 13) -
      5;
  }

  /** The account summary (activity statements) and the amount due, boxed, with what of it is overdue. */
  private summaryAndAmountDue(): void {
    const { pdf } = this;
    const { summary, amountDue, overdue, owes } = this.content.document;
    const top = this.y;
    const summaryHeight = summary.length === 0 ? 0 : 10 + 15 + summary.length * BOX_ROW + 3 + 6;
    const dueHeight = 12 + 14 + 28 + (owes ? 18 : 0) + 8;
    const height = Math.max(summaryHeight, dueHeight);

    if (summary.length > 0) {
      pdf.box(0, top - height, HALF, height, { border: COLOURS.rule });
      pdf.text(this.words.summary, 10, top - 10 - BOX_HEADING.size, BOX_HEADING, 'left', HALF - 20);
      let y = top - 10 - 15;
      summary.forEach((entry, index) => {
        const closing = index === summary.length - 1;
        if (closing) {
          y -= 3;
          pdf.line([10, y + 0.5], [HALF - 10, y + 0.5], { color: COLOURS.muted });
        }
        const style = closing ? BODY_BOLD : BODY;
        pdf.text(entry.label, 10, y - 10, style, 'left', HALF / 2 - 10);
        pdf.text(entry.value, HALF - 10, y - 10, style, 'right', HALF / 2 - 10);
        y -= BOX_ROW;
      });
    }

    const x = RIGHT_COLUMN;
    pdf.box(x, top - height, HALF, height, {
      fill: COLOURS.accentShade,
      border: COLOURS.accent,
      thickness: 1.25,
    });
    const inner = HALF - 24;
    // The box's lines centred in its height (the summary beside it may be taller).
    const first = top - (height - (dueHeight - 8)) / 2 - 4;
    pdf.text(
      amountDue.label,
      x + 12,
      first - 10,
      { size: 10, bold: true, color: COLOURS.accent },
      'left',
      inner,
    );
    pdf.text(amountDue.value, x + HALF - 12, first - 14 - 22, { size: 22, bold: true }, 'right', inner);
    if (owes) {
      const baseline = first - 14 - 28 - 14;
      pdf.text(overdue.label, x + 12, baseline, { size: 10, bold: true }, 'left', inner / 2);
      pdf.text(overdue.value, x + HALF - 12, baseline, { size: 10, bold: true }, 'right', inner / 2);
    }
    this.y = top - height - 20;
  }

  /** The table, paged: headings on every page, carried and brought forward across each break. */
  table(): void {
    const { rows } = this.content;
    this.headings();
    rows.forEach((row, index) => {
      const placed = this.place(row);
      const last = index === rows.length - 1;
      if (this.y - placed.height < BOTTOM + (last ? 0 : FORWARD + 3)) {
        const previous = rows[index - 1];
        if (previous !== undefined) this.forward(this.words.carriedForward, previous.carried, 'carried');
        this.continuationPage();
        this.headings();
        if (previous !== undefined) this.forward(this.words.broughtForward, previous.carried, 'brought');
      }
      this.row(placed);
    });
  }

  /** A row's cells as lines: text wrapped in its column; the balance rows (opening, closing, total) in bold. */
  private place(row: FormattedLine): PlacedRow {
    const { pdf } = this;
    // Only a balance (opening, closing, total owed) has nothing but a type and a balance.
    const bold =
      row.reference === '' && row.due === '' && row.debit === '' && row.credit === '' && row.type !== '';
    const style = bold ? BODY_BOLD : BODY;
    const cells = COLUMNS.map((column) =>
      column.wrap ? pdf.wrap(row[column.key], style, column.right - column.left) : [row[column.key]],
    );
    const lineCount = Math.max(1, ...cells.map((cell) => cell.length));
    return { cells, height: ROW + (lineCount - 1) * WRAPPED_LINE, bold };
  }

  private row({ cells, height, bold }: PlacedRow): void {
    const { pdf } = this;
    const style = bold ? BODY_BOLD : BODY;
    COLUMNS.forEach((column, index) => {
      const lines = cells[index] ?? [];
      lines.forEach((line, number) => {
        const baseline = this.y - 9.5 - number * WRAPPED_LINE;
        const x = column.align === 'right' ? column.right : column.left;
        pdf.text(line, x, baseline, style, column.align, column.right - column.left);
      });
    });
    this.y -= height;
    pdf.line([0, this.y + 0.5], [CONTENT_WIDTH, this.y + 0.5], { thickness: 0.3 });
  }

  /** The headings' band. */
  private headings(): void {
    const { pdf } = this;
    pdf.box(0, this.y - HEADINGS + 2, CONTENT_WIDTH, HEADINGS - 2, { fill: COLOURS.shade });
    for (const column of COLUMNS) {
      const x = column.align === 'right' ? column.right : column.left;
      pdf.text(
        this.content.headings[column.key],
        x,
        this.y - 11.5,
        BODY_BOLD,
        column.align,
        column.right - column.left,
      );
    }
    this.y -= HEADINGS + 1;
  }

  /** "Carried forward" at the foot of a page that continues, "Brought forward" at the top of the next. */
  private forward(label: string, amount: string, which: 'carried' | 'brought'): void {
    const { pdf } = this;
    const balance = COLUMNS[COLUMNS.length - 1];
    if (which === 'carried') this.y -= 2;
    pdf.box(0, this.y - FORWARD + 2, CONTENT_WIDTH, FORWARD - 2, { fill: COLOURS.accentShade });
    const baseline = this.y - 11.5;
    pdf.text(label, 4, baseline, BODY_BOLD, 'left', (balance?.left ?? 0) - 8);
    pdf.text(amount, balance?.right ?? CONTENT_WIDTH, baseline, BODY_BOLD, 'right', 80);
    this.y -= FORWARD + 1;
  }

  /** A page after the first: a compact header (tenant, customer; heading, account, date, period). */
  private continuationPage(): void {
    const { pdf } = this;
    const { letterhead, recipient, heading, facts } = this.content.document;
    pdf.addPage();
    const top = pdf.top;
    const name: TextStyle = { size: 10, bold: true };
    const width = CONTENT_WIDTH * 0.58;
    let left = this.lines(pdf.wrap(letterhead.name, name, width, MAX_LINES.compact), 0, top, name, 13);
    left = this.lines(pdf.wrap(recipient.name, BODY, width, MAX_LINES.compact), 0, left, BODY, 12);
    const rightWidth = CONTENT_WIDTH - width - 15;
    const headingStyle: TextStyle = { size: 10, bold: true, color: COLOURS.accent };
    let right = this.lines(
      pdf.wrap(heading, headingStyle, rightWidth),
      CONTENT_WIDTH,
      top,
      headingStyle,
      13,
      'right',
    );
    right = this.lines(
      facts.flatMap((fact) => pdf.wrap(`${fact.label} ${fact.value}`, CAPTION, rightWidth, MAX_LINES.item)),
      CONTENT_WIDTH,
      right,
      CAPTION,
      11,
      'right',
    );
    this.y = Math.min(left, right) - 4;
    pdf.line([0, this.y], [CONTENT_WIDTH, this.y], { color: COLOURS.muted });
    this.y -= 14;
  }

  /** The ageing (left) and how to pay (right), side by side; how to pay continues on the next page if long. */
  ageingAndHowToPay(): void {
    const { pdf } = this;
    const { ageing, labels } = this.content;
    const { howToPay, owes } = this.content.document;
    this.y -= 14;
    const ageingHeight = 10 + 15 + ageing.length * BOX_ROW + 3 + 6;
    if (this.y - ageingHeight < BOTTOM) this.continuationPage();
    const top = this.y;

    pdf.box(0, top - ageingHeight, HALF, ageingHeight, { border: COLOURS.rule });
    pdf.text(labels.amountDueByAge, 10, top - 10 - BOX_HEADING.size, BOX_HEADING, 'left', HALF - 20);
    let y = top - 10 - 15;
    ageing.forEach((bucket, index) => {
      const total = index === ageing.length - 1;
      if (total) pdf.line([10, y + 1], [HALF - 10, y + 1], { color: COLOURS.muted });
      const style = total ? BODY_BOLD : BODY;
      pdf.text(bucket.label, 10, y - 10, style, 'left', HALF * 0.62);
      pdf.text(bucket.amount, HALF - 10, y - 10, style, 'right', HALF * 0.3);
      y -= BOX_ROW;
    });
    const ageingBottom = top - ageingHeight;

    // How to pay only says something when the customer owes (docs/statement.md).
    if (howToPay === undefined || !owes) {
      this.y = ageingBottom;
      return;
    }
    let right = top;
    let pageTurned = false;
    /** One line of the column: on the next page, below its compact header, when it would not fit. */
    const next = (height: number): number => {
      if (right - height < BOTTOM) {
        this.continuationPage();
        right = this.y;
        pageTurned = true;
      }
      const lineTop = right;
      right -= height;
      return lineTop;
    };
    const x = RIGHT_COLUMN;
    pdf.text(this.words.howToPay, x, next(16) - BOX_HEADING.size, BOX_HEADING, 'left', HALF);
    const instruction: TextStyle = { size: 8.5 };
    for (const line of howToPay.instructions) {
      if (line === '') {
        next(6);
        continue;
      }
      for (const wrapped of pdf.wrap(line, instruction, HALF))
        pdf.text(wrapped, x, next(11.5) - 8.5, instruction);
    }
    if (howToPay.link !== undefined) {
      const uri = asciiUri(howToPay.link);
      next(4);
      const label: TextStyle = { size: 9.5, bold: true, color: COLOURS.link };
      const labelTop = next(14);
      const labelWidth = pdf.text(this.words.payNow, x, labelTop - 10, label);
      pdf.link(uri, x, labelTop - 13, labelWidth, 14);
      const url: TextStyle = { size: 8, color: COLOURS.link };
      for (const line of pdf.breakAnywhere(uri, url, HALF)) {
        const lineTop = next(10.5);
        const width = pdf.text(line, x, lineTop - 8, url);
        pdf.line([x, lineTop - 9.2], [x + width, lineTop - 9.2], { thickness: 0.4, color: COLOURS.link });
        pdf.link(uri, x, lineTop - 10.5, width, 10.5);
      }
    }
    this.y = pageTurned ? right : Math.min(ageingBottom, right);
  }

  /** A column of the slip's fields, caption and value, measured: `blank` is a line to write on. */
  private slipColumn(fields: LabelledValue[], width: number) {
    const { pdf } = this;
    const captions = fields.map((field) => pdf.widthOf(pdf.drawable(field.label, CAPTION), CAPTION));
    const labelWidth = Math.min(width * 0.45, Math.max(0, ...captions) + 8);
    const rows = fields.map((field) => ({
      label: pdf.wrap(field.label, CAPTION, labelWidth - 6),
      value: field.value === '' ? [] : pdf.wrap(field.value, BODY_BOLD, width - labelWidth, MAX_LINES.slip),
      blank: field.value === '',
    }));
    const rowHeight = (row: (typeof rows)[number]) =>
      Math.max(row.label.length, row.value.length, 1) * SLIP_LINE + (row.blank ? 9 : 4);
    return { labelWidth, rows, rowHeight, height: rows.reduce((sum, row) => sum + rowHeight(row), 0) };
  }

  /**
   * The slip measured before it is placed: the note under the heading; the fields in two columns
   * (the customer, account and statement date; the amount due and the amount enclosed); whom to
   * send it to on the right.
   */
  private planSlip() {
    const { pdf } = this;
    const { remittance, letterhead } = this.content.document;
    const split = Math.ceil(remittance.length / 2);
    const columns = [
      { x: 0, ...this.slipColumn(remittance.slice(0, split), SLIP_COLUMN) },
      { x: SLIP_COLUMN + 15, ...this.slipColumn(remittance.slice(split), SLIP_COLUMN - 20) },
    ];
    const payToWidth = CONTENT_WIDTH - (2 * SLIP_COLUMN - 5) - 20;
    const note = pdf.wrap(this.words.remittanceNote, CAPTION, 2 * SLIP_COLUMN - 5);
    const payTo = [
      ...pdf
        .wrap(letterhead.name, BODY_BOLD, payToWidth, MAX_LINES.slip)
        .map((line) => ({ line, style: BODY_BOLD })),
      ...letterhead.address
        .flatMap((line) => pdf.wrap(line, CAPTION, payToWidth, MAX_LINES.addressLine))
        .map((line) => ({ line, style: CAPTION })),
    ];
    const fieldsTop = 28 + note.length * 10.5 + 6;
    const height = Math.max(
      fieldsTop + Math.max(...columns.map((column) => column.height)),
      12 + payTo.length * 10.5,
    );
    return { note, columns, payTo, fieldsTop, height: height + 6 };
  }

  /** The remittance advice slip at the foot of the last page (a new page when it does not fit); only when something is owed. */
  remittanceSlip(): void {
    if (!this.content.document.owes) return;
    const { pdf } = this;
    const slip = this.planSlip();
    if (this.y - 18 < BOTTOM + slip.height) this.continuationPage();
    const top = BOTTOM + slip.height;
    pdf.text('✂', 0, top - 3.5, { size: 10, color: COLOURS.muted });
    pdf.line([14, top], [CONTENT_WIDTH, top], { color: COLOURS.muted, dash: [4, 3] });

    const heading: TextStyle = { size: 11, bold: true, color: COLOURS.accent };
    pdf.text(this.words.remittance, 0, top - 12 - heading.size, heading, 'left', 2 * SLIP_COLUMN - 5);
    this.lines(slip.note, 0, top - 28, CAPTION, 10.5);
    for (const column of slip.columns) {
      let y = top - slip.fieldsTop;
      for (const row of column.rows) {
        this.lines(row.label, column.x, y, CAPTION, SLIP_LINE, 'left', BODY.size);
        this.lines(row.value, column.x + column.labelWidth, y, BODY_BOLD, SLIP_LINE);
        if (row.blank) {
          const right = column.x + (column === slip.columns[0] ? SLIP_COLUMN : SLIP_COLUMN - 20);
          pdf.line([column.x + column.labelWidth, y - 13], [right, y - 13], {
            thickness: 0.75,
            color: COLOURS.ink,
          });
        }
        y -= column.rowHeight(row);
      }
    }
    let right = top - 12;
    for (const { line, style } of slip.payTo) {
      pdf.text(line, CONTENT_WIDTH, right - style.size, style, 'right');
      right -= 10.5;
    }
    this.y = BOTTOM;
  }

  /** "Page N of M" and the tenant's name at the foot of every page, now that M is known. */
  footers(): void {
    const { pdf } = this;
    const count = pdf.pages.length;
    pdf.pages.forEach((page, index) => {
      pdf.usePage(page);
      const style: TextStyle = { size: 7.5, color: COLOURS.muted };
      pdf.line([0, FOOTER + 10], [CONTENT_WIDTH, FOOTER + 10], { thickness: 0.3 });
      pdf.text(
        pdf.ellipsize(this.content.document.letterhead.name, style, CONTENT_WIDTH * 0.6),
        0,
        FOOTER,
        style,
      );
      pdf.text(this.words.pageOf(index + 1, count), CONTENT_WIDTH, FOOTER, { ...style, size: 8 }, 'right');
    });
  }
}

/**
 * The link as a URI a PDF may hold (7-bit ASCII): its host in punycode, anything else outside
 * ASCII percent-encoded, as a browser would send it.
 */
function asciiUri(link: string): string {
  try {
    return new URL(link).href;
  } catch {
    return encodeURI(link);
  }
}
