/**
 * How every Lambda bundle is built, shared by the CDK construct and `npm run build:bundles` so
 * that CI runs exactly what CDK deploys. Choices and their measurements: docs/performance.md.
 */

import * as path from 'node:path';

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
  external: [] as string[],
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
} as const;
export type FunctionName = keyof typeof FUNCTIONS;
