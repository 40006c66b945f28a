/**
 * PNG images built byte by byte for the logo tests: any size, bit depth, colour type and
 * interlacing, blank or painted pixel by pixel, or with image data and chunks of the test's own
 * (a truncated stream, a bomb that inflates past what the header promises).
 */
import { crc32, deflateSync } from 'node:zlib';

/** A PNG chunk: its length, type, data and CRC. */
export function pngChunk(type: string, data: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** How a PNG is made; the defaults are an 8-bit RGBA image of blank pixels. */
export interface PngOptions {
  depth?: number;
  colourType?: number;
  interlaced?: boolean;
  /** RGBA pixels (8-bit RGBA, not interlaced only): each pixel's four samples. */
  pixel?: (x: number, y: number) => number[];
  /** The image data as stored; default: every row filter 0 and every pixel blank (or `pixel`), deflated. */
  data?: Buffer;
  /** Chunks written after the header (and palette), before the image data. */
  extra?: Buffer[];
}

/** Samples per pixel of each PNG colour type. */
const SAMPLES: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Adam7's passes: start column and row, step across and down. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

/** The bytes of blank image data for the header's size and format, as a decoder expects them. */
function blankRows(width: number, height: number, bitsPerPixel: number, interlaced: boolean): Buffer {
  let total = 0;
  for (const [x0 = 0, y0 = 0, dx = 1, dy = 1] of interlaced ? ADAM7 : [[0, 0, 1, 1]]) {
    const columns = Math.ceil(Math.max(width - x0, 0) / dx);
    const rows = Math.ceil(Math.max(height - y0, 0) / dy);
    if (columns > 0 && rows > 0) total += rows * (1 + Math.ceil((columns * bitsPerPixel) / 8));
  }
  return Buffer.alloc(total);
}

/** 8-bit RGBA rows painted by `pixel`, each with filter 0. */
function paintedRows(width: number, height: number, pixel: (x: number, y: number) => number[]): Buffer {
  const rows = Buffer.alloc(height * (1 + width * 4));
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) rows.set(pixel(x, y), y * (1 + width * 4) + 1 + x * 4);
  }
  return rows;
}

/** A PNG of `width` × `height` (see PngOptions). */
export function png(width: number, height: number, options: PngOptions = {}): Buffer {
  const { depth = 8, colourType = 6, interlaced = false, pixel } = options;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([depth, colourType, 0, 0, interlaced ? 1 : 0], 8);
  const rows =
    pixel === undefined
      ? blankRows(width, height, depth * (SAMPLES[colourType] ?? 1), interlaced)
      : paintedRows(width, height, pixel);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    ...(colourType === 3 ? [pngChunk('PLTE', Buffer.from([0, 0, 0, 255, 255, 255]))] : []),
    ...(options.extra ?? []),
    pngChunk('IDAT', options.data ?? deflateSync(rows, { level: 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}
