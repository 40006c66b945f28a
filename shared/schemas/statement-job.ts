import * as z from 'zod';
import { StatementPeriodSchema } from '../domain/statement-period.ts';

/**
 * One queued statement email: the SQS message body. Versioned so that a worker can refuse a
 * message written by a newer API instead of misreading it. The job key is tenant + batch +
 * customer; the worker sends at most one email per key.
 *
 * Version 2 is a job whose period carries a statement option (`statementType`,
 * `skipNothingOwed`): a version-1 worker would drop the option it does not know and send the
 * wrong statement, or one that should not go; it refuses the job instead. A job without options
 * stays version 1, readable by workers of either version (as during a deployment).
 */
export const StatementJobSchema = z.object({
  version: z.union([z.literal(1), z.literal(2)]),
  tenantId: z.string().min(1),
  batchId: z.string().min(1),
  customerCode: z.string().min(1),
  period: StatementPeriodSchema,
  requestedAt: z.iso.datetime(),
});
/** A queued job, as the API writes it and the worker reads it. */
export type StatementJob = z.infer<typeof StatementJobSchema>;

/** The version a job with this period is written in: 2 when it carries a statement option. */
export const jobVersionFor = (period: StatementJob['period']): StatementJob['version'] =>
  period.statementType === undefined && period.skipNothingOwed === undefined ? 1 : 2;
