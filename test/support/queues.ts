import { type Message, PurgeQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SQS_CLIENT_CONFIG } from '#shared/aws/client-config.ts';

const sqs = new SQSClient(SQS_CLIENT_CONFIG);

/** Every message visible on a queue now (received, so hidden for the visibility timeout). */
export async function receiveAll(queueUrl: string): Promise<Message[]> {
  const messages: Message[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 30,
      }),
    );
    if (Messages.length === 0) return messages;
    messages.push(...Messages);
  }
}

export async function purge(queueUrl: string): Promise<void> {
  await sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
}

export function jobQueueUrl(): string {
  const url = process.env.JOB_QUEUE_URL;
  if (url === undefined) throw new Error('JOB_QUEUE_URL is set by the integration setup');
  return url;
}
