/**
 * The statement as a PDF attachment: the same rows and figures as the email, paged on A4, in
 * DejaVu Sans Condensed embedded as a subset (pdf-font.ts): names in Latin with diacritics, Greek
 * and Cyrillic print as written, and stay extractable (pdf-lib writes a ToUnicode map).
 */
import { PDFDocument, type PDFFont, type PDFPage, rgb } from 'pdf-lib';
import { statementFont } from './pdf-font.ts';
import type { StatementContent } from './statement-content.ts';

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 40;
const ROW_HEIGHT = 14;
const FONT_SIZE = 9;
// Column right edges (numbers) or left edges (text), in points from the left margin. The Type
// column fits "Credit note 9999999999" (99 pt at 9 pt DejaVu Sans Condensed), the Invoice column ten digits.
// The headings come with the content (they depend on the statement type): "Paid/credited" ends
// at the Credit column's edge, clear of the Debit column's.
const COLUMNS: { key: keyof StatementContent['headings']; x: number; align: 'left' | 'right' }[] = [
  { key: 'date', x: 0, align: 'left' },
  { key: 'type', x: 70, align: 'left' },
  { key: 'reference', x: 175, align: 'left' },
  { key: 'due', x: 235, align: 'left' },
  { key: 'debit', x: 355, align: 'right' },
  { key: 'credit', x: 435, align: 'right' },
  { key: 'balance', x: 515, align: 'right' },
];

/**
 * A face draws only the characters it has glyphs for: any other (CJK, emoji) becomes '?' instead
 * of failing the send.
 */
function toDrawable(supported: ReadonlySet<number>, text: string): string {
  let drawable = '';
  const plain = text
    // Composed forms: a letter and a combining accent typed apart are one glyph in the font.
    .normalize('NFC')
    // Narrow and thin spaces (fr-FR money): a plain space reads the same and extracts as one.
    .replace(/[\s\u202f\u2009]+/g, ' ')
    // U+2212 MINUS SIGN (sv-SE, fi-FI, nb-NO money): extracted as '-', as every other locale's.
    .replace(/\u2212/g, '-')
    // Bidirectional marks (he-IL, ar money) and variation selectors (emoji) draw nothing; a '?'
    // for them would garble the text.
    .replace(/\p{Cf}|\p{Variation_Selector}/gu, '');
  for (const char of plain) drawable += supported.has(char.codePointAt(0) ?? 0) ? char : '?';
  return drawable;
}

/** What the PDF shows beyond the statement's content: the company and a subtitle on every page. */
export interface PdfMeta {
  company: string;
  /** Shown on every page, e.g. the customer and period. */
  subtitle: string;
}

/** Renders the statement; returns the PDF's bytes. */
export async function renderStatementPdf(content: StatementContent, meta: PdfMeta): Promise<Uint8Array> {
  const document = await PDFDocument.create();
  document.setTitle(content.title);
  document.setAuthor(meta.company);
  document.setCreator('statement mailer');
  const faces = await statementFont();
  document.registerFontkit(faces.fontkit);
  const font = await document.embedFont(faces.regular.bytes, { subset: true });
  const bold = await document.embedFont(faces.bold.bytes, { subset: true });
  const text = (value: string, face: PDFFont) =>
    toDrawable(face === bold ? faces.bold.characters : faces.regular.characters, value);

  let page: PDFPage;
  let y = 0;
  let pageNumber = 0;
  const draw = (
    value: string,
    x: number,
    atY: number,
    size = FONT_SIZE,
    face = font,
    align: 'left' | 'right' = 'left',
  ) => {
    const drawable = text(value, face);
    const offset = align === 'right' ? face.widthOfTextAtSize(drawable, size) : 0;
    page.drawText(drawable, { x: MARGIN + x - offset, y: atY, size, font: face, color: rgb(0.1, 0.1, 0.1) });
  };
  const newPage = () => {
    page = document.addPage(A4);
    pageNumber += 1;
    y = A4[1] - MARGIN;
    draw(meta.company, 0, y, 14, bold);
    y -= 18;
    draw(content.title, 0, y, 10);
    y -= 12;
    draw(meta.subtitle, 0, y, 8);
    draw(`${content.labels.page} ${pageNumber}`, 515, y, 8, font, 'right');
    y -= 22;
    for (const column of COLUMNS)
      draw(content.headings[column.key], column.x, y, FONT_SIZE, bold, column.align);
    y -= 4;
    page.drawLine({ start: { x: MARGIN, y }, end: { x: A4[0] - MARGIN, y }, thickness: 0.5 });
    y -= ROW_HEIGHT;
  };

  newPage();
  for (const row of content.rows) {
    if (y < MARGIN + ROW_HEIGHT) newPage();
    for (const column of COLUMNS) draw(row[column.key], column.x, y, FONT_SIZE, font, column.align);
    y -= ROW_HEIGHT;
  }
  if (y < MARGIN + ROW_HEIGHT * (content.ageing.length + 3)) newPage();
  y -= ROW_HEIGHT;
  draw(content.labels.amountDueByAge, 0, y, 10, bold);
  y -= ROW_HEIGHT + 2;
  for (const bucket of content.ageing) {
    draw(bucket.label, 0, y);
    draw(bucket.amount, 215, y, FONT_SIZE, font, 'right');
    y -= ROW_HEIGHT;
  }
  return document.save({ useObjectStreams: true });
}
