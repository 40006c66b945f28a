import * as z from 'zod';
import { RUN_SELECTION_TYPES } from '../domain/run.ts';
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
 *
 * Version 3 is a job of a statement run (`run`): a version-2 worker would drop `run`, send an
 * `Overdue` run's statement to a customer with nothing overdue and keep the run's counters wrong
 * (its transitions would not be counted); it refuses the job instead.
 */
export const StatementJobSchema = z
  .object({
    version: z.union([z.literal(1), z.literal(2), z.literal(3)]),
    tenantId: z.string().min(1),
    batchId: z.string().min(1),
    customerCode: z.string().min(1),
    period: StatementPeriodSchema,
    requestedAt: z.iso.datetime(),
    /** A run's job (its batch id is the run id): the run's selection rule, judged at send time. */
    run: z.object({ selection: z.enum(RUN_SELECTION_TYPES) }).optional(),
  })
  .refine((job) => (job.version === 3) === (job.run !== undefined), {
    message: 'a run job is version 3, and only a run job is',
    path: ['version'],
  });
/** A queued job, as the API writes it and the worker reads it. */
export type StatementJob = z.infer<typeof StatementJobSchema>;

/**
 * The version a job is written in: 3 for a run's job, 2 when it carries a statement option, else 1.
 */
export const jobVersionFor = (
  period: StatementJob['period'],
  run?: StatementJob['run'],
): StatementJob['version'] =>
  run !== undefined ? 3 : period.statementType === undefined && period.skipNothingOwed === undefined ? 1 : 2;
