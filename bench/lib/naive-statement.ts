/**
 * The naive statement pipeline the worker benchmark compares against: the same template, maths,
 * rendering, PDF, send and note, but the ledger read the naive way: one Query for the keys of each
 * kind, without paging (so only its first 1 MB page), then one GetItem per invoice, credit note
 * and payment.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#shared/aws/dynamodb.ts';
import { getCustomerAccount } from '#shared/aws/dynamodb-ledger.ts';
import { sendRawEmail } from '#shared/aws/ses.ts';
import { customerPartition } from '#shared/aws/table-keys.ts';
import { dateInTimeZone } from '#shared/domain/calendar-date.ts';
import {
  computeStatement,
  type LedgerCreditNote,
  type LedgerInvoice,
  type LedgerPayment,
} from '#shared/domain/statement.ts';
import { composeStatementEmail } from '#shared/render/statement-email.ts';
import { renderStatementPdf } from '#shared/render/statement-pdf.ts';
import type { StatementJob } from '#shared/schemas/statement-job.ts';
import { chooseTemplate } from '#shared/services/prepare-statement-email.ts';

async function naiveRead<T>(tenantId: string, code: string, prefix: string): Promise<T[]> {
  const table = String(process.env.TABLE_NAME);
  const { Items = [] } = await documentClient().send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': customerPartition(tenantId, code), ':prefix': prefix },
      ProjectionExpression: 'PK, SK',
    }),
  );
  const items: T[] = [];
  for (const key of Items) {
    const { Item } = await documentClient().send(
      new GetCommand({ TableName: table, Key: { PK: key.PK, SK: key.SK } }),
    );
    if (Item !== undefined) items.push(Item as T);
  }
  return items;
}

export async function naiveStatement(job: StatementJob, log: Logger): Promise<{ invoicesRead: number }> {
  const account = await getCustomerAccount(job.tenantId, job.customerCode);
  if (account === undefined) throw new Error('no customer');
  const { tenant, customer } = account;
  const template = await chooseTemplate(tenant, customer, log);
  const invoices = await naiveRead<LedgerInvoice>(job.tenantId, job.customerCode, 'INVOICE#');
  const creditNotes = await naiveRead<LedgerCreditNote>(job.tenantId, job.customerCode, 'CREDITNOTE#');
  const payments = await naiveRead<LedgerPayment>(job.tenantId, job.customerCode, 'PAYMENT#');
  const now = new Date();
  const statement = await computeStatement(
    job.period,
    { invoices, creditNotes, payments },
    dateInTimeZone(now, tenant.timeZone),
  );
  const email = await composeStatementEmail({
    tenant,
    customer,
    template,
    statement,
    now,
    renderPdf: renderStatementPdf,
  });
  await sendRawEmail(email.raw);
  return { invoicesRead: invoices.length };
}
