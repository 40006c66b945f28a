/**
 * The SQS adapter: one client, made at its first use (endpoint from AWS_ENDPOINT_URL_SQS locally),
 * and verbs that take and return plain values.
 */
import {
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { logger } from '../observability/powertools.ts';
import { chunk, retryRemaining } from './backoff.ts';
import { SQS_CLIENT_CONFIG } from './client-config.ts';

let client: SQSClient | undefined;

/** The process's SQS client, made at the first call (endpoint from the environment then). */
export function sqsClient(): SQSClient {
  client ??= new SQSClient(SQS_CLIENT_CONFIG);
  return client;
}

/** SendMessageBatch takes at most 10 entries a call. */
export const SEND_BATCH_LIMIT = 10;

/** One message to queue; its `id` is how `sendMessages` names it when SQS did not take it. */
export interface OutgoingMessage {
  /** Unique within one call of `sendMessages`; reported back when the message is not sent. */
  id: string;
  body: string;
  /**
   * The message group: on a standard queue, SQS fair queues share the consumers between groups,
   * so one group's backlog (a tenant's run) does not hold back another's messages.
   */
  messageGroupId?: string;
}

/**
 * Sends messages with SendMessageBatch, 10 a call and the calls in parallel. Entries that SQS
 * fails without blaming the sender are retried with backoff; the SDK already retried each call.
 * Returns the ids of the messages that are not on the queue.
 */
export async function sendMessages(
  queueUrl: string,
  messages: readonly OutgoingMessage[],
): Promise<Set<string>> {
  const failed = new Set<string>();
  await Promise.all(
    chunk(messages, SEND_BATCH_LIMIT).map(async (group) => {
      let pending: SendMessageBatchRequestEntry[] = group.map(({ id, body, messageGroupId }) => ({
        Id: id,
        MessageBody: body,
        ...(messageGroupId === undefined ? {} : { MessageGroupId: messageGroupId }),
      }));
      const left = await retryRemaining(
        pending,
        async (remaining) => {
          pending = remaining;
          const output = await sqsClient().send(
            new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: remaining }),
          );
          const refused = new Set<string>();
          for (const entry of output.Failed ?? []) {
            if (entry.Id === undefined) continue;
            if (entry.SenderFault) {
              logger.error('SQS refused a message', { entryId: entry.Id, code: entry.Code });
              failed.add(entry.Id);
            } else refused.add(entry.Id);
          }
          return remaining.filter((entry) => entry.Id !== undefined && refused.has(entry.Id));
        },
        { attempts: 3, baseMs: 50, capMs: 500 },
      ).catch((error: unknown) => {
        // The SDK's own retries are spent: what was still pending is reported as not queued.
        logger.error('SendMessageBatch failed after retries', { error });
        return pending;
      });
      for (const entry of left) if (entry.Id !== undefined) failed.add(entry.Id);
    }),
  );
  return failed;
}

/** SQS: a message can be delayed at most 900 seconds. */
export const MAX_DELAY_SECONDS = 900;

/**
 * Sends one message, visible after `delaySeconds` (at most 900); the SDK retries the call, and
 * a failure that outlasts its retries is thrown for the caller's own retry (an SQS redelivery).
 */
export async function sendMessage(
  queueUrl: string,
  body: string,
  { delaySeconds = 0, messageGroupId }: { delaySeconds?: number; messageGroupId?: string } = {},
): Promise<void> {
  await sqsClient().send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: body,
      DelaySeconds: Math.min(Math.max(0, Math.round(delaySeconds)), MAX_DELAY_SECONDS),
      ...(messageGroupId === undefined ? {} : { MessageGroupId: messageGroupId }),
    }),
  );
}
