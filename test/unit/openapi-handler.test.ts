import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { handler } from '#functions/openapi/handler.ts';

describe('openapi handler (GET /v2/openapi.json)', () => {
  it('answers the committed docs/openapi.json as JSON, whatever the request', async () => {
    // Prepare
    const committed = JSON.parse(
      await readFile(path.resolve(import.meta.dirname, '../../docs/openapi.json'), 'utf8'),
    ) as unknown;

    // Act
    const result = await handler();

    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.headers?.['Content-Type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(result.body)).toEqual(committed);
    expect(JSON.parse(result.body)).toMatchObject({ openapi: expect.stringMatching(/^3\.1\./) });
  });
});
