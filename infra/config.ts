/**
 * Typed stage configuration, chosen with `cdk … -c stage=<name>`. Every physical name is prefixed
 * with `statement-mailer-<stage>`.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

export type SesIdentityConfig = { domain: string } | { emailAddress: string };

export interface StageConfig {
  stage: string;
  /** Account and region; unset, the stack is environment-agnostic (the CLI's defaults apply). */
  account?: string;
  region?: string;
  /** The identity statements are sent from: a domain (production) or one address (trials). */
  sesIdentity: SesIdentityConfig;
  /** The account's SES maximum send rate, per second (1 in the SES sandbox). */
  sesMaxSendRate: number;
  /** API Gateway stage throttling: steady requests per second and burst. */
  apiThrottle: { rateLimit: number; burstLimit: number };
  /** Requests per 5 minutes from one IP before AWS WAF blocks it. */
  wafRateLimitPer5Minutes: number;
  logRetention: RetentionDays;
  /** Table deletion protection and retention of data on stack deletion. */
  protectData: boolean;
  worker: { timeout: Duration; memoryMb: number; batchSize: number };
  /** Where alarms are sent; none: alarms only show in CloudWatch. */
  alarmEmail?: string;
}

const dev: StageConfig = {
  stage: 'dev',
  sesIdentity: { emailAddress: 'statements@example.com' },
  sesMaxSendRate: 1,
  apiThrottle: { rateLimit: 20, burstLimit: 40 },
  wafRateLimitPer5Minutes: 2_000,
  logRetention: RetentionDays.TWO_WEEKS,
  protectData: false,
  worker: { timeout: Duration.seconds(60), memoryMb: 1024, batchSize: 10 },
};

const prod: StageConfig = {
  stage: 'prod',
  sesIdentity: { domain: 'example.com' },
  sesMaxSendRate: 14,
  apiThrottle: { rateLimit: 100, burstLimit: 200 },
  wafRateLimitPer5Minutes: 10_000,
  logRetention: RetentionDays.SIX_MONTHS,
  protectData: true,
  worker: { timeout: Duration.seconds(60), memoryMb: 1024, batchSize: 10 },
};

export const STAGES: Record<string, StageConfig> = { dev, prod };

/** The configuration of a stage; an unknown name fails the synth with the names there are. */
export function stageConfig(name: string | undefined): StageConfig {
  const config = STAGES[name ?? 'dev'];
  if (config === undefined)
    throw new Error(`Unknown stage "${name}"; choose one of: ${Object.keys(STAGES).join(', ')}`);
  return {
    ...config,
    account: config.account ?? process.env.CDK_DEFAULT_ACCOUNT,
    region: config.region ?? process.env.CDK_DEFAULT_REGION,
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
