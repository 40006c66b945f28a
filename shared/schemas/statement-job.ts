import * as z from 'zod';
import { StatementPeriodSchema } from '../domain/statement-period.ts';

/**
 * One queued statement email: the SQS message body. Versioned so that a worker can refuse a
 * message written by a newer API instead of misreading it. The job key is tenant + batch +
 * customer; the worker sends at most one email per key.
 */
export const StatementJobSchema = z.object({
  version: z.literal(1),
  tenantId: z.string().min(1),
  batchId: z.string().min(1),
  customerCode: z.string().min(1),
  period: StatementPeriodSchema,
  requestedAt: z.iso.datetime(),
});
/** A queued job, as the API writes it and the worker reads it. */
export type StatementJob = z.infer<typeof StatementJobSchema>;
