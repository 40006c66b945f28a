/**
 * The sample statement message (HTML, text and the PDF, exactly as composed for SES) scored by
 * Debian's SpamAssassin with its local tests only (`-L`: no DNS, no network), as a receiving
 * server's filter would before its network checks (SPF, DKIM) add their own.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { composeStatementEmail } from '#shared/render/statement-email.ts';
import { renderStatementPdf } from '#shared/render/statement-pdf.ts';
import { sampleComposeInput } from '../../infra/sample-statement.ts';

/** The score and rules SpamAssassin gives a message, read from the X-Spam-Status header it adds. */
function spamStatus(raw: Buffer): { score: number; tests: string[]; report: string } {
  const run = spawnSync('spamassassin', ['--local', '--test-mode'], { input: raw, encoding: 'utf8' });
  if (run.error !== undefined) throw run.error;
  const output = run.stdout.replace(/\r\n/g, '\n');
  const status = /^X-Spam-Status: (.*(?:\n[ \t].*)*)/m.exec(output)?.[1]?.replace(/\s+/g, ' ') ?? '';
  const score = /score=(-?[\d.]+)/.exec(status)?.[1];
  if (score === undefined) throw new Error(`No X-Spam-Status in SpamAssassin's output: ${run.stderr}`);
  return {
    score: Number(score),
    tests: (/tests=(\S*)/.exec(status)?.[1] ?? '').split(',').filter(Boolean),
    report: output.slice(output.indexOf('Content analysis details')),
  };
}

describe('the sample statement message in SpamAssassin', () => {
  it('scores under 1.0', async () => {
    const email = await composeStatementEmail({
      ...(await sampleComposeInput()),
      renderPdf: renderStatementPdf,
    });

    const { score, tests, report } = spamStatus(email.raw);

    expect(score, report).toBeLessThan(1.0);
    // No rule about the HTML itself: text hidden by colour, an HTML-only body, a bad MIME structure.
    expect(tests.filter((test) => /HTML|MIME|MPART/.test(test) && test !== 'HTML_MESSAGE')).toEqual([]);
  });
});
