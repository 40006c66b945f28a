import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config.ts';
import { visibilityTimeoutFor, workerPacing } from '../config.ts';
import { RUN_FEEDER_SETTINGS } from '../run-feeder-settings.ts';
import { DeadLetterQueue } from './dead-letter-queue.ts';
import { StatementMailerFunction } from './statement-mailer-function.ts';

/** A feed step reads one page (at most 500 customers) and writes it: seconds, far inside this. */
export const RUN_FEEDER_TIMEOUT = Duration.seconds(60);
/** Receives of a feed message before it reaches the run-feeds dead-letter queue. */
export const RUN_FEED_MAX_RECEIVE_COUNT = 5;
/** The feeder's settings (infra/run-feeder-settings.ts): the same for the local stack. */
export { RUN_FEEDER_SETTINGS };

/**
 * A run's admission cap for a stage: two batches for each worker the job queue's mapping runs
 * (its maximum concurrency), so that one run keeps them all busy while the feeder refills it at
 * half the cap, and another tenant's request waits behind at most that many of its jobs.
 */
export const runQueuedCap = (config: StageConfig): number =>
  2 * workerPacing(config.sesMaxSendRate).maxConcurrency * config.worker.batchSize;

export interface RunFeedsProps {
  /** Physical name prefix, e.g. `statement-mailer-dev`. */
  prefix: string;
  config: StageConfig;
  table: ITable;
  /** The statement jobs queue the feeder fills. */
  jobQueue: IQueue;
}

/**
 * Statement runs (docs/runs.md): the run-feeds queue ("feed run R"), its dead-letter queue, and
 * the run feeder that feeds one page of a run per message into the job queue. Its resources are
 * created in the stack's scope (docs/deploy.md, Logical ids).
 */
export class RunFeeds {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly feeder: StatementMailerFunction;

  constructor(scope: Construct, props: RunFeedsProps) {
    const { prefix, config } = props;
    this.deadLetterQueue = new DeadLetterQueue(scope, 'RunFeedDeadLetterQueue', {
      queueName: `${prefix}-run-feeds-dlq`,
    });
    this.queue = new Queue(scope, 'RunFeedQueue', {
      queueName: `${prefix}-run-feeds`,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: visibilityTimeoutFor(RUN_FEEDER_TIMEOUT),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: RUN_FEED_MAX_RECEIVE_COUNT },
    });
    this.feeder = new StatementMailerFunction(scope, 'RunFeederFunction', {
      functionName: 'run-feeder',
      prefix,
      logRetention: config.logRetention,
      timeout: RUN_FEEDER_TIMEOUT,
      memorySize: 512,
      environment: { ...RUN_FEEDER_SETTINGS, RUN_QUEUED_CAP: String(runQueuedCap(config)) },
    })
      // The run and list chunks (GetItem), a page of customers or jobs (Query), the jobs and the
      // run's counters and cursor (PutItem and UpdateItem, alone or in TransactWriteItems).
      .bindTable(props.table, [
        'dynamodb:GetItem',
        'dynamodb:Query',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
      ])
      .bindJobQueue(props.jobQueue)
      .bindRunFeedQueue(this.queue);
    this.feeder.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 1,
        reportBatchItemFailures: true,
        // Runs are fed one step at a time each; a few at once is plenty, and leaves the table's
        // and the job queue's capacity to the workers.
        maxConcurrency: 5,
      }),
    );
  }
}
