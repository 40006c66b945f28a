/**
 * What a logo's bytes are, read without decoding its pixels: a PNG's chunks (each CRC, the
 * header's size and format, the image data inflated under a cap to exactly the size the header
 * promises) or a JPEG's segments (the frame's size, components and precision, an end of image).
 * The settings API judges a logo with it when it is set, so that every logo stored is one the PDF
 * can embed and the email can show, and the worker again before it decodes one (pdf-lib turns a
 * PNG into four bytes a pixel: a 48 KB PNG of 20,000 × 20,000 blank pixels would take 3 GB). It
 * uses node:zlib only, so that the ledger API's bundle does not carry pdf-lib.
 */
import { inflateSync } from 'node:zlib';

/** The widest and tallest logo, in pixels: it is drawn within 150 × 60 pt, 2,000 px is over 900 dpi. */
export const MAX_LOGO_SIDE = 2_000;

/** A logo's size in pixels. */
export interface LogoSize {
  width: number;
  height: number;
}

/** Why a logo cannot be used, worded as the rule of the settings' `Logo.Data` it breaks. */
export class LogoImageError extends Error {
  override readonly name = 'LogoImageError';
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

let crcTable: Uint32Array | undefined;

/** CRC-32 (ISO 3309, as PNG's chunks carry it); zlib.crc32 is not in every Node 20. */
function crc32(bytes: Uint8Array): number {
  if (crcTable === undefined) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n += 1) {
      let c = n;
      for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (crcTable[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** The bit depths PNG allows for each colour type (PNG spec, table 11.1), with its samples a pixel. */
const PNG_FORMATS: Record<number, { depths: number[]; samples: number }> = {
  0: { depths: [1, 2, 4, 8, 16], samples: 1 },
  2: { depths: [8, 16], samples: 3 },
  3: { depths: [1, 2, 4, 8], samples: 1 },
  4: { depths: [8, 16], samples: 2 },
  6: { depths: [8, 16], samples: 4 },
};

/** Adam7's passes: first column and row, and the step between them. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

/** The rows of each (sub)image the image data holds, and the bytes of each row after its filter byte. */
function pngScanlines(
  size: LogoSize,
  bitsPerPixel: number,
  interlaced: boolean,
): { rows: number; bytes: number }[] {
  const rowBytes = (width: number) => Math.ceil((width * bitsPerPixel) / 8);
  if (!interlaced) return [{ rows: size.height, bytes: rowBytes(size.width) }];
  return ADAM7.map(([x0, y0, dx, dy]) => ({
    width: Math.ceil(Math.max(size.width - x0, 0) / dx),
    rows: Math.ceil(Math.max(size.height - y0, 0) / dy),
  }))
    .filter(({ width, rows }) => width > 0 && rows > 0)
    .map(({ width, rows }) => ({ rows, bytes: rowBytes(width) }));
}

function checkSide(size: LogoSize): void {
  if (size.width < 1 || size.height < 1)
    throw new LogoImageError('must be an image at least 1 pixel wide and high');
  if (size.width > MAX_LOGO_SIDE || size.height > MAX_LOGO_SIDE) {
    throw new LogoImageError(
      `must be at most ${MAX_LOGO_SIDE} × ${MAX_LOGO_SIDE} pixels (it is ${size.width} × ${size.height})`,
    );
  }
}

function inspectPng(bytes: Uint8Array): LogoSize {
  const broken = (why: string) => new LogoImageError(`must be a complete, valid PNG image (${why})`);
  if (!PNG_SIGNATURE.every((byte, index) => bytes[index] === byte)) throw broken('no PNG signature');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = PNG_SIGNATURE.length;
  let header: { size: LogoSize; depth: number; colourType: number; interlaced: boolean } | undefined;
  let palette = false;
  let ended = false;
  const data: Uint8Array[] = [];
  let dataEnded = false;
  while (!ended) {
    if (offset + 12 > bytes.length) throw broken('it ends inside a chunk');
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    if (offset + 12 + length > bytes.length) throw broken(`it ends inside its ${type} chunk`);
    const body = bytes.subarray(offset + 8, offset + 8 + length);
    if (crc32(bytes.subarray(offset + 4, offset + 8 + length)) !== view.getUint32(offset + 8 + length)) {
      throw broken(`the ${type} chunk's CRC is wrong`);
    }
    offset += 12 + length;
    if (header === undefined && type !== 'IHDR') throw broken('IHDR is not its first chunk');
    if (type !== 'IDAT' && data.length > 0) dataEnded = true;
    switch (type) {
      case 'IHDR': {
        if (header !== undefined || length !== 13) throw broken('a bad IHDR chunk');
        const fields = new DataView(body.buffer, body.byteOffset, body.byteLength);
        const size = { width: fields.getUint32(0), height: fields.getUint32(4) };
        const [depth = 0, colourType = 0, compression, filter, interlace] = body.subarray(8);
        const format = PNG_FORMATS[colourType];
        if (format === undefined || !format.depths.includes(depth)) {
          throw broken(`colour type ${colourType} at ${depth} bits is not a PNG format`);
        }
        if (compression !== 0 || filter !== 0 || (interlace !== 0 && interlace !== 1)) {
          throw broken('an unknown compression, filter or interlace method');
        }
        checkSide(size);
        header = { size, depth, colourType, interlaced: interlace === 1 };
        break;
      }
      case 'PLTE':
        palette = true;
        break;
      case 'IDAT':
        if (dataEnded) throw broken('its IDAT chunks are not consecutive');
        data.push(body);
        break;
      case 'IEND':
        ended = true;
        break;
      case 'acTL':
        throw broken('an animated PNG');
      default:
        // An unknown critical chunk (upper-case first letter) is one a decoder must refuse.
        if (type.charCodeAt(0) < 0x61) throw broken(`an unknown critical chunk ${type}`);
    }
  }
  if (header === undefined || data.length === 0) throw broken('no image data');
  if (header.colourType === 3 && !palette) throw broken('no palette for its indexed colours');
  const format = PNG_FORMATS[header.colourType] ?? { samples: 1 };
  const scanlines = pngScanlines(header.size, format.samples * header.depth, header.interlaced);
  const expected = scanlines.reduce((sum, { rows, bytes: rowBytes }) => sum + rows * (rowBytes + 1), 0);
  let pixels: Buffer;
  try {
    // Never more than the header promises (plus one byte, to tell "more" from "exactly").
    pixels = inflateSync(Buffer.concat(data), { maxOutputLength: expected + 1 });
  } catch {
    throw broken('its image data does not inflate to the size its header gives');
  }
  if (pixels.length !== expected)
    throw broken('its image data does not inflate to the size its header gives');
  let row = 0;
  for (const { rows, bytes: rowBytes } of scanlines) {
    for (let index = 0; index < rows; index += 1) {
      if ((pixels[row] ?? 0) > 4) throw broken('a row with an unknown filter type');
      row += rowBytes + 1;
    }
  }
  return header.size;
}

/** JPEG's start-of-frame markers (SOF0–SOF15 but DHT, JPG and DAC, which share the range). */
const isStartOfFrame = (marker: number) =>
  marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);

const END_OF_IMAGE = Buffer.from([0xff, 0xd9]);

function inspectJpeg(bytes: Uint8Array): LogoSize {
  const broken = (why: string) => new LogoImageError(`must be a complete, valid JPEG image (${why})`);
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) throw broken('no start of image');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 2;
  let size: LogoSize | undefined;
  for (;;) {
    if (bytes[offset] !== 0xff) throw broken('a segment does not start with a marker');
    while (bytes[offset] === 0xff) offset += 1; // fill bytes
    const marker = bytes[offset];
    offset += 1;
    if (marker === undefined) throw broken('it ends before its image data');
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue; // no length
    if (marker === 0xd9) throw broken('it ends before its image data');
    if (offset + 2 > bytes.length) throw broken('it ends inside a segment');
    const length = view.getUint16(offset);
    if (length < 2 || offset + length > bytes.length) throw broken('it ends inside a segment');
    if (isStartOfFrame(marker)) {
      if (size !== undefined || length < 8) throw broken('a bad frame header');
      const precision = bytes[offset + 2];
      size = { height: view.getUint16(offset + 3), width: view.getUint16(offset + 5) };
      const components = bytes[offset + 7] ?? 0;
      if (precision !== 8) throw broken(`${precision}-bit samples (a PDF shows 8-bit JPEGs)`);
      if (![1, 3, 4].includes(components))
        throw broken(`${components} colour components (grey, RGB or CMYK)`);
      checkSide(size);
    }
    offset += length;
    if (marker === 0xda) break; // start of scan: the entropy-coded data follows
  }
  if (size === undefined) throw broken('no frame header before its image data');
  // The scan runs to the end-of-image marker; a JPEG cut short has none.
  if (Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).lastIndexOf(END_OF_IMAGE) < offset) {
    throw broken('no end of image: it is cut short');
  }
  return size;
}

/**
 * The logo's size in pixels, or LogoImageError naming the rule it breaks: the structure its type
 * promises, complete, and at most MAX_LOGO_SIDE pixels a side.
 */
export function inspectLogo(contentType: 'image/png' | 'image/jpeg', bytes: Uint8Array): LogoSize {
  return contentType === 'image/png' ? inspectPng(bytes) : inspectJpeg(bytes);
}
