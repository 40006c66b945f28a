/**
 * The first step of every bulk email request, real or dry: the tenant, its customers and their
 * address suppressions in one batch read, the period for today in the tenant's time zone, and a
 * verdict per code.
 */
import { getTenantWithCustomers } from '../aws/dynamodb-tenants.ts';
import { dateInTimeZone } from '../domain/calendar-date.ts';
import { type CustomerVerdict, isLookupableCode, judgeCustomer } from '../domain/customer-status.ts';
import {
  type PeriodRequest,
  resolveStatementPeriod,
  type StatementPeriod,
} from '../domain/statement-period.ts';
import { UnknownTenantError } from '../errors.ts';
import type { CustomerRecord, TenantRecord } from '../schemas/records.ts';

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
  const verdicts = new Map<string, CustomerVerdict>(
    customerCodes.map((code) => [code, judgeCustomer(customers.get(code), suppressions.get(code))]),
  );
  return { tenant, customers, period, verdicts };
}
