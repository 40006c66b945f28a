/**
 * The tenant's logo as an image XObject of a statement PDF. Decoding a PNG and compressing its
 * pixels again is most of the cost of embedding it (pdf-lib does both for every document), so
 * each logo is prepared once per process, keyed by its bytes (the worker reads a tenant's logo
 * once per version and hands the same bytes to every statement), and each document gets a copy
 * of the prepared streams.
 */
import { JpegEmbedder, PDFContext, PDFName, PDFRawStream, type PDFRef, PngEmbedder } from 'pdf-lib';
import { inspectLogo } from '../schemas/logo-image.ts';
import type { StatementLogo } from './statement-content.ts';

/** A logo ready to copy into documents: the image stream, its soft mask (PNG alpha) and its size in pixels. */
interface PreparedLogo {
  image: PDFRawStream;
  mask: PDFRawStream | undefined;
  width: number;
  height: number;
}

/** A logo in one document: the image XObject to draw and its size in pixels. */
export interface EmbeddedLogo {
  ref: PDFRef;
  width: number;
  height: number;
}

const prepared = new WeakMap<Uint8Array, Promise<PreparedLogo | undefined>>();

async function prepare(logo: StatementLogo): Promise<PreparedLogo | undefined> {
  // Read without decoding first: a logo stored before the settings checked images may be a
  // decompression bomb (pdf-lib spends four bytes a pixel) or cut short (pdf-lib draws noise).
  inspectLogo(logo.contentType, logo.bytes);
  const scratch = PDFContext.create();
  const embedder =
    logo.contentType === 'image/png' ? await PngEmbedder.for(logo.bytes) : await JpegEmbedder.for(logo.bytes);
  const image = scratch.lookup(await embedder.embedIntoContext(scratch));
  if (!(image instanceof PDFRawStream)) return undefined;
  const mask = scratch.lookup(image.dict.get(PDFName.of('SMask')));
  return {
    image,
    mask: mask instanceof PDFRawStream ? mask : undefined,
    width: embedder.width,
    height: embedder.height,
  };
}

/**
 * Puts the logo into the document as an image XObject. A logo that is not a complete image of at
 * most MAX_LOGO_SIDE pixels a side (the settings refuse one since they check images; one stored
 * before may be) or that pdf-lib cannot decode is left off:
 * the letterhead still names the tenant, and the statement is still sent, as a character the font
 * lacks is drawn as '?' rather than failing it.
 */
export async function embedLogo(context: PDFContext, logo: StatementLogo): Promise<EmbeddedLogo | undefined> {
  let preparing = prepared.get(logo.bytes);
  if (preparing === undefined) {
    preparing = prepare(logo).catch(() => undefined);
    prepared.set(logo.bytes, preparing);
  }
  const ready = await preparing;
  if (ready === undefined || ready.width <= 0 || ready.height <= 0) return undefined;
  // The prepared streams' contents are never changed, so every document shares them; each gets
  // its own dictionaries, since the mask's reference is the document's own.
  const dict = ready.image.dict.clone(context);
  if (ready.mask !== undefined) {
    dict.set(
      PDFName.of('SMask'),
      context.register(PDFRawStream.of(ready.mask.dict.clone(context), ready.mask.contents)),
    );
  }
  return {
    ref: context.register(PDFRawStream.of(dict, ready.image.contents)),
    width: ready.width,
    height: ready.height,
  };
}
