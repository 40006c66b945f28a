/**
 * The single-table key design (docs/data-model.md). Every key starts with the tenant, so no read
 * or write built from these functions can reach another tenant's records. A customer's records
 * share one partition, so its invoices and payments are read by a key condition on the date.
 */

/** The table's primary key, the only shape a read or write here takes. */
export interface TableKey {
  PK: string;
  SK: string;
}

const pad = (value: number, width = 10) => String(value).padStart(width, '0');

/** The tenant's settings item, read in the same BatchGetItem as the request's customers. */
export const tenantKey = (tenantId: string): TableKey => ({ PK: `TENANT#${tenantId}`, SK: 'TENANT' });

/** An email template in its tenant's partition; the padded number makes templates sort by number. */
export const templateKey = (tenantId: string, number: number): TableKey => ({
  PK: `TENANT#${tenantId}`,
  SK: `TEMPLATE#${pad(number)}`,
});

/** Keyed by the token's hash alone: the authorizer learns the tenant from it, so no tenant prefix here. */
export const tokenKey = (tokenHash: string): TableKey => ({ PK: `TOKEN#${tokenHash}`, SK: 'TOKEN' });

/** One partition per customer (record, ledger, notes, suppression): any of them is one key query. */
export const customerPartition = (tenantId: string, code: string) => `TENANT#${tenantId}#CUSTOMER#${code}`;

/** The customer's own record, read by BatchGetItem for every code of a request. */
export const customerKey = (tenantId: string, code: string): TableKey => ({
  PK: customerPartition(tenantId, code),
  SK: 'CUSTOMER',
});

/**
 * A ledger document's projection in its customer's partition, what the statement reads: the worker
 * queries `begins_with(SK, 'INVOICE#')` (and the same for credit notes and payments) with a
 * consistent read. Keyed by number alone, so that a changed date never moves the item.
 */
export const invoiceKey = (tenantId: string, code: string, number: number): TableKey => ({
  PK: customerPartition(tenantId, code),
  SK: `INVOICE#${pad(number)}`,
});

/** A credit note's projection in its customer's partition (see invoiceKey). */
export const creditNoteKey = (tenantId: string, code: string, number: number): TableKey => ({
  PK: customerPartition(tenantId, code),
  SK: `CREDITNOTE#${pad(number)}`,
});

/** A payment's projection in its customer's partition (see invoiceKey); allocated or on account. */
export const paymentKey = (tenantId: string, code: string, number: number): TableKey => ({
  PK: customerPartition(tenantId, code),
  SK: `PAYMENT#${pad(number)}`,
});

/** The kinds of ledger document numbered per tenant, as their canonical keys spell them. */
export type DocumentKind = 'INVOICE' | 'CREDITNOTE' | 'PAYMENT';

/**
 * A ledger document's canonical item, under its number alone (its own partition): the record as
 * the API last accepted it, its Version and revision, or its tombstone. `GET /v2/invoices/{number}`
 * reads it, and every write of the document is conditional on it (docs/data-model.md).
 */
export const documentKey = (tenantId: string, kind: DocumentKind, number: number): TableKey => ({
  PK: `TENANT#${tenantId}#${kind}#${pad(number)}`,
  SK: 'RECORD',
});

/**
 * A customer's canonical item in the tenant's partition: the record as the API accepted it, its
 * Version, revision or tombstone. Sorted by code, so `GET /v2/customers` is a paged, consistent
 * Query of the tenant's partition. Its projection is `customerKey`, what statements read.
 */
export const customerRecordKey = (tenantId: string, code: string): TableKey => ({
  PK: `TENANT#${tenantId}`,
  SK: `CUSTOMER#${code}`,
});

/** The tenant's statement settings as the API accepted them (the tenant item is their projection). */
export const settingsKey = (tenantId: string): TableKey => ({ PK: `TENANT#${tenantId}`, SK: 'SETTINGS' });

/** The tenant's logo, apart from the tenant item so that a request's batch read never carries it. */
export const logoKey = (tenantId: string): TableKey => ({ PK: `TENANT#${tenantId}`, SK: 'LOGO' });

/** One partition per batch (its record and a job item per customer): the batch status is one query. */
export const batchPartition = (tenantId: string, batchId: string) => `TENANT#${tenantId}#BATCH#${batchId}`;

/** The batch record: the POST's period and answer, reported by the batch status, finished on resume. */
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

/** A customer note, numbered per customer as in KashFlow, padded so that notes list in order. */
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

/**
 * The one partition outside every tenant that lists the tenants (`npm run tenants -- list`), so
 * that listing them is a Query, never a Scan; it holds ids only, each tenant's record stays the truth.
 */
export const tenantDirectoryPartition = (): string => 'TENANTS';

/** A tenant's entry in the tenant directory, written with the tenant. */
export const tenantDirectoryKey = (tenantId: string): TableKey => ({
  PK: tenantDirectoryPartition(),
  SK: tenantId,
});

/**
 * A token's index item in its tenant's partition, beside the token record (tokenKey): a tenant's
 * tokens are one key query, sorted by hash, so the id `npm run tokens -- list` shows is a prefix.
 */
export const tenantTokenKey = (tenantId: string, tokenHash: string): TableKey => ({
  PK: `TENANT#${tenantId}`,
  SK: `TOKEN#${tokenHash}`,
});

/**
 * A statement run's item in its batch partition (a run is a batch: its id is its jobs' batch id):
 * the selection, period, state, feeder cursor and the exact counters (docs/runs.md).
 */
export const runKey = (tenantId: string, runId: string): TableKey => ({
  PK: batchPartition(tenantId, runId),
  SK: 'RUN',
});

/** One chunk (at most 1,000 codes) of a `List` run's customer codes, in the run's partition. */
export const runListChunkKey = (tenantId: string, runId: string, index: number): TableKey => ({
  PK: batchPartition(tenantId, runId),
  SK: `RUNLIST#${pad(index, 6)}`,
});

/** The sort-key prefix of a tenant's statement schedules in its partition (docs/schedules.md). */
export const SCHEDULE_PREFIX = 'SCHEDULE#';

/**
 * A statement schedule in its tenant's partition: `SCHEDULE#ALL` (the tenant-wide one) or
 * `SCHEDULE#CUSTOMER#<code>`, so that the trigger reads all of a tenant's schedules, and the API one
 * customer's page of them, with one key query.
 */
export const scheduleKey = (tenantId: string, scheduleId: string): TableKey => ({
  PK: `TENANT#${tenantId}`,
  SK: `${SCHEDULE_PREFIX}${scheduleId}`,
});

/**
 * The partition outside every tenant that lists the tenants with schedules, written when a schedule
 * is saved: the hourly trigger pages through it (a Query, never a Scan). Ids only.
 */
export const scheduleDirectoryPartition = (): string => 'SCHEDULES';

/** A tenant's entry in the schedule directory. */
export const scheduleDirectoryKey = (tenantId: string): TableKey => ({
  PK: scheduleDirectoryPartition(),
  SK: tenantId,
});
