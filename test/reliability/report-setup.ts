/** Starts each reliability run with no figures from an earlier one. */
import { rmSync } from 'node:fs';
import * as path from 'node:path';

export default function clearFigures(): void {
  rmSync(path.resolve(import.meta.dirname, '../../.build/reliability'), { recursive: true, force: true });
}
