/**
 * `npm run openapi`: writes the API's OpenAPI 3.1 document (infra/openapi/document.ts) to
 * docs/openapi.json. `npm run check:openapi` (`-- --check`): fails when the committed file is not
 * what the code generates, so the contract cannot drift from the handlers.
 */
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { OPENAPI_FILE, openApiText } from './openapi/document-file.ts';

async function main(): Promise<void> {
  const text = openApiText();
  if (process.argv.includes('--check')) {
    const committed = await readFile(OPENAPI_FILE, 'utf8').catch(() => '');
    if (committed !== text) {
      console.error('docs/openapi.json is not what the code generates: run `npm run openapi` and commit it.');
      process.exitCode = 1;
      return;
    }
    process.stdout.write('docs/openapi.json is up to date\n');
    return;
  }
  await writeFile(OPENAPI_FILE, text);
  process.stdout.write(
    `Wrote ${path.relative(process.cwd(), OPENAPI_FILE)} (${Buffer.byteLength(text)} bytes)\n`,
  );
}

await main();
