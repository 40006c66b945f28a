/**
 * What every benchmark shares: the embedded emulators on ports the OS picks (127.0.0.1 only),
 * the table and a job queue, and the environment the handlers read. DynamoDB runs in a thread of
 * its own (dynamodb-thread.ts), off the thread that runs the handlers, as it is off the function's
 * CPU in AWS: the figures are then the service's work, not the emulator's.
 */
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { type Emulators, startEmulators } from '../../infra/local/emulators.ts';
import { configureLocalEnvironment } from '../../infra/local/environment.ts';
import { ensureJobQueues, ensureTable, type JobQueues } from '../../infra/local/resources.ts';

export interface BenchStack {
  emulators: Emulators;
  queues: JobQueues;
  stop(): Promise<void>;
}

/** Starts DynamoDB in its own thread; its endpoint and how to stop it. */
async function startDynamoDbThread(): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const thread = new Worker(new URL('./dynamodb-thread-bootstrap.mjs', import.meta.url));
  const endpoint = await new Promise<string>((resolve, reject) => {
    thread.once('message', resolve);
    thread.once('error', reject);
  });
  return {
    endpoint,
    stop: async () => {
      const exited = new Promise((resolve) => thread.once('exit', resolve));
      thread.postMessage('stop');
      await exited;
    },
  };
}

export async function startBenchStack(name = 'bench'): Promise<BenchStack> {
  const dynamodb = await startDynamoDbThread();
  // SQS and SES stay in this thread, always the embedded ones; DynamoDB is "configured" as the
  // thread's, so it is not started here.
  for (const name of ['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_SQS', 'AWS_ENDPOINT_URL_SES'])
    delete process.env[name];
  process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamodb.endpoint;
  const local = await startEmulators({ dynamodb: 0, sqs: 0, ses: 0 }, { useConfiguredEndpoints: true });
  const emulators: Emulators = {
    ...local,
    stop: async () => {
      await local.stop();
      await dynamodb.stop();
    },
  };
  configureLocalEnvironment(emulators.endpoints);
  process.env.TABLE_NAME = `statement-mailer-${name}`;
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  await ensureTable(process.env.TABLE_NAME);
  const queues = await ensureJobQueues(`${name}-${randomUUID().slice(0, 8)}`, {
    visibilityTimeoutSeconds: 5,
  });
  process.env.JOB_QUEUE_URL = queues.queueUrl;
  return { emulators, queues, stop: () => emulators.stop() };
}

export function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

export const median = (values: readonly number[]) => percentile(values, 0.5);

export interface Row {
  name: string;
  measure: string;
  ours: string;
  baseline: string;
  ratio: string;
  goal: string;
  met: boolean | undefined;
}

/** A ratio to two decimals with its "x", or the two figures' quotient. */
export const ratio = (ours: number, baseline: number) => `${(ours / baseline).toFixed(3)}x`;

export function printTable(rows: Row[]): void {
  const header = ['benchmark', 'measure', 'ours', 'naive baseline', 'ratio', 'goal', 'met'];
  const cells = rows.map((row) => [
    row.name,
    row.measure,
    row.ours,
    row.baseline,
    row.ratio,
    row.goal,
    row.met === undefined ? '-' : row.met ? 'yes' : 'NO',
  ]);
  const widths = header.map((title, index) =>
    Math.max(title.length, ...cells.map((cell) => cell[index]?.length ?? 0)),
  );
  const line = (values: string[]) =>
    values.map((value, index) => value.padEnd(widths[index] ?? 0)).join('  ');
  console.log(line(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const cell of cells) console.log(line(cell));
}
