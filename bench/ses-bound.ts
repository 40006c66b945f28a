/**
 * throughput.ses_bound: queued jobs drained by the local poller through the real worker, with
 * SES's maximum send rate enforced by a token bucket in front of the embedded SES (it answers
 * SES's own Throttling XML). Ours paces sends (the poller's concurrency from the stage rule, the
 * worker's send pacer, the SDK's throttling retries); the baseline fires unpaced and retries.
 * Figures: the achieved send rate against the configured one, jobs lost (not sent when the queue
 * is drained, dead letters included) and duplicate emails.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SQS_CLIENT_CONFIG } from '#shared/aws/client-config.ts';
import { getJob } from '#shared/aws/dynamodb-jobs.ts';
import { JOB_MAX_RECEIVE_COUNT } from '#shared/aws/table-design.ts';
import { importFixture } from '#shared/seed/import-fixture.ts';
import { workerPacing } from '../infra/config.ts';
import { startPoller } from '../infra/local/poller.ts';
import { ensureJobQueues } from '../infra/local/resources.ts';
import { benchTenant } from './lib/fixtures.ts';
import { startSesLimiter } from './lib/ses-limiter.ts';
import type { BenchStack, Row } from './lib/setup.ts';

const run = promisify(execFile);
const SCENARIOS = [
  { jobs: 60, rate: 1 },
  { jobs: 1_000, rate: 50 },
];
/** The baseline gives up waiting after this long; what is not sent by then counts as lost. */
const TIMEOUT_MS = 180_000;

interface ChildResult {
  seconds: number;
  deleted: number;
}

/** Child mode: drain the queue with the local poller and the real worker until `jobs` are done. */
async function child(queueUrl: string, jobs: number, concurrency: number): Promise<void> {
  const { handler } = await import('#functions/statement-worker/handler.ts');
  const started = Date.now();
  const poller = await startPoller({
    queueUrl,
    handler: handler as never,
    concurrency,
    waitTimeSeconds: 1,
    onError: () => undefined,
  });
  while (poller.stats.deleted < jobs && Date.now() - started < TIMEOUT_MS) await sleep(100);
  await poller.stop();
  process.stdout.write(
    JSON.stringify({
      seconds: (Date.now() - started) / 1000,
      deleted: poller.stats.deleted,
    } satisfies ChildResult),
  );
}

async function scenario(stack: BenchStack, jobs: number, rate: number, paced: boolean): Promise<Row> {
  const tenantId = `ses-${paced ? 'paced' : 'unpaced'}-${rate}`;
  const codes = Array.from({ length: jobs }, (_, index) => `J${index}`);
  await importFixture({ Tenants: [benchTenant(tenantId, codes)] }, new Date().toISOString().slice(0, 10));
  // A fresh queue per run; dead-letters after the stack's receives, 5 s visibility so that retries come soon.
  const queues = await ensureJobQueues(`ses-bound-${randomUUID().slice(0, 8)}`, {
    visibilityTimeoutSeconds: 5,
    maxReceiveCount: JOB_MAX_RECEIVE_COUNT,
  });
  const batchId = randomUUID();
  const today = new Date().toISOString().slice(0, 10);
  const sqs = new SQSClient(SQS_CLIENT_CONFIG);
  for (let start = 0; start < codes.length; start += 10) {
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queues.queueUrl,
        Entries: codes.slice(start, start + 10).map((customerCode, index) => ({
          Id: String(index),
          MessageBody: JSON.stringify({
            version: 1,
            tenantId,
            batchId,
            customerCode,
            period: { start: today, end: today, filterAll: false, excludePaid: false },
            requestedAt: new Date().toISOString(),
          }),
        })),
      }),
    );
  }
  const limiter = await startSesLimiter(stack.emulators.endpoints.ses, rate);
  // Ours: the poller's concurrency follows the stage rule; one process hosts every worker here,
  // so the process paces to the whole rate. The baseline: 10 pollers, no pacing.
  const concurrency = paced ? workerPacing(rate).maxConcurrency : 10;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ENDPOINT_URL_SES: limiter.endpoint,
    NODE_OPTIONS: '--max-old-space-size=512',
  };
  if (paced) env.SES_SEND_RATE_PER_WORKER = String(rate);
  else delete env.SES_SEND_RATE_PER_WORKER;
  const { stdout } = await run(
    process.execPath,
    [
      '--import',
      'tsx',
      new URL(import.meta.url).pathname,
      '--child',
      queues.queueUrl,
      String(jobs),
      String(concurrency),
    ],
    { env, maxBuffer: 1024 * 1024, timeout: TIMEOUT_MS + 60_000 },
  );
  const result = JSON.parse(stdout) as ChildResult;
  await limiter.stop();

  const store = (await (await fetch(`${stack.emulators.endpoints.ses}/store`)).json()) as {
    emails: { destination: { to: string[] } }[];
  };
  const perRecipient = new Map<string, number>();
  for (const email of store.emails) {
    const to = email.destination.to[0] ?? '';
    if (to.includes(`.${tenantId}@`)) perRecipient.set(to, (perRecipient.get(to) ?? 0) + 1);
  }
  const duplicates = [...perRecipient.values()].reduce((sum, count) => sum + Math.max(0, count - 1), 0);
  let sent = 0;
  for (const customerCode of codes)
    if ((await getJob({ tenantId, batchId, customerCode }))?.state === 'Sent') sent += 1;
  const accepted = limiter.accepted.map((send) => send.at);
  const span = ((accepted.at(-1) ?? 0) - (accepted[0] ?? 0)) / 1000;
  const achieved = accepted.length > 1 && span > 0 ? (accepted.length - 1) / span : 0;
  return {
    name: `throughput.ses_bound.${jobs}@${rate}/s`,
    measure: `${paced ? 'paced' : 'unpaced'}: sends/s, ${result.seconds.toFixed(0)} s, ${limiter.throttled} throttled, ${jobs - sent} lost, ${duplicates} duplicate`,
    ours: achieved.toFixed(2),
    baseline: String(rate),
    ratio: `${(achieved / rate).toFixed(3)}x`,
    goal: paced ? '>= 0.9x, 0 lost, 0 dup' : '(baseline)',
    met: paced ? achieved / rate >= 0.9 && sent === jobs && duplicates === 0 : undefined,
  };
}

export async function benchSesBound(stack: BenchStack): Promise<Row[]> {
  const rows: Row[] = [];
  for (const { jobs, rate } of SCENARIOS) {
    rows.push(await scenario(stack, jobs, rate, true));
    rows.push(await scenario(stack, jobs, rate, false));
  }
  return rows;
}

const [mode, queueUrl, jobs, concurrency] = process.argv.slice(2);
if (mode === '--child') await child(queueUrl ?? '', Number(jobs), Number(concurrency));
