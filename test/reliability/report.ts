/**
 * The figures each reliability scenario reports, collected into .build/reliability-report.json
 * (one file per test worker process, merged by the reader) and printed by
 * `npm run test:reliability`.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';

const DIR = path.resolve(import.meta.dirname, '../../.build/reliability');

export function recordFigure(name: string, value: number, meaning: string): void {
  mkdirSync(DIR, { recursive: true });
  appendFileSync(
    path.join(DIR, `figures-${process.pid}.jsonl`),
    `${JSON.stringify({ name, value, meaning })}\n`,
  );
}
