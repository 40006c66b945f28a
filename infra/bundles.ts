/**
 * Builds the Lambda bundles exactly as the CDK construct does (shared options in bundling.ts),
 * into `.build/<function>/index.mjs`, with esbuild's metafile for size reports.
 * `npm run build:bundles`.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { afterBundlingCommands, BUNDLE_OPTIONS, FUNCTIONS, type FunctionName } from './bundling.ts';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..');
export const BUILD_DIR = path.join(PROJECT_ROOT, '.build');

export interface BuiltBundle {
  name: FunctionName;
  file: string;
  bytes: number;
  metafile: Metafile;
}

export async function buildBundle(name: FunctionName, outDir = BUILD_DIR): Promise<BuiltBundle> {
  const file = path.join(outDir, name, 'index.mjs');
  await mkdir(path.dirname(file), { recursive: true });
  const result = await build({
    ...BUNDLE_OPTIONS,
    mainFields: [...BUNDLE_OPTIONS.mainFields],
    external: [...BUNDLE_OPTIONS.external],
    alias: { ...BUNDLE_OPTIONS.alias },
    banner: { js: BUNDLE_OPTIONS.banner },
    entryPoints: [path.join(PROJECT_ROOT, FUNCTIONS[name])],
    bundle: true,
    outfile: file,
    metafile: true,
    logLevel: 'warning',
  });
  await writeFile(path.join(outDir, name, 'metafile.json'), JSON.stringify(result.metafile));
  // What CDK's afterBundling hook puts beside the bundle (the worker's PDF font), so that this
  // build is the deployed one.
  for (const command of afterBundlingCommands(name, PROJECT_ROOT, path.dirname(file))) {
    execFileSync('bash', ['-c', command], { stdio: 'inherit' });
  }
  const output =
    result.metafile.outputs[path.relative(process.cwd(), file)] ??
    Object.values(result.metafile.outputs).find((o) => o.entryPoint);
  return { name, file, bytes: output?.bytes ?? 0, metafile: result.metafile };
}

export async function buildAllBundles(outDir = BUILD_DIR): Promise<BuiltBundle[]> {
  return Promise.all((Object.keys(FUNCTIONS) as FunctionName[]).map((name) => buildBundle(name, outDir)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const bundle of await buildAllBundles()) {
    console.log(
      `${bundle.name.padEnd(18)} ${(bundle.bytes / 1024).toFixed(0).padStart(6)} KB  ${path.relative(PROJECT_ROOT, bundle.file)}`,
    );
  }
}
