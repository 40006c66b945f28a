import { describe, expect, it } from 'vitest';
import { TenantRecordSchema } from '#shared/schemas/records.ts';

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
