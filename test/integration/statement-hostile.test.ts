/**
 * A hostile tenant and a hostile source of customer data, through the ledger API and the worker
 * against the emulators: what the settings refuse (and that a refusal writes nothing), and what
 * the statement the worker sends makes of data that is legitimate but built to break it.
 */
import { describe, expect, it } from 'vitest';
import { bodyOf, emptyLedgerTenant, tenantItems } from '../support/ledger-api.ts';
import { png } from '../support/png.ts';

const SETTINGS = '/v2/settings/statements';

/** A 1-bit grey PNG of blank pixels: 20,000 × 20,000 of them deflate to 48 KB. */
const blankPng = (width: number, height: number) => png(width, height, { depth: 1, colourType: 0 });

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
