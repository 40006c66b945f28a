import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IConfigurationSet, IEmailIdentity } from 'aws-cdk-lib/aws-ses';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { JOB_MAX_RECEIVE_COUNT } from '../../shared/aws/table-design.ts';
import { type StageConfig, visibilityTimeoutFor, workerPacing } from '../config.ts';
import { DeadLetterQueue } from './dead-letter-queue.ts';
import { StatementMailerFunction } from './statement-mailer-function.ts';

export interface JobQueueProps {
  /** Physical name prefix, e.g. `statement-mailer-dev`. */
  prefix: string;
  config: StageConfig;
  table: ITable;
  /** What the worker sends through (ses-events.ts). */
  identity: IEmailIdentity;
  configurationSet: IConfigurationSet;
}

/**
 * The statement jobs: the queue the API fills, the worker that sends them (paced so that all
 * workers together keep to SES's rate), and the dead-letter queue a job reaches after
 * JOB_MAX_RECEIVE_COUNT receives. Its resources are created in the stack's scope (docs/deploy.md,
 * Logical ids).
 */
export class JobQueue {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly worker: StatementMailerFunction;

  constructor(scope: Construct, props: JobQueueProps) {
    const { prefix, config } = props;
    this.deadLetterQueue = new DeadLetterQueue(scope, 'JobDeadLetterQueue', {
      queueName: `${prefix}-jobs-dlq`,
    });
    this.queue = new Queue(scope, 'JobQueue', {
      queueName: `${prefix}-jobs`,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: visibilityTimeoutFor(config.worker.timeout),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: JOB_MAX_RECEIVE_COUNT },
    });

    const pacing = workerPacing(config.sesMaxSendRate);
    this.worker = new StatementMailerFunction(scope, 'StatementWorkerFunction', {
      functionName: 'statement-worker',
      prefix,
      logRetention: config.logRetention,
      timeout: config.worker.timeout,
      memorySize: config.worker.memoryMb,
    })
      .bindTable(props.table, [
        'dynamodb:GetItem',
        'dynamodb:BatchGetItem',
        'dynamodb:Query',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
      ])
      .bindEmailIdentity(props.identity, props.configurationSet, pacing.sendRatePerWorker);
    this.worker.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: config.worker.batchSize,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        maxConcurrency: pacing.maxConcurrency,
      }),
    );
  }
}
