import { getBatchWithJobs, type JobRecord } from '../aws/dynamodb-jobs.ts';
import type { CustomerStatementEmailStatus } from '../schemas/records.ts';

/** The states a customer's statement is reported in. */
export type DeliveryState = 'Queued' | 'Sent' | 'Delivered' | 'Bounced' | 'Complained' | 'Failed';

export interface CustomerDeliveryView {
  CustomerCode: string;
  /** The POST's answer for this code. */
  Sent: boolean;
  Message: string;
  State: DeliveryState;
  SesMessageId?: string;
  Reason?: string;
  UpdatedAt: string;
}

export interface BatchStatusView {
  BatchId: string;
  CreatedAt: string;
  StartDate: string;
  EndDate: string;
  FilterBy: string;
  ExcludePaidInvoices: boolean;
  Customers: CustomerDeliveryView[];
}

function toView(
  status: CustomerStatementEmailStatus,
  job: JobRecord | undefined,
  createdAt: string,
): CustomerDeliveryView {
  const base = { CustomerCode: status.CustomerCode, Sent: status.Sent, Message: status.Message };
  // Refused when the request was made: never queued.
  if (!status.Sent) return { ...base, State: 'Failed', Reason: status.Message, UpdatedAt: createdAt };
  if (job === undefined) return { ...base, State: 'Queued', UpdatedAt: createdAt };
  const common = {
    ...base,
    UpdatedAt: job.updatedAt,
    ...(job.sesMessageId ? { SesMessageId: job.sesMessageId } : {}),
  };
  switch (job.state) {
    case 'Claimed':
    case 'Sending':
      return { ...common, State: 'Queued' };
    case 'Retrying':
      return {
        ...common,
        State: 'Queued',
        ...(job.lastError ? { Reason: `Retrying: ${job.lastError}` } : {}),
      };
    case 'Failed':
      return { ...common, State: 'Failed', Reason: job.reason ?? 'Failed' };
    case 'Bounced':
    case 'Complained':
      return { ...common, State: job.state, ...(job.lastEvent ? { Reason: job.lastEvent } : {}) };
    default:
      return { ...common, State: job.state };
  }
}

/** A tenant's batch and each customer's delivery state; `undefined` when the tenant has no such batch. */
export async function getBatchStatus(
  tenantId: string,
  batchId: string,
): Promise<BatchStatusView | undefined> {
  const found = await getBatchWithJobs(tenantId, batchId);
  if (found === undefined) return undefined;
  const { batch, jobs } = found;
  return {
    BatchId: batch.batchId,
    CreatedAt: batch.createdAt,
    StartDate: batch.period.start,
    EndDate: batch.period.end,
    FilterBy: batch.period.filterAll ? 'All' : '',
    ExcludePaidInvoices: batch.period.excludePaid,
    Customers: batch.statuses.map((status) => toView(status, jobs.get(status.CustomerCode), batch.createdAt)),
  };
}
