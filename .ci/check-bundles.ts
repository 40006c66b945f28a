/**
 * `npm run check:bundles`: builds the Lambda bundles as CDK does and runs each one's handler under
 * Node.js 22 (the runtime Lambda uses; the binary comes from the npm registry's node-<os>-<arch>
 * package) against the embedded emulators with the sample events in fixtures/events/. A bundle
 * that cannot load or answer in Node.js 22 fails the check.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { BUILD_DIR, buildAllBundles, PROJECT_ROOT } from '../infra/bundles.ts';
import { startEmulators } from '../infra/local/emulators.ts';
import { configureLocalEnvironment } from '../infra/local/environment.ts';
import { ensureJobQueues, ensureTable } from '../infra/local/resources.ts';

const run = promisify(execFile);
const NODE_22 = '22.23.3';
const EVENTS = path.join(PROJECT_ROOT, 'fixtures/events');

async function node22(): Promise<string> {
  const pkg = `node-${process.platform}-${process.arch}`;
  const prefix = path.join(BUILD_DIR, 'node22');
  const binary = path.join(prefix, 'node_modules', pkg, 'bin', 'node');
  if (!existsSync(binary)) {
    console.log(`Installing ${pkg}@${NODE_22} from the npm registry…`);
    await run('npm', [
      'install',
      '--no-save',
      '--no-package-lock',
      '--no-audit',
      '--no-fund',
      '--prefix',
      prefix,
      `${pkg}@${NODE_22}`,
    ]);
  }
  const { stdout } = await run(binary, ['--version']);
  if (!stdout.startsWith('v22.')) throw new Error(`${binary} is ${stdout.trim()}, not Node.js 22`);
  return binary;
}

async function invoke(
  binary: string,
  bundle: string,
  event: string,
  name: string,
): Promise<{ node: string; result: unknown }> {
  const { stdout } = await run(
    binary,
    [path.join(PROJECT_ROOT, '.ci/invoke-bundle.mjs'), bundle, path.join(EVENTS, event), name],
    {
      env: process.env,
      maxBuffer: 4 * 1024 * 1024,
    },
  );
  return JSON.parse(stdout);
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`Bundle check failed: ${message}`);
}

async function main(): Promise<void> {
  const [binary, bundles] = await Promise.all([node22(), buildAllBundles()]);
  const emulators = await startEmulators({ dynamodb: 0, sqs: 0, ses: 0 }, { useConfiguredEndpoints: false });
  try {
    configureLocalEnvironment(emulators.endpoints);
    process.env.TABLE_NAME = 'statement-mailer-bundle-check';
    process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
    await ensureTable(process.env.TABLE_NAME);
    process.env.JOB_QUEUE_URL = (await ensureJobQueues('bundle-check')).queueUrl;
    const { importFixture } = await import('#shared/seed/import-fixture.ts');
    await importFixture(
      JSON.parse(await readFile(path.join(PROJECT_ROOT, 'fixtures/demo.json'), 'utf8')),
      new Date().toISOString().slice(0, 10),
    );
    const file = (name: string) => bundles.find((bundle) => bundle.name === name)?.file ?? '';

    const authorizer = await invoke(binary, file('authorizer'), 'authorizer-token.json', 'authorizer');
    check(
      JSON.stringify(authorizer.result).includes('"principalId":"demo"') &&
        JSON.stringify(authorizer.result).includes('"Effect":"Allow"'),
      `authorizer answered ${JSON.stringify(authorizer.result)}`,
    );
    const api = await invoke(binary, file('bulk-email-api'), 'bulk-email-post.json', 'bulk-email-api');
    const apiResult = api.result as { statusCode: number; body: string };
    check(apiResult.statusCode === 200, `bulk-email-api answered ${apiResult.statusCode}: ${apiResult.body}`);
    check(
      apiResult.body ===
        '[{"CustomerCode":"101","Sent":true,"Message":"Marked to send"},{"CustomerCode":"CUST123","Sent":false,"Message":"Invalid customer code"},{"CustomerCode":"CUST2345","Sent":false,"Message":"Invalid customer email address"},{"CustomerCode":"0065","Sent":true,"Message":"Marked to send"}]',
      `bulk-email-api body ${apiResult.body}`,
    );
    const worker = await invoke(
      binary,
      file('statement-worker'),
      'statement-job-sqs.json',
      'statement-worker',
    );
    check(
      JSON.stringify(worker.result) === '{"batchItemFailures":[]}',
      `statement-worker answered ${JSON.stringify(worker.result)}`,
    );
    const store = (await (await fetch(`${emulators.endpoints.ses}/store`)).json()) as {
      emails: { attachments: unknown[] }[];
    };
    check(
      store.emails.length === 1 && store.emails[0]?.attachments.length === 1,
      'the worker bundle did not send one email with its PDF',
    );

    for (const [name, outcome] of [
      ['authorizer', authorizer],
      ['bulk-email-api', api],
      ['statement-worker', worker],
    ] as const) {
      const bytes = bundles.find((bundle) => bundle.name === name)?.bytes ?? 0;
      console.log(
        `ok  ${name.padEnd(17)} ${(bytes / 1024).toFixed(0).padStart(5)} KB  ran under Node.js ${outcome.node}`,
      );
    }
  } finally {
    await emulators.stop();
  }
}

await main();
