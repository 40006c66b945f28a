/**
 * How long SQS may still hand a message of a queue to its consumer: the visibility timeout times
 * the receives before its dead-letter queue (its redrive policy), read from the queue itself so
 * that it is what the queue does, in AWS (6x the worker's timeout, 5 receives) and locally alike.
 */
import { GetQueueAttributesCommand, type QueueAttributeName } from '@aws-sdk/client-sqs';
import { DependencyUnavailableError } from '../errors.ts';
import { sqsClient } from './sqs.ts';
import { JOB_MAX_RECEIVE_COUNT } from './table-design.ts';

const windows = new Map<string, number>();

/** The queue's attributes of these names (GetQueueAttributes); SQS failing is a DependencyUnavailableError. */
async function queueAttributes(
  queueUrl: string,
  names: QueueAttributeName[],
): Promise<Record<string, string>> {
  try {
    const output = await sqsClient().send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: names }),
    );
    return output.Attributes ?? {};
  } catch (error) {
    throw new DependencyUnavailableError({ dependency: 'SQS', cause: error });
  }
}

/** The receive limit of a redrive policy, or undefined when it has none (or not one we can read). */
function maxReceiveCountOf(redrivePolicy: string | undefined): number | undefined {
  if (redrivePolicy === undefined) return undefined;
  try {
    const count = Number((JSON.parse(redrivePolicy) as { maxReceiveCount?: unknown }).maxReceiveCount);
    return Number.isInteger(count) && count > 0 ? count : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The queue's redelivery window in milliseconds: once a message's last claim has lapsed by more
 * than this, SQS has delivered it again (and it was claimed again) or moved it to the dead-letter
 * queue. Read once per queue and process (GetQueueAttributes, which sqs:SendMessage's grant
 * includes); a queue without a redrive policy counts JOB_MAX_RECEIVE_COUNT receives.
 */
export async function redeliveryWindowMs(queueUrl: string): Promise<number> {
  const known = windows.get(queueUrl);
  if (known !== undefined) return known;
  const attributes = await queueAttributes(queueUrl, ['VisibilityTimeout', 'RedrivePolicy']);
  const visibilitySeconds = Number(attributes.VisibilityTimeout ?? '30');
  const receives = maxReceiveCountOf(attributes.RedrivePolicy) ?? JOB_MAX_RECEIVE_COUNT;
  const window = visibilitySeconds * receives * 1_000;
  windows.set(queueUrl, window);
  return window;
}

/**
 * Whether no message of the queue can still reach a worker late: none visible (waiting, maybe
 * behind other tenants' jobs), delayed, or in flight (received, its claim maybe not written yet).
 * Read at every look (GetQueueAttributes, never cached); a queue is idle only when all three read 0.
 */
export async function queueIsIdle(queueUrl: string): Promise<boolean> {
  const attributes = await queueAttributes(queueUrl, [
    'ApproximateNumberOfMessages',
    'ApproximateNumberOfMessagesDelayed',
    'ApproximateNumberOfMessagesNotVisible',
  ]);
  // A count the queue did not give is not taken for 0.
  return (
    Number(attributes.ApproximateNumberOfMessages) === 0 &&
    Number(attributes.ApproximateNumberOfMessagesDelayed) === 0 &&
    Number(attributes.ApproximateNumberOfMessagesNotVisible) === 0
  );
}
