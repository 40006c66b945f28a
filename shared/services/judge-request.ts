/**
 * The first step of every bulk email request, real or dry: the tenant, its customers and their
 * address suppressions in one batch read, the period for today in the tenant's time zone, and a
 * verdict per code.
 */
import { getTenantWithCustomers } from '../aws/dynamodb-tenants.ts';
import { forEachConcurrently } from '../concurrency.ts';
import { dateInTimeZone } from '../domain/calendar-date.ts';
import { type CustomerVerdict, isLookupableCode, judgeCustomer } from '../domain/customer-status.ts';
import { owesNothing } from '../domain/statement.ts';
import {
  type PeriodRequest,
  resolveStatementPeriod,
  type StatementPeriod,
} from '../domain/statement-period.ts';
import type { SuppressedAddresses } from '../domain/statement-recipients.ts';
import { StatementNotSendableError, UnknownTenantError } from '../errors.ts';
import type { CustomerRecord, TenantRecord } from '../schemas/records.ts';
import { computeCustomerStatement } from './prepare-statement-email.ts';

/** `skipnothingowed=1`: customers' statements computed a few at a time, each reading its ledger. */
const CONCURRENT_BALANCE_CHECKS = 5;

/** A bulk email request as the services take it: the token's tenant, distinct codes, period and time. */
export interface StatementEmailRequest {
  tenantId: string;
  /** Distinct codes in request order. */
  customerCodes: string[];
  period: PeriodRequest;
  now: Date;
}

/** What judging found, shared by the real run and the dry run so that both decide alike. */
export interface JudgedRequest {
  tenant: TenantRecord;
  customers: Map<string, CustomerRecord>;
  period: StatementPeriod;
  /** One verdict per distinct code. */
  verdicts: Map<string, CustomerVerdict>;
  /** The customers' suppressed addresses, by code (absent: none), so that a preview addresses as judging did. */
  suppressed: Map<string, SuppressedAddresses>;
}

/**
 * The first step of every bulk email request, real or dry: the tenant, the customers and their
 * suppressions in one batch read, the period for today in the tenant's time zone, and a verdict
 * per code.
 */
export async function judgeRequest(request: StatementEmailRequest): Promise<JudgedRequest> {
  const { tenantId, customerCodes, now } = request;
  const { tenant, customers, suppressions } = await getTenantWithCustomers(
    tenantId,
    customerCodes.filter(isLookupableCode),
  );
  // A token whose tenant is gone is as good as no token.
  if (tenant === undefined) throw new UnknownTenantError();
  // A period the request cannot have throws PeriodError: the HTTP edge answers 400 for it.
  const period = resolveStatementPeriod(request.period, dateInTimeZone(now, tenant.timeZone));
  const suppressed = new Map(
    [...suppressions].map(([code, suppression]) => [code, suppression.addresses] as const),
  );
  const verdicts = new Map<string, CustomerVerdict>(
    customerCodes.map((code) => [code, judgeCustomer(customers.get(code), suppressed.get(code))]),
  );
  if (period.skipNothingOwed === true) {
    const sendable = customerCodes.filter((code) => verdicts.get(code) === 'send');
    await forEachConcurrently(sendable, CONCURRENT_BALANCE_CHECKS, async (code) => {
      if (await owesNothingNow(tenant, code, period, now)) verdicts.set(code, 'nothingOwed');
    });
  }
  return { tenant, customers, period, verdicts, suppressed };
}

/**
 * `skipnothingowed=1`, decided in the request so that its answer can say `Nothing owed`: the
 * customer's statement is computed as the worker computes it (the same streams and maths). One
 * that does not balance is left to the worker, which fails it with its reason as it would
 * without the option.
 */
async function owesNothingNow(
  tenant: TenantRecord,
  customerCode: string,
  period: StatementPeriod,
  now: Date,
): Promise<boolean> {
  try {
    return owesNothing(await computeCustomerStatement(tenant, customerCode, period, now));
  } catch (error) {
    if (error instanceof StatementNotSendableError) return false;
    throw error;
  }
}
