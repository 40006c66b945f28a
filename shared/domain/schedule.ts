/**
 * A statement schedule (KashFlow's `/v2/customers/schedule-statement`, docs/schedules.md): what a
 * client writes, in KashFlow's PascalCase, and what is stored. KashFlow does not publish its model;
 * this one keeps its options (issue day, period, end date, exclude paid, exclude opening balance,
 * "do not send if total owed is zero or less") under names in its style.
 */
import * as z from 'zod';
import { IsoDateSchema } from './calendar-date.ts';
import { StatementTypeSchema } from './statement-period.ts';

/** Whom the tenant-wide schedule sends to: every customer, those who owe, those with anything overdue. */
export const ScheduleSelectionSchema = z.enum(['All', 'Owing', 'Overdue'], {
  message: 'must be All, Owing or Overdue',
});
/** `All`, `Owing` (KashFlow's "all who owe") or `Overdue`. */
export type ScheduleSelection = z.infer<typeof ScheduleSelectionSchema>;

/** The statement period of each issue (docs/schedules.md "Periods"). */
export const SchedulePeriodSchema = z.enum(
  ['LastMonth', 'SinceLastStatement', 'Last3Months', 'MonthToDate'],
  {
    message: 'must be LastMonth, SinceLastStatement, Last3Months or MonthToDate',
  },
);
/** How far back each issue's statement goes. */
export type SchedulePeriod = z.infer<typeof SchedulePeriodSchema>;

const ISSUE_DAY_RULE = 'must be a whole number from 1 to 28, or Last (the last day of the month)';

/** 1 to 28 (a day every month has), or `Last`: the month's last day (28, 29, 30 or 31). */
export const IssueDaySchema = z.union(
  [
    z
      .number({ message: ISSUE_DAY_RULE })
      .int({ message: ISSUE_DAY_RULE })
      .min(1, ISSUE_DAY_RULE)
      .max(28, ISSUE_DAY_RULE),
    z.literal('Last', { message: ISSUE_DAY_RULE }),
  ],
  { message: ISSUE_DAY_RULE },
);
/** The day of the month a schedule issues on. */
export type IssueDay = z.infer<typeof IssueDaySchema>;

const booleanField = (name: string) => z.boolean({ message: `${name}: must be true or false` });

/** The state of the run a schedule last started, as recorded when it was started. */
export const ScheduleLastRunSchema = z.object({
  RunId: z.string(),
  IssueDate: IsoDateSchema,
  /** `Started`: see the run itself (`GET /v2/customerstatements/runs/{RunId}`) for its progress. */
  State: z.string(),
});

/**
 * The settings of `POST /v2/customers/schedule-statement[/{customerCode}]` (the HTTP edge adds
 * `Version`, by the ledger's rule). Strict: a field this model does not have is refused by name,
 * except the read-only `NextIssueDate` and `LastRun`, which a client may send back as it read them
 * and which are ignored.
 */
export const ScheduleSettingsBodySchema = z.strictObject({
  CustomerCode: z.string().optional(),
  Selection: ScheduleSelectionSchema.optional(),
  IssueDay: IssueDaySchema,
  Period: SchedulePeriodSchema,
  EndDate: IsoDateSchema.optional(),
  ExcludePaidInvoices: booleanField('ExcludePaidInvoices').optional(),
  ExcludeOpeningBalance: booleanField('ExcludeOpeningBalance').optional(),
  SkipIfNothingOwed: booleanField('SkipIfNothingOwed').optional(),
  StatementType: StatementTypeSchema.optional(),
  Enabled: booleanField('Enabled').optional(),
  NextIssueDate: z.unknown().optional(),
  LastRun: z.unknown().optional(),
});
/** A schedule as a client writes it. */
export type ScheduleSettingsBody = z.infer<typeof ScheduleSettingsBodySchema>;

/** The id of the tenant-wide schedule; a customer's is `CUSTOMER#<code>`. */
export const TENANT_SCHEDULE_ID = 'ALL';
/** The id of one customer's schedule. */
export const customerScheduleId = (code: string): string => `CUSTOMER#${code}`;

/** What the stored schedule says about the run it last started. */
export const StoredLastRunSchema = z.object({
  runId: z.string(),
  issueDate: IsoDateSchema,
  periodStart: IsoDateSchema,
  periodEnd: IsoDateSchema,
  state: z.string(),
  startedAt: z.string(),
});
/** The run a schedule last started and the period it covered (SinceLastStatement starts after it). */
export type StoredLastRun = z.infer<typeof StoredLastRunSchema>;

/** A schedule as stored (dynamodb-schedules.ts); parsed whenever read, as the trigger depends on it. */
export const StoredScheduleSchema = z.object({
  scheduleId: z.string().min(1),
  customerCode: z.string().optional(),
  selection: ScheduleSelectionSchema,
  issueDay: IssueDaySchema,
  period: SchedulePeriodSchema,
  endDate: IsoDateSchema.optional(),
  excludePaid: z.boolean(),
  excludeOpeningBalance: z.boolean(),
  skipNothingOwed: z.boolean(),
  statementType: StatementTypeSchema,
  enabled: z.boolean(),
  /** The source's Version as given (the ledger's rule, checked at the HTTP edge), and as a comparable number. */
  version: z.union([z.number(), z.string()]).optional(),
  versionValue: z.number().optional(),
  /** The tenant's local date when the schedule was first saved: no issue date before it is due. */
  effectiveFrom: IsoDateSchema,
  updatedAt: z.string(),
  /** Bumped by every save: the condition of the next one (two concurrent saves never both win). */
  revision: z.number().int().min(1),
  /** A digest of the client's fields, Version left out (an equal Version with other content is Stale). */
  contentHash: z.string(),
  lastRun: StoredLastRunSchema.optional(),
  /** When the next run is due (absent: none will be, disabled or past EndDate); shown as NextIssueDate. */
  nextIssueDate: IsoDateSchema.optional(),
});
/** A stored schedule. */
export type StoredSchedule = z.infer<typeof StoredScheduleSchema>;

/** The client's fields of a stored schedule, resolved with their defaults. */
export type ScheduleSettings = Pick<
  StoredSchedule,
  | 'customerCode'
  | 'selection'
  | 'issueDay'
  | 'period'
  | 'endDate'
  | 'excludePaid'
  | 'excludeOpeningBalance'
  | 'skipNothingOwed'
  | 'statementType'
  | 'enabled'
>;

/** A problem of a schedule body the schema cannot see: which fields belong to which schedule. */
export class ScheduleBodyError extends Error {
  override readonly name = 'ScheduleBodyError';
}

/**
 * The body's settings with their defaults (Selection `All`, booleans false, `Enabled` true,
 * `activity`), for the tenant-wide schedule (`customerCode` undefined) or one customer's. A
 * customer's schedule takes no Selection (it is that customer) and its CustomerCode, when given,
 * must be the path's.
 */
export function toScheduleSettings(
  body: ScheduleSettingsBody,
  customerCode: string | undefined,
): ScheduleSettings {
  if (customerCode === undefined && body.CustomerCode !== undefined) {
    throw new ScheduleBodyError(
      'CustomerCode: must be left out of the tenant-wide schedule (POST /v2/customers/schedule-statement/{customerCode} schedules one customer)',
    );
  }
  if (customerCode !== undefined && body.CustomerCode !== undefined && body.CustomerCode !== customerCode) {
    throw new ScheduleBodyError(
      `CustomerCode: must be ${JSON.stringify(customerCode)} as in the path, or be left out`,
    );
  }
  if (customerCode !== undefined && body.Selection !== undefined) {
    throw new ScheduleBodyError(
      "Selection: must be left out of a customer's schedule (it sends to that customer); Selection is for the tenant-wide schedule",
    );
  }
  return {
    ...(customerCode === undefined ? {} : { customerCode }),
    selection: body.Selection ?? 'All',
    issueDay: body.IssueDay,
    period: body.Period,
    ...(body.EndDate === undefined ? {} : { endDate: body.EndDate }),
    excludePaid: body.ExcludePaidInvoices ?? false,
    excludeOpeningBalance: body.ExcludeOpeningBalance ?? false,
    skipNothingOwed: body.SkipIfNothingOwed ?? false,
    statementType: body.StatementType ?? 'activity',
    enabled: body.Enabled ?? true,
  };
}

/** A schedule as the API answers it (PascalCase, read-only NextIssueDate and LastRun). */
export interface ScheduleView {
  CustomerCode?: string;
  Selection?: ScheduleSelection;
  IssueDay: IssueDay;
  Period: SchedulePeriod;
  EndDate?: string;
  ExcludePaidInvoices: boolean;
  ExcludeOpeningBalance: boolean;
  SkipIfNothingOwed: boolean;
  StatementType: z.infer<typeof StatementTypeSchema>;
  Enabled: boolean;
  Version?: number | string;
  NextIssueDate?: string;
  LastRun?: z.infer<typeof ScheduleLastRunSchema>;
}

/** The API's view of a stored schedule. */
export function toScheduleView(schedule: StoredSchedule): ScheduleView {
  return {
    ...(schedule.customerCode === undefined
      ? { Selection: schedule.selection }
      : { CustomerCode: schedule.customerCode }),
    IssueDay: schedule.issueDay,
    Period: schedule.period,
    ...(schedule.endDate === undefined ? {} : { EndDate: schedule.endDate }),
    ExcludePaidInvoices: schedule.excludePaid,
    ExcludeOpeningBalance: schedule.excludeOpeningBalance,
    SkipIfNothingOwed: schedule.skipNothingOwed,
    StatementType: schedule.statementType,
    Enabled: schedule.enabled,
    ...(schedule.version === undefined ? {} : { Version: schedule.version }),
    ...(schedule.nextIssueDate === undefined ? {} : { NextIssueDate: schedule.nextIssueDate }),
    ...(schedule.lastRun === undefined
      ? {}
      : {
          LastRun: {
            RunId: schedule.lastRun.runId,
            IssueDate: schedule.lastRun.issueDate,
            State: schedule.lastRun.state,
          },
        }),
  };
}

/** The reason a tenant-wide schedule's run records for a customer left to its own schedule. */
export const OWN_SCHEDULE_REASON = 'Own schedule';

/**
 * Whether a customer's own schedule replaces the tenant-wide one for the tenant-wide issue on
 * `issueDate` (docs/schedules.md): a customer gets its statements from one schedule, its own.
 * Disabling its schedule pauses that customer's statements (it does not hand it back to the
 * tenant-wide one); once its `EndDate` is before the issue date, or it is deleted, the tenant-wide
 * schedule covers the customer again.
 */
export function replacesTenantWide(
  schedule: Pick<StoredSchedule, 'customerCode' | 'endDate'>,
  issueDate: string,
): boolean {
  return (
    schedule.customerCode !== undefined && (schedule.endDate === undefined || schedule.endDate >= issueDate)
  );
}
