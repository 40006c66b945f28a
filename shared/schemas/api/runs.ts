/**
 * The statement run resource as `POST`, `GET` and `DELETE /v2/customerstatements/runs[/{runId}]`
 * answer it (shared/http/runs-response.ts). Loaded by the OpenAPI generator only; the service's
 * view type is checked against it (Assert below), so the two cannot drift.
 */
import * as z from 'zod';
import { RUN_JOB_STATES, RUN_SELECTION_TYPES, RUN_STATES } from '../../domain/run.ts';
import { StatementTypeSchema } from '../../domain/statement-period.ts';
import type { RunView } from '../../services/runs/run-requests.ts';
import type { Assert, Exact } from './same-type.ts';

/** One customer of the run's page. */
export const RunCustomerBodySchema = z.strictObject({
  CustomerCode: z.string(),
  State: z.enum(RUN_JOB_STATES),
  Reason: z.string().optional(),
  UpdatedAt: z.string(),
});

const runFields = {
  RunId: z.string(),
  State: z.enum(RUN_STATES),
  Selection: z.enum(RUN_SELECTION_TYPES),
  CustomerCount: z.number().int().optional(),
  Origin: z.enum(['Api', 'Schedule']),
  ScheduleId: z.string().optional(),
  CreatedAt: z.string(),
  UpdatedAt: z.string(),
  CompletedAt: z.string().optional(),
  CancelledAt: z.string().optional(),
  StartDate: z.string(),
  EndDate: z.string(),
  FilterBy: z.string(),
  ExcludePaidInvoices: z.boolean(),
  StatementType: StatementTypeSchema,
  SkipNothingOwed: z.boolean(),
  Total: z.number().int(),
  Counts: z.strictObject(
    Object.fromEntries(RUN_JOB_STATES.map((state) => [state, z.number().int()])) as Record<
      (typeof RUN_JOB_STATES)[number],
      z.ZodNumber
    >,
  ),
  /** JSON: `{reason: count}`. */
  SkippedReasons: z.record(z.string(), z.number().int()),
  Retried: z.number().int(),
  Customers: z.array(RunCustomerBodySchema),
  /** The `cursor` of the next page; absent on the last page. */
  NextCursor: z.string().optional(),
};

/** The run in JSON. */
export const RunBodySchema = z.strictObject(runFields);

/** The run in XML: element names cannot be free text, so each skipped reason is an element. */
export const RunXmlBodySchema = z.strictObject({
  ...runFields,
  SkippedReasons: z.array(z.strictObject({ Reason: z.string(), Count: z.number().int() })),
});

type RunBody = Omit<RunView, 'nextAfter'> & { NextCursor?: string };
/** Compile-time check (RunMatches): the documented schema and the type the code answers with are the same. */
export type RunMatches = Assert<Exact<z.infer<typeof RunBodySchema>, RunBody>>;
