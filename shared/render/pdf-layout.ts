/**
 * The drawing kit of the statement PDF (statement-pdf.ts lays the statement out with it): A4 pages,
 * text in the statement font's two faces (pdf-font.ts) measured, wrapped, shrunk to fit or aligned,
 * rules, boxes, images and clickable links. x is measured from the left margin, y from the foot of
 * the page, in points, as PDF does.
 */
import {
  beginText,
  type Color,
  degrees,
  drawImage,
  endText,
  PDFDocument,
  type PDFFont,
  PDFHexString,
  type PDFName,
  type PDFOperator,
  type PDFPage,
  type PDFRef,
  popGraphicsState,
  pushGraphicsState,
  rgb,
  setFillingColor,
  setFontAndSize,
  setTextMatrix,
  showText,
} from 'pdf-lib';
import { type StatementFace, statementFont } from './pdf-font.ts';

/** A4 in points. */
export const PAGE = { width: 595.28, height: 841.89 } as const;
/** The margins: text runs from MARGIN.left to PAGE.width − MARGIN.right. */
export const MARGIN = { left: 40, right: 40, top: 40, bottom: 40 } as const;
/** The width text runs over, between the margins. */
export const CONTENT_WIDTH = PAGE.width - MARGIN.left - MARGIN.right;

/** The palette: body text, captions, rules, shaded bands, the accent of headings and boxes, links. */
export const COLOURS = {
  ink: rgb(0.12, 0.12, 0.14),
  muted: rgb(0.4, 0.42, 0.45),
  rule: rgb(0.78, 0.8, 0.83),
  shade: rgb(0.94, 0.95, 0.96),
  accent: rgb(0.1, 0.27, 0.45),
  accentShade: rgb(0.91, 0.94, 0.97),
  link: rgb(0.05, 0.33, 0.7),
} as const;

/** How a text is set: its size, face and colour. */
export interface TextStyle {
  size: number;
  bold?: boolean;
  color?: Color;
}

/** Where a text is placed against its x: starting there, ending there, or centred on it. */
export type Align = 'left' | 'right' | 'center';

/**
 * A face draws only the characters it has glyphs for: any other (CJK, emoji) becomes '?' instead
 * of failing the send.
 */
export function toDrawable(supported: ReadonlySet<number>, text: string): string {
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

/** A page's text object: whether one is open, and what was last set in it. */
interface TextState {
  open: boolean;
  font?: PDFName;
  size?: number;
  color?: Color;
}

/** A document being drawn: its pages, the current one, and the two faces embedded once. */
export class PdfWriter {
  readonly document: PDFDocument;
  readonly pages: PDFPage[] = [];
  private current: PDFPage | undefined;
  /** Each page's resource names of the two faces, registered once a page. */
  private readonly fontKeys = new WeakMap<PDFPage, { regular: PDFName; bold: PDFName }>();
  /**
   * Each page's open text object and the font, size and colour last set in it: consecutive texts
   * share one BT … ET and set only what changes (pdf-lib's drawText wraps each text in q BT … ET Q
   * and sets everything again, twice the operators of a statement's table).
   */
  private readonly textStates = new WeakMap<PDFPage, TextState>();
  private readonly fonts: { regular: PDFFont; bold: PDFFont };
  private readonly faces: { regular: StatementFace; bold: StatementFace };

  private constructor(
    document: PDFDocument,
    fonts: PdfWriter['fonts'],
    faces: { regular: StatementFace; bold: StatementFace },
  ) {
    this.document = document;
    this.fonts = fonts;
    this.faces = faces;
  }

  /** A new document with both faces of the statement font embedded as subsets (each parsed once per process). */
  static async create(): Promise<PdfWriter> {
    const document = await PDFDocument.create();
    const faces = await statementFont();
    document.registerFontkit(faces.fontkit);
    const [regular, bold] = await Promise.all([
      document.embedFont(faces.regular.bytes, { subset: true }),
      document.embedFont(faces.bold.bytes, { subset: true }),
    ]);
    return new PdfWriter(document, { regular, bold }, faces);
  }

  /** The page being drawn on. */
  get page(): PDFPage {
    if (this.current === undefined) throw new Error('No page: call addPage first');
    return this.current;
  }

  /** Starts a new A4 page and draws on it from now on. */
  addPage(): PDFPage {
    const page = this.document.addPage([PAGE.width, PAGE.height]);
    // pdf-lib's drawText adds two font resources for every text drawn in a given font (one to
    // select it, one to restore the page's); the page names each face once instead.
    this.fontKeys.set(page, {
      regular: page.node.newFontDictionary('F', this.fonts.regular.ref),
      bold: page.node.newFontDictionary('FB', this.fonts.bold.ref),
    });
    this.textStates.set(page, { open: false });
    this.current = page;
    this.pages.push(page);
    return page;
  }

  /** Draws on an earlier page again (the footers, once the page count is known). */
  usePage(page: PDFPage): void {
    this.current = page;
  }

  /** The page's own y of its top margin: where a page's first line goes. */
  get top(): number {
    return PAGE.height - MARGIN.top;
  }

  private font(style: TextStyle): PDFFont {
    return style.bold === true ? this.fonts.bold : this.fonts.regular;
  }

  /** The text as the face draws it (see toDrawable). */
  drawable(text: string, style: TextStyle): string {
    return toDrawable(style.bold === true ? this.faces.bold.characters : this.faces.regular.characters, text);
  }

  /** The width of a drawable text (drawable()) in the style. */
  widthOf(drawable: string, style: TextStyle): number {
    return this.font(style).widthOfTextAtSize(drawable, style.size);
  }

  /**
   * The text in lines no wider than `width`, broken between words; a word wider than a line on
   * its own (a long URL, a name without spaces) is broken between characters. Loses no character
   * within `maxLines`, so every word stays extractable; a text that needs more lines (a name of
   * 1,000 characters where a page repeats it) keeps `maxLines`, the last ending in '…', so that
   * no block can outgrow its page.
   */
  wrap(text: string, style: TextStyle, width: number, maxLines = Number.POSITIVE_INFINITY): string[] {
    const drawable = this.drawable(text, style).trim();
    if (this.widthOf(drawable, style) <= width) return [drawable];
    const lines: string[] = [];
    let line = '';
    // One line past the cap says that the text was cut; nothing further is measured.
    const full = () => lines.length > maxLines;
    for (const word of drawable.split(' ')) {
      if (full()) break;
      const joined = line === '' ? word : `${line} ${word}`;
      if (this.widthOf(joined, style) <= width) {
        line = joined;
        continue;
      }
      if (line !== '') lines.push(line);
      line = '';
      for (const character of word) {
        if (line !== '' && this.widthOf(line + character, style) > width) {
          lines.push(line);
          line = '';
          if (full()) break;
        }
        line += character;
      }
    }
    if (line !== '' && !full()) lines.push(line);
    if (lines.length <= maxLines) return lines;
    const kept = lines.slice(0, maxLines);
    const characters = Array.from(kept.pop() ?? '');
    while (characters.length > 0 && this.widthOf(`${characters.join('').trimEnd()}…`, style) > width)
      characters.pop();
    return [...kept, `${characters.join('').trimEnd()}…`];
  }

  /** The text cut to one line no wider than `width`, ending in '…' when cut (a running footer). */
  ellipsize(text: string, style: TextStyle, width: number): string {
    const drawable = this.drawable(text, style);
    if (this.widthOf(drawable, style) <= width) return drawable;
    const characters = Array.from(drawable);
    while (characters.length > 0 && this.widthOf(`${characters.join('').trimEnd()}…`, style) > width)
      characters.pop();
    return `${characters.join('').trimEnd()}…`;
  }

  /** The characters of a text broken into lines no wider than `width` anywhere (a URL). */
  breakAnywhere(text: string, style: TextStyle, width: number): string[] {
    const lines: string[] = [];
    let line = '';
    for (const character of this.drawable(text, style)) {
      if (line !== '' && this.widthOf(line + character, style) > width) {
        lines.push(line);
        line = '';
      }
      line += character;
    }
    return line === '' ? lines : [...lines, line];
  }

  /**
   * Draws one line of text at (x, y), aligned against x, shrunk (never below 60% of its size)
   * when `maxWidth` is given and it is wider: a figure is made smaller, never cut. Returns the
   * drawn width.
   */
  text(
    value: string,
    x: number,
    y: number,
    style: TextStyle,
    align: Align = 'left',
    maxWidth?: number,
  ): number {
    const drawable = this.drawable(value, style);
    if (drawable === '') return 0;
    let size = style.size;
    let width = this.widthOf(drawable, style);
    if (maxWidth !== undefined && width > maxWidth) {
      size = Math.max(style.size * 0.6, (style.size * maxWidth) / width);
      width = this.widthOf(drawable, { ...style, size });
    }
    const offset = align === 'right' ? width : align === 'center' ? width / 2 : 0;
    const keys = this.fontKeys.get(this.page);
    const state = this.textStates.get(this.page);
    if (keys === undefined || state === undefined) throw new Error('A page not made by addPage');
    const font = style.bold === true ? keys.bold : keys.regular;
    const color = style.color ?? COLOURS.ink;
    const operators: PDFOperator[] = [];
    if (!state.open) operators.push(beginText());
    if (state.font !== font || state.size !== size) operators.push(setFontAndSize(font, size));
    if (state.color !== color) operators.push(setFillingColor(color));
    operators.push(
      setTextMatrix(1, 0, 0, 1, MARGIN.left + x - offset, y),
      showText(this.font(style).encodeText(drawable)),
    );
    Object.assign(state, { open: true, font, size, color });
    this.page.pushOperators(...operators);
    return width;
  }

  /** Ends the page's open text object: paths and images are drawn outside one. */
  private closeText(): void {
    const state = this.textStates.get(this.page);
    if (state?.open !== true) return;
    this.page.pushOperators(endText());
    state.open = false;
  }

  /** The document's bytes, every page's text object closed. */
  save(): Promise<Uint8Array> {
    for (const page of this.pages) {
      this.usePage(page);
      this.closeText();
    }
    return this.document.save({ useObjectStreams: true });
  }

  /** A straight rule; dashed when `dash` is given (e.g. [4, 3]). */
  line(
    from: [number, number],
    to: [number, number],
    options: { thickness?: number; color?: Color; dash?: number[] } = {},
  ): void {
    this.closeText();
    this.page.drawLine({
      start: { x: MARGIN.left + from[0], y: from[1] },
      end: { x: MARGIN.left + to[0], y: to[1] },
      thickness: options.thickness ?? 0.5,
      color: options.color ?? COLOURS.rule,
      ...(options.dash === undefined ? {} : { dashArray: options.dash }),
    });
  }

  /** A rectangle whose lower left corner is (x, y): filled, outlined, or both. */
  box(
    x: number,
    y: number,
    width: number,
    height: number,
    options: { fill?: Color; border?: Color; thickness?: number },
  ): void {
    this.closeText();
    this.page.drawRectangle({
      x: MARGIN.left + x,
      y,
      width,
      height,
      ...(options.fill === undefined ? {} : { color: options.fill }),
      ...(options.border === undefined
        ? { borderWidth: 0 }
        : { borderColor: options.border, borderWidth: options.thickness ?? 0.75 }),
    });
  }

  /** Draws an image XObject already in the document (pdf-logo.ts) into the box at (x, y). */
  image(ref: PDFRef, x: number, y: number, width: number, height: number): void {
    this.closeText();
    const name = this.page.node.newXObject('Image', ref);
    this.page.pushOperators(
      pushGraphicsState(),
      ...drawImage(name, {
        x: MARGIN.left + x,
        y,
        width,
        height,
        rotate: degrees(0),
        xSkew: degrees(0),
        ySkew: degrees(0),
      }),
      popGraphicsState(),
    );
  }

  /**
   * Makes the area a clickable link to `uri`: a Link annotation with a URI action (PDF 32000
   * 12.5.6.5, 12.6.4.7). The URI is written as a hex string, so no character of it (a bracket, a
   * backslash) can end the string early.
   */
  link(uri: string, x: number, y: number, width: number, height: number): void {
    const context = this.document.context;
    const annotation = context.register(
      context.obj({
        Type: 'Annot',
        Subtype: 'Link',
        Rect: [MARGIN.left + x, y, MARGIN.left + x + width, y + height],
        Border: [0, 0, 0],
        A: { Type: 'Action', S: 'URI', URI: PDFHexString.of(Buffer.from(uri, 'latin1').toString('hex')) },
      }),
    );
    this.page.node.addAnnot(annotation);
  }
}
