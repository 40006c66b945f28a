/**
 * A hostile tenant and a hostile source of customer data, through the ledger API and the worker
 * against the emulators: what the settings refuse (and that a refusal writes nothing), and what
 * the statement the worker sends makes of data that is legitimate but built to break it.
 */
import { crc32, deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bodyOf, emptyLedgerTenant, tenantItems } from '../support/ledger-api.ts';

const SETTINGS = '/v2/settings/statements';

function chunk(type: string, data: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A 1-bit grey PNG of blank pixels: 20,000 × 20,000 of them deflate to 48 KB. */
function blankPng(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([1, 0, 0, 0, 0], 8);
  const rows = Buffer.alloc(height * (1 + Math.ceil(width / 8)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('statement settings from a hostile tenant', () => {
  it('refuses a decompression-bomb logo and a truncated one with 400 naming Logo.Data, and writes nothing', async () => {
    const { tenantId, api } = await emptyLedgerTenant();
    const settings = bodyOf(await api.get(SETTINGS));
    const before = await tenantItems(tenantId);

    const bomb = await api.put(SETTINGS, {
      body: {
        ...settings,
        Logo: { ContentType: 'image/png', Data: blankPng(20_000, 20_000).toString('base64') },
      },
    });
    const logo = blankPng(300, 100);
    const truncated = await api.put(SETTINGS, {
      body: {
        ...settings,
        Logo: { ContentType: 'image/png', Data: logo.subarray(0, logo.length - 16).toString('base64') },
      },
    });

    expect({ status: bomb.statusCode, body: bodyOf(bomb) }).toEqual({
      status: 400,
      body: {
        Error: 'InvalidRequestBody',
        Message: 'Logo.Data: must be at most 2000 × 2000 pixels (it is 20000 × 20000)',
      },
    });
    expect({ status: truncated.statusCode, body: bodyOf(truncated) }).toEqual({
      status: 400,
      body: {
        Error: 'InvalidRequestBody',
        Message: 'Logo.Data: must be a complete, valid PNG image (it ends inside its IDAT chunk)',
      },
    });
    expect(await tenantItems(tenantId)).toEqual(before);
    const accepted = await api.put(SETTINGS, {
      body: { ...settings, Logo: { ContentType: 'image/png', Data: logo.toString('base64') } },
    });
    expect(accepted.statusCode).toBeLessThan(300);
  });
});
