/**
 * Typed stage configuration, chosen with `cdk … -c stage=<name>`. Every physical name is prefixed
 * with `statement-mailer-<stage>`.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

export type SesIdentityConfig = { domain: string } | { emailAddress: string };

/** A stage's settings, filed in STAGES under its name. */
export interface StageSettings {
  /** Account and region; unset, the stack is environment-agnostic (the CLI's defaults apply). */
  account?: string;
  region?: string;
  /** The identity statements are sent from: a domain (production) or one address (trials). */
  sesIdentity: SesIdentityConfig;
  /** The account's SES maximum send rate, per second (1 in the SES sandbox). */
  sesMaxSendRate: number;
  /**
   * The traffic the API accepts: API Gateway's stage throttling (steady requests per second and
   * burst) and the requests per 5 minutes from one IP before AWS WAF blocks it.
   */
  apiLimits: { rateLimit: number; burstLimit: number; perIpPer5Minutes: number };
  logRetention: RetentionDays;
  /** Table deletion protection and retention of data on stack deletion. */
  protectData: boolean;
  worker: { timeout: Duration; memoryMb: number; batchSize: number };
  /** Where alarms are sent; none: alarms only show in CloudWatch. */
  alarmEmail?: string;
}

/** The configuration the stack is built from: a stage's settings and its name. */
export interface StageConfig extends StageSettings {
  stage: string;
}

/** Every stage's settings unless it says otherwise: data protected and logs kept, by default. */
const DEFAULTS = {
  logRetention: RetentionDays.SIX_MONTHS,
  protectData: true,
  worker: { timeout: Duration.seconds(60), memoryMb: 1024, batchSize: 10 },
} satisfies Partial<StageSettings>;

/** Production: a verified sending domain, out of the SES sandbox. */
const prod: StageSettings = {
  ...DEFAULTS,
  sesIdentity: { domain: 'example.com' },
  sesMaxSendRate: 14,
  apiLimits: { rateLimit: 100, burstLimit: 200, perIpPer5Minutes: 10_000 },
};

/** A trial stage in the SES sandbox (one verified address, one email a second); nothing kept. */
const dev: StageSettings = {
  ...DEFAULTS,
  sesIdentity: { emailAddress: 'statements@example.com' },
  sesMaxSendRate: 1,
  apiLimits: { rateLimit: 20, burstLimit: 40, perIpPer5Minutes: 2_000 },
  logRetention: RetentionDays.TWO_WEEKS,
  protectData: false,
};

/** The stages by name: `-c stage=<name>`. */
export const STAGES: Record<string, StageSettings> = { dev, prod };

/** The configuration of a stage; an unknown name fails the synth with the names there are. */
export function stageConfig(name = 'dev'): StageConfig {
  const settings = STAGES[name];
  if (settings === undefined)
    throw new Error(`Unknown stage "${name}"; choose one of: ${Object.keys(STAGES).join(', ')}`);
  return {
    ...settings,
    stage: name,
    account: settings.account ?? process.env.CDK_DEFAULT_ACCOUNT,
    region: settings.region ?? process.env.CDK_DEFAULT_REGION,
  };
}

export const removalPolicyOf = (config: StageConfig) =>
  config.protectData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

/** SQS: the visibility timeout must be at least 6x the consumer's timeout (AWS guidance). */
export const visibilityTimeoutFor = (workerTimeout: Duration) =>
  Duration.seconds(workerTimeout.toSeconds() * 6);

/**
 * Statements one worker invocation sends per second when unpaced (measured: docs/performance.md).
 * Concurrency above rate / this would only queue sends behind SES's rate.
 */
export const STATEMENTS_PER_SECOND_PER_WORKER = 10;

/**
 * The worker mapping's maximum concurrency for an SES send rate (Lambda allows 2 to 1000), and
 * the rate each worker paces itself to, so that all workers together stay within SES's rate.
 */
export function workerPacing(sesMaxSendRate: number): { maxConcurrency: number; sendRatePerWorker: number } {
  const maxConcurrency = Math.min(
    1000,
    Math.max(2, Math.ceil(sesMaxSendRate / STATEMENTS_PER_SECOND_PER_WORKER)),
  );
  return { maxConcurrency, sendRatePerWorker: sesMaxSendRate / maxConcurrency };
}
