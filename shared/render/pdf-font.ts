/**
 * The statement PDF's font: DejaVu Sans Condensed, regular and bold (npm `dejavu-fonts-ttf`; Latin
 * with diacritics, Greek, Cyrillic and more: about 5,900 characters), which pdf-lib embeds as a
 * subset through fontkit (`@pdf-lib/fontkit`). Condensed because its widths are within 3% of
 * Helvetica's, so the columns laid out for Helvetica still fit.
 *
 * Neither the fonts (1.3 MB) nor fontkit (1 MB of code) are in the Lambda bundle: they would more
 * than double it and its init time. Both are read on the first statement a process renders, once,
 * from one of two places:
 * - beside the module, in `statement-font/` (a bundle: infra/bundling.ts puts the directory beside
 *   the worker's index.mjs, for CDK and `npm run check:bundles` alike);
 * - else from node_modules (tests and local runs from source).
 * The place is found from `import.meta.url`, so the bundle needs no environment variable and runs
 * from any directory.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { PDFDocument } from 'pdf-lib';

type Fontkit = Parameters<PDFDocument['registerFontkit']>[0];
type Font = ReturnType<Fontkit['create']>;

/** The directory a bundle ships beside its index.mjs. */
export const STATEMENT_FONT_DIR = 'statement-font';
/** The files in it: the two faces (named as in the npm package) and fontkit, bundled on its own. */
export const STATEMENT_FONT_FILES = {
  regular: 'DejaVuSansCondensed.ttf',
  bold: 'DejaVuSansCondensed-Bold.ttf',
  fontkit: 'fontkit.mjs',
} as const;
/** Where the font files are in the npm package. */
export const FONT_PACKAGE_DIR = 'dejavu-fonts-ttf/ttf';

/** The font engine and the TrueType files of one face each, with the characters each can draw. */
export interface StatementFont {
  /** fontkit that parses each face once per process (parsedOnce). */
  fontkit: Fontkit;
  regular: StatementFace;
  bold: StatementFace;
}
/** One face: its TrueType file's bytes and the characters it can draw. */
export interface StatementFace {
  bytes: Uint8Array;
  /** The Unicode code points the face has glyphs for. */
  characters: ReadonlySet<number>;
}

/** The font could not be read: a broken deployment, not a statement's fault. */
export class StatementFontError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StatementFontError';
  }
}

let loading: Promise<StatementFont> | undefined;

/** The statement font, read on the first call and kept for the life of the process. */
export function statementFont(): Promise<StatementFont> {
  loading ??= loadStatementFont().catch((error: unknown) => {
    // A failed read is not cached: the next statement tries again (and is retried if it fails).
    loading = undefined;
    throw error;
  });
  return loading;
}

/**
 * fontkit whose `create` parses each font file once and hands back the same font after: pdf-lib
 * calls it for every document, and parsing DejaVu's layout tables again each time was 35 ms of a
 * ten-line statement's 44 (docs/performance.md). Sharing is safe: each document takes its own
 * subset (`createSubset`), and no two code points share a glyph in DejaVu, so the code points a
 * glyph remembers for the ToUnicode map are its only ones.
 */
function parsedOnce(fontkit: Fontkit): Fontkit {
  const parsed = new Map<Uint8Array, Font>();
  return {
    create(bytes, postscriptName) {
      if (postscriptName !== undefined) return fontkit.create(bytes, postscriptName);
      let font = parsed.get(bytes);
      if (font === undefined) {
        font = withGlyphPerCodePoint(fontkit.create(bytes));
        parsed.set(bytes, font);
      }
      return font;
    },
  };
}

/**
 * The font, laid out one glyph per code point from its cmap. pdf-lib reads nothing of a layout but
 * its glyphs (it draws no kerning or mark positions), and fontkit's full OpenType shaping of every
 * string drawn made a 1,000-line statement's PDF take twice as long as in Helvetica. Text is
 * NFC-composed before it is drawn, so Latin, Greek and Cyrillic need no shaping; scripts that do
 * (Arabic, Indic) also need bidirectional ordering, which pdf-lib does not do either.
 */
function withGlyphPerCodePoint(font: Font): Font {
  font.layout = (text) =>
    ({
      glyphs: Array.from(text, (character) => {
        const codePoint = character.codePointAt(0) ?? 0;
        const glyph = font.glyphForCodePoint(codePoint);
        // A glyph fontkit first met as part of a composed one (Ж inside Ӂ) has no code points of
        // its own; pdf-lib would leave it out of the ToUnicode map, and the font is shared by every
        // later document of the process: the letter would no longer extract (pdftotext: U+FFFD).
        if (glyph.codePoints.length === 0) glyph.codePoints = [codePoint];
        return glyph;
      }),
    }) as unknown as ReturnType<Font['layout']>;
  return font;
}

async function loadStatementFont(): Promise<StatementFont> {
  const beside = fileURLToPath(new URL(`./${STATEMENT_FONT_DIR}/`, import.meta.url));
  const bundled = existsSync(`${beside}${STATEMENT_FONT_FILES.fontkit}`);
  const fontFile = (name: string) =>
    bundled ? `${beside}${name}` : createRequire(import.meta.url).resolve(`${FONT_PACKAGE_DIR}/${name}`);
  try {
    const [fontkitModule, regular, bold] = await Promise.all([
      bundled
        ? import(pathToFileURL(`${beside}${STATEMENT_FONT_FILES.fontkit}`).href)
        : import('@pdf-lib/fontkit'),
      readFile(fontFile(STATEMENT_FONT_FILES.regular)),
      readFile(fontFile(STATEMENT_FONT_FILES.bold)),
    ]);
    const fontkit = parsedOnce((fontkitModule as { default: Fontkit }).default);
    const face = (bytes: Uint8Array): StatementFace => ({
      bytes,
      characters: new Set(fontkit.create(bytes).characterSet),
    });
    return { fontkit, regular: face(regular), bold: face(bold) };
  } catch (error) {
    throw new StatementFontError(
      `The statement font could not be loaded from ${bundled ? beside : 'node_modules'}`,
      { cause: error },
    );
  }
}
