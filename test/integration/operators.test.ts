import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { GetCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { documentClient, dynamoDbClient, type Item, writeItems } from '#shared/aws/dynamodb.ts';
import { getTenant, listTenants, tenantDirectoryItem } from '#shared/aws/dynamodb-operators.ts';
import { getTokenRecord, hashToken } from '#shared/aws/dynamodb-tokens.ts';
import { tenantDirectoryKey, tenantKey } from '#shared/aws/table-keys.ts';
import { tenantForAuthorization } from '#shared/services/authorize-token.ts';
import type { CliOutput } from '../../infra/cli.ts';
import { tenantsCli } from '../../infra/tenants.ts';
import { tokensCli } from '../../infra/tokens.ts';
import { type RequestLog, recordRequests } from '../support/sdk-requests.ts';
import { exampleTenant, seedTenants, uniqueTenantId } from '../support/tenants.ts';

const run = promisify(execFile);
const DAY_MS = 24 * 60 * 60 * 1000;
const NOW = new Date('2026-11-24T10:00:00Z');

/** A CliOutput that keeps the lines, for a test to read. */
function captured() {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliOutput = { out: (line) => out.push(line), err: (line) => err.push(line) };
  return { io, out, err, text: () => [...out, ...err].join('\n') };
}

const createFlags = (id: string, overrides: Record<string, string> = {}) =>
  Object.entries({
    '--id': id,
    '--name': 'Acme Trading Ltd',
    '--from-email': 'accounts@acme.example',
    '--time-zone': 'Europe/London',
    '--currency': 'GBP',
    ...overrides,
  }).flat();

async function createTenantNamed(id: string) {
  const output = captured();
  expect(await tenantsCli(['create', ...createFlags(id)], output.io)).toBe(0);
}

/** Issues a token through the CLI and returns it (the one line on stdout) and what was printed. */
async function issueToken(tenantId: string, ...flags: string[]) {
  const output = captured();
  const code = await tokensCli(['issue', '--tenant', tenantId, ...flags], output.io, NOW);
  expect(code).toBe(0);
  expect(output.out).toHaveLength(1);
  return { token: output.out[0] ?? '', output };
}

const tenantOf = (token: string, at = NOW) => tenantForAuthorization(`KfToken ${token}`, at);

async function partitionItems(partition: string) {
  const { Items = [] } = await documentClient().send(
    new QueryCommand({
      TableName: process.env.TABLE_NAME,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': partition },
      ConsistentRead: true,
    }),
  );
  return Items;
}

async function directoryEntry(tenantId: string) {
  const { Item: item } = await documentClient().send(
    new GetCommand({
      TableName: process.env.TABLE_NAME,
      Key: tenantDirectoryKey(tenantId),
      ConsistentRead: true,
    }),
  );
  return item;
}

/** Every item of the test table (a test's check only: the operators' own reads never Scan). */
async function everyItem(): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new ScanCommand({ TableName: process.env.TABLE_NAME, ExclusiveStartKey: start }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}

let requests: RequestLog | undefined;
afterEach(() => {
  requests?.detach();
  requests = undefined;
});

describe('npm run tenants -- create', () => {
  it('creates a tenant with the fields of its flags and enters it in the directory', async () => {
    const id = uniqueTenantId('op');
    const output = captured();

    const code = await tenantsCli(['create', ...createFlags(id, { '--locale': 'de-DE' })], output.io);

    expect(code).toBe(0);
    expect(output.out.join('\n')).toContain(`Created tenant ${id}`);
    expect(await getTenant(id)).toEqual({
      tenantId: id,
      name: 'Acme Trading Ltd',
      fromEmail: 'accounts@acme.example',
      timeZone: 'Europe/London',
      currency: 'GBP',
      locale: 'de-DE',
    });
    expect(await directoryEntry(id)).toMatchObject({ tenantId: id });
  });

  it('refuses an id that exists, saying a tenant is created once, and changes nothing', async () => {
    const id = uniqueTenantId('op');
    await createTenantNamed(id);
    const output = captured();

    const code = await tenantsCli(
      ['create', ...createFlags(id, { '--name': 'Someone Else Ltd' })],
      output.io,
    );

    expect(code).toBe(1);
    expect(output.err.join('\n')).toContain(`Tenant ${id} exists already: a tenant is created once`);
    expect((await getTenant(id))?.name).toBe('Acme Trading Ltd');
  });

  it('refuses the id of a tenant a fixture loaded, and lists that tenant from then on', async () => {
    const fixtureTenant = exampleTenant();
    await seedTenants(fixtureTenant);
    const output = captured();

    const code = await tenantsCli(['create', ...createFlags(fixtureTenant.Id)], output.io);

    expect(code).toBe(1);
    expect((await getTenant(fixtureTenant.Id))?.name).toBe('Example Trading Ltd');
    // A creation tried again mends a missing directory entry, so a retry always ends listed.
    expect(await directoryEntry(fixtureTenant.Id)).toMatchObject({ tenantId: fixtureTenant.Id });
  });

  it.each([
    ['--id', 'Bad Id', '--id: must be lower-case letters, digits and dashes'],
    ['--name', '   ', '--name: must not be blank'],
    ['--from-email', 'accounts.acme.example', '--from-email: must be a valid email address'],
    ['--time-zone', 'Mars/Olympus_Mons', '--time-zone: must be an IANA time zone such as Europe/London'],
    ['--currency', 'XYZ', '--currency: must be an ISO 4217 currency code such as GBP'],
    ['--locale', 'en_GB', '--locale: must be a BCP 47 language tag such as en-GB'],
  ])('refuses a bad %s naming the flag and its rule, and writes nothing', async (flag, value, problem) => {
    const id = flag === '--id' ? value : uniqueTenantId('op');
    const output = captured();

    const code = await tenantsCli(['create', ...createFlags(id, { [flag]: value })], output.io);

    expect(code).toBe(2);
    expect(output.err).toContain(problem);
    expect(output.err.join('\n')).toContain('Nothing was written.');
    if (flag !== '--id') {
      expect(await getTenant(id)).toBeUndefined();
      expect(await directoryEntry(id)).toBeUndefined();
    }
  });

  it('names every missing flag, and writes nothing', async () => {
    const id = uniqueTenantId('op');
    const output = captured();

    const code = await tenantsCli(['create', '--id', id, '--currency', 'GBP'], output.io);

    expect(code).toBe(2);
    expect(output.err).toEqual(
      expect.arrayContaining([
        '--name: is required',
        '--from-email: is required',
        '--time-zone: is required',
      ]),
    );
    expect(await getTenant(id)).toBeUndefined();
  });

  it('refuses an unknown flag with the usage', async () => {
    const output = captured();

    const code = await tenantsCli(['create', '--colour', 'blue'], output.io);

    expect(code).toBe(2);
    expect(output.err.join('\n')).toContain("Unknown option '--colour'");
    expect(output.err.join('\n')).toContain('usage: npm run tenants');
  });
});

describe('npm run tenants -- list', () => {
  it('lists id, name, From address, time zone, currency and locale with Query, never Scan', async () => {
    const first = uniqueTenantId('op');
    const second = uniqueTenantId('op');
    await createTenantNamed(first);
    await createTenantNamed(second);
    const output = captured();
    requests = recordRequests(dynamoDbClient());

    const code = await tenantsCli(['list'], output.io);

    expect(code).toBe(0);
    expect(requests.count('Scan')).toBe(0);
    expect(requests.count('Query')).toBeGreaterThanOrEqual(1);
    const [header, ...rows] = output.out;
    expect(header?.split(/ {2,}/)).toEqual(['ID', 'NAME', 'FROM', 'TIME ZONE', 'CURRENCY', 'LOCALE']);
    for (const id of [first, second]) {
      const row = rows.find((line) => line.startsWith(`${id} `));
      expect(row?.split(/ {2,}/)).toEqual([
        id,
        'Acme Trading Ltd',
        'accounts@acme.example',
        'Europe/London',
        'GBP',
        'en-GB',
      ]);
    }
    const ids = rows.map((line) => line.split(' ')[0] ?? '');
    expect(ids).toEqual([...ids].sort());
  });

  it('reads more than 100 tenants (BatchGetItem takes 100 keys a call), each with its record', async () => {
    const ids = Array.from({ length: 130 }, () => uniqueTenantId('many'));
    await writeItems({
      puts: ids.flatMap((tenantId) => [
        tenantDirectoryItem(tenantId),
        {
          ...tenantKey(tenantId),
          type: 'Tenant',
          tenantId,
          name: `Tenant ${tenantId}`,
          fromEmail: 'a@b.example',
          timeZone: 'UTC',
          currency: 'EUR',
        },
      ]),
      deletes: [],
    });

    const listed = new Map<string, string | undefined>();
    for await (const { tenantId, tenant } of listTenants()) listed.set(tenantId, tenant?.name);

    for (const id of ids) expect(listed.get(id)).toBe(`Tenant ${id}`);
  });
});

describe('npm run tokens -- issue', () => {
  it('prints a new token once, which the authorizer accepts for its tenant, and stores only its hash', async () => {
    const tenantId = uniqueTenantId('op');
    await createTenantNamed(tenantId);

    const { token, output } = await issueToken(tenantId);

    expect(token).toMatch(/^sm_[A-Za-z0-9_-]{43}$/);
    expect(output.err.join('\n')).not.toContain(token);
    expect(output.err.join('\n')).toContain(
      `Issued token ${hashToken(token).slice(0, 12)} for tenant ${tenantId}`,
    );
    expect(await tenantOf(token)).toBe(tenantId);
    expect(await getTokenRecord(hashToken(token))).toEqual({ tenantId });
    const holding = (await everyItem()).filter((item) => JSON.stringify(item).includes(token));
    expect(holding).toEqual([]);
  });

  it('gives each issue a different token', async () => {
    const tenantId = uniqueTenantId('op');
    await createTenantNamed(tenantId);

    const first = await issueToken(tenantId);
    const second = await issueToken(tenantId);

    expect(first.token).not.toBe(second.token);
    expect(await tenantOf(first.token)).toBe(tenantId);
    expect(await tenantOf(second.token)).toBe(tenantId);
  });

  it('makes a token with --expires-in stop working after those days', async () => {
    const tenantId = uniqueTenantId('op');
    await createTenantNamed(tenantId);

    const { token, output } = await issueToken(tenantId, '--expires-in', '30');

    const expiry = new Date(NOW.getTime() + 30 * DAY_MS);
    expect(output.err.join('\n')).toContain('expires 2026-12-24T10:00:00Z');
    expect(await getTokenRecord(hashToken(token))).toEqual({ tenantId, expiresAt: expiry.getTime() / 1000 });
    expect(await tenantOf(token, new Date(expiry.getTime() - 1000))).toBe(tenantId);
    expect(await tenantOf(token, expiry)).toBeUndefined();
  });

  it('refuses an unknown tenant and writes nothing', async () => {
    const tenantId = uniqueTenantId('nobody');
    const output = captured();

    const code = await tokensCli(['issue', '--tenant', tenantId], output.io, NOW);

    expect(code).toBe(1);
    expect(output.out).toEqual([]);
    expect(output.err.join('\n')).toContain(`There is no tenant ${tenantId}`);
    expect(await partitionItems(`TENANT#${tenantId}`)).toEqual([]);
  });

  it.each([
    [['issue', '--tenant', 'Bad Tenant'], '--tenant: must be lower-case letters, digits and dashes'],
    [['issue'], '--tenant: is required'],
    [
      ['issue', '--tenant', '$', '--expires-in', '0'],
      '--expires-in: must be a whole number of days from 1 to 3650',
    ],
    [
      ['issue', '--tenant', '$', '--expires-in', '1.5'],
      '--expires-in: must be a whole number of days from 1 to 3650',
    ],
    [
      ['issue', '--tenant', '$', '--expires-in', '3651'],
      '--expires-in: must be a whole number of days from 1 to 3650',
    ],
    [['issue', '--tenant', '$', '--id', '0123456789ab'], '--id: not an option of issue'],
    [['list', '--tenant', '$', '--expires-in', '3'], '--expires-in: not an option of list'],
    [['revoke', '--tenant', '$'], '--id or --token: exactly one of them names the token to revoke'],
    [
      ['revoke', '--tenant', '$', '--id', '0123456789ab', '--token', 'x'],
      '--id or --token: exactly one of them names the token to revoke',
    ],
    [
      ['revoke', '--tenant', '$', '--id', 'XYZ'],
      '--id: must be the 12 lower-case hex digits that `npm run tokens -- list` shows',
    ],
  ])('refuses %j naming the flag and its rule, and writes nothing', async (args, problem) => {
    const tenantId = uniqueTenantId('op');
    await createTenantNamed(tenantId);
    const output = captured();

    const code = await tokensCli(
      args.map((arg) => (arg === '$' ? tenantId : arg)),
      output.io,
      NOW,
    );

    expect(code).toBe(2);
    expect(output.out).toEqual([]);
    expect(output.err).toContain(problem);
    expect(output.err.join('\n')).toContain('Nothing was written.');
    expect(await partitionItems(`TENANT#${tenantId}`)).toEqual([expect.objectContaining({ SK: 'TENANT' })]);
  });
});

describe('npm run tokens -- list', () => {
  it("shows each token's id, created, expires and state, never the token, with Query, never Scan", async () => {
    const tenantId = uniqueTenantId('op');
    await createTenantNamed(tenantId);
    const lasting = await issueToken(tenantId);
    const expiring = await issueToken(tenantId, '--expires-in', '1');
    const output = captured();
    requests = recordRequests(dynamoDbClient());

    const code = await tokensCli(
      ['list', '--tenant', tenantId],
      output.io,
      new Date(NOW.getTime() + 2 * DAY_MS),
    );

    expect(code).toBe(0);
    expect(requests.count('Scan')).toBe(0);
    const text = output.text();
    expect(text).not.toContain(lasting.token);
    expect(text).not.toContain(expiring.token);
    const rows = output.out.map((line) => line.split(/ {2,}/));
    expect(rows[0]).toEqual(['ID', 'CREATED', 'EXPIRES', 'STATE']);
    expect(rows.slice(1)).toEqual(
      expect.arrayContaining([
        [hashToken(lasting.token).slice(0, 12), '2026-11-24T10:00:00Z', 'never', 'active'],
        [hashToken(expiring.token).slice(0, 12), '2026-11-24T10:00:00Z', '2026-11-25T10:00:00Z', 'expired'],
      ]),
    );
    expect(rows).toHaveLength(3);
  });

  it("lists only the tenant's own tokens", async () => {
    const mine = uniqueTenantId('op');
    const theirs = uniqueTenantId('op');
    await createTenantNamed(mine);
    await createTenantNamed(theirs);
    const own = await issueToken(mine);
    const other = await issueToken(theirs);
    const output = captured();

    await tokensCli(['list', '--tenant', mine], output.io, NOW);

    expect(output.text()).toContain(hashToken(own.token).slice(0, 12));
    expect(output.text()).not.toContain(hashToken(other.token).slice(0, 12));
  });
});

describe('npm run tokens -- revoke', () => {
  it('revokes a token by its id: the authorizer refuses it afterwards and list shows it revoked', async () => {
    const tenantId = uniqueTenantId('op');
    await createTenantNamed(tenantId);
    const { token } = await issueToken(tenantId);
    const kept = await issueToken(tenantId);
    const id = hashToken(token).slice(0, 12);
    const output = captured();

    const code = await tokensCli(['revoke', '--tenant', tenantId, '--id', id], output.io, NOW);

    expect(code).toBe(0);
    expect(output.out.join('\n')).toContain(`Revoked token ${id} of tenant ${tenantId}`);
    expect(await tenantOf(token)).toBeUndefined();
    expect(await getTokenRecord(hashToken(token))).toEqual({ tenantId, revoked: true });
    expect(await tenantOf(kept.token)).toBe(tenantId);
    const listing = captured();
    await tokensCli(['list', '--tenant', tenantId], listing.io, NOW);
    expect(listing.out.find((line) => line.startsWith(id))).toMatch(/ revoked$/);
  });

  it('revokes a token named by the token itself, and says so when it was revoked already', async () => {
    const tenantId = uniqueTenantId('op');
    await createTenantNamed(tenantId);
    const { token } = await issueToken(tenantId);
    const first = captured();
    const again = captured();

    expect(await tokensCli(['revoke', '--tenant', tenantId, '--token', token], first.io, NOW)).toBe(0);
    expect(await tokensCli(['revoke', '--tenant', tenantId, '--token', token], again.io, NOW)).toBe(0);

    expect(await tenantOf(token)).toBeUndefined();
    expect(first.text()).not.toContain(token);
    expect(again.out.join('\n')).toContain('was revoked already');
  });

  it('revokes a token a fixture loaded, which the fixture import listed with its load time', async () => {
    const fixtureTenant = exampleTenant();
    await seedTenants(fixtureTenant);
    const token = fixtureTenant.ApiTokens[0] ?? '';
    const output = captured();

    const code = await tokensCli(['revoke', '--tenant', fixtureTenant.Id, '--token', token], output.io, NOW);

    expect(code).toBe(0);
    expect(await tenantOf(token)).toBeUndefined();
    const listing = captured();
    await tokensCli(['list', '--tenant', fixtureTenant.Id], listing.io, NOW);
    const rows = listing.out.map((line) => line.split(/ {2,}/));
    const row = rows.find((cells) => cells[0] === hashToken(token).slice(0, 12));
    expect(row?.slice(2)).toEqual(['never', 'revoked']);
    expect(row?.[1]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it("refuses to revoke another tenant's token, by token or by id, and leaves it working", async () => {
    const owner = uniqueTenantId('op');
    const intruder = uniqueTenantId('op');
    await createTenantNamed(owner);
    await createTenantNamed(intruder);
    const { token } = await issueToken(owner);
    const byToken = captured();
    const byId = captured();

    const tokenCode = await tokensCli(['revoke', '--tenant', intruder, '--token', token], byToken.io, NOW);
    const idCode = await tokensCli(
      ['revoke', '--tenant', intruder, '--id', hashToken(token).slice(0, 12)],
      byId.io,
      NOW,
    );

    expect(tokenCode).toBe(1);
    expect(byToken.err.join('\n')).toContain(`That token is not one of tenant ${intruder}'s tokens`);
    expect(idCode).toBe(1);
    expect(byId.err.join('\n')).toContain(`Tenant ${intruder} has no token ${hashToken(token).slice(0, 12)}`);
    expect(await tenantOf(token)).toBe(owner);
    expect(await getTokenRecord(hashToken(token))).toEqual({ tenantId: owner });
    expect(await partitionItems(`TENANT#${intruder}`)).toEqual([expect.objectContaining({ SK: 'TENANT' })]);
  });
});

describe('the CLIs as operators run them, with --local', () => {
  const cli = (script: string, ...args: string[]) =>
    run(process.execPath, ['--import', 'tsx', script, ...args], { env: process.env }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );

  it('creates a tenant, issues a token that opens it, lists and revokes it', async () => {
    const tenantId = uniqueTenantId('cli');

    const created = await cli('infra/tenants.ts', 'create', ...createFlags(tenantId), '--local');
    const issued = await cli('infra/tokens.ts', 'issue', '--tenant', tenantId, '--local');
    const token = issued.stdout.trim();
    const listed = await cli('infra/tokens.ts', 'list', '--tenant', tenantId, '--local');
    const revoked = await cli('infra/tokens.ts', 'revoke', '--tenant', tenantId, '--token', token, '--local');

    expect(created).toMatchObject({ code: 0 });
    expect(issued).toMatchObject({ code: 0 });
    expect(token).toMatch(/^sm_[A-Za-z0-9_-]{43}$/);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(hashToken(token).slice(0, 12));
    expect(listed.stdout + listed.stderr).not.toContain(token);
    expect(revoked).toMatchObject({ code: 0 });
    expect(await tenantOf(token)).toBeUndefined();
  });

  it('exits 2 with the usage when no table is named', async () => {
    const { TABLE_NAME: _, ...environment } = process.env;
    const result = await run(process.execPath, ['--import', 'tsx', 'infra/tenants.ts', 'list'], {
      env: environment,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('TABLE_NAME is not set');
  });
});
