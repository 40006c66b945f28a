import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { documentClient } from '#shared/aws/dynamodb.ts';
import { customerPartition, tenantKey } from '#shared/aws/table-keys.ts';
import { FixtureError, importFixture } from '#shared/seed/import-fixture.ts';
import { exampleTenant, uniqueTenantId } from '../support/tenants.ts';

const run = promisify(execFile);

async function partition(tenantId: string, code: string) {
  const { Items = [] } = await documentClient.send(
    new QueryCommand({
      TableName: process.env.TABLE_NAME,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': customerPartition(tenantId, code) },
    }),
  );
  return Items;
}

async function tenantRecord(tenantId: string) {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: process.env.TABLE_NAME, Key: tenantKey(tenantId) }),
  );
  return Item;
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

    expect(first.itemsWritten).toBeGreaterThan(250);
    expect(second).toEqual({ ...first, itemsDeleted: 0 });
    expect(await partition(tenantId, '101')).toEqual(before);
    expect(before.filter((item) => item.type === 'Invoice').length).toBe(36);
    expect(await tenantRecord(tenantId)).toMatchObject({
      name: 'Demo Trading Ltd',
      timeZone: 'Europe/London',
      currency: 'GBP',
    });
  });

  it('stores money in minor units and keys invoices by issue date', async () => {
    const tenantId = uniqueTenantId();
    await importFixture({ Tenants: [exampleTenant({ Id: tenantId })] }, '2026-11-24');

    const items = await partition(tenantId, '101');

    expect(items.find((item) => item.type === 'Invoice')).toMatchObject({
      SK: 'INVOICE#2013-02-01#0000001001',
      number: 1001,
      totalMinor: 12000,
      issuedDate: '2013-02-01',
      dueDate: '2013-03-01',
    });
  });

  it('moves AsOf fixtures to the load month and removes the records it moved from', async () => {
    const tenantId = uniqueTenantId('demo');
    await importFixture(demoAs(tenantId), '2026-11-24');
    const november = (await partition(tenantId, '101')).filter((item) => item.type === 'Invoice');

    const summary = await importFixture(demoAs(tenantId), '2027-01-10');
    const january = (await partition(tenantId, '101')).filter((item) => item.type === 'Invoice');

    expect(january.length).toBe(november.length);
    expect(summary.itemsDeleted).toBeGreaterThan(0);
    const latest = (items: Record<string, unknown>[]) =>
      items
        .map((item) => String(item.issuedDate))
        .sort()
        .at(-1);
    expect(latest(november)).toBe('2026-11-05');
    expect(latest(january)).toBe('2027-01-05');
  });

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
      '$.Tenants[0].Invoices[0].Total: must be a decimal amount such as "120.00"',
    ]);
    expect(await tenantRecord(tenantId)).toBeUndefined();
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

  it('exits 2 with usage when no file is named', async () => {
    const result = await cli();
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('usage: npm run seed');
  });
});
