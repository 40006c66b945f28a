/**
 * `npm run tenants -- create|list [--local]`: creates a tenant (once) and lists the tenants, in the
 * table named by TABLE_NAME in AWS (credentials and region from the usual AWS environment) or, with
 * `--local`, in the local stack that `npm start` runs (the convention of `npm run seed`). Every flag
 * is checked by the rule the fixture import applies to the same field before anything is written.
 */
import { parseArgs } from 'node:util';
import type * as z from 'zod';
import { createTenant, listTenants } from '#shared/aws/dynamodb-operators.ts';
import {
  CurrencySchema,
  EmailAddressSchema,
  LocaleSchema,
  NameSchema,
  TenantIdSchema,
  TimeZoneSchema,
} from '#shared/schemas/fields.ts';
import type { TenantRecord } from '#shared/schemas/records.ts';
import { type CliOutput, formatTable, isEntryPoint, readCommand, selectTable, TERMINAL } from './cli.ts';
import { LOCAL_TABLE_NAME } from './local/environment.ts';

const USAGE = `usage: npm run tenants -- create --id <id> --name <name> --from-email <address>
                              --time-zone <IANA zone> --currency <ISO 4217> [--locale <BCP 47>] [--local]
       npm run tenants -- list [--local]

  create    creates a tenant; an id that exists already is refused (a tenant is created once)
  list      lists the tenants: id, name, From address, time zone, currency, locale
  --local   the local stack of \`npm start\` (DynamoDB on 127.0.0.1:$DYNAMODB_PORT, default 8000,
            table ${LOCAL_TABLE_NAME}); without it, TABLE_NAME and the AWS environment are used`;

/** Each `create` flag, the rule it is held to, and the record field it fills. */
const CREATE_FLAGS = {
  id: { schema: TenantIdSchema, field: 'tenantId', required: true },
  name: { schema: NameSchema, field: 'name', required: true },
  'from-email': { schema: EmailAddressSchema, field: 'fromEmail', required: true },
  'time-zone': { schema: TimeZoneSchema, field: 'timeZone', required: true },
  currency: { schema: CurrencySchema, field: 'currency', required: true },
  locale: { schema: LocaleSchema, field: 'locale', required: false },
} as const satisfies Record<
  string,
  { schema: z.ZodType<string>; field: keyof TenantRecord; required: boolean }
>;

type CreateFlag = keyof typeof CREATE_FLAGS;

/** The problems of `create`'s flags, each naming the flag and its rule; the record when there are none. */
export function tenantFromFlags(
  values: Partial<Record<CreateFlag, string>>,
): { tenant: TenantRecord; problems: [] } | { tenant: undefined; problems: string[] } {
  const problems: string[] = [];
  const fields: Record<string, string> = {};
  for (const [flag, { schema, field, required }] of Object.entries(CREATE_FLAGS)) {
    const value = values[flag as CreateFlag];
    if (value === undefined) {
      if (required) problems.push(`--${flag}: is required`);
      continue;
    }
    const result = schema.safeParse(value);
    if (result.success) fields[field] = result.data;
    else problems.push(...result.error.issues.map((issue) => `--${flag}: ${issue.message}`));
  }
  if (problems.length > 0) return { tenant: undefined, problems };
  // Stored as the fixture import stores a tenant without a locale, so both look alike.
  const tenant = { locale: 'en-GB', ...fields } as TenantRecord;
  return { tenant, problems: [] };
}

async function create(values: Partial<Record<CreateFlag, string>>, local: boolean, io: CliOutput) {
  const { tenant, problems } = tenantFromFlags(values);
  if (tenant === undefined) {
    for (const problem of problems) io.err(problem);
    io.err(`Nothing was written.\n\n${USAGE}`);
    return 2;
  }
  if (!selectTable(local, io, USAGE)) return 2;
  if (!(await createTenant(tenant))) {
    io.err(`Tenant ${tenant.tenantId} exists already: a tenant is created once, and it was left as it is.`);
    return 1;
  }
  io.out(`Created tenant ${tenant.tenantId} in ${process.env.TABLE_NAME}.`);
  io.out(`Issue its first API token with: npm run tokens -- issue --tenant ${tenant.tenantId}`);
  return 0;
}

async function list(local: boolean, io: CliOutput) {
  if (!selectTable(local, io, USAGE)) return 2;
  const rows: string[][] = [];
  for await (const { tenantId, tenant } of listTenants()) {
    rows.push(
      tenant === undefined
        ? [tenantId, '(no readable tenant record)', '', '', '', '']
        : [
            tenantId,
            tenant.name,
            tenant.fromEmail,
            tenant.timeZone,
            tenant.currency,
            tenant.locale ?? 'en-GB',
          ],
    );
  }
  if (rows.length === 0) {
    io.out(`No tenants in ${process.env.TABLE_NAME}.`);
    return 0;
  }
  for (const line of formatTable(['ID', 'NAME', 'FROM', 'TIME ZONE', 'CURRENCY', 'LOCALE'], rows))
    io.out(line);
  return 0;
}

/** `npm run tenants` with these arguments; resolves to the exit code (2: bad usage, 1: refused). */
export async function tenantsCli(args: string[], io: CliOutput = TERMINAL): Promise<number> {
  const read = readCommand(() => parseOptions(args), ['create', 'list'] as const, USAGE, io);
  if (typeof read === 'number') return read;
  const { command, values } = read;
  const { local, help: _, ...flags } = values;
  if (command === 'list') {
    const stray = Object.keys(flags);
    if (stray.length > 0) {
      io.err(`${stray.map((flag) => `--${flag}`).join(', ')}: not an option of list\n\n${USAGE}`);
      return 2;
    }
    return list(local, io);
  }
  return create(flags, local, io);
}

function parseOptions(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      id: { type: 'string' },
      name: { type: 'string' },
      'from-email': { type: 'string' },
      'time-zone': { type: 'string' },
      currency: { type: 'string' },
      locale: { type: 'string' },
      local: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
}

if (isEntryPoint(import.meta.filename)) {
  tenantsCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error('tenants failed:', error instanceof Error ? `${error.name}: ${error.message}` : error);
      process.exit(1);
    },
  );
}
