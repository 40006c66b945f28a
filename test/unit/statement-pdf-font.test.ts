import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FONT_PACKAGE_DIR, STATEMENT_FONT_FILES } from '#shared/render/pdf-font.ts';
import { describeStatement, type StatementParties } from '#shared/render/statement-content.ts';
import { renderStatementPdf } from '#shared/render/statement-pdf.ts';
import { pdfText } from '../support/pdf-text.ts';
import { tenLineStatement } from '../support/statements.ts';

const run = promisify(execFile);

const parties = (customerName: string): StatementParties => ({
  company: 'Demo Trading Ltd',
  customerCode: '101',
  customerName,
  contactName: undefined,
  currency: 'EUR',
  locale: 'en-GB',
});

/** The shared ten-line statement (test/support/statements.ts) for this customer, as a PDF. */
async function tenLinePdf(customerName: string): Promise<Uint8Array> {
  const statement = await tenLineStatement();
  const content = describeStatement(statement, parties(customerName));
  expect(content.rows).toHaveLength(10);
  return renderStatementPdf(content, { company: 'Demo Trading Ltd', subtitle: customerName });
}

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'statement-pdf-font-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** The PDF's text as poppler's pdftotext extracts it: what a reader copies or searches. */
async function pdftotext(pdf: Uint8Array, name: string): Promise<string> {
  const file = path.join(directory, `${name}.pdf`);
  await writeFile(file, pdf);
  return (await run('pdftotext', ['-enc', 'UTF-8', file, '-'])).stdout;
}

/** qpdf's structural check of the PDF: its exit code and what it printed. */
async function qpdfCheck(pdf: Uint8Array, name: string): Promise<{ code: number; output: string }> {
  const file = path.join(directory, `${name}-check.pdf`);
  await writeFile(file, pdf);
  try {
    const { stdout, stderr } = await run('qpdf', ['--check', file]);
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

describe('renderStatementPdf with customers in every script', () => {
  it.each([
    ['Polish', 'Łódź Trading Sp. z o.o.'],
    ['Greek', 'Αθηναϊκή Εμπορική Α.Ε.'],
    ['Cyrillic', 'ООО «Ромашка»'],
    ['Czech, typed with combining accents', 'Dvořák a synové s.r.o.'.normalize('NFD')],
  ])(
    'prints a %s name as written, extractable by pdftotext and by its ToUnicode map',
    async (script, name) => {
      const pdf = await tenLinePdf(name);

      const extracted = await pdftotext(pdf, script.replace(/\W+/g, '-'));
      expect(extracted).toContain(name.normalize('NFC'));
      expect(extracted).toContain('Statement of account for');
      expect(extracted).not.toContain('?');
      const { text } = await pdfText(pdf);
      expect(text).toContain(name.normalize('NFC'));
      expect((await qpdfCheck(pdf, script.replace(/\W+/g, '-'))).code).toBe(0);
    },
  );

  it('replaces only the characters the font lacks (CJK, emoji) with "?", and still renders', async () => {
    const name = '東京 Trading 🙂️ Ltd';

    const pdf = await tenLinePdf(name);

    const extracted = await pdftotext(pdf, 'cjk');
    expect(extracted).toContain('?? Trading ? Ltd');
    const { text } = await pdfText(pdf);
    expect(text).toContain('?? Trading ? Ltd');
    expect((await qpdfCheck(pdf, 'cjk')).code).toBe(0);
  });

  it('embeds a subset of the font, so a ten-line statement is under 80 KB', async () => {
    const fontBytes = (
      await readFile(
        createRequire(import.meta.url).resolve(`${FONT_PACKAGE_DIR}/${STATEMENT_FONT_FILES.regular}`),
      )
    ).byteLength;

    const pdf = await tenLinePdf('Łódź Trading Sp. z o.o.');

    expect(pdf.byteLength).toBeLessThan(80 * 1024);
    expect(pdf.byteLength).toBeLessThan(fontBytes / 10);
    const file = path.join(directory, 'ten-lines.pdf');
    await writeFile(file, pdf);
    const fonts = (await run('pdffonts', [file])).stdout;
    // Both faces embedded (emb) with a ToUnicode map (uni), as CID TrueType: the subset pdf-lib wrote.
    expect(fonts).toMatch(/^DejaVuSansCondensed-\d+\s+CID TrueType\s+Identity-H\s+yes\s+\w+\s+yes\s/m);
    expect(fonts).toMatch(/^DejaVuSansCondensed-Bold-\d+\s+CID TrueType\s+Identity-H\s+yes\s+\w+\s+yes\s/m);
  });
});
