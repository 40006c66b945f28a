import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** SQS's longest retention: a dead letter waits this long for an operator to inspect and redrive it. */
export const DEAD_LETTER_RETENTION = Duration.days(14);

/**
 * A dead-letter queue: encrypted, TLS only, kept for SQS's longest retention. Nothing consumes it;
 * an alarm on its depth (alarms.ts) calls an operator.
 */
export class DeadLetterQueue extends Queue {
  constructor(scope: Construct, id: string, props: { queueName: string }) {
    super(scope, id, {
      queueName: props.queueName,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DEAD_LETTER_RETENTION,
    });
  }
}
