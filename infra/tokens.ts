/**
 * `npm run tokens -- issue|list|revoke --tenant <id> [--local]`: a tenant's API tokens, in AWS or
 * in the local stack (the convention of `npm run seed`). A token is printed once, when it is
 * issued, and stored only as its SHA-256 hash; operators name it afterwards by its id, the first
 * 12 hex digits of that hash.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import {
  addTenantToken,
  getTenant,
  listTenantTokens,
  revokeTenantToken,
  type TenantToken,
  tokenIdOf,
} from '#shared/aws/dynamodb-operators.ts';
import { hashToken } from '#shared/aws/dynamodb-tokens.ts';
import { TenantIdSchema } from '#shared/schemas/fields.ts';
import { type CliOutput, formatTable, isEntryPoint, readCommand, selectTable, TERMINAL } from './cli.ts';
import { LOCAL_TABLE_NAME } from './local/environment.ts';

/** Tokens last at most ten years: a longer one is a token that never expires, which is the default. */
export const MAX_EXPIRY_DAYS = 3650;

const USAGE = `usage: npm run tokens -- issue  --tenant <id> [--expires-in <days>] [--local]
       npm run tokens -- list   --tenant <id> [--local]
       npm run tokens -- revoke --tenant <id> (--id <token id> | --token <token>) [--local]

  issue         prints a new token once (store it then: only its hash is kept)
  --expires-in  the token stops working after this many days (1 to ${MAX_EXPIRY_DAYS}); default: never
  list          the tenant's tokens: id, created, expires, state (never the token)
  revoke        refuses the token from now on (API Gateway's authorizer cache may accept it
                for up to 60 s more); --id is the id that list shows
  --local       the local stack of \`npm start\` (DynamoDB on 127.0.0.1:$DYNAMODB_PORT, default 8000,
                table ${LOCAL_TABLE_NAME}); without it, TABLE_NAME and the AWS environment are used`;

const DAY_SECONDS = 24 * 60 * 60;
const TOKEN_ID = /^[0-9a-f]{12,64}$/;

/** A new API token: 256 random bits, base64url, prefixed so that a leaked one is recognisable. */
export const newApiToken = (): string => `sm_${randomBytes(32).toString('base64url')}`;

type Flags = { tenant?: string; 'expires-in'?: string; id?: string; token?: string };
type Command = 'issue' | 'list' | 'revoke';

/** The flags each command takes besides `--tenant`, `--local` and `--help`. */
const COMMAND_FLAGS: Record<Command, readonly (keyof Flags)[]> = {
  issue: ['expires-in'],
  list: [],
  revoke: ['id', 'token'],
};

/** Every problem of the flags, each naming the flag and its rule; none means the command may run. */
export function flagProblems(command: Command, flags: Flags): string[] {
  const problems: string[] = [];
  for (const flag of Object.keys(flags) as (keyof Flags)[]) {
    if (flag !== 'tenant' && !COMMAND_FLAGS[command].includes(flag))
      problems.push(`--${flag}: not an option of ${command}`);
  }
  if (flags.tenant === undefined) problems.push('--tenant: is required');
  else {
    const result = TenantIdSchema.safeParse(flags.tenant);
    if (!result.success) problems.push(...result.error.issues.map((issue) => `--tenant: ${issue.message}`));
  }
  const days = flags['expires-in'];
  if (command === 'issue' && days !== undefined) {
    if (!/^\d+$/.test(days) || Number(days) < 1 || Number(days) > MAX_EXPIRY_DAYS)
      problems.push(`--expires-in: must be a whole number of days from 1 to ${MAX_EXPIRY_DAYS}`);
  }
  if (command === 'revoke') {
    if ((flags.id === undefined) === (flags.token === undefined))
      problems.push('--id or --token: exactly one of them names the token to revoke');
    if (flags.id !== undefined && !TOKEN_ID.test(flags.id))
      problems.push('--id: must be the 12 lower-case hex digits that `npm run tokens -- list` shows');
    if (flags.token !== undefined && flags.token.trim() === '') problems.push('--token: must not be blank');
  }
  return problems;
}

const isoSeconds = (date: Date) => `${date.toISOString().slice(0, 19)}Z`;

/** A token's state at `now`, as the authorizer would judge it. */
export function tokenState(token: TenantToken, now: Date): 'active' | 'expired' | 'revoked' | 'unusable' {
  if (!token.usable) return 'unusable';
  if (token.revoked) return 'revoked';
  if (token.expiresAt !== undefined && token.expiresAt * 1000 <= now.getTime()) return 'expired';
  return 'active';
}

async function issue(tenantId: string, days: string | undefined, io: CliOutput, now: Date) {
  const token = newApiToken();
  const tokenHash = hashToken(token);
  const expiresAt =
    days === undefined ? undefined : Math.floor(now.getTime() / 1000) + Number(days) * DAY_SECONDS;
  const added = await addTenantToken({
    tenantId,
    tokenHash,
    createdAt: now,
    ...(expiresAt === undefined ? {} : { expiresAt }),
  });
  // 256 random bits: a hash that has a record already means the random source is broken.
  if (!added) throw new Error('The new token collides with a stored one; nothing was issued');
  const expiry =
    expiresAt === undefined ? 'never expires' : `expires ${isoSeconds(new Date(expiresAt * 1000))}`;
  io.err(`Issued token ${tokenIdOf(tokenHash)} for tenant ${tenantId}; it ${expiry}.`);
  io.err('It is shown this once, on the next line: store it now (only its hash is kept).');
  io.out(token);
  return 0;
}

async function list(tenantId: string, io: CliOutput, now: Date) {
  const tokens = await listTenantTokens(tenantId);
  if (tokens.length === 0) {
    io.out(`Tenant ${tenantId} has no listed tokens.`);
    return 0;
  }
  const rows = tokens.map((token) => [
    tokenIdOf(token.tokenHash),
    token.createdAt === undefined ? '-' : isoSeconds(new Date(token.createdAt)),
    token.expiresAt === undefined ? 'never' : isoSeconds(new Date(token.expiresAt * 1000)),
    tokenState(token, now),
  ]);
  for (const line of formatTable(['ID', 'CREATED', 'EXPIRES', 'STATE'], rows)) io.out(line);
  return 0;
}

async function revoke(tenantId: string, flags: Flags, io: CliOutput, now: Date) {
  let tokenHash: string;
  if (flags.id !== undefined) {
    const matches = await listTenantTokens(tenantId, flags.id);
    if (matches.length !== 1) {
      io.err(
        matches.length === 0
          ? `Tenant ${tenantId} has no token ${flags.id} (see npm run tokens -- list --tenant ${tenantId}). Nothing was changed.`
          : `Several tokens of tenant ${tenantId} start with ${flags.id}: give more of the hash. Nothing was changed.`,
      );
      return 1;
    }
    tokenHash = matches[0]?.tokenHash ?? '';
  } else tokenHash = hashToken(flags.token ?? '');
  const id = flags.id ?? tokenIdOf(tokenHash);
  const outcome = await revokeTenantToken(tenantId, tokenHash, now);
  if (outcome === 'not-this-tenant') {
    io.err(`That token is not one of tenant ${tenantId}'s tokens. Nothing was changed.`);
    return 1;
  }
  io.out(
    outcome === 'revoked'
      ? `Revoked token ${id} of tenant ${tenantId}: the API refuses it from now on (a gateway that cached it may accept it for up to 60 s more).`
      : `Token ${id} of tenant ${tenantId} was revoked already.`,
  );
  return 0;
}

/** `npm run tokens` with these arguments; resolves to the exit code (2: bad usage, 1: refused). */
export async function tokensCli(args: string[], io: CliOutput = TERMINAL, now = new Date()): Promise<number> {
  const read = readCommand(() => parseOptions(args), ['issue', 'list', 'revoke'] as const, USAGE, io);
  if (typeof read === 'number') return read;
  const { command, values } = read;
  const { local, help: _, ...flags } = values;
  const problems = flagProblems(command, flags);
  if (problems.length > 0) {
    for (const problem of problems) io.err(problem);
    io.err(`Nothing was written.\n\n${USAGE}`);
    return 2;
  }
  const tenantId = flags.tenant ?? '';
  if (!selectTable(local, io, USAGE)) return 2;
  if ((await getTenant(tenantId)) === undefined) {
    io.err(`There is no tenant ${tenantId} (create it with npm run tenants -- create). Nothing was written.`);
    return 1;
  }
  if (command === 'issue') return issue(tenantId, flags['expires-in'], io, now);
  if (command === 'list') return list(tenantId, io, now);
  return revoke(tenantId, flags, io, now);
}

function parseOptions(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      tenant: { type: 'string' },
      'expires-in': { type: 'string' },
      id: { type: 'string' },
      token: { type: 'string' },
      local: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
}

if (isEntryPoint(import.meta.filename)) {
  tokensCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      // The error is a DynamoDB or configuration failure: it never holds the token.
      console.error('tokens failed:', error instanceof Error ? `${error.name}: ${error.message}` : error);
      process.exit(1);
    },
  );
}
