/** Prints the figures the reliability scenarios recorded (after `vitest run --project reliability`). */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const DIR = path.resolve(import.meta.dirname, '../../.build/reliability');
const figures = readdirSync(DIR)
  .filter((file) => file.endsWith('.jsonl'))
  .flatMap((file) => readFileSync(path.join(DIR, file), 'utf8').trim().split('\n'))
  .map((line) => JSON.parse(line) as { name: string; value: number; meaning: string })
  .sort((a, b) => a.name.localeCompare(b.name));
const width = Math.max(...figures.map((figure) => figure.name.length));
console.log('\nreliability figures');
for (const figure of figures)
  console.log(`${figure.name.padEnd(width)}  ${String(figure.value).padStart(6)}  ${figure.meaning}`);
