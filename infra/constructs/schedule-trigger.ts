import { Duration, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Schedule, ScheduleExpression, ScheduleGroup, TimeWindow } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config.ts';
import { DeadLetterQueue } from './dead-letter-queue.ts';
import { StatementMailerFunction } from './statement-mailer-function.ts';

export interface ScheduleTriggerProps {
  /** Physical name prefix, e.g. `statement-mailer-dev`. */
  prefix: string;
  config: StageConfig;
  table: ITable;
  /** Where startRun sends a run's first "feed run R" message. */
  runFeedQueue: IQueue;
}

/**
 * How long one trigger may take: it pages through every tenant with schedules, a few reads and a
 * run start per due schedule, eight tenants at once. Well inside Lambda's 15 minutes, and under the
 * hour, so that two hourly triggers never overlap (they would only find each other's runs started).
 */
export const SCHEDULE_TRIGGER_TIMEOUT = Duration.minutes(5);

/**
 * Statement schedules in AWS (docs/schedules.md): the schedule-trigger function, invoked every hour
 * at five past by EventBridge Scheduler (its own schedule group, flexible window off) through a
 * role that may invoke this function only. Scheduler retries an invocation it could not make and
 * then puts the event in a dead-letter queue; Lambda retries a trigger that failed (some tenant's
 * schedule could not start) twice, then puts it in the function's dead-letter queue. Both queues
 * are alarmed (stack.ts), and a missed hour is caught up by the next: due rules start a late run.
 * Its resources are created in the stack's scope (docs/deploy.md, Logical ids).
 */
export class ScheduleTrigger {
  readonly function: StatementMailerFunction;
  readonly schedule: Schedule;
  /** The role Scheduler assumes to invoke the function. */
  readonly schedulerRole: Role;
  /** Events Scheduler could not deliver to the function after its retries. */
  readonly schedulerDeadLetterQueue: DeadLetterQueue;
  /** Triggers that failed after Lambda's two retries of an asynchronous invocation. */
  readonly functionDeadLetterQueue: DeadLetterQueue;

  constructor(scope: Construct, props: ScheduleTriggerProps) {
    const { prefix, config, table } = props;
    this.functionDeadLetterQueue = new DeadLetterQueue(scope, 'ScheduleTriggerDeadLetterQueue', {
      queueName: `${prefix}-schedule-trigger-dlq`,
    });
    this.schedulerDeadLetterQueue = new DeadLetterQueue(scope, 'SchedulerDeadLetterQueue', {
      queueName: `${prefix}-scheduler-dlq`,
    });
    // Reads: the schedule directory and each tenant's schedules (Query), the tenant and a run
    // (GetItem). Writes: a schedule's last run (UpdateItem), a run item (PutItem) and a customer
    // schedule's one-code list chunk (BatchWriteItem), both by startRun.
    this.function = new StatementMailerFunction(scope, 'ScheduleTriggerFunction', {
      functionName: 'schedule-trigger',
      prefix,
      logRetention: config.logRetention,
      timeout: SCHEDULE_TRIGGER_TIMEOUT,
      memorySize: 256,
      deadLetterQueue: this.functionDeadLetterQueue,
    }).bindTable(table, [
      // The customers with their own schedule are looked up before a tenant-wide run is fed.
      'dynamodb:BatchGetItem',
      'dynamodb:Query',
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
      'dynamodb:PutItem',
      'dynamodb:BatchWriteItem',
    ]);
    // startRun's first feed message: RUN_FEED_QUEUE_URL and sqs:SendMessage on that queue, together.
    this.function.addEnvironment('RUN_FEED_QUEUE_URL', props.runFeedQueue.queueUrl);
    props.runFeedQueue.grantSendMessages(this.function);

    // Scheduler's own role: the target grants it lambda:InvokeFunction on this function (and
    // sqs:SendMessage on its dead-letter queue), nothing else.
    this.schedulerRole = new Role(scope, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com'),
      description: `${prefix}: EventBridge Scheduler invokes the schedule-trigger function only`,
    });
    const group = new ScheduleGroup(scope, 'StatementScheduleGroup', {
      scheduleGroupName: `${prefix}-statements`,
    });
    this.schedule = new Schedule(scope, 'ScheduleTriggerSchedule', {
      scheduleName: `${prefix}-schedule-trigger`,
      description: 'Starts the statement runs due in each tenant’s time zone (docs/schedules.md)',
      scheduleGroup: group,
      // Hourly, at five past: every time zone's midnight (whole, half and quarter hours) is passed
      // by then, and a schedule is due all day, so a late or missed hour only delays its run.
      schedule: ScheduleExpression.cron({ minute: '5' }),
      timeWindow: TimeWindow.off(),
      target: new LambdaInvoke(this.function, {
        role: this.schedulerRole,
        deadLetterQueue: this.schedulerDeadLetterQueue,
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
      }),
    });
    this.acknowledgeNagFindings();
  }

  /** The cdk-nag findings these resources carry by design, each with its reason (as infra/nag.ts does). */
  private acknowledgeNagFindings(): void {
    const acknowledge = (construct: Construct | undefined, findings: Record<string, string>) => {
      if (construct === undefined) return;
      for (const [id, reason] of Object.entries(findings))
        Validations.of(construct).acknowledge({ id, reason });
    };
    acknowledge(this.function.role, {
      'AwsSolutions-IAM5[Resource::*]':
        'Only xray:PutTraceSegments and xray:PutTelemetryRecords (active tracing) use Resource *: X-Ray supports no resource-level permissions for them. Every data action is scoped to the table and the run-feeds queue.',
    });
    acknowledge(this.schedulerRole, {
      'AwsSolutions-IAM5[Resource::<ScheduleTriggerFunction82BF6052.Arn>:*]':
        "Scheduler's LambdaInvoke target grants lambda:InvokeFunction on this one function and its versions and aliases (<arn>:*); no other function.",
    });
    for (const queue of [this.functionDeadLetterQueue, this.schedulerDeadLetterQueue]) {
      acknowledge(queue, {
        'Serverless-SQSRedrivePolicy':
          'This queue is itself a dead-letter queue that nothing consumes automatically: events stay 14 days for an operator to inspect (the next hourly trigger has caught up already), and an alarm fires on its depth.',
      });
    }
    acknowledge(this.schedulerDeadLetterQueue, {
      'AwsSolutions-SQS3':
        "It is a dead-letter queue: the Scheduler schedule's target names it in its DeadLetterConfig, which the rule does not recognise (it knows only SQS redrive policies and Lambda DeadLetterConfig).",
    });
  }
}
