/**
 * `npm run seed -- <fixture.json> [--local]`: loads a fixture into the table named by TABLE_NAME,
 * in AWS (credentials and region from the usual AWS environment) or, with `--local`, into the
 * local stack that `npm start` runs. The whole file is validated before anything is written.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { dateInTimeZone, isIsoDate } from '#shared/domain/calendar-date.ts';
import { importFixture } from '#shared/seed/import-fixture.ts';
import { FixtureError } from '#shared/seed/validate-fixture.ts';
import { selectTable, TERMINAL } from './cli.ts';
import { LOCAL_TABLE_NAME } from './local/environment.ts';

const USAGE = `usage: npm run seed -- <fixture.json> [--local] [--today YYYY-MM-DD]

  --local   load into the local stack of \`npm start\` (DynamoDB on 127.0.0.1:$DYNAMODB_PORT, default 8000,
            table ${LOCAL_TABLE_NAME}); without it, TABLE_NAME and the AWS environment are used
  --today   the load date: a fixture with AsOf has its dates moved by the days from AsOf to this date
            (default: today where the day starts last, UTC-12, so that nothing moved is after today
            in any tenant's time zone)`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      local: { type: 'boolean', default: false },
      today: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  const [file] = positionals;
  if (values.help || file === undefined || positionals.length > 1) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  if (!selectTable(values.local, TERMINAL, USAGE)) return 2;
  let document: unknown;
  try {
    document = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    console.error(`Cannot read ${file} as JSON: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  // Etc/GMT+12 is UTC-12 (POSIX signs are inverted): the zone whose calendar date is the earliest.
  const today = values.today ?? dateInTimeZone(new Date(), 'Etc/GMT+12');
  if (!isIsoDate(today)) {
    console.error('--today must be a date in YYYY-MM-DD form');
    return 2;
  }
  try {
    const summary = await importFixture(document, today);
    console.log(
      `Loaded ${file} into ${process.env.TABLE_NAME}: ${summary.tenants} tenant(s), ${summary.itemsWritten} records written, ${summary.itemsDeleted} stale records removed.`,
    );
    return 0;
  } catch (error) {
    if (error instanceof FixtureError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('seed failed:', error);
    process.exit(1);
  },
);
