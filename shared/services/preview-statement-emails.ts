/**
 * `dryrun=1`: the same validation, reads and rendering as a real request, reported per customer;
 * nothing is recorded, queued, sent or noted.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { forEachConcurrently } from '../concurrency.ts';
import { type CustomerVerdict, toStatus } from '../domain/customer-status.ts';
import type { PeriodRequest, StatementPeriod } from '../domain/statement-period.ts';
import {
  addressedCustomer,
  DROP_REASONS,
  type RecipientLine,
  sentRecipients,
  statementRecipients,
} from '../domain/statement-recipients.ts';
import { StatementNotSendableError } from '../errors.ts';
import type { CustomerRecord, CustomerStatementEmailStatus } from '../schemas/records.ts';
import { judgeRequest } from './judge-request.ts';
import { NothingOwedError, prepareStatementEmail } from './prepare-statement-email.ts';

/** One address the email would go to (`WouldSend`), or would leave off (`NotSent`, `Reason`). */
export interface DryRunRecipient {
  Email: string;
  Type: RecipientLine;
  Status: 'WouldSend' | 'NotSent';
  Reason?: string;
}

/** KashFlow's status plus what the email would be, so a client can check before sending; never `Sent`. */
export interface DryRunStatus extends CustomerStatementEmailStatus {
  DryRun: true;
  /** The first To address (kept from before `Recipients`). */
  Recipient?: string;
  /** Every address by line (To, Cc, the tenant's Bcc), then the customer's addresses left off. */
  Recipients?: DryRunRecipient[];
  Subject?: string;
  Template?: string;
  Balance?: string;
  Overdue?: string;
  LineCount?: number;
}

/** The dry run's answer: the resolved period and one status per code, in request order. */
export interface DryRunOutcome {
  period: StatementPeriod;
  statuses: DryRunStatus[];
}

/** Statements are rendered a few at a time: each reads its customer's ledger. */
const CONCURRENT_PREVIEWS = 5;

/** `dryrun=1`: judges and renders as a real request does, so a client sees what would go; writes nothing. */
export async function previewStatementEmails(
  request: { tenantId: string; customerCodes: string[]; period: PeriodRequest; now: Date },
  log: Logger,
): Promise<DryRunOutcome> {
  const { customerCodes, now } = request;
  const { tenant, customers, period, verdicts, suppressed } = await judgeRequest(request);
  const previewOne = async (
    code: string,
    customer: CustomerRecord | undefined,
    verdict: CustomerVerdict,
  ): Promise<DryRunStatus> => {
    if (verdict !== 'send' || customer === undefined) return { ...toStatus(code, verdict), DryRun: true };
    // Addressed as the worker will: the customer's suppressed addresses left off.
    const addressing = statementRecipients(customer, { bcc: tenant.bcc, suppressed: suppressed.get(code) });
    try {
      const email = await prepareStatementEmail({
        tenant,
        customer: addressedCustomer(customer, addressing),
        period,
        now,
        log,
      });
      return {
        CustomerCode: code,
        Sent: false,
        Message: 'Would be sent',
        DryRun: true,
        Recipient: email.recipient,
        Recipients: [
          ...sentRecipients(email.recipients).map(
            (recipient): DryRunRecipient => ({
              Email: recipient.address,
              Type: recipient.line,
              Status: 'WouldSend',
            }),
          ),
          ...addressing.dropped.map(
            (recipient): DryRunRecipient => ({
              Email: recipient.address,
              Type: recipient.line,
              Status: 'NotSent',
              Reason: DROP_REASONS[recipient.reason],
            }),
          ),
        ],
        Subject: email.subject,
        Template: email.templateName,
        Balance: email.balance,
        Overdue: email.overdue,
        LineCount: email.lineCount,
      };
    } catch (error) {
      // The ledger changed between judging and rendering: answered as judging would have.
      if (error instanceof NothingOwedError) return { ...toStatus(code, 'nothingOwed'), DryRun: true };
      if (!(error instanceof StatementNotSendableError)) throw error;
      return {
        CustomerCode: code,
        Sent: false,
        Message: `Would not be sent: ${error.message}`,
        DryRun: true,
      };
    }
  };
  const statuses: DryRunStatus[] = new Array(customerCodes.length);
  await forEachConcurrently(customerCodes, CONCURRENT_PREVIEWS, async (code, index) => {
    statuses[index] = await previewOne(code, customers.get(code), verdicts.get(code) ?? 'invalidCode');
  });
  return { period, statuses };
}
