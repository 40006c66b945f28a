/** Where the OpenAPI document is committed, and its text exactly as `npm run openapi` writes it. */
import * as path from 'node:path';
import { buildOpenApiDocument } from './document.ts';

/** docs/openapi.json, which the openapi function serves as built. */
export const OPENAPI_FILE = path.resolve(import.meta.dirname, '../../docs/openapi.json');

/** The document as committed: two-space JSON with a final newline. */
export const openApiText = (): string => `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
