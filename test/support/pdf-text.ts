import { inflateSync } from 'node:zlib';
import {
  PDFArray,
  PDFDict,
  PDFDocument,
  type PDFFont,
  PDFHexString,
  PDFName,
  PDFNumber,
  PDFRawStream,
  PDFRef,
  PDFString,
} from 'pdf-lib';
import { statementFont } from '#shared/render/pdf-font.ts';

/** One text a PDF draws, with where it starts (`1 0 0 1 x y Tm`, as pdf-lib writes it). */
export interface PlacedText {
  x: number;
  y: number;
  text: string;
  /** The page it is on, from 1. */
  page: number;
  /** The font size of the last Tf, and that font's BaseFont (`ABCDEF+DejaVuSansCondensed-Bold`). */
  size: number;
  font: string;
}

/** A Link annotation of a page: the URI its action opens and its rectangle [x1, y1, x2, y2]. */
export interface PlacedLink {
  page: number;
  uri: string;
  rect: number[];
}

function streamText(stream: PDFRawStream): string {
  const raw = Buffer.from(stream.contents);
  const decoded = stream.dict.toString().includes('FlateDecode') ? inflateSync(raw) : raw;
  return decoded.toString('latin1');
}

/** UTF-16BE hex (a ToUnicode destination) to a string. */
const utf16 = (hex: string) => Buffer.from(hex, 'hex').swap16().toString('utf16le');

/**
 * A font's ToUnicode CMap (`bfchar` and `bfrange`) as code → text, for the two-byte codes of an
 * embedded (Type0, Identity-H) font; undefined for a font without one (a standard font, WinAnsi).
 */
function toUnicode(document: PDFDocument, font: PDFDict): Map<number, string> | undefined {
  const stream = document.context.lookup(font.get(PDFName.of('ToUnicode')));
  if (!(stream instanceof PDFRawStream)) return undefined;
  const cmap = streamText(stream);
  const map = new Map<number, string>();
  for (const [, block = ''] of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const [, code = '', text = ''] of block.matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g)) {
      map.set(Number.parseInt(code, 16), utf16(text));
    }
  }
  for (const [, block = ''] of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const [, low = '', high = '', first = ''] of block.matchAll(
      /<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g,
    )) {
      const start = Number.parseInt(first, 16);
      for (let code = Number.parseInt(low, 16); code <= Number.parseInt(high, 16); code += 1) {
        map.set(code, String.fromCharCode(start + code - Number.parseInt(low, 16)));
      }
    }
  }
  return map;
}

/**
 * Each text a PDF draws, page by page, with where it starts: loads it with pdf-lib (so it must be
 * a well-formed PDF), inflates each page's content streams and decodes the hex strings shown with
 * Tj in the font selected by the last Tf: through the font's ToUnicode map for an embedded font
 * (two-byte glyph codes), else as WinAnsi (Latin-1 for the characters statements use).
 */
export async function pdfPlacedText(bytes: Uint8Array): Promise<{ pages: number; placed: PlacedText[] }> {
  const document = await PDFDocument.load(bytes);
  const placed: PlacedText[] = [];
  for (const [index, page] of document.getPages().entries()) {
    const fonts = new Map<string, { cmap: Map<number, string> | undefined; name: string }>();
    const fontDict = page.node.Resources()?.lookup(PDFName.of('Font'));
    if (fontDict instanceof PDFDict) {
      for (const [name, ref] of fontDict.entries()) {
        const font = ref instanceof PDFRef ? document.context.lookup(ref) : ref;
        if (font instanceof PDFDict) {
          const baseFont = font.get(PDFName.of('BaseFont'));
          fonts.set(name.asString(), {
            cmap: toUnicode(document, font),
            name: baseFont instanceof PDFName ? baseFont.decodeText() : '',
          });
        }
      }
    }
    const contents = page.node.Contents();
    const streams =
      contents instanceof PDFArray
        ? contents.asArray().map((ref) => document.context.lookup(ref))
        : [contents];
    for (const stream of streams) {
      if (!(stream instanceof PDFRawStream)) continue;
      let cmap: Map<number, string> | undefined;
      let fontName = '';
      let size = 0;
      let x = 0;
      let y = 0;
      for (const [operation = '', font, fontSize, tx, ty, hex = ''] of streamText(stream).matchAll(
        /(\/\S+) ([\d.]+) Tf|([-\d.]+) ([-\d.]+) Tm|<([0-9A-Fa-f]*)>\s*Tj/g,
      )) {
        if (font !== undefined) {
          cmap = fonts.get(font)?.cmap;
          fontName = fonts.get(font)?.name ?? '';
          size = Number(fontSize);
        } else if (tx !== undefined) [x, y] = [Number(tx), Number(ty)];
        else if (operation.endsWith('Tj')) {
          const text =
            cmap === undefined
              ? Buffer.from(hex, 'hex').toString('latin1')
              : (hex.match(/.{4}/g) ?? [])
                  .map((code) => cmap?.get(Number.parseInt(code, 16)) ?? '\ufffd')
                  .join('');
          placed.push({ x, y, text, page: index + 1, size, font: fontName });
        }
      }
    }
  }
  return { pages: document.getPageCount(), placed };
}

/** The text a PDF draws, page by page, one string per Tj (see pdfPlacedText). */
export async function pdfText(bytes: Uint8Array): Promise<{ pages: number; text: string[] }> {
  const { pages, placed } = await pdfPlacedText(bytes);
  return { pages, text: placed.map(({ text }) => text) };
}

/** Each Link annotation with a URI action, page by page (PDF 32000 12.5.6.5). */
export async function pdfLinks(bytes: Uint8Array): Promise<PlacedLink[]> {
  const document = await PDFDocument.load(bytes);
  const links: PlacedLink[] = [];
  for (const [index, page] of document.getPages().entries()) {
    for (const ref of page.node.Annots()?.asArray() ?? []) {
      const annotation = document.context.lookup(ref);
      if (!(annotation instanceof PDFDict)) continue;
      if (annotation.get(PDFName.of('Subtype')) !== PDFName.of('Link')) continue;
      const action = document.context.lookup(annotation.get(PDFName.of('A')));
      const uri = action instanceof PDFDict ? action.get(PDFName.of('URI')) : undefined;
      const rect = document.context.lookup(annotation.get(PDFName.of('Rect')));
      links.push({
        page: index + 1,
        uri: uri instanceof PDFString || uri instanceof PDFHexString ? uri.decodeText() : '',
        rect:
          rect instanceof PDFArray
            ? rect.asArray().map((value) => (value instanceof PDFNumber ? value.asNumber() : Number.NaN))
            : [],
      });
    }
  }
  return links;
}

/** The two faces as pdf-lib measures them, embedded once per test file. */
let faces: Promise<{ regular: PDFFont; bold: PDFFont }> | undefined;

function measuringFaces(): Promise<{ regular: PDFFont; bold: PDFFont }> {
  faces ??= (async () => {
    const document = await PDFDocument.create();
    const font = await statementFont();
    document.registerFontkit(font.fontkit);
    return {
      regular: await document.embedFont(font.regular.bytes),
      bold: await document.embedFont(font.bold.bytes),
    };
  })();
  return faces;
}

/**
 * Every text of an A4 statement that crosses a 40 pt margin or overlaps another on its page,
 * named; none for a page laid out right. Texts are boxed by their font's widths.
 */
export async function layoutProblems(placed: PlacedText[]): Promise<string[]> {
  const measure = await measuringFaces();
  const problems: string[] = [];
  const boxes = placed
    .filter((text) => text.text.trim() !== '')
    .map((text) => {
      const font = text.font.includes('Bold') ? measure.bold : measure.regular;
      const width = font.widthOfTextAtSize(text.text, text.size);
      return {
        ...text,
        left: text.x + 0.3,
        right: text.x + width - 0.3,
        bottom: text.y - 0.2 * text.size,
        top: text.y + 0.72 * text.size,
      };
    });
  for (const box of boxes) {
    if (box.x < 39.5 || box.right > 595.28 - 39.5 || box.bottom < 0 || box.top > 841.89 - 39.5) {
      problems.push(`"${box.text.slice(0, 20)}" crosses a margin on page ${box.page}`);
    }
  }
  for (const [index, a] of boxes.entries()) {
    for (const b of boxes.slice(index + 1)) {
      if (a.page === b.page && a.left < b.right && b.left < a.right && a.bottom < b.top && b.bottom < a.top) {
        problems.push(`"${a.text.slice(0, 20)}" and "${b.text.slice(0, 20)}" overlap on page ${a.page}`);
      }
    }
  }
  return problems;
}
