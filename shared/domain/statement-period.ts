import * as z from 'zod';
import { addMonths, IsoDateSchema } from './calendar-date.ts';

/** How far back a statement goes when the request names no start date (KashFlow: three months). */
export const DEFAULT_PERIOD_MONTHS = 3;

export const StatementPeriodSchema = z.object({
  start: IsoDateSchema,
  end: IsoDateSchema,
  /** `filterby=All`: every invoice and payment of the customer, whatever the dates. */
  filterAll: z.boolean(),
  /** `excludepaidinvoices=1`: fully paid invoices are left out of the statement lines. */
  excludePaid: z.boolean(),
});
export type StatementPeriod = z.infer<typeof StatementPeriodSchema>;

export interface PeriodRequest {
  startDate?: string | undefined;
  endDate?: string | undefined;
  filterAll: boolean;
  excludePaid: boolean;
}

export class PeriodError extends Error {
  override readonly name = 'PeriodError';
}

/**
 * Resolves the statement period of a request, with `today` the current date in the tenant's time
 * zone. No dates: the three months up to today. Only a start: up to today. Only an end: the three
 * months before it. The period is inclusive at both ends.
 */
export function resolveStatementPeriod(request: PeriodRequest, today: string): StatementPeriod {
  const { startDate, endDate, filterAll, excludePaid } = request;
  const end = endDate ?? today;
  const start = startDate ?? addMonths(end, -DEFAULT_PERIOD_MONTHS);
  if (start > end) {
    throw new PeriodError(
      endDate === undefined
        ? 'startdate must not be later than today when enddate is not given'
        : 'startdate must be on or before enddate',
    );
  }
  return { start, end, filterAll, excludePaid };
}
