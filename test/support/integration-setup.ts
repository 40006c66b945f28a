/**
 * Runs before each integration test file: points the SDK at the embedded emulators and gives the
 * file a job queue of its own, so that files running in parallel never see each other's jobs.
 */
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { configureLocalEnvironment } from '../../infra/local/environment.ts';
import { ensureJobQueues } from '../../infra/local/resources.ts';

const endpoints = inject('endpoints');
for (const name of Object.keys(process.env))
  if (name.startsWith('AWS_ENDPOINT_URL')) delete process.env[name];
process.env.TABLE_NAME = inject('tableName');
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
configureLocalEnvironment(endpoints);
const queues = await ensureJobQueues(`test-${randomUUID()}`, {
  visibilityTimeoutSeconds: 1,
  maxReceiveCount: 2,
});
process.env.JOB_QUEUE_URL = queues.queueUrl;
process.env.JOB_DLQ_URL = queues.deadLetterQueueUrl;
