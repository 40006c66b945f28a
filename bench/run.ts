/**
 * `npm run bench`: every benchmark of docs/performance.md, printed as one table. Each figure is a
 * ratio against a naive baseline measured in the same run, or a count that does not depend on
 * the machine's speed. `npm run bench -- api bundle` runs only those.
 */
import './lib/quiet.ts';
import { benchApi } from './api.ts';
import { benchBundles } from './bundles.ts';
import { benchCost } from './cost.ts';
import { benchFairness } from './fairness.ts';
import { benchLedger } from './ledger.ts';
import { printTable, type Row, startBenchStack } from './lib/setup.ts';
import { benchPdfSize } from './pdf-size.ts';
import { benchSesBound } from './ses-bound.ts';
import { benchWorker } from './worker.ts';

const ALL = ['api', 'bundle', 'pdf', 'worker', 'ses', 'ledger', 'fairness', 'cost'] as const;
type Bench = (typeof ALL)[number];

async function main(): Promise<void> {
  const wanted = (process.argv.slice(2).length > 0 ? process.argv.slice(2) : ALL) as Bench[];
  const rows: Row[] = [];
  const stack = await startBenchStack();
  try {
    for (const name of wanted) {
      const started = Date.now();
      console.error(`running ${name}…`);
      if (name === 'api') rows.push(...(await benchApi(stack)));
      if (name === 'bundle') rows.push(...(await benchBundles()));
      if (name === 'pdf') rows.push(...(await benchPdfSize()));
      if (name === 'worker') rows.push(...(await benchWorker()));
      if (name === 'ses') rows.push(...(await benchSesBound(stack)));
      if (name === 'ledger') rows.push(...(await benchLedger()));
      if (name === 'fairness') rows.push(...(await benchFairness(stack)));
      if (name === 'cost') rows.push(...(await benchCost(stack)));
      console.error(`  ${name} done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
  } finally {
    await stack.stop();
  }
  console.log('');
  printTable(rows);
}

await main();
