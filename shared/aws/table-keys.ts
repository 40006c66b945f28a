/**
 * The single-table key design (docs/data-model.md). Every key starts with the tenant, so no read
 * or write built from these functions can reach another tenant's records. A customer's records
 * share one partition, so its invoices and payments are read by a key condition on the date.
 */
export interface TableKey {
  PK: string;
  SK: string;
}

const pad = (value: number, width = 10) => String(value).padStart(width, '0');

export const tenantKey = (tenantId: string): TableKey => ({ PK: `TENANT#${tenantId}`, SK: 'TENANT' });

export const templateKey = (tenantId: string, number: number): TableKey => ({
  PK: `TENANT#${tenantId}`,
  SK: `TEMPLATE#${pad(number)}`,
});

export const tokenKey = (tokenHash: string): TableKey => ({ PK: `TOKEN#${tokenHash}`, SK: 'TOKEN' });

export const customerPartition = (tenantId: string, code: string) => `TENANT#${tenantId}#CUSTOMER#${code}`;

export const customerKey = (tenantId: string, code: string): TableKey => ({
  PK: customerPartition(tenantId, code),
  SK: 'CUSTOMER',
});

/** Invoices sort by issue date, then number: `INVOICE#2013-02-01#0000001001`. */
export const invoiceKey = (tenantId: string, code: string, issuedDate: string, number: number): TableKey => ({
  PK: customerPartition(tenantId, code),
  SK: `INVOICE#${issuedDate}#${pad(number)}`,
});

/** Payments sort by date; `sequence` tells apart payments of one invoice on one day. */
export const paymentKey = (
  tenantId: string,
  code: string,
  date: string,
  invoiceNumber: number,
  sequence: number,
): TableKey => ({
  PK: customerPartition(tenantId, code),
  SK: `PAYMENT#${date}#${pad(invoiceNumber)}#${pad(sequence, 4)}`,
});

export const batchPartition = (tenantId: string, batchId: string) => `TENANT#${tenantId}#BATCH#${batchId}`;

export const batchKey = (tenantId: string, batchId: string): TableKey => ({
  PK: batchPartition(tenantId, batchId),
  SK: 'BATCH',
});

/** The worker's record of one job (tenant + batch + customer): its state and the sent marker. */
export const jobKey = (tenantId: string, batchId: string, code: string): TableKey => ({
  PK: batchPartition(tenantId, batchId),
  SK: `ITEM#${code}`,
});

/** KashFlow note numbers are per customer; this item holds the last one given out. */
export const noteCounterKey = (tenantId: string, code: string): TableKey => ({
  PK: customerPartition(tenantId, code),
  SK: 'NOTE_COUNTER',
});

export const noteKey = (tenantId: string, code: string, number: number): TableKey => ({
  PK: customerPartition(tenantId, code),
  SK: `NOTE#${pad(number)}`,
});

/** An address that bounced or complained: the customer is not emailed again at that address. */
export const suppressionKey = (tenantId: string, code: string): TableKey => ({
  PK: customerPartition(tenantId, code),
  SK: 'EMAIL_SUPPRESSION',
});

/** One Idempotency-Key of one tenant (the key itself is stored only as its hash). */
export const idempotencyKey = (tenantId: string, keyHash: string): TableKey => ({
  PK: `TENANT#${tenantId}#IDEMPOTENCY#${keyHash}`,
  SK: 'IDEMPOTENCY',
});
