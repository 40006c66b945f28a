/**
 * pdf.size and bundle.beside (issue 13): the bytes of a ten-line statement PDF with its embedded
 * subset font, against the whole font file it was cut from; and what the statement worker ships
 * beside its bundle (the font's two faces and fontkit, afterBundlingCommands in infra/bundling.ts),
 * measured by running those commands into a temporary directory.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { FONT_PACKAGE_DIR, STATEMENT_FONT_DIR, STATEMENT_FONT_FILES } from '#shared/render/pdf-font.ts';
import { describeStatement } from '#shared/render/statement-content.ts';
import { renderStatementPdf } from '#shared/render/statement-pdf.ts';
import { tenLineStatement } from '#test/support/statements.ts';
import { PROJECT_ROOT } from '../infra/bundles.ts';
import { afterBundlingCommands } from '../infra/bundling.ts';
import { type Row, ratio } from './lib/setup.ts';

const run = promisify(execFile);

/** A ten-line statement (opening, eight invoices, closing) for a Polish customer. */
async function tenLinePdf(): Promise<Uint8Array> {
  const statement = await tenLineStatement();
  const content = describeStatement(statement, {
    company: 'Demo Trading Ltd',
    customerCode: '101',
    customerName: 'Łódź Trading Sp. z o.o.',
    contactName: 'Zofia Wójcik',
    currency: 'PLN',
    locale: 'pl-PL',
  });
  if (content.rows.length !== 10) throw new Error(`expected 10 lines, got ${content.rows.length}`);
  return renderStatementPdf(content, { company: 'Demo Trading Ltd', subtitle: content.tokens.STATEMENTDATE });
}

export async function benchPdfSize(): Promise<Row[]> {
  const pdf = await tenLinePdf();
  const fontFile = createRequire(import.meta.url).resolve(
    `${FONT_PACKAGE_DIR}/${STATEMENT_FONT_FILES.regular}`,
  );
  const fontBytes = (await stat(fontFile)).size;

  const outDir = await mkdtemp(path.join(tmpdir(), 'bench-beside-'));
  let besideBytes = 0;
  const files: string[] = [];
  try {
    for (const command of afterBundlingCommands('statement-worker', PROJECT_ROOT, outDir)) {
      await run('bash', ['-c', command], { cwd: PROJECT_ROOT });
    }
    for (const file of await readdir(path.join(outDir, STATEMENT_FONT_DIR))) {
      const bytes = (await stat(path.join(outDir, STATEMENT_FONT_DIR, file))).size;
      besideBytes += bytes;
      files.push(`${file} ${Math.round(bytes / 1024)}K`);
    }
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
  return [
    {
      name: 'pdf.size.10',
      measure: 'KB, ten-line statement with its subset font, against the regular face it was cut from',
      ours: (pdf.byteLength / 1024).toFixed(1),
      baseline: (fontBytes / 1024).toFixed(0),
      ratio: ratio(pdf.byteLength, fontBytes),
      goal: '<= 80 KB',
      met: pdf.byteLength <= 80 * 1024,
    },
    {
      name: 'bundle.beside.statement-worker',
      measure: `KB in ${STATEMENT_FONT_DIR}/ beside index.mjs, read on first use: ${files.sort().join(', ')}`,
      ours: (besideBytes / 1024).toFixed(0),
      baseline: '-',
      ratio: '-',
      goal: '(reported)',
      met: undefined,
    },
  ];
}
