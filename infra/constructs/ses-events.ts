import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  ConfigurationSet,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  Identity,
} from 'aws-cdk-lib/aws-ses';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { TABLE_DESIGN } from '../../shared/aws/table-design.ts';
import type { StageConfig } from '../config.ts';
import { DeadLetterQueue } from './dead-letter-queue.ts';
import { encryptedTopic } from './encrypted-topic.ts';
import { StatementMailerFunction } from './statement-mailer-function.ts';

export interface SesEventsProps {
  /** Physical name prefix, e.g. `statement-mailer-dev`. */
  prefix: string;
  config: StageConfig;
  table: ITable;
}

/**
 * SES: the identity statements are sent from and the configuration set they are sent through,
 * whose delivery, bounce and complaint events come back through SNS (encrypted with a key SES may
 * use) to the ses-events function. Its failed invocations (after Lambda's two retries) land in a
 * dead-letter queue; events SNS could not deliver to Lambda at all (after SNS's retries) land in the
 * subscription's own. Its resources are created in the stack's scope (docs/deploy.md, Logical ids).
 */
export class SesEvents {
  readonly identity: EmailIdentity;
  readonly configurationSet: ConfigurationSet;
  readonly eventsFunction: StatementMailerFunction;
  readonly deadLetterQueue: Queue;
  readonly subscriptionDeadLetterQueue: Queue;

  constructor(scope: Construct, props: SesEventsProps) {
    const { prefix, config, table } = props;
    this.identity = new EmailIdentity(scope, 'SendingIdentity', {
      identity:
        'domain' in config.sesIdentity
          ? Identity.domain(config.sesIdentity.domain)
          : Identity.email(config.sesIdentity.emailAddress),
    });
    this.configurationSet = new ConfigurationSet(scope, 'ConfigurationSet', {
      configurationSetName: prefix,
      reputationMetrics: true,
      sendingEnabled: true,
    });

    const topic = encryptedTopic(scope, {
      id: 'SesEventsTopic',
      keyId: 'SesEventsKey',
      topicName: `${prefix}-ses-events`,
      description: `${prefix} SES events topic`,
      publisher: 'ses.amazonaws.com',
      config,
    });
    this.configurationSet.addEventDestination('ToSns', {
      destination: EventDestination.snsTopic(topic),
      events: [EmailSendingEvent.DELIVERY, EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
    });

    this.deadLetterQueue = new DeadLetterQueue(scope, 'SesEventsDeadLetterQueue', {
      queueName: `${prefix}-ses-events-dlq`,
    });
    this.eventsFunction = new StatementMailerFunction(scope, 'SesEventsFunction', {
      functionName: 'ses-events',
      prefix,
      logRetention: config.logRetention,
      timeout: Duration.seconds(30),
      memorySize: 256,
      deadLetterQueue: this.deadLetterQueue,
    }).bindTable(table, ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    // The index is a separate resource: Query on it needs its own ARN.
    this.eventsFunction.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${table.tableArn}/index/${TABLE_DESIGN.sesMessageIndex.name}`],
      }),
    );

    this.subscriptionDeadLetterQueue = new DeadLetterQueue(scope, 'SesEventsSubscriptionDeadLetterQueue', {
      queueName: `${prefix}-ses-events-subscription-dlq`,
    });
    // The subscription's redrive policy; CDK lets this topic (and only it) send to the queue.
    topic.addSubscription(
      new LambdaSubscription(this.eventsFunction, { deadLetterQueue: this.subscriptionDeadLetterQueue }),
    );
  }
}
