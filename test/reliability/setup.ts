/**
 * The integration setup, with a default job queue that keeps the stack's rule for the worker
 * timeouts these scenarios use (up to 2 s): visibility 12 s, dead letters after 5 receives.
 */
import { randomUUID } from 'node:crypto';
import '../support/integration-setup.ts';
import { ensureJobQueues } from '../../infra/local/resources.ts';

const queues = await ensureJobQueues(`reliability-${randomUUID()}`, {
  visibilityTimeoutSeconds: 12,
  maxReceiveCount: 5,
});
process.env.JOB_QUEUE_URL = queues.queueUrl;
process.env.JOB_DLQ_URL = queues.deadLetterQueueUrl;
