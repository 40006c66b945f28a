/**
 * bundle.size and init.load: each Lambda bundle as CDK builds it, against the naive build (CJS,
 * unminified, inline source map, `import { z } from 'zod'`, the SDK's whole credential chain).
 * Init is the module load time under Node.js 24 in fresh processes, the two builds interleaved.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { build, type Metafile, type Plugin } from 'esbuild';
import { BUILD_DIR, type BuiltBundle, buildAllBundles, PROJECT_ROOT } from '../infra/bundles.ts';
import { BUNDLE_TARGET, FUNCTIONS, type FunctionName } from '../infra/bundling.ts';
import { lambdaNode } from '../infra/lambda-node.ts';
import { median, type Row, ratio } from './lib/setup.ts';

const run = promisify(execFile);
const INIT_RUNS = 40;
const GOALS: Partial<Record<FunctionName, number>> = {
  'bulk-email-api': 450 * 1024,
  'statement-worker': 1024 * 1024,
};

/** What a first draft writes: the `z` namespace import (which keeps every zod locale). */
const namedZodImport: Plugin = {
  name: 'named-zod-import',
  setup(builder) {
    builder.onLoad({ filter: /\/(shared|functions)\/.*\.ts$/ }, async (args) => ({
      contents: (await readFile(args.path, 'utf8')).replaceAll(
        "import * as z from 'zod';",
        "import { z } from 'zod';",
      ),
      loader: 'ts',
    }));
  },
};

async function buildNaive(name: FunctionName): Promise<{ file: string; bytes: number }> {
  const file = path.join(BUILD_DIR, 'naive', name, 'index.cjs');
  const result = await build({
    entryPoints: [path.join(PROJECT_ROOT, FUNCTIONS[name])],
    bundle: true,
    platform: 'node',
    target: BUNDLE_TARGET,
    format: 'cjs',
    minify: false,
    sourcemap: 'inline',
    outfile: file,
    metafile: true,
    logLevel: 'error',
    plugins: [namedZodImport],
  });
  const output = Object.values(result.metafile.outputs).find((entry) => entry.entryPoint);
  return { file, bytes: output?.bytes ?? 0 };
}

/** The packages that weigh most in a bundle, from esbuild's metafile. */
function topPackages(metafile: Metafile, count = 3): string {
  const output = Object.values(metafile.outputs).find((entry) => entry.entryPoint);
  const sizes = new Map<string, number>();
  for (const [file, input] of Object.entries(output?.inputs ?? {})) {
    const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? '(project)';
    sizes.set(name, (sizes.get(name) ?? 0) + input.bytesInOutput);
  }
  return [...sizes.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, bytes]) => `${name} ${Math.round(bytes / 1024)}K`)
    .join(', ');
}

/** Milliseconds to import the bundle, measured inside a fresh Node.js 24 process. */
async function loadTime(binary: string, file: string): Promise<number> {
  const script = file.endsWith('.cjs')
    ? `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`
    : `const t=process.hrtime.bigint();await import(${JSON.stringify(`file://${file}`)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const inputType = file.endsWith('.cjs') ? '--input-type=commonjs' : '--input-type=module';
  const { stdout } = await run(binary, [inputType, '-e', script], {
    env: { ...process.env, AWS_REGION: 'eu-west-2' },
  });
  return Number(stdout);
}

export async function benchBundles(): Promise<Row[]> {
  const [binary, ours] = await Promise.all([lambdaNode(), buildAllBundles()]);
  const rows: Row[] = [];
  const byName = new Map<FunctionName, BuiltBundle>(ours.map((bundle) => [bundle.name, bundle]));
  const naive = new Map<FunctionName, { file: string; bytes: number }>();
  for (const name of Object.keys(FUNCTIONS) as FunctionName[]) naive.set(name, await buildNaive(name));

  for (const name of Object.keys(FUNCTIONS) as FunctionName[]) {
    const mine = byName.get(name);
    const theirs = naive.get(name);
    if (mine === undefined || theirs === undefined) continue;
    const goal = GOALS[name];
    rows.push({
      name: `bundle.size.${name}`,
      measure: `KB; top: ${topPackages(mine.metafile)}`,
      ours: (mine.bytes / 1024).toFixed(0),
      baseline: (theirs.bytes / 1024).toFixed(0),
      ratio: ratio(mine.bytes, theirs.bytes),
      goal: goal === undefined ? '(reported)' : `<= ${goal / 1024} KB`,
      met: goal === undefined ? undefined : mine.bytes <= goal,
    });
  }

  for (const name of ['bulk-email-api', 'authorizer', 'statement-worker'] as FunctionName[]) {
    const mine = byName.get(name);
    const theirs = naive.get(name);
    if (mine === undefined || theirs === undefined) continue;
    const oursTimes: number[] = [];
    const naiveTimes: number[] = [];
    for (let index = 0; index < INIT_RUNS; index += 1) {
      // Interleaved, and alternating which goes first, so that drift hits both alike.
      if (index % 2 === 0) {
        oursTimes.push(await loadTime(binary, mine.file));
        naiveTimes.push(await loadTime(binary, theirs.file));
      } else {
        naiveTimes.push(await loadTime(binary, theirs.file));
        oursTimes.push(await loadTime(binary, mine.file));
      }
    }
    const [a, b] = [median(oursTimes), median(naiveTimes)];
    rows.push({
      name: `init.load.${name}`,
      measure: `median ms to import under Node 24, ${INIT_RUNS} fresh processes`,
      ours: a.toFixed(1),
      baseline: b.toFixed(1),
      ratio: ratio(a, b),
      goal: '<= 0.5x',
      met: a / b <= 0.5,
    });
  }
  return rows;
}
