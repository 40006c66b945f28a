/**
 * The statement schedules' answers (shared/http/schedule-api.ts): one schedule, and the list.
 * Loaded by the OpenAPI generator only; the domain's view type is checked against it (Assert below).
 */
import * as z from 'zod';
import {
  IssueDaySchema,
  ScheduleLastRunSchema,
  SchedulePeriodSchema,
  ScheduleSelectionSchema,
  type ScheduleView,
} from '../../domain/schedule.ts';
import { StatementTypeSchema } from '../../domain/statement-period.ts';
import type { Assert, Exact } from './same-type.ts';

/** A schedule as the API answers it; `NextIssueDate` and `LastRun` are read-only. */
export const ScheduleResponseBodySchema = z.strictObject({
  CustomerCode: z.string().optional(),
  Selection: ScheduleSelectionSchema.optional(),
  IssueDay: IssueDaySchema,
  Period: SchedulePeriodSchema,
  EndDate: z.string().optional(),
  ExcludePaidInvoices: z.boolean(),
  ExcludeOpeningBalance: z.boolean(),
  SkipIfNothingOwed: z.boolean(),
  StatementType: StatementTypeSchema,
  Enabled: z.boolean(),
  Version: z.union([z.number(), z.string()]).optional(),
  NextIssueDate: z.string().optional(),
  LastRun: ScheduleLastRunSchema.optional(),
});

/** `GET /v2/customers/schedule-statement`: the tenant-wide schedule and a page of customers' ones. */
export const ScheduleListBodySchema = z.strictObject({
  TenantSchedule: ScheduleResponseBodySchema.optional(),
  CustomerSchedules: z.array(ScheduleResponseBodySchema),
  MetaData: z.strictObject({ PerPage: z.number().int(), NextPageUrl: z.string().optional() }),
});

/** Compile-time check (ScheduleMatches): the documented schema and the type the code answers with are the same. */
export type ScheduleMatches = Assert<Exact<z.infer<typeof ScheduleResponseBodySchema>, ScheduleView>>;
