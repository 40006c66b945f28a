/** Where the OpenAPI document is committed, and its text exactly as `npm run openapi` writes it. */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { buildOpenApiDocument } from './document.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** docs/openapi.json, which the openapi function serves as built. */
export const OPENAPI_FILE = path.join(ROOT, 'docs/openapi.json');

/**
 * The document as committed: JSON laid out by Biome, the project's formatter, so that
 * `npm run lint` (which checks every file's format) accepts the generated file as it is.
 */
export function openApiText(): string {
  return execFileSync(
    path.join(ROOT, 'node_modules/.bin/biome'),
    ['format', `--stdin-file-path=${OPENAPI_FILE}`],
    {
      cwd: ROOT,
      input: JSON.stringify(buildOpenApiDocument()),
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    },
  );
}
