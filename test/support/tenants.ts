import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { TenantFixtureSchema } from '#shared/schemas/fixture.ts';
import { importFixture } from '#shared/seed/import-fixture.ts';

type TenantInput = Partial<z.input<typeof TenantFixtureSchema>>;

/** A unique tenant id, so that tests sharing the table never see each other's records. */
export const uniqueTenantId = (prefix = 't') => `${prefix}-${randomUUID().slice(0, 8)}`;

/**
 * A fixture tenant with the API page's example customers: `101` and `0065` can be emailed,
 * `CUST2345` has a malformed address, `CUST123` does not exist.
 */
export function exampleTenant(
  overrides: TenantInput = {},
): TenantInput & { Id: string; ApiTokens: string[] } {
  const id = overrides.Id ?? uniqueTenantId();
  return {
    Name: 'Example Trading Ltd',
    FromEmail: 'accounts@example.example',
    TimeZone: 'Europe/London',
    Currency: 'GBP',
    EmailTemplates: [],
    Customers: [
      { Code: '101', Name: 'Acme Ltd', ContactName: 'Ann Smith', Email: `ann.${id}@acme.example` },
      {
        Code: '0065',
        Name: 'Northwind',
        ContactName: 'Oliver Brown',
        Email: `accounts.${id}@northwind.example`,
      },
      { Code: 'CUST2345', Name: 'Widget Works', Email: 'sam.jones.widgetworks.example' },
    ],
    Invoices: [
      { Number: 1001, CustomerCode: '101', IssuedDate: '2013-02-01', DueDate: '2013-03-01', Total: '120.00' },
    ],
    Payments: [],
    ...overrides,
    Id: id,
    ApiTokens: overrides.ApiTokens ?? [`token-${id}`],
  };
}

/** Loads tenants into the test table through the real importer. */
export async function seedTenants(...tenants: ReturnType<typeof exampleTenant>[]): Promise<void> {
  await importFixture({ Tenants: tenants }, '2026-11-24');
}
