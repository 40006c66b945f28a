/**
 * The run-feeds queue of one test file, created on the embedded SQS (OS-picked port) before the
 * first run is started: each file gets its own, as each gets its own job queue.
 */
import { randomUUID } from 'node:crypto';
import { ensureJobQueues } from '../../infra/local/resources.ts';

/** Creates the file's run-feeds queue (and its DLQ) and points RUN_FEED_QUEUE_URL at it. */
export async function useRunFeedQueue(): Promise<{ queueUrl: string; deadLetterQueueUrl: string }> {
  const queues = await ensureJobQueues(`test-run-feeds-${randomUUID()}`, {
    visibilityTimeoutSeconds: 1,
    maxReceiveCount: 5,
  });
  process.env.RUN_FEED_QUEUE_URL = queues.queueUrl;
  return queues;
}
