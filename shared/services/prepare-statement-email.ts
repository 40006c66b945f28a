/**
 * Everything between "this customer gets a statement" and a ready MIME message: the template,
 * the ledger (invoices, credit notes and payments, streamed with consistent reads, so a ledger
 * write answered before the job ran is included), the statement maths and the composition.
 * Shared by the worker, which attaches the PDF and sends, and the dry run, which only reports
 * what would be sent.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { getTemplate, newReadCost, streamLedger } from '../aws/dynamodb-ledger.ts';
import { SES_MAX_MESSAGE_BYTES } from '../aws/ses-limits.ts';
import { dateInTimeZone } from '../domain/calendar-date.ts';
import { STATUS_MESSAGES } from '../domain/customer-status.ts';
import { computeStatement, owesNothing, type Statement, StatementBalanceError } from '../domain/statement.ts';
import type { StatementPeriod } from '../domain/statement-period.ts';
import { TemplateError } from '../domain/template.ts';
import { StatementNotSendableError } from '../errors.ts';
import {
  BUILT_IN_TEMPLATE,
  type ComposedEmail,
  composeStatementEmail,
  type PdfRenderer,
  StatementEmailError,
} from '../render/statement-email.ts';
import type { CustomerRecord, StatementLogo, TemplateRecord, TenantRecord } from '../schemas/records.ts';

/** The customer's template, else the tenant's default, else the built-in one. */
export async function chooseTemplate(
  tenant: TenantRecord,
  customer: CustomerRecord,
  log: Logger,
): Promise<TemplateRecord> {
  for (const number of [customer.emailTemplateNumber, tenant.defaultStatementTemplateNumber]) {
    if (number === undefined) continue;
    const template = await getTemplate(tenant.tenantId, number);
    if (template !== undefined) return template;
    log.warn('Email template not found; falling back', { templateNumber: number });
  }
  return BUILT_IN_TEMPLATE;
}

/** What preparing an email needs; only the worker passes `renderPdf`, so a dry run never loads pdf-lib. */
export interface PrepareInput {
  tenant: TenantRecord;
  customer: CustomerRecord;
  period: StatementPeriod;
  now: Date;
  log: Logger;
  renderPdf?: PdfRenderer;
  /** Reads the tenant's logo; only the worker passes it (with renderPdf): a dry run shows no logo. */
  readLogo?: (tenant: TenantRecord) => Promise<StatementLogo | undefined>;
}

/**
 * `skipnothingowed=1` and the customer owes nothing: no email and no note, on purpose (the job
 * ends `Skipped`, the dry run says `Nothing owed`). Not a failure.
 */
export class NothingOwedError extends Error {
  override readonly name = 'NothingOwedError';
}

/**
 * The customer's statement for the period, from its ledger streamed with consistent reads (the
 * worker's reads, so that the API's `skipnothingowed` check and the worker's agree); throws
 * StatementNotSendableError when it does not balance.
 */
export async function computeCustomerStatement(
  tenant: TenantRecord,
  customerCode: string,
  period: StatementPeriod,
  now: Date,
  log?: Logger,
): Promise<Statement> {
  const end = period.filterAll ? undefined : period.end;
  const cost = newReadCost();
  let statement: Statement;
  try {
    statement = await computeStatement(
      period,
      streamLedger(tenant.tenantId, customerCode, end, cost),
      dateInTimeZone(now, tenant.timeZone),
    );
  } catch (error) {
    if (error instanceof StatementBalanceError)
      throw new StatementNotSendableError(`Statement does not balance: ${error.message}`);
    throw error;
  }
  log?.info('Statement computed', { lines: statement.lines.length, ...cost });
  return statement;
}

/**
 * Builds the statement email; throws StatementNotSendableError for what makes it unsendable, and
 * NothingOwedError when the period says `skipNothingOwed` and the closing balance is zero or less
 * (checked again here, at send time: the ledger may have changed since the request).
 */
export async function prepareStatementEmail(input: PrepareInput): Promise<ComposedEmail> {
  const { tenant, customer, period, now, log, renderPdf, readLogo } = input;
  const statement = await computeCustomerStatement(tenant, customer.code, period, now, log);
  if (period.skipNothingOwed === true && owesNothing(statement)) {
    throw new NothingOwedError(STATUS_MESSAGES.nothingOwed);
  }
  const template = await chooseTemplate(tenant, customer, log);
  // The logo is printed on the PDF and shown in the HTML; a dry run (no PDF) does not read it.
  const logo = await readLogo?.(tenant);
  let email: ComposedEmail;
  try {
    email = await composeStatementEmail({
      tenant,
      customer,
      template,
      statement,
      now,
      logo,
      ...(renderPdf ? { renderPdf } : {}),
    });
  } catch (error) {
    if (error instanceof TemplateError) {
      throw new StatementNotSendableError(
        `Email template ${template.number} (${template.name}): ${error.message}`,
      );
    }
    if (error instanceof StatementEmailError) throw new StatementNotSendableError(error.message);
    throw error;
  }
  if (email.bytes > SES_MAX_MESSAGE_BYTES) {
    throw new StatementNotSendableError(
      `The statement email is ${email.bytes} bytes, over SES's limit of ${SES_MAX_MESSAGE_BYTES}`,
    );
  }
  return email;
}
