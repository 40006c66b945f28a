import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CustomerRecordSchema,
  InvoiceRecordSchema,
  PaymentRecordSchema,
  TemplateRecordSchema,
  TenantRecordSchema,
} from '#shared/schemas/records.ts';
import { fixtureRecords } from '#shared/seed/import-fixture.ts';
import { moveFixtureDates, validateFixture } from '#shared/seed/validate-fixture.ts';

const tenant = {
  PK: 'TENANT#demo',
  SK: 'TENANT',
  type: 'Tenant',
  tenantId: 'demo',
  name: 'Demo Trading Ltd',
  fromEmail: 'accounts@demo.example',
  timeZone: 'Europe/London',
  currency: 'GBP',
  locale: 'en-GB',
};

/** `field: message` of each problem, as a stored record is judged when it is read back. */
function problemsOf(item: Record<string, unknown>): string[] {
  const parsed = TenantRecordSchema.safeParse(item);
  return parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('TenantRecordSchema', () => {
  it('accepts a tenant as the importer stores it', () => {
    expect(problemsOf(tenant)).toEqual([]);
  });

  it.each([
    ['locale', 'en_GB', 'locale: must be a BCP 47 language tag such as en-GB'],
    ['locale', 'xx', 'locale: must be a locale this runtime can format money and dates in, such as en-GB'],
    ['currency', 'XYZ', 'currency: must be an ISO 4217 currency code such as GBP'],
    ['timeZone', 'Mars/Olympus', 'timeZone: must be an IANA time zone such as Europe/London'],
    ['fromEmail', 'accounts@demo', 'fromEmail: must be a valid email address'],
    ['tenantId', 'Demo Ltd', 'tenantId: must be lower-case letters, digits and dashes'],
    [
      'defaultStatementTemplateNumber',
      0,
      'defaultStatementTemplateNumber: must be a whole number from 1 to 9999999999',
    ],
  ])('refuses a stored %s of %j with the rule the fixture uses', (field, value, problem) => {
    expect(problemsOf({ ...tenant, [field]: value })).toEqual([problem]);
  });
});

describe('the records the importer writes', () => {
  it('each parse with the schema they are read back with', () => {
    const demo = validateFixture(JSON.parse(readFileSync('fixtures/demo.json', 'utf8')));
    const records = fixtureRecords(moveFixtureDates(demo, '2026-12-01'));
    const schemas = {
      Tenant: TenantRecordSchema,
      Template: TemplateRecordSchema,
      Customer: CustomerRecordSchema,
      Invoice: InvoiceRecordSchema,
      Payment: PaymentRecordSchema,
    };
    const counts = new Map<string, number>();
    for (const record of records) {
      const type = String(record.type) as keyof typeof schemas;
      expect(schemas[type].safeParse(record).error).toBeUndefined();
      counts.set(type, (counts.get(type) ?? 0) + 1);
    }
    const [source] = demo.Tenants;
    expect(Object.fromEntries(counts)).toEqual({
      Tenant: 1,
      Template: source?.EmailTemplates.length,
      Customer: source?.Customers.length,
      Invoice: source?.Invoices.length,
      Payment: source?.Payments.length,
    });
  });
});
