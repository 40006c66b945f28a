import { Duration } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { METRIC } from '../../shared/observability/metric-names.ts';
import type { StageConfig } from '../config.ts';
import { encryptedTopic } from './encrypted-topic.ts';
import type { StatementMailerFunction } from './statement-mailer-function.ts';

export interface AlarmsProps {
  /** Physical name prefix, e.g. `statement-mailer-dev`. */
  prefix: string;
  config: StageConfig;
  /** Each dead-letter queue by alarm id, with what a message there means. */
  deadLetterQueues: Record<string, { queue: IQueue; description: string }>;
  jobQueue: IQueue;
  /** Every function by its short name (the alarm ids' prefix). */
  functions: Record<string, StatementMailerFunction>;
  /** The function emitting the duplicate-email metrics (docs/exactly-once.md). */
  worker: StatementMailerFunction;
  api: RestApi;
}

/**
 * The alarms, each sent to an encrypted SNS topic (and on to `alarmEmail`, if the stage has one):
 * dead letters, the oldest job's age, every function's errors and throttles, API 5xx, and the
 * worker's possible duplicate emails. Its resources are created in the stack's scope
 * (docs/deploy.md, Logical ids).
 */
export class Alarms {
  constructor(scope: Construct, props: AlarmsProps) {
    const { prefix, config } = props;
    // CloudWatch can publish only to topics whose key lets it; an AWS-managed SNS key does not.
    const topic = encryptedTopic(scope, {
      id: 'AlarmTopic',
      keyId: 'AlarmTopicKey',
      topicName: `${prefix}-alarms`,
      description: `${prefix} alarm topic`,
      publisher: 'cloudwatch.amazonaws.com',
      config,
    });
    if (config.alarmEmail !== undefined) topic.addSubscription(new EmailSubscription(config.alarmEmail));
    const action = new SnsAction(topic);
    const alarm = (id: string, metric: IMetric, threshold: number, description: string) => {
      new Alarm(scope, id, {
        alarmName: `${prefix}-${id}`,
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(action);
    };
    const period = Duration.minutes(5);

    for (const [id, { queue, description }] of Object.entries(props.deadLetterQueues)) {
      alarm(
        id,
        queue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
        1,
        description,
      );
    }
    alarm(
      'OldestJobAge',
      props.jobQueue.metricApproximateAgeOfOldestMessage({ period, statistic: 'Maximum' }),
      15 * 60,
      'A statement job has waited over 15 minutes: the worker is failing or far behind the SES rate.',
    );
    for (const [name, fn] of Object.entries(props.functions)) {
      alarm(`${name}-errors`, fn.metricErrors({ period, statistic: 'Sum' }), 1, `${fn.node.id} errors.`);
      alarm(
        `${name}-throttles`,
        fn.metricThrottles({ period, statistic: 'Sum' }),
        1,
        `${fn.node.id} throttled.`,
      );
    }
    alarm('Api5xx', props.api.metricServerError({ period, statistic: 'Sum' }), 1, 'The API answered 5xx.');
    // The worker's own metrics, with the namespace and service dimension its Powertools uses.
    for (const metricName of [
      METRIC.PossibleDuplicateEmail,
      METRIC.DuplicateEmailSent,
      METRIC.SentMarkerNotWritten,
    ]) {
      alarm(
        metricName,
        props.worker.powertoolsMetric(metricName, { period, statistic: 'Sum' }),
        1,
        `${metricName}: a customer may have received a statement twice (docs/exactly-once.md).`,
      );
    }
  }
}
