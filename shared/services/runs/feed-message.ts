/**
 * The run feeder's SQS message: "feed run R". It names the run only; where to resume is on the run
 * item, so a redelivered or duplicated message feeds the page the run says, never a stale one.
 */
import * as z from 'zod';
import { RunIdSchema } from '../../domain/run.ts';

/** The body of a message on the run-feeds queue. */
export const RunFeedMessageSchema = z.object({
  version: z.literal(1),
  tenantId: z.string().min(1),
  runId: RunIdSchema,
});
/** "Feed run R". */
export type RunFeedMessage = z.infer<typeof RunFeedMessageSchema>;
