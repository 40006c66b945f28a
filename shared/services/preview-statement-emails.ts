/**
 * `dryrun=1`: the same validation, reads and rendering as a real request, reported per customer;
 * nothing is recorded, queued, sent or noted.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { forEachConcurrently } from '../concurrency.ts';
import { type CustomerVerdict, toStatus } from '../domain/customer-status.ts';
import type { PeriodRequest, StatementPeriod } from '../domain/statement-period.ts';
import { StatementNotSendableError } from '../errors.ts';
import type { CustomerRecord, CustomerStatementEmailStatus } from '../schemas/records.ts';
import { judgeRequest } from './judge-request.ts';
import { NothingOwedError, prepareStatementEmail } from './prepare-statement-email.ts';

/** KashFlow's status plus what the email would be, so a client can check before sending; never `Sent`. */
export interface DryRunStatus extends CustomerStatementEmailStatus {
  DryRun: true;
  Recipient?: string;
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
  const { tenant, customers, period, verdicts } = await judgeRequest(request);
  const previewOne = async (
    code: string,
    customer: CustomerRecord | undefined,
    verdict: CustomerVerdict,
  ): Promise<DryRunStatus> => {
    if (verdict !== 'send' || customer === undefined) return { ...toStatus(code, verdict), DryRun: true };
    try {
      const email = await prepareStatementEmail({ tenant, customer, period, now, log });
      return {
        CustomerCode: code,
        Sent: false,
        Message: 'Would be sent',
        DryRun: true,
        Recipient: email.recipient,
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
