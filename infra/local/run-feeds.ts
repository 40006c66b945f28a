/**
 * The local stack's run-feeds queue (docs/runs.md): the same name for `npm start` and for any
 * local command that starts a run (a schedule's `run-due --local`), so both use one queue.
 */
import { RUN_FEEDER_SETTINGS } from '../run-feeder-settings.ts';
import { ensureJobQueues, type JobQueues } from './resources.ts';

/** The local run-feeds queue's name (its dead-letter queue is `<name>-dlq`). */
export const LOCAL_RUN_FEED_QUEUE_NAME = 'statement-mailer-local-run-feeds';

/**
 * Creates (or finds) the local run-feeds queue and points RUN_FEED_QUEUE_URL at it. The feeder's
 * settings are the CDK's (RUN_FEEDER_SETTINGS, unless the environment says otherwise): it looks at
 * a run again when the run's jobs should have drained (docs/runs.md), locally as in AWS.
 */
export async function ensureLocalRunFeedQueue(): Promise<JobQueues> {
  // As in AWS, the visibility timeout is 6x the feeder's (local) 5 s timeout.
  const queues = await ensureJobQueues(LOCAL_RUN_FEED_QUEUE_NAME, { visibilityTimeoutSeconds: 30 });
  process.env.RUN_FEED_QUEUE_URL = queues.queueUrl;
  for (const [name, value] of Object.entries(RUN_FEEDER_SETTINGS)) process.env[name] ??= value;
  return queues;
}
