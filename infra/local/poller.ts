/**
 * A stand-in for Lambda's SQS event source mapping: it receives messages, hands them to the real
 * worker handler as an SQS event, and deletes only the messages the handler did not report in
 * `batchItemFailures`. The others become visible again after the visibility timeout and, after
 * the queue's receive limit, move to the dead-letter queue, as in AWS.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { SQS_CLIENT_CONFIG } from '#shared/aws/client-config.ts';
import { lambdaContext } from './lambda-context.ts';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

export interface PollerOptions {
  queueUrl: string;
  handler: SqsHandler;
  functionName?: string;
  /** Messages per event, as the event source mapping's BatchSize (at most 10 a receive). */
  batchSize?: number;
  /** Events handled at once, as the mapping's maximum concurrency. */
  concurrency?: number;
  /** The function timeout the handler is told (its context's remaining time); keep it a sixth of the visibility timeout. */
  functionTimeoutMs?: number;
  waitTimeSeconds?: number;
  client?: SQSClient;
  onError?: (error: unknown) => void;
}

export interface PollerStats {
  events: number;
  received: number;
  deleted: number;
  failed: number;
}

export interface Poller {
  stats: PollerStats;
  stop(): Promise<void>;
}

function toRecord(message: Message, queueArn: string, region: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/** Starts polling; `stop()` ends the receive in flight and waits for events being handled. */
export async function startPoller(options: PollerOptions): Promise<Poller> {
  const {
    queueUrl,
    handler,
    functionName = 'statement-worker',
    batchSize = 10,
    concurrency = 1,
    functionTimeoutMs = 60_000,
    waitTimeSeconds = 1,
    client = new SQSClient(SQS_CLIENT_CONFIG),
    onError = (error: unknown) => console.error('[poller]', error),
  } = options;
  const region = process.env.AWS_REGION ?? 'eu-west-2';
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const queueArn = Attributes?.QueueArn ?? queueUrl;
  const stats: PollerStats = { events: 0, received: 0, deleted: 0, failed: 0 };
  const abort = new AbortController();

  async function pollOnce(): Promise<void> {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(batchSize, 10),
        WaitTimeSeconds: waitTimeSeconds,
        MessageSystemAttributeNames: ['All'],
      }),
      { abortSignal: abort.signal },
    );
    if (Messages.length === 0) return;
    stats.received += Messages.length;
    stats.events += 1;
    const records = Messages.map((message) => toRecord(message, queueArn, region));
    let failedIds: Set<string>;
    try {
      const response = await handler({ Records: records }, lambdaContext(functionName, functionTimeoutMs));
      failedIds = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    } catch (error) {
      // A thrown handler fails the whole batch, as with Lambda.
      onError(error);
      failedIds = new Set(records.map((record) => record.messageId));
    }
    stats.failed += failedIds.size;
    const done = records.filter((record) => !failedIds.has(record.messageId));
    if (done.length === 0) return;
    const deleted = await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: done.map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle })),
      }),
    );
    stats.deleted += deleted.Successful?.length ?? 0;
  }

  const loops = Array.from({ length: concurrency }, async () => {
    while (!abort.signal.aborted) {
      try {
        await pollOnce();
      } catch (error) {
        if (abort.signal.aborted) break;
        onError(error);
        await sleep(1_000);
      }
    }
  });

  return {
    stats,
    stop: async () => {
      abort.abort();
      await Promise.all(loops);
    },
  };
}
