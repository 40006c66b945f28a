import { inflateSync } from 'node:zlib';
import { PDFArray, PDFDocument, PDFRawStream } from 'pdf-lib';

/**
 * The text a PDF draws, page by page: loads it with pdf-lib (so it must be a well-formed PDF),
 * inflates each page's content streams and decodes the hex strings shown with Tj (WinAnsi, which
 * matches Latin-1 for the characters statements use).
 */
export async function pdfText(bytes: Uint8Array): Promise<{ pages: number; text: string[] }> {
  const document = await PDFDocument.load(bytes);
  const text: string[] = [];
  for (const page of document.getPages()) {
    const contents = page.node.Contents();
    const streams =
      contents instanceof PDFArray
        ? contents.asArray().map((ref) => document.context.lookup(ref))
        : [contents];
    for (const stream of streams) {
      if (!(stream instanceof PDFRawStream)) continue;
      const raw = Buffer.from(stream.contents);
      const decoded = stream.dict.toString().includes('FlateDecode') ? inflateSync(raw) : raw;
      for (const [, hex = ''] of decoded.toString('latin1').matchAll(/<([0-9A-Fa-f]*)>\s*Tj/g)) {
        text.push(Buffer.from(hex, 'hex').toString('latin1'));
      }
    }
  }
  return { pages: document.getPageCount(), text };
}
