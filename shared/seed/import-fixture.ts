/**
 * The fixture import (`npm run seed`, the local stack, the tests, the benchmarks): a client of the
 * ledger API's write path (shared/services/ledger/apply-ledger-operations.ts), not a second one.
 * A fixture is checked whole first (validate-fixture.ts), its tokens against the table, then each
 * tenant is created where it is missing (the operators' path) and its records are written as
 * ledger operations; the documents of its customers that the fixture no longer has are deleted, so
 * a fixture is the truth for what it holds and loading it again changes nothing.
 */
import { listKeys, writeItems } from '../aws/dynamodb.ts';
import { keyId, readItems } from '../aws/dynamodb-ledger-records.ts';
import { addTenantToken, tenantDirectoryItem } from '../aws/dynamodb-operators.ts';
import { getTokenRecord, hashToken } from '../aws/dynamodb-tokens.ts';
import { customerPartition, type TableKey, tenantKey } from '../aws/table-keys.ts';
import type { CustomerFixture, Fixture, TenantFixture } from '../schemas/fixture.ts';
import { fixturePaymentNumber } from '../schemas/fixture.ts';
import {
  applyLedgerOperations,
  type LedgerOperation,
  type LedgerResult,
} from '../services/ledger/apply-ledger-operations.ts';
import { FixtureError, moveFixtureDates, toJsonPath, validateFixture } from './validate-fixture.ts';

/** A customer as the ledger API takes it: the first version's `ContactName`/`Email` become its primary contact. */
function toCustomer({ ContactName, Email, ...customer }: CustomerFixture): Record<string, unknown> {
  if (ContactName === undefined && Email === undefined) return customer;
  return {
    ...customer,
    Contacts: [
      {
        ...(ContactName === undefined ? {} : { Name: ContactName }),
        ...(Email === undefined ? {} : { Email }),
        IsPrimary: true,
      },
    ],
  };
}

/** One ledger operation with the fixture path it came from, for the messages. */
interface PlacedOperation {
  operation: LedgerOperation;
  path: (string | number)[];
}

/** A tenant's records as ledger upserts, each with its place in the fixture. */
function tenantOperations(tenant: TenantFixture, t: number): PlacedOperation[] {
  const upsert = (type: string, record: unknown, path: (string | number)[]): PlacedOperation => ({
    operation: { action: 'Upsert', type, record },
    path: ['Tenants', t, ...path],
  });
  return [
    ...tenant.EmailTemplates.map((template, i) => upsert('EmailTemplate', template, ['EmailTemplates', i])),
    upsert(
      'StatementSettings',
      {
        ...tenant.StatementSettings,
        CompanyName: tenant.Name,
        TimeZone: tenant.TimeZone,
        Currency: tenant.Currency,
        Locale: tenant.Locale ?? 'en-GB',
        ...(tenant.DefaultStatementTemplateNumber === undefined
          ? {}
          : { DefaultStatementTemplateNumber: tenant.DefaultStatementTemplateNumber }),
      },
      [],
    ),
    ...tenant.Customers.map((customer, i) => upsert('Customer', toCustomer(customer), ['Customers', i])),
    ...tenant.Invoices.map((invoice, i) => upsert('Invoice', invoice, ['Invoices', i])),
    ...tenant.CreditNotes.map((note, i) => upsert('CreditNote', note, ['CreditNotes', i])),
    ...tenant.Payments.map((payment, i) =>
      upsert('Payment', { ...payment, Number: fixturePaymentNumber(payment, i) }, ['Payments', i]),
    ),
  ];
}

/** The document kinds a customer's partition projects, with the fixture lists that hold them. */
const DOCUMENTS = [
  { prefix: 'INVOICE#', type: 'Invoice' },
  { prefix: 'CREDITNOTE#', type: 'CreditNote' },
  { prefix: 'PAYMENT#', type: 'Payment' },
] as const;

/** `INVOICE#0000001001` → 1001; undefined for a key of the first version's layout (with a date). */
function documentNumber(sortKey: string, prefix: string): number | undefined {
  const rest = sortKey.slice(prefix.length);
  return /^\d{10}$/.test(rest) ? Number(rest) : undefined;
}

/**
 * What the table holds for the fixture's customers that the fixture does not: delete operations
 * for documents it no longer has, and raw keys of the first version's layout (dated sort keys),
 * which no ledger record owns.
 */
async function staleDocuments(
  tenant: TenantFixture,
): Promise<{ deletes: LedgerOperation[]; legacy: TableKey[] }> {
  const wanted = {
    Invoice: new Set(tenant.Invoices.map((invoice) => invoice.Number)),
    CreditNote: new Set(tenant.CreditNotes.map((note) => note.Number)),
    Payment: new Set(tenant.Payments.map((payment, i) => fixturePaymentNumber(payment, i))),
  };
  const deletes: LedgerOperation[] = [];
  const legacy: TableKey[] = [];
  for (const customer of tenant.Customers) {
    const partition = customerPartition(tenant.Id, customer.Code);
    for (const { prefix, type } of DOCUMENTS) {
      for (const key of await listKeys(partition, prefix)) {
        const number = documentNumber(key.SK, prefix);
        if (number === undefined) legacy.push(key);
        else if (!wanted[type].has(number)) deletes.push({ action: 'Delete', type, id: number });
      }
    }
  }
  return { deletes, legacy };
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

/**
 * The operators' part of a tenant: its item (created with the fixture's From address, or that
 * address updated) and its directory entry. The ledger's settings then fill the rest through the
 * write path, which keeps the From address as the operator set it.
 */
async function ensureTenants(fixture: Fixture): Promise<void> {
  const keys = fixture.Tenants.map((tenant) => tenantKey(tenant.Id));
  const existing = await readItems(keys);
  await writeItems({
    puts: fixture.Tenants.flatMap((tenant) => {
      const stored = existing.get(keyId(tenantKey(tenant.Id))) ?? {};
      return [
        {
          ...stored,
          ...tenantKey(tenant.Id),
          type: 'Tenant',
          tenantId: tenant.Id,
          fromEmail: tenant.FromEmail,
          name: stored.name ?? tenant.Name,
          timeZone: stored.timeZone ?? tenant.TimeZone,
          currency: stored.currency ?? tenant.Currency,
          locale: stored.locale ?? tenant.Locale ?? 'en-GB',
        },
        tenantDirectoryItem(tenant.Id),
      ];
    }),
    deletes: [],
  });
}

/** What a load did, for `npm run seed` and the local stack to report. */
export interface ImportSummary {
  tenants: number;
  /** Records created or changed, and tokens added (a token already held by its tenant is not written again). */
  itemsWritten: number;
  /** Records deleted because the fixture no longer has them. */
  itemsDeleted: number;
  /** Records the table already held exactly so. */
  itemsUnchanged: number;
}

/** Ledger operations applied a slice at a time, in dependency order (the list is built in that order). */
const SLICE = 1_000;

function problemOf(result: LedgerResult, path: (string | number)[]): string {
  return `${toJsonPath(path)}: ${result.result}${result.message === undefined ? '' : ` (${result.message})`}`;
}

/**
 * Validates a fixture whole, checks it against the table, then loads it through the ledger's write
 * path; loading the same fixture again changes nothing. A fixture the validation refuses writes
 * nothing. Should the write path still refuse a record (a rule only the table can judge, or a
 * concurrent writer), the records before it stay written and the FixtureError says so.
 * Tokens are added last, each only where no record is.
 */
export async function importFixture(document: unknown, today: string): Promise<ImportSummary> {
  const fixture = moveFixtureDates(validateFixture(document), today);
  const tokens = await planTokens(fixture);
  await ensureTenants(fixture);
  const summary: ImportSummary = {
    tenants: fixture.Tenants.length,
    itemsWritten: 0,
    itemsDeleted: 0,
    itemsUnchanged: 0,
  };
  const problems: string[] = [];
  for (const [t, tenant] of fixture.Tenants.entries()) {
    const { deletes, legacy } = await staleDocuments(tenant);
    const placed = [
      ...tenantOperations(tenant, t),
      ...deletes.map((operation) => ({ operation, path: ['Tenants', t] as (string | number)[] })),
    ];
    for (let start = 0; start < placed.length; start += SLICE) {
      const slice = placed.slice(start, start + SLICE);
      const results = await applyLedgerOperations(
        tenant.Id,
        slice.map((entry) => entry.operation),
      );
      for (const result of results) {
        const path = slice[result.index]?.path ?? ['Tenants', t];
        if (result.result === 'Created' || result.result === 'Updated') summary.itemsWritten += 1;
        else if (result.result === 'Deleted') summary.itemsDeleted += 1;
        else if (result.result === 'Unchanged' || result.result === 'NotFound') summary.itemsUnchanged += 1;
        else problems.push(problemOf(result, path));
      }
      if (problems.length > 0) throw new FixtureError(problems, 'the records before these were written');
    }
    if (legacy.length > 0) {
      await writeItems({ puts: [], deletes: legacy });
      summary.itemsDeleted += legacy.length;
    }
  }
  const lost: string[] = [];
  for (const token of tokens) {
    if (
      await addTenantToken({ tenantId: token.tenantId, tokenHash: token.tokenHash, createdAt: new Date() })
    ) {
      summary.itemsWritten += 1;
      continue;
    }
    const holder = await getTokenRecord(token.tokenHash);
    if (holder?.tenantId !== token.tenantId) {
      lost.push(`${token.path}: was given to another tenant while this fixture loaded`);
    }
  }
  if (lost.length > 0) {
    throw new FixtureError(lost, 'its records were written, but not these tokens');
  }
  return summary;
}
