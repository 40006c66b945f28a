import { getBatchWithJobs, runExists } from '../aws/dynamodb-batches.ts';
import { JOB_MAX_RECEIVE_COUNT } from '../aws/table-design.ts';
import { STATUS_MESSAGES } from '../domain/customer-status.ts';
import { jobRecipientsOf, type RecipientState, type RecordedRecipient } from '../domain/recipient-state.ts';
import { type StatementType, statementTypeOf } from '../domain/statement-period.ts';
import type { RecipientLine } from '../domain/statement-recipients.ts';
import type { CustomerStatementEmailStatus, JobRecord } from '../schemas/records.ts';

/**
 * The states a customer's statement is reported in. `Skipped`: `skipnothingowed=1` and nothing
 * was owed, when the request was made or when the worker came to send (Reason `Nothing owed`).
 */
export type DeliveryState = 'Queued' | 'Sent' | 'Delivered' | 'Bounced' | 'Complained' | 'Failed' | 'Skipped';

/**
 * One address of a sent statement: its line and where the email got to for it (`NotSent`: an
 * address of the customer left off; `Reason` says why, or what SES said of a bounce or complaint).
 */
export interface RecipientView {
  Email: string;
  Type: RecipientLine;
  Status: RecipientState;
  Reason?: string;
  UpdatedAt?: string;
}

/** One customer's line of the batch status: the POST's answer for the code, then where its email got to. */
export interface CustomerDeliveryView {
  CustomerCode: string;
  /** The POST's answer for this code. */
  Sent: boolean;
  Message: string;
  State: DeliveryState;
  SesMessageId?: string;
  Reason?: string;
  UpdatedAt: string;
  /** Once sent: each address, To, Cc and the tenant's Bcc, then those left off. */
  Recipients?: RecipientView[];
}

/** The batch status resource: the request's period and each customer's delivery, in request order. */
export interface BatchStatusView {
  BatchId: string;
  CreatedAt: string;
  StartDate: string;
  EndDate: string;
  FilterBy: string;
  ExcludePaidInvoices: boolean;
  /** The statement options (beyond KashFlow): `activity` or `outstanding`, and `skipnothingowed`. */
  StatementType: StatementType;
  SkipNothingOwed: boolean;
  Customers: CustomerDeliveryView[];
}

interface JobView {
  State: DeliveryState;
  Reason?: string | undefined;
}

/** The reason shown for a job whose worker stopped (a timeout, a crash) during its last attempt. */
const STOPPED_ON_LAST_ATTEMPT =
  'In the dead-letter queue: the worker stopped during its last attempt; SES may have sent it';

function jobView(job: JobRecord, now: Date): JobView {
  switch (job.state) {
    case 'Claimed':
    case 'Sending':
      // Left claimed or sending by its last delivery: SQS has moved it to the dead-letter queue.
      if (job.deadLetterReason !== undefined)
        return { State: 'Failed', Reason: `${job.deadLetterReason}; SES may have sent it` };
      if (job.attempts >= JOB_MAX_RECEIVE_COUNT && (job.leaseUntil ?? 0) < now.getTime())
        return { State: 'Failed', Reason: STOPPED_ON_LAST_ATTEMPT };
      return { State: 'Queued' };
    case 'Retrying':
      return {
        State: 'Queued',
        Reason: job.lastError === undefined ? undefined : `Retrying: ${job.lastError}`,
      };
    case 'Failed':
      return { State: 'Failed', Reason: job.reason ?? 'Failed' };
    case 'DeadLettered':
      // Failed as far as the client can tell; an operator's redrive may still send it.
      return { State: 'Failed', Reason: job.reason ?? 'In the dead-letter queue' };
    case 'Skipped':
      return { State: 'Skipped', Reason: job.reason ?? STATUS_MESSAGES.nothingOwed };
    case 'Bounced':
    case 'Complained':
      return { State: job.state, Reason: job.lastEvent };
    default:
      return { State: job.state };
  }
}

/** One customer's line: the POST's answer, then the state, its SES message id, reason and time. */
function toView(
  status: CustomerStatementEmailStatus,
  job: JobRecord | undefined,
  createdAt: string,
  now: Date,
): CustomerDeliveryView {
  // Refused or skipped when the request was made (never queued), or queued and not picked up yet.
  const { State, Reason }: JobView = !status.Sent
    ? { State: status.Message === STATUS_MESSAGES.nothingOwed ? 'Skipped' : 'Failed', Reason: status.Message }
    : job === undefined
      ? { State: 'Queued' }
      : jobView(job, now);
  const recipients = job?.sesMessageId === undefined ? [] : jobRecipientsOf(job);
  return {
    CustomerCode: status.CustomerCode,
    Sent: status.Sent,
    Message: status.Message,
    State,
    ...(job?.sesMessageId === undefined ? {} : { SesMessageId: job.sesMessageId }),
    ...(Reason === undefined ? {} : { Reason }),
    UpdatedAt: job?.updatedAt ?? createdAt,
    ...(recipients.length === 0 ? {} : { Recipients: recipients.map(toRecipientView) }),
  };
}

function toRecipientView(recipient: RecordedRecipient): RecipientView {
  return {
    Email: recipient.address,
    Type: recipient.line,
    Status: recipient.state,
    ...(recipient.detail === undefined || recipient.detail === 'Delivery'
      ? {}
      : { Reason: recipient.detail }),
    ...(recipient.at === undefined ? {} : { UpdatedAt: recipient.at }),
  };
}

/** A tenant's batch and each customer's delivery state; `undefined` when the tenant has no such batch. */
export async function getBatchStatus(
  tenantId: string,
  batchId: string,
  now = new Date(),
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
    StatementType: statementTypeOf(batch.period),
    SkipNothingOwed: batch.period.skipNothingOwed === true,
    Customers: batch.statuses.map((status) =>
      toView(status, jobs.get(status.CustomerCode), batch.createdAt, now),
    ),
  };
}

/**
 * Why there is no batch of this id for the tenant, in words for a 404: a statement run's id is
 * also its jobs' batch id, but a run is reported a page at a time by the runs API, not here.
 */
export async function missingBatchMessage(tenantId: string, batchId: string): Promise<string> {
  return (await runExists(tenantId, batchId))
    ? `${batchId} is a statement run, not a bulk email batch: its status is GET /v2/customerstatements/runs/${batchId}`
    : 'No such batch';
}
