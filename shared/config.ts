/**
 * Environment configuration, parsed with zod once per execution environment (at the first call, in
 * the cold start) so that a missing or malformed variable fails loudly, naming the variable.
 */
import * as z from 'zod';

function defineConfig<Shape extends z.ZodRawShape>(shape: Shape): () => z.infer<z.ZodObject<Shape>> {
  const schema = z.object(shape);
  let parsed: z.infer<typeof schema> | undefined;
  return () => {
    if (parsed === undefined) {
      const result = schema.safeParse(process.env);
      if (!result.success) {
        const problems = result.error.issues
          .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
          .join('; ');
        throw new Error(`Invalid configuration: ${problems}`);
      }
      parsed = result.data;
    }
    return parsed;
  };
}

/** The single DynamoDB table that holds every record (see docs/data-model.md). */
export const tableConfig = defineConfig({ TABLE_NAME: z.string().min(3).max(255) });

/** The SQS queue of statement jobs. */
export const jobQueueConfig = defineConfig({ JOB_QUEUE_URL: z.url() });

/** SES: the configuration set that receives the delivery events, when one is configured. */
export const sesConfig = defineConfig({
  SES_CONFIGURATION_SET: z.string().min(1).optional(),
  /** Sends per second this worker may start; the CDK stack derives it from the SES rate. */
  SES_SEND_RATE_PER_WORKER: z.coerce.number().positive().optional(),
});

/**
 * Statement runs (docs/runs.md): the feeder's queue, how many of a run's jobs may be queued at
 * once (the admission cap that keeps one tenant's run from holding back another's request: two
 * batches for each worker), how many customers one feeder invocation reads, and the longest it
 * waits before looking at a run again (SQS DelaySeconds: at most 900; it looks sooner when the
 * run's jobs drain faster, next-look.ts).
 */
export const runConfig = defineConfig({
  RUN_FEED_QUEUE_URL: z.url(),
  RUN_QUEUED_CAP: z.coerce.number().int().positive().default(40),
  RUN_PAGE_SIZE: z.coerce.number().int().min(1).max(1_000).default(500),
  RUN_FEED_DELAY_SECONDS: z.coerce.number().int().min(0).max(900).default(15),
});
