/**
 * The ledger API's reads: one record by its code or number, the paged customer list, the templates,
 * an invoice's payments and KashFlow's default statement template. Every read is consistent, so a
 * client reads its own writes; a deleted record (a tombstone) reads as absent.
 */
import type { Item } from '../../aws/dynamodb.ts';
import { keyId, queryPage, readItems } from '../../aws/dynamodb-ledger-records.ts';
import { customerPartition, documentKey, logoKey, tenantKey } from '../../aws/table-keys.ts';
import { BUILT_IN_TEMPLATE } from '../../render/statement-email.ts';
import { LEDGER_KINDS, type LedgerType, type RecordId } from './ledger-kinds.ts';

const isLive = (item: Item | undefined): item is Item => item !== undefined && item.deleted !== true;

/** A record as the API answers it; `undefined` when there is none (or it was deleted). */
export async function getLedgerRecord(
  tenantId: string,
  type: LedgerType,
  id: RecordId,
): Promise<Record<string, unknown> | undefined> {
  const kind = LEDGER_KINDS[type];
  const key = kind.canonicalKey(tenantId, id);
  const keys = type === 'StatementSettings' ? [key, logoKey(tenantId)] : [key];
  const items = await readItems(keys);
  const item = items.get(keyId(key));
  if (!isLive(item)) return undefined;
  const view = kind.view(item);
  if (type === 'StatementSettings') {
    const logo = items.get(keyId(logoKey(tenantId)));
    const data = logo?.data;
    if (logo !== undefined && data instanceof Uint8Array) {
      view.Logo = { ContentType: logo.contentType, Data: Buffer.from(data).toString('base64') };
    }
  }
  return view;
}

/** One page of a list, and where the next one starts. */
export interface RecordPage {
  records: Record<string, unknown>[];
  /** Opaque: give it back to read the next page. Absent on the last page. */
  nextCursor?: string;
}

const encodeCursor = (sortKey: string) => Buffer.from(sortKey, 'utf8').toString('base64url');

/** The sort key a cursor holds, if it is one of `prefix`'s; `undefined` for a cursor that is not ours. */
export function decodeCursor(cursor: string, prefix: string): string | undefined {
  const sortKey = Buffer.from(cursor, 'base64url').toString('utf8');
  return sortKey.startsWith(prefix) && encodeCursor(sortKey) === cursor ? sortKey : undefined;
}

async function listPage(
  tenantId: string,
  type: LedgerType,
  prefix: string,
  perPage: number,
  after: string | undefined,
): Promise<RecordPage> {
  const page = await queryPage({
    partition: `TENANT#${tenantId}`,
    prefix,
    limit: perPage,
    liveOnly: true,
    ...(after === undefined ? {} : { after }),
  });
  const kind = LEDGER_KINDS[type];
  return {
    records: page.items.filter(isLive).map((item) => kind.view(item)),
    ...(page.lastSortKey === undefined ? {} : { nextCursor: encodeCursor(page.lastSortKey) }),
  };
}

/** The sort-key prefix of the customer list: its cursors must start with it. */
export const CUSTOMER_LIST_PREFIX = 'CUSTOMER#';

/** A page of the tenant's customers, by code. */
export function listCustomers(tenantId: string, perPage: number, after?: string): Promise<RecordPage> {
  return listPage(tenantId, 'Customer', CUSTOMER_LIST_PREFIX, perPage, after);
}

/** Every email template of the tenant, by number (a tenant has a handful). */
export async function listTemplates(tenantId: string): Promise<Record<string, unknown>[]> {
  const records: Record<string, unknown>[] = [];
  let after: string | undefined;
  do {
    const page = await listPage(tenantId, 'EmailTemplate', 'TEMPLATE#', 100, after);
    records.push(...page.records);
    after = page.nextCursor === undefined ? undefined : decodeCursor(page.nextCursor, 'TEMPLATE#');
  } while (after !== undefined);
  return records;
}

/** The payments allocated to an invoice, by number; `undefined` when there is no such invoice. */
export async function listInvoicePayments(
  tenantId: string,
  invoiceNumber: number,
): Promise<Record<string, unknown>[] | undefined> {
  const invoiceKey = documentKey(tenantId, 'INVOICE', invoiceNumber);
  const invoice = (await readItems([invoiceKey])).get(keyId(invoiceKey));
  if (!isLive(invoice)) return undefined;
  const numbers: number[] = [];
  let after: string | undefined;
  do {
    const page = await queryPage({
      partition: customerPartition(tenantId, String(invoice.customerCode)),
      prefix: 'PAYMENT#',
      limit: 1000,
      ...(after === undefined ? {} : { after }),
    });
    for (const item of page.items)
      if (item.invoiceNumber === invoiceNumber) numbers.push(Number(item.number));
    after = page.lastSortKey;
  } while (after !== undefined);
  const payments = await readItems(numbers.map((number) => documentKey(tenantId, 'PAYMENT', number)));
  return [...payments.values()]
    .filter((item) => isLive(item) && item.customerCode === invoice.customerCode)
    .sort((a, b) => Number(a.number) - Number(b.number))
    .map((item) => LEDGER_KINDS.Payment.view(item));
}

/**
 * KashFlow's `defaultStatementTemplate`: the template the tenant's settings name, else the
 * built-in one the worker uses (Number 0).
 */
export async function getDefaultStatementTemplate(tenantId: string): Promise<Record<string, unknown>> {
  const tenant = (await readItems([tenantKey(tenantId)])).get(keyId(tenantKey(tenantId)));
  const number = tenant?.defaultStatementTemplateNumber;
  if (typeof number === 'number') {
    const template = await getLedgerRecord(tenantId, 'EmailTemplate', number);
    if (template !== undefined) return template;
  }
  return builtInTemplateView();
}

/** The built-in template (Number 0) as the API answers a template: what the worker sends by default. */
export function builtInTemplateView(): Record<string, unknown> {
  return {
    Number: BUILT_IN_TEMPLATE.number,
    Name: BUILT_IN_TEMPLATE.name,
    Subject: BUILT_IN_TEMPLATE.subject,
    Body: BUILT_IN_TEMPLATE.body,
    IsHtml: BUILT_IN_TEMPLATE.isHtml,
    Translations: (BUILT_IN_TEMPLATE.translations ?? []).map((translation) => ({
      Language: translation.language,
      Subject: translation.subject,
      Body: translation.body,
    })),
  };
}

/**
 * The statement settings a tenant has before any were PUT: what its tenant item holds (as the
 * operator created it, or as the fixture import wrote it), in the settings' shape. `undefined` when
 * the tenant has no item.
 */
export async function getTenantStatementSettings(
  tenantId: string,
): Promise<Record<string, unknown> | undefined> {
  const tenant = (await readItems([tenantKey(tenantId)])).get(keyId(tenantKey(tenantId)));
  if (tenant === undefined) return undefined;
  const fields: [string, unknown][] = [
    ['CompanyName', tenant.name],
    ['TimeZone', tenant.timeZone],
    ['Currency', tenant.currency],
    ['Locale', tenant.locale],
    ['DefaultStatementTemplateNumber', tenant.defaultStatementTemplateNumber],
  ];
  return Object.fromEntries(fields.filter(([, value]) => value !== undefined && value !== null));
}

/**
 * The payments and credit notes of a customer that are allocated to one of its invoices, as
 * `payment 21`, `credit note 5`: what moving the invoice to another customer would leave behind.
 */
export async function documentsAllocatedTo(
  tenantId: string,
  customerCode: string,
  invoiceNumber: number,
): Promise<string[]> {
  const found: string[] = [];
  for (const [prefix, label] of [
    ['PAYMENT#', 'payment'],
    ['CREDITNOTE#', 'credit note'],
  ] as const) {
    let after: string | undefined;
    do {
      const page = await queryPage({
        partition: customerPartition(tenantId, customerCode),
        prefix,
        limit: 1000,
        ...(after === undefined ? {} : { after }),
      });
      for (const item of page.items) {
        const allocations = Array.isArray(item.allocations)
          ? (item.allocations as { invoiceNumber?: unknown }[])
          : [];
        if (
          item.invoiceNumber === invoiceNumber ||
          allocations.some((a) => a.invoiceNumber === invoiceNumber)
        ) {
          found.push(`${label} ${String(item.number)}`);
        }
      }
      after = page.lastSortKey;
    } while (after !== undefined);
  }
  return found;
}
