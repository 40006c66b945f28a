import { setTimeout as sleep } from 'node:timers/promises';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { SQS_CLIENT_CONFIG } from '#shared/aws/client-config.ts';
import { startPoller } from '../../infra/local/poller.ts';
import { ensureJobQueues } from '../../infra/local/resources.ts';
import { receiveAll } from '../support/queues.ts';
import { uniqueTenantId } from '../support/tenants.ts';

const sqs = new SQSClient(SQS_CLIENT_CONFIG);

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(100);
  }
}

describe('the local poller (event source mapping stand-in)', () => {
  it('deletes what the handler did, and leaves batchItemFailures to be retried and dead-lettered', async () => {
    const queues = await ensureJobQueues(uniqueTenantId('poll'), {
      visibilityTimeoutSeconds: 1,
      maxReceiveCount: 2,
    });
    const bodies = ['ok-1', 'fail-1', 'ok-2', 'fail-2', 'ok-3'];
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queues.queueUrl,
        Entries: bodies.map((body, index) => ({ Id: String(index), MessageBody: body })),
      }),
    );
    const seen: string[] = [];
    const receiveCounts = new Map<string, number>();

    const poller = await startPoller({
      queueUrl: queues.queueUrl,
      handler: async (event: SQSEvent) => {
        for (const record of event.Records) {
          seen.push(record.body);
          receiveCounts.set(record.body, Number(record.attributes.ApproximateReceiveCount));
        }
        return {
          batchItemFailures: event.Records.filter((record) => record.body.startsWith('fail')).map(
            (record) => ({
              itemIdentifier: record.messageId,
            }),
          ),
        };
      },
    });
    let deadLettered: string[] = [];
    await until(async () => {
      deadLettered.push(
        ...(await receiveAll(queues.deadLetterQueueUrl)).map((message) => message.Body ?? ''),
      );
      return deadLettered.length >= 2;
    });
    await poller.stop();

    deadLettered = deadLettered.sort();
    expect(deadLettered).toEqual(['fail-1', 'fail-2']);
    expect(seen.filter((body) => body.startsWith('ok')).sort()).toEqual(['ok-1', 'ok-2', 'ok-3']);
    expect(receiveCounts.get('fail-1')).toBe(2);
    expect(poller.stats.deleted).toBe(3);
    expect(await receiveAll(queues.queueUrl)).toEqual([]);
  });

  it('leaves the whole batch on the queue when the handler throws', async () => {
    const queues = await ensureJobQueues(uniqueTenantId('poll'), {
      visibilityTimeoutSeconds: 30,
      maxReceiveCount: 5,
    });
    await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: queues.queueUrl, Entries: [{ Id: '0', MessageBody: 'x' }] }),
    );
    const errors: unknown[] = [];

    const poller = await startPoller({
      queueUrl: queues.queueUrl,
      handler: async () => {
        throw new Error('worker crashed');
      },
      onError: (error) => errors.push(error),
    });
    await until(() => errors.length > 0);
    await poller.stop();

    expect(poller.stats).toMatchObject({ received: 1, failed: 1, deleted: 0 });
  });
});
