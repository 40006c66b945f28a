/**
 * Starting a statement run (docs/runs.md): the one entry point for the API's
 * `POST /v2/customerstatements/runs` and for schedules. It records the run (a `List` run's codes in
 * chunk items first) and sends the feeder its first "feed run R" message; the feeder does the rest.
 */
import { createHash } from 'node:crypto';
import { createRun, getRun } from '../../aws/dynamodb-runs.ts';
import { sendMessage } from '../../aws/sqs.ts';
import { runConfig } from '../../config.ts';
import { type RunOrigin, RunSelectionSchema } from '../../domain/run.ts';
import type { StatementPeriod } from '../../domain/statement-period.ts';
import { logger } from '../../observability/powertools.ts';
import type { RunFeedMessage } from './feed-message.ts';
import type { FeedLook } from './next-look.ts';

/** What starts a run. */
export interface StartRunInput {
  tenantId: string;
  /**
   * Deterministic for schedules (same schedule + period → same id, see `deterministicRunId`);
   * random (UUID) for API calls. It is the batch id of the run's jobs: no `#` (RunIdSchema).
   */
  runId: string;
  selection: { type: 'All' | 'Owing' | 'Overdue' } | { type: 'List'; customerCodes: string[] };
  /** shared/domain/statement-period.ts, options included. */
  period: StatementPeriod;
  origin: RunOrigin;
  now: Date;
}

/**
 * Creates the run (conditional put: a second call with the same runId changes nothing) and its
 * first feed message. `created` is false when the run existed; its feed message is then sent again
 * only while the run has not fed its first page (the first call may have stopped before sending
 * it): a duplicate "feed run R" is harmless, as the feeder advances conditionally.
 */
export async function startRun(input: StartRunInput): Promise<{ runId: string; created: boolean }> {
  const { tenantId, runId, period, origin, now } = input;
  // The same rules as the API's: a schedule's run is judged as strictly as a request's.
  const selection = RunSelectionSchema.parse(input.selection);
  const created = await createRun({ tenantId, runId, selection, period, origin, now });
  if (!created) {
    const run = await getRun(tenantId, runId);
    const unfed = run !== undefined && run.state === 'Feeding' && run.feed.seq === 0;
    if (!unfed) return { runId, created: false };
  }
  await sendFeedMessage(tenantId, runId, 0);
  logger.info('Statement run started', { tenantId, runId, selection: selection.type, created });
  return { runId, created };
}

/**
 * Sends "feed run R", visible after `delaySeconds`; the tenant is its message group. `look` (what
 * the sending step left queued, and when) lets the next step time the one after (next-look.ts).
 */
export async function sendFeedMessage(
  tenantId: string,
  runId: string,
  delaySeconds: number,
  look?: FeedLook,
): Promise<void> {
  const message: RunFeedMessage = { version: 1, tenantId, runId, ...(look === undefined ? {} : { look }) };
  await sendMessage(runConfig().RUN_FEED_QUEUE_URL, JSON.stringify(message), {
    delaySeconds,
    messageGroupId: tenantId,
  });
}

/**
 * A UUID-shaped run id made from `parts` (e.g. tenant, schedule id and period): the same parts
 * always give the same id, so a trigger that fires twice starts one run. Shaped as a UUID (version
 * nibble 8, "custom") so that every run id is also a valid batch id for the batch status resource.
 */
export function deterministicRunId(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  const variant = ((Number.parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
