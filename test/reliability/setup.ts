/**
 * The integration setup, with a default job queue that keeps the stack's rule for the worker
 * timeouts these scenarios use (up to 2 s): visibility 12 s, dead letters after 5 receives.
 */
import { randomUUID } from 'node:crypto';
import '../support/integration-setup.ts';
import { JOB_MAX_RECEIVE_COUNT } from '#shared/aws/table-design.ts';
import { ensureJobQueues } from '../../infra/local/resources.ts';

const queues = await ensureJobQueues(`reliability-${randomUUID()}`, {
  visibilityTimeoutSeconds: 12,
  maxReceiveCount: JOB_MAX_RECEIVE_COUNT,
});
process.env.JOB_QUEUE_URL = queues.queueUrl;
process.env.JOB_DLQ_URL = queues.deadLetterQueueUrl;
