import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { documentClient, writeItems } from '#shared/aws/dynamodb.ts';
import { getTokenRecord, hashToken } from '#shared/aws/dynamodb-tokens.ts';
import { customerPartition, tenantKey, tokenKey } from '#shared/aws/table-keys.ts';
import { importFixture } from '#shared/seed/import-fixture.ts';
import { FixtureError } from '#shared/seed/validate-fixture.ts';
import { exampleTenant, uniqueTenantId } from '../support/tenants.ts';

const run = promisify(execFile);

type Tenant = ReturnType<typeof exampleTenant>;

async function partition(tenantId: string, code: string) {
  const { Items = [] } = await documentClient().send(
    new QueryCommand({
      TableName: process.env.TABLE_NAME,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': customerPartition(tenantId, code) },
    }),
  );
  return Items;
}

async function tenantRecord(tenantId: string) {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: process.env.TABLE_NAME, Key: tenantKey(tenantId) }),
  );
  return Item;
}

/** Every invoice and payment of a fixture's customers. */
async function ledger(tenantId: string, fixture: { Tenants: { Customers: { Code: string }[] }[] }) {
  const items = [];
  for (const customer of fixture.Tenants[0]?.Customers ?? [])
    items.push(...(await partition(tenantId, customer.Code)));
  return items.filter((item) => item.type === 'Invoice' || item.type === 'Payment');
}

/** The demo fixture under a fresh tenant id and token, so the test owns its records. */
function demoAs(tenantId: string) {
  const demo = JSON.parse(readFileSync('fixtures/demo.json', 'utf8'));
  demo.Tenants[0].Id = tenantId;
  demo.Tenants[0].ApiTokens = [`token-${tenantId}`];
  return demo;
}

describe('importFixture against DynamoDB', () => {
  it('loads the demo fixture, and loading it again changes nothing', async () => {
    const tenantId = uniqueTenantId('demo');
    const first = await importFixture(demoAs(tenantId), '2026-11-24');
    const before = await partition(tenantId, '101');

    const second = await importFixture(demoAs(tenantId), '2026-11-24');

    const demo = demoAs(tenantId).Tenants[0];
    // The settings, templates, customers, invoices and payments, each one ledger record.
    const records =
      1 + demo.EmailTemplates.length + demo.Customers.length + demo.Invoices.length + demo.Payments.length;
    expect(first).toEqual({ tenants: 1, itemsWritten: records + 1, itemsDeleted: 0, itemsUnchanged: 0 });
    // The second load finds every record as it is, and writes nothing; the token, held already, is left.
    expect(second).toEqual({ tenants: 1, itemsWritten: 0, itemsDeleted: 0, itemsUnchanged: records });
    expect(await partition(tenantId, '101')).toEqual(before);
    expect(before.filter((item) => item.type === 'Invoice').length).toBe(36);
    expect(await tenantRecord(tenantId)).toMatchObject({
      name: 'Demo Trading Ltd',
      timeZone: 'Europe/London',
      currency: 'GBP',
    });
  });

  it('stores money in minor units and keys invoices by number', async () => {
    const tenantId = uniqueTenantId();
    await importFixture({ Tenants: [exampleTenant({ Id: tenantId })] }, '2026-11-24');

    const items = await partition(tenantId, '101');

    expect(items.find((item) => item.type === 'Invoice')).toMatchObject({
      SK: 'INVOICE#0000001001',
      number: 1001,
      totalMinor: 12000,
      issuedDate: '2013-02-01',
      dueDate: '2013-03-01',
    });
  });

  it('moves AsOf fixtures by the days to the load date, updating every dated record in place', async () => {
    const tenantId = uniqueTenantId('demo');
    const demo = demoAs(tenantId);
    await importFixture(demoAs(tenantId), '2026-11-24');
    const november = await ledger(tenantId, demo);

    const summary = await importFixture(demoAs(tenantId), '2027-01-10');
    const january = await ledger(tenantId, demo);

    // 47 days later every invoice and payment has new dates under the same key: updated, none deleted.
    const keys = (items: Record<string, unknown>[]) =>
      [...new Set(items.map((item) => `${item.PK}|${item.SK}`))].sort();
    expect(keys(january)).toEqual(keys(november));
    expect(summary.itemsWritten).toBe(demo.Tenants[0].Invoices.length + demo.Tenants[0].Payments.length);
    expect(summary.itemsDeleted).toBe(0);
    const latest = (items: Record<string, unknown>[]) =>
      items
        .filter((item) => item.type === 'Invoice' && item.customerCode === '101')
        .map((item) => String(item.issuedDate))
        .sort()
        .at(-1);
    expect(latest(november)).toBe('2026-11-05');
    expect(latest(january)).toBe('2026-12-22');
  });

  it('deletes the documents of its customers that a fixture no longer has, and their old-layout items', async () => {
    const tenantId = uniqueTenantId('demo');
    const demo = demoAs(tenantId);
    await importFixture(demo, '2026-11-24');
    // An item of the first version's layout (a dated sort key), as a table loaded then still holds.
    await writeItems({
      puts: [
        { PK: customerPartition(tenantId, '101'), SK: 'INVOICE#2013-02-01#0000000007', type: 'Invoice' },
      ],
      deletes: [],
    });
    const fewer = demoAs(tenantId);
    const dropped = fewer.Tenants[0].Invoices.filter(
      (invoice: { CustomerCode: string }) => invoice.CustomerCode === '300',
    );
    fewer.Tenants[0].Invoices = fewer.Tenants[0].Invoices.filter(
      (invoice: { CustomerCode: string }) => invoice.CustomerCode !== '300',
    );
    fewer.Tenants[0].Payments = fewer.Tenants[0].Payments.filter(
      (payment: { InvoiceNumber: number }) =>
        !dropped.some((invoice: { Number: number }) => invoice.Number === payment.InvoiceNumber),
    );

    const summary = await importFixture(fewer, '2026-11-24');

    expect(dropped.length).toBeGreaterThan(0);
    expect((await partition(tenantId, '300')).filter((item) => item.type === 'Invoice')).toEqual([]);
    expect((await partition(tenantId, '101')).filter((item) => String(item.SK).includes('-'))).toEqual([]);
    // The payments of customer 300 went with the fixture's changed numbering; every delete is counted.
    expect(summary.itemsDeleted).toBeGreaterThanOrEqual(dropped.length + 1);
  });

  it.each(['2026-12-01', '2027-03-01', '2028-02-29'])(
    'puts no demo invoice or payment after the load date of %s',
    async (today) => {
      const tenantId = uniqueTenantId('demo');
      const demo = demoAs(tenantId);
      await importFixture(demo, today);

      const items = await ledger(tenantId, demo);

      expect(items).toHaveLength(demo.Tenants[0].Invoices.length + demo.Tenants[0].Payments.length);
      const future = items.filter((item) => String(item.issuedDate ?? item.date) > today);
      expect(future).toEqual([]);
    },
  );

  it('writes nothing from a fixture with a bad field, and names its path', async () => {
    const tenantId = uniqueTenantId();
    const fixture = {
      Tenants: [
        exampleTenant({
          Id: tenantId,
          Invoices: [
            { Number: 1, CustomerCode: '101', IssuedDate: '2013-02-01', DueDate: '2013-03-01', Total: 'ten' },
          ],
        }),
      ],
    };

    const error = await importFixture(fixture, '2026-11-24').catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(FixtureError);
    expect((error as FixtureError).problems).toEqual([
      '$.Tenants[0].Invoices[0].Total: must be a decimal amount such as 120.00 or "120.00"',
    ]);
    expect(await tenantRecord(tenantId)).toBeUndefined();
  });

  it.each([
    [
      'a bad locale',
      (good: Tenant) => ({ Tenants: [good, exampleTenant({ Locale: 'en_GB' })] }),
      '2026-11-24',
      '$.Tenants[1].Locale: must be a BCP 47 language tag such as en-GB',
    ],
    [
      'an unknown template token',
      (good: Tenant) => ({
        Tenants: [
          good,
          exampleTenant({
            EmailTemplates: [{ Number: 1, Name: 'T', Subject: 'Hi #CUSTOMER#', Body: 'x', IsHtml: false }],
          }),
        ],
      }),
      '2026-11-24',
      '$.Tenants[1].EmailTemplates[0].Subject: #CUSTOMER# is not a known token',
    ],
    [
      'a date that AsOf would move out of the calendar',
      (good: Tenant) => ({ AsOf: '2013-03-01', Tenants: [good] }),
      '1900-01-05',
      '$.Tenants[0].Invoices[0].IssuedDate: would move to before 1900 when loaded on 1900-01-05',
    ],
  ])(
    'writes nothing from a fixture with %s, not even its good tenants',
    async (_, fixtureWith, today, problem) => {
      const good = exampleTenant();
      const fixture = fixtureWith(good);

      const error = await importFixture(fixture, today).catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(FixtureError);
      expect((error as FixtureError).problems).toEqual([problem]);
      for (const tenant of fixture.Tenants) {
        expect(await tenantRecord(tenant.Id)).toBeUndefined();
        expect(await partition(tenant.Id, '101')).toEqual([]);
        expect(await getTokenRecord(hashToken(tenant.ApiTokens[0] ?? ''))).toBeUndefined();
      }
    },
  );

  it("refuses a second fixture that lists another tenant's token, naming its place, and writes nothing", async () => {
    const first = exampleTenant();
    await importFixture({ Tenants: [first] }, '2026-11-24');
    const stolen = first.ApiTokens[0] ?? '';
    const second = exampleTenant({ ApiTokens: [`own-${uniqueTenantId()}`, stolen] });

    const error = await importFixture({ Tenants: [second] }, '2026-11-24').catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(FixtureError);
    expect((error as FixtureError).problems).toEqual([
      `$.Tenants[0].ApiTokens[1]: already belongs to tenant ${first.Id}; a token names one tenant only`,
    ]);
    expect((error as FixtureError).message).not.toContain(stolen);
    expect(await getTokenRecord(hashToken(stolen))).toEqual({ tenantId: first.Id });
    expect(await getTokenRecord(hashToken(second.ApiTokens[0] ?? ''))).toBeUndefined();
    expect(await tenantRecord(second.Id)).toBeUndefined();
  });

  it('leaves a revoked token revoked when its tenant is loaded again', async () => {
    const tenant = exampleTenant();
    await importFixture({ Tenants: [tenant] }, '2026-11-24');
    const tokenHash = hashToken(tenant.ApiTokens[0] ?? '');
    await writeItems({
      puts: [{ ...tokenKey(tokenHash), type: 'Token', tenantId: tenant.Id, revoked: true }],
      deletes: [],
    });

    await importFixture({ Tenants: [tenant] }, '2026-11-24');

    expect(await getTokenRecord(tokenHash)).toEqual({ tenantId: tenant.Id, revoked: true });
  });

  it('writes large ledgers in batches', async () => {
    const tenantId = uniqueTenantId();
    const invoices = Array.from({ length: 600 }, (_, index) => ({
      Number: index + 1,
      CustomerCode: '101',
      IssuedDate: `2020-01-${String((index % 28) + 1).padStart(2, '0')}`,
      DueDate: '2020-03-01',
      Total: '1.00',
    }));

    await importFixture({ Tenants: [exampleTenant({ Id: tenantId, Invoices: invoices })] }, '2026-11-24');

    expect((await partition(tenantId, '101')).filter((item) => item.type === 'Invoice')).toHaveLength(600);
  });
});

describe('npm run seed (the CLI)', () => {
  const cli = (...args: string[]) =>
    run(process.execPath, ['--import', 'tsx', 'infra/seed.ts', ...args], { env: process.env }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );

  it('loads a fixture file and reports what it wrote', async () => {
    const tenantId = uniqueTenantId();
    const file = join(tmpdir(), `${tenantId}.json`);
    writeFileSync(file, JSON.stringify({ Tenants: [exampleTenant({ Id: tenantId })] }));

    const result = await cli(file);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/1 tenant\(s\), \d+ records written/);
    expect(await tenantRecord(tenantId)).toBeDefined();
  });

  it('exits 1 and prints every bad path of an invalid fixture', async () => {
    const file = join(tmpdir(), `bad-${uniqueTenantId()}.json`);
    writeFileSync(file, JSON.stringify({ Tenants: [{ Id: 'Bad Id' }] }));

    const result = await cli(file);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('$.Tenants[0].Id: must be lower-case letters, digits and dashes');
    expect(result.stderr).toContain('$.Tenants[0].Name:');
  });

  it('names the place of a token another tenant holds, never the token', async () => {
    const owner = exampleTenant();
    await importFixture({ Tenants: [owner] }, '2026-11-24');
    const file = join(tmpdir(), `${uniqueTenantId()}.json`);
    writeFileSync(file, JSON.stringify({ Tenants: [exampleTenant({ ApiTokens: owner.ApiTokens })] }));

    const result = await cli(file);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`$.Tenants[0].ApiTokens[0]: already belongs to tenant ${owner.Id}`);
    expect(`${result.stdout}${result.stderr}`).not.toContain(owner.ApiTokens[0]);
  });

  it('exits 2 with usage when no file is named', async () => {
    const result = await cli();
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('usage: npm run seed');
  });
});
