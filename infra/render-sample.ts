/**
 * `npm run render:sample`: renders the sample statement (infra/sample-statement.ts) in memory, with
 * no AWS and no emulator, through the worker's own composeStatementEmail and renderStatementPdf,
 * and writes what its recipient gets to docs/statement-sample/: the message (statement.eml), its
 * HTML and text parts, the PDF, the PDF's pages as pictures (Debian's poppler-utils, pdftoppm at
 * 60 dpi) and the HTML at 375 and 900 px wide (Debian's Chromium, driven by playwright-core),
 * made small by Debian's pngquant. The PDF must pass `qpdf --check`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { chromium } from 'playwright-core';
import { composeStatementEmail } from '#shared/render/statement-email.ts';
import { renderStatementPdf } from '#shared/render/statement-pdf.ts';
import { TERMINAL } from './cli.ts';
import { sampleComposeInput } from './sample-statement.ts';

const OUT = new URL('../docs/statement-sample/', import.meta.url).pathname;
const DOC = new URL('../docs/statement.md', import.meta.url);
/** Debian's Chromium (`apt-get install chromium`): playwright never downloads a browser here. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

async function main(): Promise<void> {
  const email = await composeStatementEmail({
    ...(await sampleComposeInput()),
    renderPdf: renderStatementPdf,
  });
  const parsed = await simpleParser(email.raw);
  const pdf = parsed.attachments.find((attachment) => attachment.contentType === 'application/pdf');
  if (pdf === undefined || typeof parsed.html !== 'string')
    throw new Error('The sample has no PDF or no HTML part');
  // An inline image (cid:) shown from the message itself, so that a browser opening the file sees it too.
  let html = parsed.html;
  for (const attachment of parsed.attachments) {
    if (attachment.cid === undefined) continue;
    const data = `data:${attachment.contentType};base64,${attachment.content.toString('base64')}`;
    html = html.replaceAll(`cid:${attachment.cid}`, data);
  }

  await mkdir(OUT, { recursive: true });
  for (const file of await readdir(OUT))
    if (/\.(png|pdf|html|txt|eml)$/.test(file)) await rm(join(OUT, file));
  await writeFile(join(OUT, 'statement.eml'), email.raw);
  await writeFile(join(OUT, 'statement.html'), html);
  await writeFile(join(OUT, 'statement.txt'), parsed.text ?? '');
  await writeFile(join(OUT, 'statement.pdf'), pdf.content);
  execFileSync('qpdf', ['--check', join(OUT, 'statement.pdf')], { stdio: 'ignore' });
  execFileSync('pdftoppm', ['-r', '60', '-png', join(OUT, 'statement.pdf'), join(OUT, 'page')]);

  const browser = await chromium.launch({ executablePath: CHROMIUM });
  try {
    for (const width of [375, 900]) {
      const page = await browser.newPage({ viewport: { width, height: width === 375 ? 667 : 900 } });
      // The email loads nothing; a request would be a bug, so none is let out.
      await page.route('**/*', (route) => route.abort());
      await page.setContent(html);
      await page.screenshot({ path: join(OUT, `html-${width}.png`), fullPage: true });
      await page.close();
    }
  } finally {
    await browser.close();
  }
  // The pictures are committed: a palette (Debian's pngquant) keeps them a third of their size.
  const pictures = (await readdir(OUT))
    .filter((file) => file.endsWith('.png'))
    .map((file) => join(OUT, file));
  execFileSync('pngquant', [
    '--force',
    '--ext',
    '.png',
    '--speed',
    '1',
    '--strip',
    '--quality',
    '50-85',
    ...pictures,
  ]);
  const files = (await readdir(OUT)).sort();
  // docs/statement.md shows each page by name: say so when the PDF has more or fewer pages now.
  const pages = files.filter((file) => /^page-\d+\.png$/.test(file));
  const shown = new Set(readFileSync(DOC, 'utf8').match(/statement-sample\/page-\d+\.png/g) ?? []);
  if (pages.length !== shown.size || pages.some((page) => !shown.has(`statement-sample/${page}`)))
    TERMINAL.err(
      `The PDF has ${pages.length} pages; update the pictures of docs/statement.md's Sample section`,
    );
  TERMINAL.out(
    `${email.lineCount} lines, ${email.bytes} bytes of message; wrote ${OUT}: ${files.join(', ')}`,
  );
}

await main();
