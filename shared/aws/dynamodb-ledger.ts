/**
 * The DynamoDB reads of the statement worker: a customer's records and ledger. Invoices and
 * payments are read by key condition on their date-ordered sort keys, a page at a time, with only
 * the attributes a statement needs, so memory stays bounded whatever the ledger's size.
 */
import { GetCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import type * as z from 'zod';
import { tableConfig } from '../config.ts';
import type { LedgerInvoice, LedgerPayment } from '../domain/statement.ts';
import {
  type CustomerRecord,
  InvoiceRecordSchema,
  PaymentRecordSchema,
  type SuppressionRecord,
  type TemplateRecord,
  TemplateRecordSchema,
  type TenantRecord,
} from '../schemas/records.ts';
import { documentClient } from './dynamodb.ts';
import { getTenantWithCustomers } from './dynamodb-tenants.ts';
import { customerPartition, templateKey } from './table-keys.ts';

/** What the worker needs of a customer before it reads the ledger. */
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

/** A tenant's email template by number; `undefined` when there is none. */
export async function getTemplate(tenantId: string, number: number): Promise<TemplateRecord | undefined> {
  const { TABLE_NAME } = tableConfig();
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: TABLE_NAME, Key: templateKey(tenantId, number) }),
  );
  return Item === undefined ? undefined : TemplateRecordSchema.parse(Item);
}

/** Counts what the ledger reads cost, for logs and the read-cost benchmark. */
export interface ReadCost {
  requests: number;
  itemsRead: number;
  capacityUnits: number;
}

/** A fresh, zero cost. */
export const newReadCost = (): ReadCost => ({ requests: 0, itemsRead: 0, capacityUnits: 0 });

/** One kind of ledger item: its sort-key prefix, the attributes a statement needs, its schema. */
interface LedgerRange<T> {
  prefix: string;
  projection: string;
  /** `number` and `date` are DynamoDB reserved words. */
  names: Record<string, string>;
  schema: z.ZodType<T>;
}

const INVOICES: LedgerRange<LedgerInvoice> = {
  prefix: 'INVOICE#',
  projection: '#number, issuedDate, dueDate, totalMinor',
  names: { '#number': 'number' },
  schema: InvoiceRecordSchema,
};

const PAYMENTS: LedgerRange<LedgerPayment> = {
  prefix: 'PAYMENT#',
  projection: 'invoiceNumber, #date, amountMinor',
  names: { '#date': 'date' },
  schema: PaymentRecordSchema,
};

/** Reads a customer's ledger items of one kind, dated up to some day. */
type LedgerStream<T> = (
  tenantId: string,
  code: string,
  /** The last day read; every item when undefined. */
  end: string | undefined,
  cost?: ReadCost,
) => AsyncGenerator<T>;

/**
 * A customer's items of one kind dated up to `end`, oldest first: `SK BETWEEN <prefix> AND
 * <prefix><end>#~`, paged until LastEvaluatedKey is empty.
 */
const ledgerStream = <T>(range: LedgerRange<T>): LedgerStream<T> =>
  async function* (tenantId, code, end, cost = newReadCost()) {
    const { TABLE_NAME } = tableConfig();
    const pages = paginateQuery(
      { client: documentClient(), pageSize: 1000 },
      {
        TableName: TABLE_NAME,
        KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': customerPartition(tenantId, code),
          ':from': range.prefix,
          ':to': end === undefined ? `${range.prefix}~` : `${range.prefix}${end}#~`,
        },
        ProjectionExpression: range.projection,
        ExpressionAttributeNames: range.names,
        ReturnConsumedCapacity: 'TOTAL',
      },
    );
    for await (const page of pages) {
      cost.requests += 1;
      cost.itemsRead += page.Count ?? 0;
      cost.capacityUnits += page.ConsumedCapacity?.CapacityUnits ?? 0;
      for (const item of page.Items ?? []) yield range.schema.parse(item);
    }
  };

/** A customer's invoices issued up to `end` (every one when `end` is undefined), oldest first. */
export const streamInvoices: LedgerStream<LedgerInvoice> = ledgerStream(INVOICES);

/** A customer's payments dated up to `end` (every one when undefined), oldest first. */
export const streamPayments: LedgerStream<LedgerPayment> = ledgerStream(PAYMENTS);
