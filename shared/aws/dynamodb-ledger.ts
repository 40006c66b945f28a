/**
 * The DynamoDB reads of the statement worker: a customer's records and ledger. Invoices and
 * payments are read by key condition on their date-ordered sort keys, a page at a time, with only
 * the attributes a statement needs, so memory stays bounded whatever the ledger's size.
 */
import { GetCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { tableConfig } from '../config.ts';
import type { LedgerInvoice, LedgerPayment } from '../domain/statement.ts';
import {
  type CustomerRecord,
  type SuppressionRecord,
  type TemplateRecord,
  TemplateRecordSchema,
  type TenantRecord,
} from '../schemas/records.ts';
import { documentClient, getTenantWithCustomers } from './dynamodb.ts';
import { customerPartition, templateKey } from './table-keys.ts';

export interface CustomerAccount {
  tenant: TenantRecord;
  customer: CustomerRecord;
  suppression: SuppressionRecord | undefined;
}

/** The tenant, one customer and its address suppression, in one batch read; `undefined` when either is missing. */
export async function getCustomerAccount(
  tenantId: string,
  code: string,
): Promise<CustomerAccount | undefined> {
  const { tenant, customers, suppressions } = await getTenantWithCustomers(tenantId, [code]);
  const customer = customers.get(code);
  if (tenant === undefined || customer === undefined) return undefined;
  return { tenant, customer, suppression: suppressions.get(code) };
}

export async function getTemplate(tenantId: string, number: number): Promise<TemplateRecord | undefined> {
  const { TABLE_NAME } = tableConfig();
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: TABLE_NAME, Key: templateKey(tenantId, number) }),
  );
  return Item === undefined ? undefined : TemplateRecordSchema.parse(Item);
}

const LedgerInvoiceSchema = z.object({
  number: z.number().int(),
  issuedDate: z.string(),
  dueDate: z.string(),
  totalMinor: z.number().int(),
});
const LedgerPaymentSchema = z.object({
  invoiceNumber: z.number().int(),
  date: z.string(),
  amountMinor: z.number().int(),
});

/** Counts what the ledger reads cost, for logs and the read-cost benchmark. */
export interface ReadCost {
  requests: number;
  itemsRead: number;
  capacityUnits: number;
}

export const newReadCost = (): ReadCost => ({ requests: 0, itemsRead: 0, capacityUnits: 0 });

async function* queryRange<T>(
  partition: string,
  fromKey: string,
  toKey: string,
  projection: { expression: string; names: Record<string, string> },
  schema: z.ZodType<T>,
  cost: ReadCost,
): AsyncGenerator<T> {
  const { TABLE_NAME } = tableConfig();
  const pages = paginateQuery(
    { client: documentClient, pageSize: 1000 },
    {
      TableName: TABLE_NAME,
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': partition, ':from': fromKey, ':to': toKey },
      ProjectionExpression: projection.expression,
      ExpressionAttributeNames: projection.names,
      ReturnConsumedCapacity: 'TOTAL',
    },
  );
  for await (const page of pages) {
    cost.requests += 1;
    cost.itemsRead += page.Count ?? 0;
    cost.capacityUnits += page.ConsumedCapacity?.CapacityUnits ?? 0;
    for (const item of page.Items ?? []) yield schema.parse(item);
  }
}

/**
 * A customer's invoices issued up to `end` (every one when `end` is undefined), oldest first:
 * `SK BETWEEN INVOICE# AND INVOICE#<end>#~`, paged until LastEvaluatedKey is empty.
 */
export function streamInvoices(
  tenantId: string,
  code: string,
  end: string | undefined,
  cost: ReadCost = newReadCost(),
): AsyncGenerator<LedgerInvoice> {
  return queryRange(
    customerPartition(tenantId, code),
    'INVOICE#',
    end === undefined ? 'INVOICE#~' : `INVOICE#${end}#~`,
    // `number` and `date` are DynamoDB reserved words.
    { expression: '#number, issuedDate, dueDate, totalMinor', names: { '#number': 'number' } },
    LedgerInvoiceSchema,
    cost,
  );
}

/** A customer's payments dated up to `end` (every one when undefined), oldest first. */
export function streamPayments(
  tenantId: string,
  code: string,
  end: string | undefined,
  cost: ReadCost = newReadCost(),
): AsyncGenerator<LedgerPayment> {
  return queryRange(
    customerPartition(tenantId, code),
    'PAYMENT#',
    end === undefined ? 'PAYMENT#~' : `PAYMENT#${end}#~`,
    { expression: 'invoiceNumber, #date, amountMinor', names: { '#date': 'date' } },
    LedgerPaymentSchema,
    cost,
  );
}
