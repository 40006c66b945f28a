/**
 * The fixture import (`npm run seed`, the local stack, the tests): every write worked out first,
 * tokens checked against the table, then written; a fixture is the truth for what it holds.
 * Checking and moving a fixture's dates are in validate-fixture.ts.
 */
import { listKeys, type WriteSet, writeItems } from '../aws/dynamodb.ts';
import { addTokenIfAbsent, getTokenRecord, hashToken } from '../aws/dynamodb-tokens.ts';
import {
  customerKey,
  customerPartition,
  invoiceKey,
  paymentKey,
  type TableKey,
  templateKey,
  tenantKey,
} from '../aws/table-keys.ts';
import { minorDigits, toMinorUnits } from '../domain/money.ts';
import type { Fixture, TenantFixture } from '../schemas/fixture.ts';
import { CustomerRecordSchema, TemplateRecordSchema } from '../schemas/records.ts';
import { FixtureError, moveFixtureDates, toJsonPath, validateFixture } from './validate-fixture.ts';

type Item = Record<string, unknown>;

/** A fixture record's fields as its stored record names them: KashFlow's PascalCase, camelCased. */
function toStoredFields(record: object): Item {
  return Object.fromEntries(
    Object.entries(record).map(([key, value]) => [key.charAt(0).toLowerCase() + key.slice(1), value]),
  );
}

function tenantItems(tenant: TenantFixture): Item[] {
  const tenantId = tenant.Id;
  const digits = minorDigits(tenant.Currency);
  const money = (text: string) => toMinorUnits(text, digits) ?? 0; // validated already
  const invoiceCustomer = new Map(tenant.Invoices.map((invoice) => [invoice.Number, invoice.CustomerCode]));
  const paymentSequence = new Map<string, number>();
  return [
    {
      ...tenantKey(tenantId),
      type: 'Tenant',
      tenantId,
      name: tenant.Name,
      fromEmail: tenant.FromEmail,
      timeZone: tenant.TimeZone,
      currency: tenant.Currency,
      locale: tenant.Locale ?? 'en-GB',
      defaultStatementTemplateNumber: tenant.DefaultStatementTemplateNumber,
    },
    // Written in the very shape they are read back with: the read-back schema makes the item.
    ...tenant.EmailTemplates.map((template) => ({
      ...templateKey(tenantId, template.Number),
      type: 'Template',
      ...TemplateRecordSchema.parse(toStoredFields(template)),
    })),
    ...tenant.Customers.map((customer) => ({
      ...customerKey(tenantId, customer.Code),
      type: 'Customer',
      ...CustomerRecordSchema.parse(toStoredFields(customer)),
    })),
    ...tenant.Invoices.map((invoice) => ({
      ...invoiceKey(tenantId, invoice.CustomerCode, invoice.IssuedDate, invoice.Number),
      type: 'Invoice',
      number: invoice.Number,
      customerCode: invoice.CustomerCode,
      issuedDate: invoice.IssuedDate,
      dueDate: invoice.DueDate,
      totalMinor: money(invoice.Total),
    })),
    ...tenant.Payments.map((payment) => {
      const customerCode = invoiceCustomer.get(payment.InvoiceNumber) ?? '';
      const occurrence = `${payment.InvoiceNumber}#${payment.Date}`;
      const sequence = paymentSequence.get(occurrence) ?? 0;
      paymentSequence.set(occurrence, sequence + 1);
      return {
        ...paymentKey(tenantId, customerCode, payment.Date, payment.InvoiceNumber, sequence),
        type: 'Payment',
        invoiceNumber: payment.InvoiceNumber,
        customerCode,
        date: payment.Date,
        amountMinor: money(payment.Amount),
      };
    }),
  ];
}

/**
 * The items that hold a validated fixture's tenants, templates, customers, invoices and payments,
 * dates as they stand (move them first with moveFixtureDates). Tokens are not among them: they are
 * added one by one, only where no record is (planFixtureWrites).
 */
export function fixtureRecords(fixture: Fixture): Item[] {
  return fixture.Tenants.flatMap(tenantItems);
}

/** A token of the fixture that the table does not hold yet. */
export interface NewToken {
  tokenHash: string;
  tenantId: string;
  /** Its place in the fixture, `$.Tenants[0].ApiTokens[1]`: errors name this, never the token. */
  path: string;
}

/**
 * Reads the record of every token of the fixture. A token that another tenant holds is refused
 * (token keys are the table's only keys outside a tenant, so a put would silently move it); one
 * that its own tenant holds already is left alone, so a revoked or expiring token stays so.
 */
async function planTokens(fixture: Fixture): Promise<NewToken[]> {
  const tokens = fixture.Tenants.flatMap((tenant, t) =>
    tenant.ApiTokens.map((token, i) => ({
      tokenHash: hashToken(token),
      tenantId: tenant.Id,
      path: toJsonPath(['Tenants', t, 'ApiTokens', i]),
    })),
  );
  const records = await Promise.all(tokens.map((token) => getTokenRecord(token.tokenHash)));
  const problems: string[] = [];
  const fresh: NewToken[] = [];
  tokens.forEach((token, index) => {
    const record = records[index];
    if (record === undefined) fresh.push(token);
    else if (record.tenantId !== token.tenantId) {
      problems.push(
        `${token.path}: already belongs to tenant ${record.tenantId}; a token names one tenant only`,
      );
    }
  });
  if (problems.length > 0) throw new FixtureError(problems);
  return fresh;
}

/** A load's writes, all worked out before any is made, so a problem found in planning writes nothing. */
export interface FixturePlan {
  /** Every record put, and the fixture's customers' invoices and payments it no longer has deleted. */
  writes: WriteSet;
  /** Tokens to add, after the writes. */
  tokens: NewToken[];
}

/**
 * Everything a load will write, worked out by reads only, so that any problem found here (a date
 * moved out of the calendar, a token of another tenant) leaves the table untouched. `today` is
 * the load date, used only when the fixture has `AsOf`.
 */
export async function planFixtureWrites(fixture: Fixture, today: string): Promise<FixturePlan> {
  const moved = moveFixtureDates(fixture, today);
  const tokens = await planTokens(moved);
  const puts = fixtureRecords(moved);
  const wanted = new Set(puts.map((item) => `${String(item.PK)}|${String(item.SK)}`));
  const deletes: TableKey[] = [];
  for (const tenant of moved.Tenants) {
    for (const customer of tenant.Customers) {
      const partition = customerPartition(tenant.Id, customer.Code);
      for (const prefix of ['INVOICE#', 'PAYMENT#']) {
        const existing = await listKeys(partition, prefix);
        deletes.push(...existing.filter((key) => !wanted.has(`${key.PK}|${key.SK}`)));
      }
    }
  }
  return { writes: { puts, deletes }, tokens };
}

/** What a load did, for `npm run seed` and the local stack to report. */
export interface ImportSummary {
  tenants: number;
  /** Records put, tokens added included (a token already held by its tenant is not written again). */
  itemsWritten: number;
  itemsDeleted: number;
}

/**
 * Validates a fixture whole, checks it against the table, then loads it; loading the same fixture
 * again changes nothing. A rejected fixture writes nothing. Tokens are added last, each only where
 * no record is: should another load give one to another tenant in the moment between the check
 * and the write, that token is refused (FixtureError) and the rest stays written.
 */
export async function importFixture(document: unknown, today: string): Promise<ImportSummary> {
  const fixture = validateFixture(document);
  const { writes, tokens } = await planFixtureWrites(fixture, today);
  await writeItems(writes);
  const lost: string[] = [];
  for (const token of tokens) {
    if (await addTokenIfAbsent(token.tokenHash, token.tenantId)) continue;
    const holder = await getTokenRecord(token.tokenHash);
    if (holder?.tenantId !== token.tenantId) {
      lost.push(`${token.path}: was given to another tenant while this fixture loaded`);
    }
  }
  if (lost.length > 0) {
    throw new FixtureError(lost, 'its records were written, but not these tokens');
  }
  return {
    tenants: fixture.Tenants.length,
    itemsWritten: writes.puts.length + tokens.length,
    itemsDeleted: writes.deletes.length,
  };
}
