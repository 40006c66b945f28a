/**
 * The Node.js 22 binary that Lambda's runtime matches, from the npm registry's node-<os>-<arch>
 * package (a registry package with the binary inside; nothing else is downloaded), installed once
 * into .build/node22. Used by the bundle check and the init benchmark.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { BUILD_DIR } from './bundles.ts';

const run = promisify(execFile);
export const NODE_22_VERSION = '22.23.3';

export async function node22(): Promise<string> {
  const pkg = `node-${process.platform}-${process.arch}`;
  const prefix = path.join(BUILD_DIR, 'node22');
  const binary = path.join(prefix, 'node_modules', pkg, 'bin', 'node');
  if (!existsSync(binary)) {
    console.error(`Installing ${pkg}@${NODE_22_VERSION} from the npm registry…`);
    await run('npm', [
      'install',
      '--no-save',
      '--no-package-lock',
      '--no-audit',
      '--no-fund',
      '--prefix',
      prefix,
      `${pkg}@${NODE_22_VERSION}`,
    ]);
  }
  const { stdout } = await run(binary, ['--version']);
  if (!stdout.startsWith('v22.')) throw new Error(`${binary} is ${stdout.trim()}, not Node.js 22`);
  return binary;
}
