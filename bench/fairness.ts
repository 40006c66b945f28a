/**
 * fairness (issue 14): how long tenant B's 35-code POST takes to be sent while tenant A's large
 * run is under way, against the same POST on an idle system and against plain first in, first out.
 *
 * The local stack as `npm start` runs it: the API through the local gateway (authorizer, the bulk
 * endpoint, the runs API), the run feeder and the statement worker fed by the local pollers, with
 * SES's send rate capped by a token bucket in front of the embedded SES (bench/lib/ses-limiter.ts)
 * and the worker paced to it (its concurrency from the stage rule, the send pacer at the whole rate:
 * one process hosts every worker). The feeder runs with the stack's own settings
 * (RUN_FEEDER_SETTINGS: the CDK's and `npm start`'s). The emulators are the benchmark's; each
 * scenario runs the stack in a child process of its own, because the feeder reads its settings once
 * per process (shared/config.ts), as a Lambda execution environment does.
 *
 * - idle: B posts 35 codes on an otherwise idle system; the seconds until SES accepted all 35.
 * - ours: A starts a run of every customer (A_CUSTOMERS); once A is sending at its pace, B posts
 *   its 35; the same measure, repeated ROUNDS times while A's run goes on; then A's run to its end.
 *   A's SES rate before B posted, while B's POSTs were measured, and over its whole run.
 * - fifo: the same, with admission off (the cap set beyond the run's size): A's whole run is on the
 *   shared queue before B posts, as a plain first-in-first-out pipeline would have it.
 *
 * Counted too: each of B's 35 accepted by SES exactly once, and A's run: every customer fed
 * accepted by SES once (ours: the whole run; fifo: or still on the queue when measured); none lost.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SQS_CLIENT_CONFIG } from '#shared/aws/client-config.ts';
import { importFixture } from '#shared/seed/import-fixture.ts';
import { workerPacing } from '../infra/config.ts';
import { RUN_FEEDER_SETTINGS } from '../infra/constructs/run-feeds.ts';
import { startLocalGateway } from '../infra/local/gateway.ts';
import { startPoller } from '../infra/local/poller.ts';
import { ensureJobQueues } from '../infra/local/resources.ts';
import { apiClient, dataOf } from '../test/support/api-client.ts';
import { benchTenant } from './lib/fixtures.ts';
import { startSesLimiter } from './lib/ses-limiter.ts';
import type { BenchStack, Row } from './lib/setup.ts';

const run = promisify(execFile);
/**
 * SES's send rate in this benchmark: below what the whole local pipeline sustains on this 2-core
 * machine (about 13 statements/s with the emulators, the gateway, the feeder and the worker on it),
 * so that SES is the bottleneck, as it is in AWS.
 */
const RATE = 10;
/**
 * Tenant A's run: every customer of a tenant this size. The issue's 20,000 scaled for time (FIFO
 * waits for the whole backlog: 100 s at 10/s), still 28 times B's 35; ours does not depend on it.
 */
const A_CUSTOMERS = Number(process.env.BENCH_FAIRNESS_CUSTOMERS ?? 1_000);
const B_CODES = Array.from({ length: 35 }, (_, index) => `B${String(index).padStart(2, '0')}`);
/** B's POSTs per scenario, each a tenant of its own (so that each's 35 are counted alone). */
const ROUNDS = { idle: 3, ours: 2, fifo: 1 } as const;
/**
 * ours: A's sends SES accepts before B's first POST: A at its pace for several feed cycles, its
 * rate then measured from its WARM_SENDS-th send on (the first are the run's start).
 */
const A_SENDS_BEFORE_B = 8 * RATE;
const WARM_SENDS = 2 * RATE;
const WAIT_LIMIT_MS = 300_000;
/** The stack's admission cap (RUN_FEEDER_SETTINGS, as the CDK and `npm start` set it); FIFO: beyond the run's size. */
const OUR_CAP = Number(RUN_FEEDER_SETTINGS.RUN_QUEUED_CAP);
const FIFO_CAP = 1_000_000_000;
const CAPS: Record<Scenario, number> = { idle: OUR_CAP, ours: OUR_CAP, fifo: FIFO_CAP };
/** ours: A's SES rate over its whole run, at least this share of its rate before B posted. */
const A_RATE_KEPT = 0.8;

type Scenario = keyof typeof ROUNDS;

interface TenantRef {
  tenantId: string;
  token: string;
}

interface ChildConfig {
  scenario: Scenario;
  cap: number;
  a?: TenantRef;
  b: TenantRef[];
  /** A tenant of one customer whose send, first, warms every handler up: not measured. */
  warm: TenantRef;
}

interface BRound {
  seconds: number;
  /** Messages on the job queue (visible) when B posted: what stands ahead of B. */
  aheadOnQueue: number;
  /** B's sends SES accepted, and how many of B's codes they covered. */
  accepted: number;
  distinct: number;
}

interface AAccount {
  /** Customers fed so far (the run's Total) and its counters. */
  fed: number;
  counts: Record<string, number>;
  /** A's sends SES accepted, and how many customers they covered. */
  accepted: number;
  distinct: number;
  /** A's jobs still on the job queue (visible or in flight) and on its dead-letter queue. */
  onQueue: number;
  deadLettered: number;
  /** A's sends a second while B's POSTs were measured: what admission left A. */
  ratePerSecond: number;
  /** A's sends a second before B's first POST (from its WARM_SENDS-th send): its pace alone. */
  rateBefore?: number;
  /** A's and B's sends a second while B's POSTs were measured: how busy SES was kept. */
  sesRateWhileB: number;
  /** A's sends a second over its whole run (first to last send), when run to its end (ours). */
  rateWhole?: number;
}

interface ChildResult {
  rounds: BRound[];
  a?: AAccount;
  throttled: number;
}

const queueDepth = async (sqs: SQSClient, queueUrl: string) => {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
};

async function waitFor(what: string, done: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`fairness: gave up waiting for ${what}`);
    await sleep(20);
  }
}

/** Child mode: the local stack of `npm start` on fresh queues, one scenario driven through its API. */
async function child(config: ChildConfig): Promise<void> {
  const limiter = await startSesLimiter(String(process.env.AWS_ENDPOINT_URL_SES), RATE);
  process.env.AWS_ENDPOINT_URL_SES = limiter.endpoint;
  // One process hosts every worker: the process paces to the whole rate (as ses-bound does).
  process.env.SES_SEND_RATE_PER_WORKER = String(RATE);
  // The stack's feeder settings, as `npm start` has them (infra/local/run-feeds.ts); FIFO: no cap.
  Object.assign(process.env, RUN_FEEDER_SETTINGS, { RUN_QUEUED_CAP: String(config.cap) });
  const suffix = `${config.scenario}-${randomUUID().slice(0, 8)}`;
  const jobs = await ensureJobQueues(`fairness-jobs-${suffix}`, { visibilityTimeoutSeconds: 30 });
  const feeds = await ensureJobQueues(`fairness-feeds-${suffix}`, { visibilityTimeoutSeconds: 30 });
  process.env.JOB_QUEUE_URL = jobs.queueUrl;
  process.env.RUN_FEED_QUEUE_URL = feeds.queueUrl;

  // The handlers read their configuration at first use: imported only now.
  const { localRoutes } = await import('../infra/local/routes.ts');
  const { routes, authorizer, worker, runFeeder } = await localRoutes();
  const gateway = await startLocalGateway({ port: 0, routes, authorizer });
  const workerPoller = await startPoller({
    queueUrl: jobs.queueUrl,
    handler: worker,
    batchSize: 10,
    concurrency: workerPacing(RATE).maxConcurrency,
    functionTimeoutMs: 5_000,
    onError: () => undefined,
  });
  const feederPoller = await startPoller({
    queueUrl: feeds.queueUrl,
    handler: runFeeder,
    functionName: 'run-feeder',
    batchSize: 1,
    concurrency: 2,
    functionTimeoutMs: 5_000,
    onError: () => undefined,
  });
  const sqs = new SQSClient(SQS_CLIENT_CONFIG);
  // The typed client (docs/openapi.json's types), unchecked: the contract is the tests' to check.
  const clientOf = (tenant: TenantRef) =>
    apiClient({ baseUrl: gateway.url, token: tenant.token, checkContract: false });
  const emailStatements = async (tenant: TenantRef, codes: string[]) =>
    dataOf(await clientOf(tenant).POST('/v2/customerstatements/bulk/email', { body: codes }));
  const runView = async (tenant: TenantRef, runId: string) =>
    dataOf(
      await clientOf(tenant).GET('/v2/customerstatements/runs/{runId}', {
        params: { path: { runId }, query: { perpage: '1' } },
      }),
    );
  const sendsOf = (tenantId: string) => limiter.accepted.filter((send) => send.tenantId === tenantId);

  // Cold starts are not the measure: one send through every handler first.
  await emailStatements(config.warm, [WARM_CODE]);
  await waitFor('the warm-up send', () => sendsOf(config.warm.tenantId).length > 0);

  let runId: string | undefined;
  const { a } = config;
  if (a !== undefined) {
    const { RunId: id } = dataOf(
      await clientOf(a).POST('/v2/customerstatements/runs', { body: { Selection: 'All' } }),
    );
    runId = id;
    if (config.scenario === 'fifo') {
      // Admission off: the whole run is on the shared queue before B posts.
      await waitFor('A fed whole', async () => (await runView(a, id)).State !== 'Feeding');
    } else {
      await waitFor('A sending', () => sendsOf(a.tenantId).length >= A_SENDS_BEFORE_B);
    }
  }

  const rounds: BRound[] = [];
  const measuring = performance.now();
  for (const b of config.b) {
    const aheadOnQueue = (await queueDepth(sqs, jobs.queueUrl)).visible;
    const started = performance.now();
    await emailStatements(b, B_CODES);
    await waitFor("B's 35 sent", () => new Set(sendsOf(b.tenantId).map((send) => send.code)).size >= 35);
    const sends = sendsOf(b.tenantId);
    rounds.push({
      seconds: (Math.max(...sends.map((send) => send.at)) - started) / 1000,
      aheadOnQueue,
      accepted: sends.length,
      distinct: new Set(sends.map((send) => send.code)).size,
    });
  }

  const measured = performance.now();
  if (a !== undefined && runId !== undefined && config.scenario === 'ours') {
    // A's run to its end: its rate over the whole run, and every customer accounted for.
    const id = runId;
    await waitFor('A completed', async () => (await runView(a, id)).State === 'Completed');
  }
  // The point measured: stop feeding and sending (events in hand finish), then account for A.
  await feederPoller.stop();
  await workerPoller.stop();
  let account: AAccount | undefined;
  if (a !== undefined && runId !== undefined) {
    const view = await runView(a, runId);
    const sends = sendsOf(a.tenantId);
    const times = sends.map((send) => send.at);
    const before = times.filter((at) => at < measuring).slice(WARM_SENDS);
    const within = (at: number) => at >= measuring && at <= measured;
    const perSecond = (count: number, from: number, to: number) => count / ((to - from) / 1000);
    const first = Math.min(...times);
    const last = Math.max(...times);
    const depth = await queueDepth(sqs, jobs.queueUrl);
    const dead = await queueDepth(sqs, jobs.deadLetterQueueUrl);
    account = {
      fed: view.Total,
      counts: view.Counts,
      accepted: sends.length,
      distinct: new Set(sends.map((send) => send.code)).size,
      onQueue: depth.visible + depth.inFlight,
      deadLettered: dead.visible + dead.inFlight,
      ratePerSecond: perSecond(times.filter(within).length, measuring, measured),
      sesRateWhileB: perSecond(
        limiter.accepted.filter((send) => within(send.at)).length,
        measuring,
        measured,
      ),
      // (JSON has no NaN: a rate not measured is left out.)
      ...(before.length > 1
        ? { rateBefore: perSecond(before.length - 1, before[0] ?? 0, before.at(-1) ?? 0) }
        : {}),
      ...(config.scenario === 'ours' && last > first
        ? { rateWhole: perSecond(times.length - 1, first, last) }
        : {}),
    };
  }
  await gateway.stop();
  await limiter.stop();
  const result: ChildResult = {
    rounds,
    ...(account === undefined ? {} : { a: account }),
    throttled: limiter.throttled,
  };
  process.stdout.write(JSON.stringify(result));
  process.exit(0);
}

async function inChild(config: ChildConfig): Promise<ChildResult> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', new URL(import.meta.url).pathname, '--child', JSON.stringify(config)],
    { env: process.env, maxBuffer: 4 * 1024 * 1024, timeout: 2 * WAIT_LIMIT_MS },
  );
  return JSON.parse(stdout) as ChildResult;
}

/** Emails the embedded SES holds for a tenant's fixture addresses, per address. */
async function storedPerRecipient(sesEndpoint: string, tenantId: string): Promise<number[]> {
  const store = (await (await fetch(`${sesEndpoint}/store`)).json()) as {
    emails: { destination: { to: string[] } }[];
  };
  const counts = new Map<string, number>();
  for (const email of store.emails) {
    const to = email.destination.to[0] ?? '';
    if (to.includes(`.${tenantId}@`)) counts.set(to, (counts.get(to) ?? 0) + 1);
  }
  return [...counts.values()];
}

const WARM_CODE = 'W0';
const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)] ?? NaN;

export async function benchFairness(stack: BenchStack): Promise<Row[]> {
  const today = new Date().toISOString().slice(0, 10);
  const tag = randomUUID().slice(0, 6);
  const tenant = (name: string, codes: string[]) => benchTenant(`fair-${name}-${tag}`, codes);
  const bTenants = Object.fromEntries(
    (Object.keys(ROUNDS) as Scenario[]).map((scenario) => [
      scenario,
      Array.from({ length: ROUNDS[scenario] }, (_, round) => tenant(`b-${scenario}-${round}`, B_CODES)),
    ]),
  ) as Record<Scenario, ReturnType<typeof tenant>[]>;
  const aCodes = Array.from({ length: A_CUSTOMERS }, (_, index) => `A${String(index).padStart(5, '0')}`);
  // One tenant A: each scenario starts a run of its own on fresh queues.
  const aTenant = tenant('a', aCodes);
  const warmTenant = tenant('warm', [WARM_CODE]);
  const seeded = Date.now();
  await importFixture({ Tenants: [...Object.values(bTenants).flat(), aTenant, warmTenant] }, today);
  console.error(
    `  seeded ${A_CUSTOMERS + Object.values(bTenants).flat().length * 35 + 1} customers in ${((Date.now() - seeded) / 1000).toFixed(0)} s`,
  );
  const ref = (fixture: ReturnType<typeof tenant>): TenantRef => ({
    tenantId: fixture.Id,
    token: fixture.ApiTokens[0] ?? '',
  });

  const results = {} as Record<Scenario, ChildResult>;
  for (const scenario of Object.keys(ROUNDS) as Scenario[]) {
    const started = Date.now();
    results[scenario] = await inChild({
      scenario,
      cap: CAPS[scenario],
      ...(scenario === 'idle' ? {} : { a: ref(aTenant) }),
      b: bTenants[scenario].map(ref),
      warm: ref(warmTenant),
    });
    console.error(`  ${scenario}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }

  // Exactly once, from the SES emulator's own store: every one of B's 35 in every round.
  const sesEndpoint = stack.emulators.endpoints.ses;
  let bWrong = 0;
  for (const fixture of Object.values(bTenants).flat()) {
    const perRecipient = await storedPerRecipient(sesEndpoint, fixture.Id);
    bWrong += Math.abs(35 - perRecipient.length) + perRecipient.filter((count) => count !== 1).length;
  }
  const aCheck = (scenario: Exclude<Scenario, 'idle'>) => {
    const account = results[scenario].a;
    if (account === undefined) return { lost: Number.NaN, text: 'no run' };
    // Every customer fed is sent (once) or still queued; the counters agree with SES. A run
    // measured to its end (ours) fed every customer.
    const unfed = scenario === 'ours' ? A_CUSTOMERS - account.fed : 0;
    const lost = unfed + Math.max(0, account.fed - account.distinct - account.onQueue - account.deadLettered);
    const duplicates = account.accepted - account.distinct;
    const countersAgree =
      account.counts.Sent === account.distinct && (account.counts.Queued ?? 0) <= account.onQueue;
    return {
      lost: lost + duplicates + (countersAgree ? 0 : 1),
      text: `A sent ${account.rateBefore === undefined ? '' : `${account.rateBefore.toFixed(1)}/s before B, `}${account.ratePerSecond.toFixed(1)}/s while B's were measured (SES ${account.sesRateWhileB.toFixed(1)}/s in all)${account.rateWhole === undefined ? '' : `, ${account.rateWhole.toFixed(1)}/s over its whole run`}; fed ${account.fed}, ${account.distinct} sent, ${account.onQueue} queued, ${lost} lost, ${duplicates} dup${countersAgree ? '' : ', COUNTERS DISAGREE'}`,
    };
  };
  const seconds = (scenario: Scenario) => results[scenario].rounds.map((round) => round.seconds);
  const list = (scenario: Scenario) =>
    seconds(scenario)
      .map((value) => value.toFixed(1))
      .join(' / ');
  const ahead = (scenario: Scenario) =>
    results[scenario].rounds.map((round) => String(round.aheadOnQueue)).join(' / ');
  const idle = median(seconds('idle'));
  const row = (scenario: Exclude<Scenario, 'idle'>, name: string, what: string): Row => {
    const figure = median(seconds(scenario));
    const check = aCheck(scenario);
    const measured = scenario !== 'fifo';
    return {
      name,
      measure: `${what}: s until B's 35 accepted by SES @${RATE}/s (${list(scenario)}; idle ${list('idle')}); jobs ahead of B ${ahead(scenario)}; ${check.text}`,
      ours: figure.toFixed(1),
      baseline: idle.toFixed(1),
      ratio: `${(figure / idle).toFixed(2)}x`,
      goal: measured ? '<= 3x idle, 0 lost, 0 dup' : '(baseline)',
      met: measured ? figure / idle <= 3 && check.lost === 0 && bWrong === 0 : undefined,
    };
  };
  return [
    row('ours', 'fairness.b35', `A's run of ${A_CUSTOMERS} under way, the stack's cap ${OUR_CAP}`),
    aRateRow(results.ours.a),
    row('fifo', 'fairness.b35.fifo', `same, admission off: A's ${A_CUSTOMERS} all queued first`),
    {
      name: 'fairness.b35.exactly_once',
      measure: `B's emails in the SES emulator's store not exactly one per customer (${Object.values(bTenants).flat().length} POSTs of 35)`,
      ours: String(bWrong),
      baseline: '',
      ratio: '',
      goal: '0',
      met: bWrong === 0,
    },
  ];
}

/** What admission leaves the big run: A's SES rate over its whole run against its pace before B. */
function aRateRow(account: AAccount | undefined): Row {
  const whole = account?.rateWhole ?? Number.NaN;
  const before = account?.rateBefore ?? Number.NaN;
  return {
    name: 'fairness.a_rate',
    measure: `A's sends/s accepted by SES over its whole run of ${A_CUSTOMERS} (B's ${ROUNDS.ours} POSTs of 35 within it) against its rate before B posted; ${account === undefined ? 'no run' : `${account.ratePerSecond.toFixed(1)}/s while B's were measured, SES ${account.sesRateWhileB.toFixed(1)}/s in all`}`,
    ours: whole.toFixed(1),
    baseline: before.toFixed(1),
    ratio: `${(whole / before).toFixed(2)}x`,
    goal: `>= ${A_RATE_KEPT}x`,
    met: whole / before >= A_RATE_KEPT,
  };
}

const [mode, config] = process.argv.slice(2);
if (mode === '--child') await child(JSON.parse(config ?? '{}') as ChildConfig);
