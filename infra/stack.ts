import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { API_ROUTES } from './api-routes.ts';
import type { StageConfig } from './config.ts';
import { Alarms } from './constructs/alarms.ts';
import { StatementMailerApi } from './constructs/api.ts';
import { ApiFirewall } from './constructs/api-firewall.ts';
import { JobQueue } from './constructs/job-queue.ts';
import { RunFeeds } from './constructs/run-feeds.ts';
import { ScheduleTrigger } from './constructs/schedule-trigger.ts';
import { SesEvents } from './constructs/ses-events.ts';
import type { StatementMailerFunction } from './constructs/statement-mailer-function.ts';
import { StatementMailerTable } from './constructs/table.ts';

export interface StatementMailerStackProps extends StackProps {
  config: StageConfig;
}

/**
 * The whole service: the table, SES and its events, the job queue and worker, the API behind its
 * firewall, and the alarms. Each part creates its resources in this stack's scope, under the ids
 * the deployed stack has (docs/deploy.md, Logical ids).
 */
export class StatementMailerStack extends Stack {
  readonly api: RestApi;
  readonly table: TableV2;
  readonly jobQueue: Queue;
  readonly deadLetterQueue: Queue;
  readonly sesEventsDeadLetterQueue: Queue;
  readonly sesEventsSubscriptionDeadLetterQueue: Queue;
  readonly runFeedQueue: Queue;
  readonly runFeedDeadLetterQueue: Queue;
  readonly functions: Record<
    | 'api'
    | 'authorizer'
    | 'worker'
    | 'batchStatus'
    | 'customerNotes'
    | 'ledgerApi'
    | 'sesEvents'
    | 'runsApi'
    | 'runFeeder'
    | 'schedulesApi'
    | 'scheduleTrigger',
    StatementMailerFunction
  >;

  constructor(scope: Construct, id: string, props: StatementMailerStackProps) {
    super(scope, id, props);
    const { config } = props;
    const prefix = `statement-mailer-${config.stage}`;

    this.table = new StatementMailerTable(this, 'Table', { tableName: prefix, config });
    const ses = new SesEvents(this, { prefix, config, table: this.table });
    const jobs = new JobQueue(this, {
      prefix,
      config,
      table: this.table,
      identity: ses.identity,
      configurationSet: ses.configurationSet,
    });
    const runs = new RunFeeds(this, { prefix, config, table: this.table, jobQueue: jobs.queue });
    const api = new StatementMailerApi(this, {
      prefix,
      config,
      table: this.table,
      jobQueue: jobs.queue,
      runFeedQueue: runs.queue,
    });
    // Statement schedules: EventBridge Scheduler → schedule-trigger → startRun (docs/schedules.md).
    const schedules = new ScheduleTrigger(this, {
      prefix,
      config,
      table: this.table,
      runFeedQueue: runs.queue,
    });
    new ApiFirewall(this, {
      prefix,
      rateLimitPer5Minutes: config.apiLimits.perIpPer5Minutes,
      stage: api.restApi.deploymentStage,
      // The ledger's writes: up to 1 MB a record and 3 MB a bulk call, limits its handler enforces;
      // a run's customer list: up to 2 MiB (shared/http/parse-runs-request.ts).
      largeBodyRoutes: API_ROUTES.filter(
        (route) =>
          (route.functionName === 'ledger-api' && (route.method === 'PUT' || route.method === 'POST')) ||
          (route.functionName === 'statement-runs-api' && route.method === 'POST'),
      ),
    });

    this.api = api.restApi;
    this.jobQueue = jobs.queue;
    this.deadLetterQueue = jobs.deadLetterQueue;
    this.runFeedQueue = runs.queue;
    this.runFeedDeadLetterQueue = runs.deadLetterQueue;
    this.sesEventsDeadLetterQueue = ses.deadLetterQueue;
    this.sesEventsSubscriptionDeadLetterQueue = ses.subscriptionDeadLetterQueue;
    this.functions = {
      ...api.functions,
      worker: jobs.worker,
      sesEvents: ses.eventsFunction,
      runFeeder: runs.feeder,
      scheduleTrigger: schedules.function,
    };

    new Alarms(this, {
      prefix,
      config,
      deadLetterQueues: {
        DeadLetters: {
          queue: jobs.deadLetterQueue,
          description: 'Statement jobs reached the dead-letter queue; each job record holds its last error.',
        },
        SesEventDeadLetters: {
          queue: ses.deadLetterQueue,
          description: 'SES events could not be recorded after retries; delivery states may be behind.',
        },
        RunFeedDeadLetters: {
          queue: runs.deadLetterQueue,
          description: 'A statement run could not be fed after retries; the run stays where its cursor is.',
        },
        ScheduleTriggerDeadLetters: {
          queue: schedules.functionDeadLetterQueue,
          description:
            'A schedule trigger failed after retries: some scheduled run did not start; the next hourly trigger retries it (its logs name the tenant and schedule).',
        },
        SchedulerDeadLetters: {
          queue: schedules.schedulerDeadLetterQueue,
          description:
            'EventBridge Scheduler could not invoke the schedule trigger; scheduled runs wait for the next hour that can.',
        },
        SesEventSubscriptionDeadLetters: {
          queue: ses.subscriptionDeadLetterQueue,
          description:
            'SNS could not deliver SES events to the ses-events function; delivery states may be behind.',
        },
      },
      jobQueue: jobs.queue,
      functions: this.functions,
      worker: jobs.worker,
      api: this.api,
    });

    new CfnOutput(this, 'ApiUrl', { value: `${this.api.url}v2/customerstatements/bulk/email` });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'JobQueueUrl', { value: this.jobQueue.queueUrl });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'ConfigurationSetName', { value: ses.configurationSet.configurationSetName });
  }
}
