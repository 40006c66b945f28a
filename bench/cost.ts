/**
 * cost.per_1000 (issue 14): dollars per 1,000 statements in AWS at list prices, from what this
 * benchmark measures through the real handlers on the local stack (the gateway, the runs API, the
 * run feeder and the worker driven by the local pollers, then one SES delivery event a statement
 * through the ses-events function):
 *
 * - Lambda: each function's handler duration (wall time, summed over its invocations) x the memory
 *   the production stack configures (read from the synthesized CDK template, with its
 *   architecture), and its invocations. The worker runs paced as in AWS (its share of the prod SES
 *   rate, workerPacing), so its billed time includes the waits for SES's rate.
 * - DynamoDB: the read and write units every request consumed, as the table reports them
 *   (ReturnConsumedCapacity=TOTAL asked by a middleware on the handlers' client; the emulator
 *   applies DynamoDB's rules: 1 WRU per KB written, 1 RRU per 4 KB consistent, half eventually,
 *   transactions twice); a failed conditional write counts 1 WRU, a cancelled transaction 2 per item.
 * - SQS: requests per 64 KB chunk, the handlers' and the event source mapping's (receives that
 *   brought messages, deletes); SNS: one publish per SES event; SES: messages and message bytes
 *   (the whole raw MIME message counted as attachment data: an upper bound).
 * - CloudWatch Logs: the bytes the handlers log at Powertools' default level (INFO) with metrics
 *   on (EMF lines are log lines), plus PLATFORM_LOG_BYTES per invocation; X-Ray: the traces Lambda's
 *   fixed sampling records (xrayTraces: the first request each second and 5% of the rest, per
 *   function) over each function's measured invocation times; the ses-events function's at the times
 *   SES accepted the emails (its events follow the sends at their rate); the authorizer is in its
 *   API request's trace. API Gateway and WAF: one request per POST measured.
 * - SES attachments: the encoded bytes of the message's parts that are files (the PDF and the
 *   inline logo); the whole raw message is reported beside it as the upper bound.
 *
 * The price table (PRICES) is docs/performance.md's, with its date and sources.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { MiddlewareStack } from '@smithy/types';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SQS_CLIENT_CONFIG } from '#shared/aws/client-config.ts';
import { importFixture } from '#shared/seed/import-fixture.ts';
import { buildApp } from '../infra/app.ts';
import { stageConfig, workerPacing } from '../infra/config.ts';
import { RUN_FEEDER_SETTINGS } from '../infra/constructs/run-feeds.ts';
import type { ProxyHandler } from '../infra/local/gateway.ts';
import { startLocalGateway } from '../infra/local/gateway.ts';
import { type SqsHandler, startPoller } from '../infra/local/poller.ts';
import { ensureJobQueues } from '../infra/local/resources.ts';
import { apiClient, dataOf } from '../test/support/api-client.ts';
import { BENCH_STATEMENT_SETTINGS, type BenchLedger, benchTenant } from './lib/fixtures.ts';
import type { BenchStack, Row } from './lib/setup.ts';

const run = promisify(execFile);
const STAGE = 'prod';
/** Statements of the measured run: customers of one tenant, each with INVOICES invoices. */
const CUSTOMERS = 200;
const INVOICES = 10;
/** The bulk path: 35-code POSTs, as many as cover about as many customers. */
const BULK_POSTS = Math.ceil(CUSTOMERS / 35);
/**
 * Lambda's own lines per invocation in the JSON log format (platform.start and platform.report with
 * its X-Ray fields): an assumption, stated in docs/performance.md.
 */
const PLATFORM_LOG_BYTES = 600;
const SQS_CHUNK = 64 * 1024;

/**
 * List prices, US East (N. Virginia), as published on the services' pricing pages (sources and
 * date in docs/performance.md, "Runs at scale (issue 14)").
 */
export const PRICES = {
  region: 'us-east-1',
  date: '2025 (after DynamoDB on-demand -50% of 2024-11-01)',
  lambdaGbSecond: { arm64: 0.0000133334, x86_64: 0.0000166667 } as Record<string, number>,
  lambdaRequest: 0.2 / 1e6,
  dynamoDbWriteUnit: 0.625 / 1e6,
  dynamoDbReadUnit: 0.125 / 1e6,
  sqsRequest: 0.4 / 1e6,
  snsPublish: 0.5 / 1e6,
  sesMessage: 0.1 / 1e3,
  sesAttachmentGb: 0.12,
  apiGatewayRequest: 3.5 / 1e6,
  wafRequest: 0.6 / 1e6,
  logsIngestedGb: 0.5,
  xrayTrace: 5 / 1e6,
};

/** What one function did: invocations, records handled, wall time, and what it cost in requests. */
interface FunctionUse {
  invocations: number;
  records: number;
  ms: number;
  readUnits: number;
  writeUnits: number;
  sqsRequests: number;
  logBytes: number;
  /** When each invocation began (ms): the timeline X-Ray's sampling applies to. */
  startedAt: number[];
}

/**
 * The traces Lambda's active tracing records for requests at `times` (ms): 1 request a second
 * and 5% of the others (https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html, "The
 * sampling rate is 1 request per second and 5 percent of additional requests. You can't configure
 * the X-Ray sampling rate for your functions."), the expected count.
 */
export function xrayTraces(times: readonly number[]): number {
  const perSecond = new Map<number, number>();
  for (const time of times)
    perSecond.set(Math.floor(time / 1000), (perSecond.get(Math.floor(time / 1000)) ?? 0) + 1);
  let traces = 0;
  for (const count of perSecond.values()) traces += 1 + 0.05 * (count - 1);
  return traces;
}

/** The encoded bytes of a raw MIME message's parts that are files (Content-Disposition attachment or inline). */
export function attachmentBytes(raw: Uint8Array): number {
  let bytes = 0;
  for (const part of Buffer.from(raw)
    .toString('latin1')
    .split(/\r\n--[^\r\n]+/)) {
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) continue;
    if (/^Content-Disposition:\s*(attachment|inline)/im.test(part.slice(0, split)))
      bytes += part.length - split - 4;
  }
  return bytes;
}

interface ChildResult {
  functions: Record<string, FunctionUse>;
  /** The statements the run sent, and the SES events replayed (one Delivery each). */
  sent: number;
  sesEvents: number;
  sesMessages: number;
  sesBytes: number;
  /** The encoded bytes of the messages' file parts (what SES bills as attachments). */
  sesAttachmentBytes: number;
  /** When SES accepted each message (ms): the ses-events function's timeline in AWS. */
  sesAcceptedAt: number[];
  /** Jobs the bulk POSTs queued. */
  bulkQueued: number;
  apiRequests: { run: number; bulk: number };
}

const useOf = (functions: Record<string, FunctionUse>, name: string): FunctionUse =>
  (functions[name] ??= {
    invocations: 0,
    records: 0,
    ms: 0,
    readUnits: 0,
    writeUnits: 0,
    sqsRequests: 0,
    logBytes: 0,
    startedAt: [],
  });

// biome-ignore lint/suspicious/noExplicitAny: each client's stack has its own input and output types
type AnyClient = { middlewareStack: MiddlewareStack<any, any> };

const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);
const CAPACITY_COMMANDS = new Set([
  ...READS,
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
]);

/** Child mode: the measured run and POSTs; prints a ChildResult. */
async function child(tenantId: string, token: string, codes: string[]): Promise<void> {
  const functions: Record<string, FunctionUse> = {};
  const current = new AsyncLocalStorage<string>();
  /** COST_BREAKDOWN=1: units per function, command and item kind (the key's sort-key prefix). */
  const breakdown =
    process.env.COST_BREAKDOWN === '1' ? new Map<string, { calls: number; units: number }>() : undefined;
  const kindOf = (key: unknown) => String((key as { SK?: unknown } | undefined)?.SK ?? '?').split('#')[0];
  const noteOperation = (
    name: string | undefined,
    command: string,
    input: Record<string, unknown>,
    units: number,
  ) => {
    const transact = input.TransactItems as Record<string, { Key?: unknown }>[] | undefined;
    const kinds =
      transact === undefined
        ? kindOf(input.Key ?? input.Item)
        : transact.map((item) => `${Object.keys(item)[0]}:${kindOf(Object.values(item)[0]?.Key)}`).join('+');
    const what = String(input.UpdateExpression ?? input.ConditionExpression ?? '').slice(0, 40);
    const entry = `${name} ${command} ${kinds} ${transact === undefined ? what : ''}`;
    const seen = breakdown?.get(entry) ?? { calls: 0, units: 0 };
    breakdown?.set(entry, { calls: seen.calls + 1, units: seen.units + units });
  };
  const charge = (name: string | undefined, change: (use: FunctionUse) => void) => {
    if (name !== undefined) change(useOf(functions, name));
  };

  // Log lines: counted per function, never printed (they may name a recipient).
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    charge(current.getStore(), (use) => {
      use.logBytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    });
    return true;
  }) as typeof process.stdout.write;

  const config = stageConfig(STAGE);
  const pacing = workerPacing(config.sesMaxSendRate);
  // Every worker paced to its AWS share: one process hosts maxConcurrency of them.
  process.env.SES_SEND_RATE_PER_WORKER = String(pacing.sendRatePerWorker * pacing.maxConcurrency);
  process.env.RUN_QUEUED_CAP = RUN_FEEDER_SETTINGS.RUN_QUEUED_CAP;
  process.env.RUN_PAGE_SIZE = RUN_FEEDER_SETTINGS.RUN_PAGE_SIZE;
  process.env.RUN_FEED_DELAY_SECONDS = RUN_FEEDER_SETTINGS.RUN_FEED_DELAY_SECONDS;
  const suffix = randomUUID().slice(0, 8);
  const jobs = await ensureJobQueues(`cost-jobs-${suffix}`, { visibilityTimeoutSeconds: 30 });
  const feeds = await ensureJobQueues(`cost-feeds-${suffix}`, { visibilityTimeoutSeconds: 30 });
  process.env.JOB_QUEUE_URL = jobs.queueUrl;
  process.env.RUN_FEED_QUEUE_URL = feeds.queueUrl;

  const { dynamoDbClient } = await import('#shared/aws/dynamodb.ts');
  const { sqsClient } = await import('#shared/aws/sqs.ts');
  const { sesClient } = await import('#shared/aws/ses.ts');
  const { getRun } = await import('#shared/aws/dynamodb-runs.ts');

  (dynamoDbClient() as AnyClient).middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName ?? '').replace(/Command$/, '');
      const input = args.input as Record<string, unknown>;
      if (CAPACITY_COMMANDS.has(command)) input.ReturnConsumedCapacity = 'TOTAL';
      const kind = READS.has(command) ? 'readUnits' : 'writeUnits';
      const name = current.getStore();
      try {
        const result = await next(args);
        const consumed = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
        const units = (Array.isArray(consumed) ? consumed : consumed === undefined ? [] : [consumed]).reduce(
          (sum: number, entry: { CapacityUnits?: number }) => sum + (entry.CapacityUnits ?? 0),
          0,
        );
        charge(name, (use) => {
          use[kind] += units;
        });
        if (breakdown !== undefined) noteOperation(name, command, input, units);
        return result;
      } catch (error) {
        const errorName = (error as Error).name;
        const items = Array.isArray(input.TransactItems) ? input.TransactItems.length : 1;
        if (errorName === 'ConditionalCheckFailedException')
          charge(name, (use) => {
            use.writeUnits += 1;
          });
        if (errorName === 'TransactionCanceledException')
          charge(name, (use) => {
            use.writeUnits += 2 * items;
          });
        throw error;
      }
    },
    { step: 'initialize', name: 'cost-capacity' },
  );

  /** SQS requests in 64 KB chunks: sends by their bodies, receives by what they brought. */
  const countSqs = (client: AnyClient, fixed?: string) =>
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = String(context.commandName ?? '').replace(/Command$/, '');
        const result = await next(args);
        const input = args.input as { MessageBody?: string; Entries?: { MessageBody?: string }[] };
        const output = result.output as { Messages?: { Body?: string }[] };
        const bytes = (bodies: (string | undefined)[]) =>
          bodies.reduce((sum, body) => sum + Buffer.byteLength(body ?? ''), 0);
        let chunks = 0;
        if (command === 'SendMessage' || command === 'SendMessageBatch')
          chunks = Math.max(
            1,
            Math.ceil(
              bytes([input.MessageBody, ...(input.Entries ?? []).map((entry) => entry.MessageBody)]) /
                SQS_CHUNK,
            ),
          );
        else if (command === 'ReceiveMessage')
          chunks =
            (output.Messages ?? []).length === 0
              ? 0
              : Math.max(
                  1,
                  Math.ceil(bytes((output.Messages ?? []).map((message) => message.Body)) / SQS_CHUNK),
                );
        else if (command === 'DeleteMessageBatch' || command === 'DeleteMessage') chunks = 1;
        charge(fixed ?? current.getStore(), (use) => {
          use.sqsRequests += chunks;
        });
        return result;
      },
      { step: 'initialize', name: `cost-sqs-${Math.random()}` },
    );
  countSqs(sqsClient() as AnyClient);

  let sesMessages = 0;
  let sesBytes = 0;
  let sesAttachmentBytes = 0;
  const sesAcceptedAt: number[] = [];
  (sesClient() as AnyClient).middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const data = (args.input as { RawMessage?: { Data?: Uint8Array } }).RawMessage?.Data;
      if (data !== undefined) {
        if (sesMessages === 0 && process.env.COST_DUMP_MESSAGE !== undefined)
          (await import('node:fs')).writeFileSync(process.env.COST_DUMP_MESSAGE, data);
        sesMessages += 1;
        sesBytes += data.byteLength;
        sesAttachmentBytes += attachmentBytes(data);
        sesAcceptedAt.push(Date.now());
      }
      return result;
    },
    { step: 'initialize', name: 'cost-ses' },
  );

  const timed = <Event, Result>(
    name: string,
    handler: (event: Event, context: never) => Promise<Result>,
    records: (event: Event) => number = () => 1,
  ) =>
    ((event: Event, context: never) =>
      current.run(name, async () => {
        const started = performance.now();
        charge(name, (use) => {
          use.startedAt.push(Date.now());
        });
        try {
          return await handler(event, context);
        } finally {
          charge(name, (use) => {
            use.invocations += 1;
            use.records += records(event);
            use.ms += performance.now() - started;
          });
        }
      })) as never;

  const { localRoutes } = await import('../infra/local/routes.ts');
  const local = await localRoutes();
  const gateway = await startLocalGateway({
    port: 0,
    routes: local.routes.map((route) => ({
      ...route,
      handler: timed(route.functionName, route.handler as ProxyHandler) as ProxyHandler,
    })),
    authorizer: timed('authorizer', local.authorizer as never),
  });
  const records = (event: { Records: unknown[] }) => event.Records.length;
  const pollerClient = (name: string) => {
    const client = new SQSClient(SQS_CLIENT_CONFIG);
    countSqs(client as AnyClient, name);
    return client;
  };
  const workerPoller = await startPoller({
    queueUrl: jobs.queueUrl,
    handler: timed('statement-worker', local.worker as never, records) as SqsHandler,
    batchSize: config.worker.batchSize,
    concurrency: pacing.maxConcurrency,
    functionTimeoutMs: 5_000,
    client: pollerClient('statement-worker'),
    onError: () => undefined,
  });
  const feederPoller = await startPoller({
    queueUrl: feeds.queueUrl,
    handler: timed('run-feeder', local.runFeeder as never, records) as SqsHandler,
    functionName: 'run-feeder',
    batchSize: 1,
    concurrency: 2,
    functionTimeoutMs: 5_000,
    client: pollerClient('run-feeder'),
    onError: () => undefined,
  });
  // The typed client (docs/openapi.json's types), unchecked: the contract is the tests' to check.
  const client = apiClient({ baseUrl: gateway.url, token, checkContract: false });

  // The run path: one POST, then the feeder and the worker until the run is completed.
  const { RunId: runId } = dataOf(
    await client.POST('/v2/customerstatements/runs', { body: { Selection: 'All' } }),
  );
  const deadline = Date.now() + 300_000;
  let sent = 0;
  for (;;) {
    const state = await getRun(tenantId, runId);
    sent = state?.counts.Sent ?? 0;
    if (state?.state === 'Completed' || Date.now() > deadline) break;
    await sleep(200);
  }
  await feederPoller.stop();
  await workerPoller.stop();

  // SES's Delivery event for each statement, through SNS to the ses-events function.
  const { sesEvent, snsEnvelope, tagsOfSend, recipientsOfSend } = await import('../infra/local/ses-event.ts');
  const { handler: sesEvents } = await import('#functions/ses-events/handler.ts');
  const timedEvents = timed('ses-events', sesEvents as never);
  const store = (await (await fetch(`${process.env.AWS_ENDPOINT_URL_SES}/store`)).json()) as {
    emails: { messageId: string; destination: { to: string[] } }[];
  };
  let sesEventCount = 0;
  for (const email of store.emails.filter((stored) =>
    (stored.destination.to[0] ?? '').includes(`.${tenantId}@`),
  )) {
    const event = sesEvent('Delivery', email.messageId, {
      tags: await tagsOfSend(email.messageId),
      recipients: await recipientsOfSend(email.messageId),
    });
    await (timedEvents as (event: unknown, context: unknown) => Promise<unknown>)(
      snsEnvelope(event),
      (await import('../infra/local/lambda-context.ts')).lambdaContext('ses-events'),
    );
    sesEventCount += 1;
  }

  // The bulk path: 35-code POSTs of the same customers (their jobs are queued, not sent here).
  let bulkQueued = 0;
  for (let index = 0; index < BULK_POSTS; index += 1) {
    const slice = codes.slice(index * 35, index * 35 + 35);
    if (slice.length === 0) break;
    dataOf(await client.POST('/v2/customerstatements/bulk/email', { body: slice }));
    bulkQueued += slice.length;
  }
  await gateway.stop();
  process.stdout.write = write;
  for (const [entry, { calls, units }] of [
    ...(breakdown ?? new Map<string, { calls: number; units: number }>()),
  ].sort()) {
    process.stderr.write(`  ${entry}: ${calls} calls, ${units} units\n`);
  }
  const result: ChildResult = {
    functions,
    sent,
    sesEvents: sesEventCount,
    sesMessages,
    sesBytes,
    sesAttachmentBytes,
    sesAcceptedAt,
    bulkQueued,
    apiRequests: { run: 1, bulk: BULK_POSTS },
  };
  write(JSON.stringify(result));
  process.exit(0);
}

/** Memory (MB) and architecture of each function of the stage's stack, by its short name. */
function configuredFunctions(): Map<string, { memoryMb: number; architecture: string }> {
  const { stack } = buildApp(new App({ context: { stage: STAGE, 'aws:cdk:bundling-stacks': [] } }));
  const resources = Template.fromStack(stack).toJSON().Resources as Record<
    string,
    { Type: string; Properties: { FunctionName?: string; MemorySize?: number; Architectures?: string[] } }
  >;
  const prefix = `statement-mailer-${STAGE}-`;
  const functions = new Map<string, { memoryMb: number; architecture: string }>();
  for (const resource of Object.values(resources)) {
    const name = resource.Properties.FunctionName;
    if (resource.Type !== 'AWS::Lambda::Function' || typeof name !== 'string') continue;
    functions.set(name.replace(prefix, ''), {
      memoryMb: resource.Properties.MemorySize ?? 128,
      architecture: resource.Properties.Architectures?.[0] ?? 'x86_64',
    });
  }
  return functions;
}

/** Ten invoices a customer over the last year, every other one paid. */
function ledger(code: string, firstNumber: number): BenchLedger {
  const today = Date.now();
  const invoices = [];
  const payments = [];
  for (let index = 0; index < INVOICES; index += 1) {
    const issued = new Date(today - (360 - index * 36) * 86_400_000).toISOString().slice(0, 10);
    const due = new Date(Date.parse(`${issued}T00:00:00Z`) + 30 * 86_400_000).toISOString().slice(0, 10);
    const total = `${120 + index * 7}.50`;
    invoices.push({
      Number: firstNumber + index,
      CustomerCode: code,
      IssuedDate: issued,
      DueDate: due,
      Total: total,
    });
    if (index % 2 === 0) payments.push({ InvoiceNumber: firstNumber + index, Date: due, Amount: total });
  }
  return { invoices, payments };
}

const dollars = (value: number) => `$${value.toFixed(5)}`;

export async function benchCost(_stack: BenchStack): Promise<Row[]> {
  const synthStarted = Date.now();
  const configured = configuredFunctions();
  console.error(
    `  read the ${configured.size} functions' memory from the ${STAGE} template in ${((Date.now() - synthStarted) / 1000).toFixed(0)} s`,
  );
  const tenantId = `cost-${randomUUID().slice(0, 8)}`;
  const codes = Array.from({ length: CUSTOMERS }, (_, index) => `K${String(index).padStart(4, '0')}`);
  const fixture = benchTenant(
    tenantId,
    codes,
    codes.map((code, index) => ledger(code, 1_000 + index * INVOICES)),
    BENCH_STATEMENT_SETTINGS,
  );
  await importFixture({ Tenants: [fixture] }, new Date().toISOString().slice(0, 10));
  const { stdout, stderr } = await run(
    process.execPath,
    [
      '--import',
      'tsx',
      new URL(import.meta.url).pathname,
      '--child',
      tenantId,
      fixture.ApiTokens[0] ?? '',
      codes.join(','),
    ],
    {
      // Powertools reads these when its modules load: as deployed, INFO and metrics on.
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'INFO', POWERTOOLS_METRICS_DISABLED: 'false' },
      maxBuffer: 4 * 1024 * 1024,
      timeout: 600_000,
    },
  );
  if (process.env.COST_BREAKDOWN === '1') process.stderr.write(stderr);
  const result = JSON.parse(stdout) as ChildResult;
  if (result.sent !== CUSTOMERS) throw new Error(`cost: the run sent ${result.sent} of ${CUSTOMERS}`);

  /**
   * X-Ray traces a function records: the authorizer's requests are in their API request's trace;
   * the ses-events function runs at the sends' times; every other at its own.
   */
  const tracesOf = (name: string, use: FunctionUse) =>
    name === 'authorizer' ? 0 : xrayTraces(name === 'ses-events' ? result.sesAcceptedAt : use.startedAt);
  /** Each function's cost, split by component, for the share of `statements`. */
  const priced = (name: string) => {
    const use = result.functions[name] ?? useOf({}, name);
    const setting = configured.get(name);
    if (setting === undefined) throw new Error(`cost: no function ${name} in the ${STAGE} template`);
    const gbSeconds = (use.ms / 1000) * (setting.memoryMb / 1024);
    return {
      name,
      use,
      setting,
      gbSeconds,
      compute: gbSeconds * (PRICES.lambdaGbSecond[setting.architecture] ?? Number.NaN),
      requests: use.invocations * PRICES.lambdaRequest,
      dynamodb: use.readUnits * PRICES.dynamoDbReadUnit + use.writeUnits * PRICES.dynamoDbWriteUnit,
      sqs: use.sqsRequests * PRICES.sqsRequest,
      logs: ((use.logBytes + use.invocations * PLATFORM_LOG_BYTES) / 1e9) * PRICES.logsIngestedGb,
      xray: tracesOf(name, use) * PRICES.xrayTrace,
    };
  };
  const per1000 = (value: number, statements: number) => (value / statements) * 1_000;
  const sending = ['statement-worker', 'ses-events'].map(priced);
  const runPath = [...sending, ...['authorizer', 'statement-runs-api', 'run-feeder'].map(priced)];
  const bulkApi = ['bulk-email-api'].map(priced);
  const sum = (
    items: ReturnType<typeof priced>[],
    key: 'compute' | 'requests' | 'dynamodb' | 'sqs' | 'logs' | 'xray',
  ) => items.reduce((total, item) => total + item[key], 0);

  const statements = result.sent;
  const ses = per1000(result.sesMessages * PRICES.sesMessage, statements);
  const attachments = per1000((result.sesAttachmentBytes / 1e9) * PRICES.sesAttachmentGb, statements);
  const sns = per1000(result.sesEvents * PRICES.snsPublish, statements);
  const components = (items: ReturnType<typeof priced>[], edgeRequests: number, edgeStatements: number) => ({
    'Lambda GB-s': per1000(sum(items, 'compute'), statements),
    'Lambda requests': per1000(sum(items, 'requests'), statements),
    DynamoDB: per1000(sum(items, 'dynamodb'), statements),
    SQS: per1000(sum(items, 'sqs'), statements),
    'SNS (SES events)': sns,
    'SES messages': ses,
    'SES attachments': attachments,
    'API Gateway + WAF': per1000(
      edgeRequests * (PRICES.apiGatewayRequest + PRICES.wafRequest),
      edgeStatements,
    ),
    'CloudWatch Logs': per1000(sum(items, 'logs'), statements),
    'X-Ray': per1000(sum(items, 'xray'), statements),
  });
  const runComponents = components(runPath, result.apiRequests.run, statements);
  const total = Object.values(runComponents).reduce((sumOf, value) => sumOf + value, 0);
  // The bulk path: the worker and events as the run's; the API's share per statement it queued.
  const bulkShare = (key: 'compute' | 'requests' | 'dynamodb' | 'sqs' | 'logs' | 'xray') =>
    per1000(sum(bulkApi, key), result.bulkQueued);
  const bulkComponents = components(sending, result.apiRequests.bulk, result.bulkQueued);
  const bulkTotal =
    Object.values(bulkComponents).reduce((sumOf, value) => sumOf + value, 0) +
    (['compute', 'requests', 'dynamodb', 'sqs', 'logs', 'xray'] as const).reduce(
      (sumOf, key) => sumOf + bulkShare(key),
      0,
    );
  const sesOnly = PRICES.sesMessage * 1_000;
  const functionDetail = runPath
    .map(
      (item) =>
        `${item.name} ${item.setting.memoryMb} MB ${item.use.invocations} inv ${(item.use.ms / Math.max(1, item.use.records)).toFixed(0)} ms/rec`,
    )
    .join('; ');
  const units = runPath.reduce(
    (totals, item) => ({ read: totals.read + item.use.readUnits, write: totals.write + item.use.writeUnits }),
    { read: 0, write: 0 },
  );
  const detail: Record<string, string> = {
    'Lambda GB-s': functionDetail,
    DynamoDB: `${(units.read / statements).toFixed(1)} RRU + ${(units.write / statements).toFixed(1)} WRU a statement (${runPath
      .map(
        (item) =>
          `${item.name} ${(item.use.readUnits / statements).toFixed(1)} + ${(item.use.writeUnits / statements).toFixed(1)}`,
      )
      .join(', ')})`,
    SQS: `${(runPath.reduce((n, item) => n + item.use.sqsRequests, 0) / statements).toFixed(2)} requests (64 KB chunks) a statement`,
    'SES attachments': `${(result.sesAttachmentBytes / result.sesMessages / 1024).toFixed(0)} KB of file parts (PDF, inline logo) in a ${(result.sesBytes / result.sesMessages / 1024).toFixed(0)} KB message (all of it: ${dollars(per1000((result.sesBytes / 1e9) * PRICES.sesAttachmentGb, statements))})`,
    'X-Ray': `${runPath.map((item) => `${item.name} ${tracesOf(item.name, item.use).toFixed(1)} of ${item.use.invocations}`).join(', ')} invocations traced (1/s + 5%; one a invocation: ${dollars(per1000(runPath.reduce((n, item) => n + item.use.invocations, 0) * PRICES.xrayTrace, statements))})`,
    'CloudWatch Logs': `${(runPath.reduce((n, item) => n + item.use.logBytes, 0) / statements).toFixed(0)} B logged a statement + ${PLATFORM_LOG_BYTES} B per invocation`,
  };
  return [
    {
      name: 'cost.per_1000',
      measure: `$ per 1,000 statements, ${PRICES.region} list prices; a run of ${statements} (${INVOICES} invoices, letterhead and logo each) vs SES's $0.10 alone`,
      ours: dollars(total),
      baseline: dollars(sesOnly),
      ratio: `${(total / sesOnly).toFixed(3)}x`,
      goal: '<= 1.25x',
      met: total / sesOnly <= 1.25,
    },
    ...Object.entries(runComponents).map(([component, value]) => ({
      name: `cost.per_1000.${component
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '_')
        .replace(/_+$/, '')}`,
      measure: `${component}${detail[component] === undefined ? '' : `: ${detail[component]}`}`,
      ours: dollars(value),
      baseline: dollars(sesOnly),
      ratio: `${(value / sesOnly).toFixed(3)}x`,
      goal: '(reported)',
      met: undefined,
    })),
    {
      name: 'cost.per_1000.bulk',
      measure: `$ per 1,000 statements sent through ${result.apiRequests.bulk} 35-code bulk POSTs instead of a run`,
      ours: dollars(bulkTotal),
      baseline: dollars(sesOnly),
      ratio: `${(bulkTotal / sesOnly).toFixed(3)}x`,
      goal: '<= 1.25x',
      met: bulkTotal / sesOnly <= 1.25,
    },
  ];
}

const [mode, tenantArg, tokenArg, codesArg] = process.argv.slice(2);
if (mode === '--child') await child(tenantArg ?? '', tokenArg ?? '', (codesArg ?? '').split(','));
