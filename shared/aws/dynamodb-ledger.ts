/**
 * The DynamoDB reads of the statement worker: a customer's records and ledger. The ledger API
 * keeps one projection item per document in the customer's partition, keyed by number
 * (`INVOICE#`, `CREDITNOTE#`, `PAYMENT#` then the padded number; shared/aws/table-keys.ts), so
 * each kind is one Query on `begins_with(SK, <prefix>)`, a page at a time, with only the attributes
 * the statement's maths needs, so memory stays bounded whatever the ledger's size.
 *
 * Read your writes: every Query is strongly consistent (`ConsistentRead: true`), so a statement
 * requested after a ledger write was answered includes it (an eventually consistent read may miss
 * a write of the last second or so). The cost: a strongly consistent read is 1 read capacity unit
 * per 4 KB read, twice the 0.5 of an eventually consistent one. A Query is charged on the summed
 * size of the items it reads (the projection does not reduce it): 1,000 projection items of about
 * 130 bytes are about 32 RCU instead of 16.
 *
 * The keys no longer sort by date (a changed date must not move an item), so a period's end is a
 * FilterExpression on the date, not a key condition: DynamoDB reads, and charges for, every
 * document of the kind and drops those dated after the end before answering. The items come back
 * in number order; computeStatement does not depend on the order.
 */
import { GetCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import type * as z from 'zod';
import { tableConfig } from '../config.ts';
import type { Ledger, LedgerCreditNote, LedgerInvoice, LedgerPayment } from '../domain/statement.ts';
import {
  CreditNoteRecordSchema,
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

/**
 * A tenant's email template by number; `undefined` when there is none or it was deleted (its
 * tombstone), so that the worker falls back to the next template. Consistent: a template saved
 * just before the statement was asked for is the one used.
 */
export async function getTemplate(tenantId: string, number: number): Promise<TemplateRecord | undefined> {
  const { TABLE_NAME } = tableConfig();
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: TABLE_NAME, Key: templateKey(tenantId, number), ConsistentRead: true }),
  );
  return Item === undefined || Item.deleted === true ? undefined : TemplateRecordSchema.parse(Item);
}

/** Counts what the ledger reads cost, for logs and the read-cost benchmark. */
export interface ReadCost {
  requests: number;
  /** Items the queries read and paid for (ScannedCount), those the date filter dropped included. */
  itemsRead: number;
  capacityUnits: number;
}

/** A fresh, zero cost. */
export const newReadCost = (): ReadCost => ({ requests: 0, itemsRead: 0, capacityUnits: 0 });

/** One kind of ledger item: its sort-key prefix, its date attribute, what a statement needs of it, its schema. */
interface LedgerRange<T> {
  prefix: string;
  /** The attribute the period's end is compared with, as written in the expressions. */
  date: string;
  projection: string;
  /** `number` and `date` are DynamoDB reserved words. */
  names: Record<string, string>;
  schema: z.ZodType<T>;
}

const INVOICES: LedgerRange<LedgerInvoice> = {
  prefix: 'INVOICE#',
  date: 'issuedDate',
  projection: '#number, issuedDate, dueDate, totalMinor',
  names: { '#number': 'number' },
  schema: InvoiceRecordSchema,
};

const CREDIT_NOTES: LedgerRange<LedgerCreditNote> = {
  prefix: 'CREDITNOTE#',
  date: 'issuedDate',
  projection: '#number, issuedDate, totalMinor',
  names: { '#number': 'number' },
  schema: CreditNoteRecordSchema,
};

const PAYMENTS: LedgerRange<LedgerPayment> = {
  prefix: 'PAYMENT#',
  date: '#date',
  projection: '#number, invoiceNumber, #date, amountMinor',
  names: { '#number': 'number', '#date': 'date' },
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
 * A customer's items of one kind dated up to `end`, in number order: `PK = <customer> AND
 * begins_with(SK, <prefix>)`, strongly consistent, filtered on the date, pages of 1,000 items
 * until LastEvaluatedKey is empty (a page also stops at 1 MB; the filter may leave it emptier).
 */
const ledgerStream = <T>(range: LedgerRange<T>): LedgerStream<T> =>
  async function* (tenantId, code, end, cost = newReadCost()) {
    const { TABLE_NAME } = tableConfig();
    const pages = paginateQuery(
      { client: documentClient(), pageSize: 1000 },
      {
        TableName: TABLE_NAME,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ...(end === undefined ? {} : { FilterExpression: `${range.date} <= :end` }),
        ExpressionAttributeValues: {
          ':pk': customerPartition(tenantId, code),
          ':prefix': range.prefix,
          ...(end === undefined ? {} : { ':end': end }),
        },
        ProjectionExpression: range.projection,
        ExpressionAttributeNames: range.names,
        ConsistentRead: true,
        ReturnConsumedCapacity: 'TOTAL',
      },
    );
    for await (const page of pages) {
      cost.requests += 1;
      cost.itemsRead += page.ScannedCount ?? page.Count ?? 0;
      cost.capacityUnits += page.ConsumedCapacity?.CapacityUnits ?? 0;
      for (const item of page.Items ?? []) yield range.schema.parse(item);
    }
  };

/** A customer's invoices issued up to `end` (every one when `end` is undefined), in number order. */
export const streamInvoices: LedgerStream<LedgerInvoice> = ledgerStream(INVOICES);

/** A customer's credit notes issued up to `end` (every one when undefined), in number order. */
export const streamCreditNotes: LedgerStream<LedgerCreditNote> = ledgerStream(CREDIT_NOTES);

/** A customer's payments, allocated or on account, dated up to `end` (every one when undefined), in number order. */
export const streamPayments: LedgerStream<LedgerPayment> = ledgerStream(PAYMENTS);

/** One customer's ledger as three streams, each read when computeStatement comes to it. */
export interface LedgerStreams extends Ledger {
  invoices: AsyncGenerator<LedgerInvoice>;
  creditNotes: AsyncGenerator<LedgerCreditNote>;
  payments: AsyncGenerator<LedgerPayment>;
}

/** The three streams of one customer's ledger up to `end`, as computeStatement takes them, sharing one cost. */
export const streamLedger = (
  tenantId: string,
  code: string,
  end: string | undefined,
  cost: ReadCost = newReadCost(),
): LedgerStreams => ({
  invoices: streamInvoices(tenantId, code, end, cost),
  creditNotes: streamCreditNotes(tenantId, code, end, cost),
  payments: streamPayments(tenantId, code, end, cost),
});
