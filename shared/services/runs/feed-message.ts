/**
 * The run feeder's SQS message: "feed run R". It names the run; where to resume is on the run
 * item, so a redelivered or duplicated message feeds the page the run says, never a stale one.
 * `look` is what the step that sent it left queued, when, and the drain rate it estimated: the
 * next step measures from it how fast the run's `Queued` drains (next-look.ts). It only times the
 * next look; a message without it (the first, or one sent before it existed) is looked at after 1 s.
 */
import * as z from 'zod';
import { RunIdSchema } from '../../domain/run.ts';

/** The body of a message on the run-feeds queue. */
export const RunFeedMessageSchema = z.object({
  version: z.literal(1),
  tenantId: z.string().min(1),
  runId: RunIdSchema,
  look: z
    .object({
      /** The run's `Queued` after the step that sent the message. */
      queued: z.number().int().min(0),
      /** When (epoch milliseconds). */
      at: z.number().int().positive(),
      /** The drain rate that step estimated (jobs a second). */
      rate: z.number().positive().optional(),
    })
    .optional(),
});
/** "Feed run R". */
export type RunFeedMessage = z.infer<typeof RunFeedMessageSchema>;
