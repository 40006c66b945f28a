/**
 * What the operator commands (`npm run seed`, `npm run tenants`, `npm run tokens`, `npm run
 * schedules`) share: reading their command word, where their lines go, how they choose the table
 * (`--local` or TABLE_NAME and the AWS environment), a plain-text table, and whether a module is
 * the command being run.
 */
import { realpathSync } from 'node:fs';
import { configureLocalEnvironment, portFromEnv } from './local/environment.ts';

/** Where a command's lines go: the terminal, or a test's arrays. */
export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
}

/** The terminal: results on stdout (a script can capture them), everything else on stderr. */
export const TERMINAL: CliOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/**
 * The command word (one of `commands`, and nothing after it) and the options of an operator
 * command; or, when there is nothing to run, its exit code: 0 for `--help` (the usage printed), 2
 * for options it cannot parse or another command (said, with the usage).
 */
export function readCommand<V extends { help?: boolean | undefined }, C extends string>(
  parse: () => { values: V; positionals: string[] },
  commands: readonly C[],
  usage: string,
  io: CliOutput,
): { command: C; values: V } | number {
  let parsed: { values: V; positionals: string[] };
  try {
    parsed = parse();
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(usage);
    return 0;
  }
  const [command, ...rest] = positionals;
  if (rest.length > 0 || !(commands as readonly string[]).includes(command ?? '')) {
    io.err(usage);
    return 2;
  }
  return { command: command as C, values };
}

/** Points the SDK at the local stack with `--local`; false (after saying why) when no table is named. */
export function selectTable(local: boolean, io: CliOutput, usage: string): boolean {
  if (local) {
    configureLocalEnvironment({
      dynamodb:
        process.env.AWS_ENDPOINT_URL_DYNAMODB ?? `http://127.0.0.1:${portFromEnv('DYNAMODB_PORT', 8000)}`,
    });
  }
  if (process.env.TABLE_NAME) return true;
  io.err('TABLE_NAME is not set: name the table, or use --local.\n');
  io.err(usage);
  return false;
}

/** Rows as columns padded to their widest cell, the header first. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  return [header, ...rows].map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}

/** True in the process started as `tsx <this file>`, false where a test imports it. */
export function isEntryPoint(moduleFile: string): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(moduleFile);
  } catch {
    return false;
  }
}
