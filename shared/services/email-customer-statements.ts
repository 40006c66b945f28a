import { randomUUID } from 'node:crypto';
import { getTenantWithCustomers, putBatch, updateBatchStatuses } from '../aws/dynamodb.ts';
import { sendMessages } from '../aws/sqs.ts';
import { jobQueueConfig } from '../config.ts';
import { dateInTimeZone } from '../domain/calendar-date.ts';
import {
  type CustomerVerdict,
  isLookupableCode,
  judgeCustomer,
  toStatus,
  toStorableStatuses,
} from '../domain/customer-status.ts';
import {
  PeriodError,
  type PeriodRequest,
  resolveStatementPeriod,
  type StatementPeriod,
} from '../domain/statement-period.ts';
import { invalidSessionToken, ValidationError } from '../errors.ts';
import { logger, metrics } from '../observability/powertools.ts';
import type { CustomerRecord, CustomerStatementEmailStatus, TenantRecord } from '../schemas/records.ts';
import { type StatementJob, StatementJobSchema } from '../schemas/statement-job.ts';

export interface StatementEmailRequest {
  tenantId: string;
  /** Distinct codes in request order. */
  customerCodes: string[];
  period: PeriodRequest;
  now: Date;
}

export interface StatementEmailOutcome {
  batchId: string;
  period: StatementPeriod;
  /** One per code, in request order. */
  statuses: CustomerStatementEmailStatus[];
}

/** The request's period for `today` in the tenant's time zone; a bad combination is a 400. */
export function periodFor(request: PeriodRequest, today: string): StatementPeriod {
  try {
    return resolveStatementPeriod(request, today);
  } catch (error) {
    if (error instanceof PeriodError)
      throw new ValidationError('InvalidParameter', error.message, { cause: error });
    throw error;
  }
}

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
  if (tenant === undefined) throw invalidSessionToken();
  const period = periodFor(request.period, dateInTimeZone(now, tenant.timeZone));
  const verdicts = new Map<string, CustomerVerdict>(
    customerCodes.map((code) => [code, judgeCustomer(customers.get(code), suppressions.get(code))]),
  );
  return { tenant, customers, period, verdicts };
}

/**
 * KashFlow's bulk statement email: judges each code (one batch read), records the batch, queues
 * one job per customer that can be emailed and reports each code's status in request order. One
 * bad code never stops the others.
 */
export async function emailCustomerStatements(
  request: StatementEmailRequest,
): Promise<StatementEmailOutcome> {
  const { tenantId, customerCodes, now } = request;
  const { period, verdicts } = await judgeRequest(request);
  const batchId = randomUUID();
  const requestedAt = now.toISOString();
  const statuses = customerCodes.map((code) => toStatus(code, verdicts.get(code) ?? 'invalidCode'));
  const toSend = customerCodes.filter((code) => verdicts.get(code) === 'send');
  // Each job passes the worker's own schema before anything is written: the API never queues a
  // job that the worker would refuse (and dead-letter).
  const jobs = toSend.map((customerCode, index) => {
    const job: StatementJob = StatementJobSchema.parse({
      version: 1,
      tenantId,
      batchId,
      customerCode,
      period,
      requestedAt,
    });
    return { id: String(index), body: JSON.stringify(job) };
  });
  // Recorded before queueing, so a worker never finishes a job of a batch that does not exist yet.
  await putBatch({
    tenantId,
    batchId,
    createdAt: requestedAt,
    period,
    statuses: toStorableStatuses(statuses),
  });

  const notQueued = await sendMessages(jobQueueConfig().JOB_QUEUE_URL, jobs);

  metrics.addMetric('StatementsMarkedToSend', 'Count', toSend.length - notQueued.size);
  metrics.addMetric('CustomerCodesRefused', 'Count', customerCodes.length - toSend.length);
  if (notQueued.size === 0) return { batchId, period, statuses };

  metrics.addMetric('StatementsNotQueued', 'Count', notQueued.size);
  const failedCodes = new Set([...notQueued].map((id) => toSend[Number(id)]));
  const finalStatuses = statuses.map((status) =>
    failedCodes.has(status.CustomerCode) ? toStatus(status.CustomerCode, 'notQueued') : status,
  );
  await updateBatchStatuses(tenantId, batchId, toStorableStatuses(finalStatuses)).catch((error: unknown) => {
    // The caller still learns which codes to retry; the batch record alone is stale.
    logger.error('Could not record the codes that were not queued', { batchId, error });
    metrics.addMetric('BatchRecordStale', 'Count', 1);
  });
  return { batchId, period, statuses: finalStatuses };
}
