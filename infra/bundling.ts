/**
 * How every Lambda bundle is built, shared by the CDK construct and `npm run build:bundles` so
 * that CI runs exactly what CDK deploys. Choices and their measurements: docs/performance.md.
 */

import * as path from 'node:path';
import { FONT_PACKAGE_DIR, STATEMENT_FONT_DIR, STATEMENT_FONT_FILES } from '../shared/render/pdf-font.ts';

/**
 * The Node.js major of the Lambda runtime (the construct's `Runtime.NODEJS_<major>_X`; the infra
 * tests check they agree), which the bundles target and `npm run check:bundles` runs them under.
 */
export const LAMBDA_NODE_MAJOR = 24;

/** ESM bundles still contain CommonJS dependencies that call require(); give them one. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __smCreateRequire } from 'node:module'; const require = __smCreateRequire(import.meta.url);";

export const BUNDLE_TARGET = `node${LAMBDA_NODE_MAJOR}`;

export const BUNDLE_OPTIONS = {
  format: 'esm',
  platform: 'node',
  target: BUNDLE_TARGET,
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  // Licence comments go to index.mjs.LEGAL.txt beside the bundle, not into the code Lambda loads.
  legalComments: 'external',
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
  // The SDK is bundled, not taken from the runtime: a pinned, tested version, and tree-shaken.
  // fontkit (1 MB minified) is not: the statement worker loads it from beside its bundle on the
  // first PDF (shared/render/pdf-font.ts; afterBundlingCommands below puts it there).
  external: ['@pdf-lib/fontkit'] as string[],
  // Lambda's credentials are always in the environment: bundle only that provider.
  alias: {
    '@aws-sdk/credential-provider-node': path.resolve(
      import.meta.dirname,
      '../shared/aws/lambda-credentials.ts',
    ),
  } as Record<string, string>,
} as const;

/** The Lambda functions: name and entry point. */
export const FUNCTIONS = {
  'bulk-email-api': 'functions/bulk-email-api/handler.ts',
  authorizer: 'functions/authorizer/handler.ts',
  'statement-worker': 'functions/statement-worker/handler.ts',
  'batch-status': 'functions/batch-status/handler.ts',
  'customer-notes': 'functions/customer-notes/handler.ts',
  'ledger-api': 'functions/ledger-api/handler.ts',
  'ses-events': 'functions/ses-events/handler.ts',
  'statement-runs-api': 'functions/statement-runs-api/handler.ts',
  'run-feeder': 'functions/run-feeder/handler.ts',
  'statement-schedules-api': 'functions/statement-schedules-api/handler.ts',
  'schedule-trigger': 'functions/schedule-trigger/handler.ts',
  openapi: 'functions/openapi/handler.ts',
} as const;
export type FunctionName = keyof typeof FUNCTIONS;

const quote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

/**
 * Shell commands that put beside a function's index.mjs what its bundle loads at run time: for the
 * statement worker, `statement-font/` with the PDF font's two faces, their licence, and fontkit
 * bundled on its own (shared/render/pdf-font.ts). CDK runs them as the NodejsFunction's
 * `commandHooks.afterBundling`; `npm run check:bundles` runs the same after its own build.
 */
export function afterBundlingCommands(name: FunctionName, inputDir: string, outputDir: string): string[] {
  if (name !== 'statement-worker') return [];
  const modules = path.join(inputDir, 'node_modules');
  const fonts = path.join(modules, FONT_PACKAGE_DIR);
  const out = path.join(outputDir, STATEMENT_FONT_DIR);
  return [
    `mkdir -p ${quote(out)}`,
    `cp ${quote(path.join(fonts, STATEMENT_FONT_FILES.regular))} ${quote(path.join(fonts, STATEMENT_FONT_FILES.bold))} ${quote(out)}`,
    `cp ${quote(path.join(fonts, '../LICENSE'))} ${quote(path.join(out, 'LICENSE-DejaVu.txt'))}`,
    [
      path.join(modules, '.bin/esbuild'),
      path.join(modules, '@pdf-lib/fontkit/dist/fontkit.es.js'),
      '--bundle',
      `--format=${BUNDLE_OPTIONS.format}`,
      `--platform=${BUNDLE_OPTIONS.platform}`,
      `--target=${BUNDLE_OPTIONS.target}`,
      '--minify',
      `--legal-comments=${BUNDLE_OPTIONS.legalComments}`,
      '--log-level=warning',
      `--banner:js=${BUNDLE_OPTIONS.banner}`,
      `--outfile=${path.join(out, STATEMENT_FONT_FILES.fontkit)}`,
    ]
      .map(quote)
      .join(' '),
  ];
}
