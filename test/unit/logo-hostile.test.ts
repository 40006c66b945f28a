/**
 * A hostile tenant's logo: decompression bombs, truncated and corrupt PNGs and JPEGs. The settings
 * refuse each with a 400 naming Logo.Data and its rule, every logo they accept is one pdf-lib
 * embeds at the size its header gives, and the worker never decodes one over the cap that was
 * stored before the rule.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { deflateSync } from 'node:zlib';
import { PDFContext, PDFDocument, rgb } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embedLogo } from '#shared/render/pdf-logo.ts';
import { LogoSchema } from '#shared/schemas/ledger-records.ts';
import { MAX_LOGO_SIDE } from '#shared/schemas/logo-image.ts';
import { png, pngChunk } from '../support/png.ts';

const run = promisify(execFile);

/** What the settings answer about a logo: its issues' paths and messages. */
function issues(contentType: 'image/png' | 'image/jpeg', bytes: Uint8Array) {
  const result = LogoSchema.safeParse({
    ContentType: contentType,
    Data: Buffer.from(bytes).toString('base64'),
  });
  return result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

let directory: string;
let jpeg: Buffer;

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'logo-hostile-'));
  const drawing = await PDFDocument.create();
  const page = drawing.addPage([400, 120]);
  page.drawRectangle({ x: 10, y: 10, width: 100, height: 100, color: rgb(0.8, 0.2, 0.1) });
  const source = path.join(directory, 'source.pdf');
  await import('node:fs/promises').then(async ({ writeFile }) => writeFile(source, await drawing.save()));
  await run('pdftoppm', [
    '-jpeg',
    '-singlefile',
    '-scale-to-x',
    '160',
    '-scale-to-y',
    '48',
    source,
    `${directory}/logo`,
  ]);
  jpeg = await readFile(`${directory}/logo.jpg`);
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('the settings Logo against hostile images', () => {
  it('refuses a 48 KB PNG of 20,000 × 20,000 pixels (a decompression bomb) by its size', () => {
    const bomb = png(20_000, 20_000, { depth: 1, colourType: 0 });
    expect(bomb.length).toBeLessThan(64 * 1024);
    expect(issues('image/png', bomb)).toEqual([
      `Data: must be at most ${MAX_LOGO_SIDE} × ${MAX_LOGO_SIDE} pixels (it is 20000 × 20000)`,
    ]);
  });

  it('refuses a small PNG whose image data inflates to far more than its header gives', () => {
    const bomb = png(100, 100, { data: deflateSync(Buffer.alloc(50 * 1024 * 1024), { level: 9 }) });
    expect(bomb.length).toBeLessThan(64 * 1024);
    expect(issues('image/png', bomb)).toEqual([
      'Data: must be a complete, valid PNG image (its image data does not inflate to the size its header gives)',
    ]);
  });

  it('refuses a truncated PNG, a chunk with a wrong CRC and a PNG without image data', () => {
    const logo = png(200, 80);
    expect(issues('image/png', logo.subarray(0, logo.length - 20))).toEqual([
      'Data: must be a complete, valid PNG image (it ends inside its IDAT chunk)',
    ]);
    const corrupt = Buffer.from(logo);
    corrupt[50] = (corrupt[50] ?? 0) ^ 0xff;
    expect(issues('image/png', corrupt)[0]).toMatch(
      /^Data: must be a complete, valid PNG image \(the IDAT chunk's CRC is wrong\)$/,
    );
    const headerOnly = Buffer.concat([logo.subarray(0, 33), pngChunk('IEND', Buffer.alloc(0))]);
    expect(issues('image/png', headerOnly)).toEqual([
      'Data: must be a complete, valid PNG image (no image data)',
    ]);
  });

  it('refuses a truncated JPEG and one whose frame is over the size cap', () => {
    expect(issues('image/jpeg', jpeg.subarray(0, jpeg.length - 200))).toEqual([
      'Data: must be a complete, valid JPEG image (no end of image: it is cut short)',
    ]);
    expect(issues('image/jpeg', jpeg.subarray(0, 200))[0]).toMatch(
      /^Data: must be a complete, valid JPEG image/,
    );
    const huge = Buffer.from(jpeg);
    const frame = huge.indexOf(Buffer.from([0xff, 0xc0]));
    huge.writeUInt16BE(30_000, frame + 5);
    huge.writeUInt16BE(30_000, frame + 7);
    expect(issues('image/jpeg', huge)).toEqual([
      `Data: must be at most ${MAX_LOGO_SIDE} × ${MAX_LOGO_SIDE} pixels (it is 30000 × 30000)`,
    ]);
  });

  it('accepts every PNG format and a JPEG, and pdf-lib embeds each at the size its header gives', async () => {
    const logos: [string, 'image/png' | 'image/jpeg', Uint8Array, number, number][] = [
      ['demo logo', 'image/png', await readFile('fixtures/demo-logo.png'), 0, 0],
      ['grey 1 bit', 'image/png', png(33, 7, { depth: 1, colourType: 0 }), 33, 7],
      ['grey 16 bit', 'image/png', png(5, 9, { depth: 16, colourType: 0 }), 5, 9],
      ['RGB 8 bit', 'image/png', png(10, 10, { colourType: 2 }), 10, 10],
      ['indexed 4 bit', 'image/png', png(17, 3, { depth: 4, colourType: 3 }), 17, 3],
      ['grey and alpha', 'image/png', png(4, 4, { colourType: 4 }), 4, 4],
      ['RGBA interlaced', 'image/png', png(13, 11, { interlaced: true }), 13, 11],
      [
        'the largest',
        'image/png',
        png(MAX_LOGO_SIDE, MAX_LOGO_SIDE, { depth: 1, colourType: 0 }),
        MAX_LOGO_SIDE,
        MAX_LOGO_SIDE,
      ],
      ['JPEG', 'image/jpeg', jpeg, 160, 48],
    ];
    for (const [name, contentType, bytes, width, height] of logos) {
      expect({ name, issues: issues(contentType, bytes) }).toEqual({ name, issues: [] });
      const embedded = await embedLogo(PDFContext.create(), { contentType, bytes: new Uint8Array(bytes) });
      expect({ name, embedded: embedded !== undefined }).toEqual({ name, embedded: true });
      if (width > 0)
        expect({ name, width: embedded?.width, height: embedded?.height }).toEqual({ name, width, height });
    }
  });
});

describe('embedLogo, with a logo stored before the settings checked images', () => {
  it('leaves off a logo over the size cap without decoding it, and one that is truncated', async () => {
    // 1 × (cap + 1): cheap to decode, so that before the check it was embedded.
    const wide = png(MAX_LOGO_SIDE + 1, 1, { depth: 1, colourType: 0 });
    expect(
      await embedLogo(PDFContext.create(), { contentType: 'image/png', bytes: new Uint8Array(wide) }),
    ).toBeUndefined();
    const logo = png(200, 80);
    const truncated = new Uint8Array(logo.subarray(0, logo.length - 20));
    expect(
      await embedLogo(PDFContext.create(), { contentType: 'image/png', bytes: truncated }),
    ).toBeUndefined();
  });
});
