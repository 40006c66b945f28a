import * as z from 'zod';
import { addMonths, IsoDateSchema, isIsoDate, MIN_YEAR } from './calendar-date.ts';

/** How far back a statement goes when the request names no start date (KashFlow: three months). */
export const DEFAULT_PERIOD_MONTHS = 3;

/** The earliest end date that can stand alone: its default start is the first day accepted. */
const EARLIEST_DEFAULTED_END = addMonths(`${MIN_YEAR}-01-01`, DEFAULT_PERIOD_MONTHS);

/** The two kinds of statement: KashFlow's activity statement, or open items only. */
export const StatementTypeSchema = z.enum(['activity', 'outstanding']);
/** `activity` or `outstanding`. */
export type StatementType = z.infer<typeof StatementTypeSchema>;

/** One schema for the API's resolved period and the job's, so the API never queues one the worker refuses. */
export const StatementPeriodSchema = z.object({
  start: IsoDateSchema,
  end: IsoDateSchema,
  /** `filterby=All`: every invoice and payment of the customer, whatever the dates. */
  filterAll: z.boolean(),
  /** `excludepaidinvoices=1`: fully paid invoices are left out of the statement lines. */
  excludePaid: z.boolean(),
  /**
   * `statementtype=outstanding`: the items open at the end, each with its original and open
   * amount. Absent: KashFlow's activity statement (opening balance, the period's movements,
   * closing). Written only when not the default, so that a default request's period, job and
   * fingerprint are what they were before the option existed.
   */
  statementType: StatementTypeSchema.optional(),
  /** `skipnothingowed=1`: no email and no note when the closing balance is zero or in credit. */
  skipNothingOwed: z.literal(true).optional(),
});
/** A resolved period: inclusive dates, KashFlow's two filters and the statement options. */
export type StatementPeriod = z.infer<typeof StatementPeriodSchema>;

/** The statement type a period asks for (absent: `activity`). */
export const statementTypeOf = (period: StatementPeriod): StatementType => period.statementType ?? 'activity';

/** The period as asked for (either date may be missing), before KashFlow's defaults are applied. */
export interface PeriodRequest {
  startDate?: string | undefined;
  endDate?: string | undefined;
  filterAll: boolean;
  excludePaid: boolean;
  /** Absent: `activity`. */
  statementType?: StatementType | undefined;
  /** Absent: false. */
  skipNothingOwed?: boolean | undefined;
}

/** A period no statement can have; the HTTP edge answers it 400 InvalidParameter with this message. */
export class PeriodError extends Error {
  override readonly name = 'PeriodError';
}

/**
 * Resolves the statement period of a request, with `today` the current date in the tenant's time
 * zone. No dates: the three months up to today. Only a start: up to today. Only an end: the three
 * months before it. The period is inclusive at both ends.
 */
export function resolveStatementPeriod(request: PeriodRequest, today: string): StatementPeriod {
  const { startDate, endDate, filterAll, excludePaid, statementType, skipNothingOwed } = request;
  const end = endDate ?? today;
  const start = startDate ?? addMonths(end, -DEFAULT_PERIOD_MONTHS);
  if (startDate === undefined && !isIsoDate(start)) {
    // The default start left the calendar the service accepts (an end date early in 1900).
    throw new PeriodError(
      `enddate must be ${EARLIEST_DEFAULTED_END} or later when startdate is not given (the statement covers the three months before it)`,
    );
  }
  if (start > end) {
    throw new PeriodError(
      endDate === undefined
        ? 'startdate must not be later than today when enddate is not given'
        : 'startdate must be on or before enddate',
    );
  }
  // The API resolves no period that the worker's job schema would refuse: the same schema decides.
  const period = StatementPeriodSchema.safeParse({
    start,
    end,
    filterAll,
    excludePaid,
    ...(statementType === 'outstanding' ? { statementType } : {}),
    ...(skipNothingOwed === true ? { skipNothingOwed } : {}),
  });
  if (!period.success) {
    throw new PeriodError(
      `The statement period is not valid: ${period.error.issues[0]?.message ?? 'unknown'}`,
    );
  }
  return period.data;
}
