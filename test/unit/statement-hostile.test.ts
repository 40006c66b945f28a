/**
 * A hostile source of customer and tenant data against the statement document: every free text
 * at the longest the ledger API accepts, as one unbroken word or as many, in the PDF (nothing
 * overlaps or crosses a margin, the page count stays sane, qpdf passes) and the HTML.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeStatement } from '#shared/domain/statement.ts';
import { describeStatement, type StatementParties } from '#shared/render/statement-content.ts';
import { statementEmailHtml, statementEmailText } from '#shared/render/statement-html.ts';
import { renderStatementPdf } from '#shared/render/statement-pdf.ts';
import { StatementSettingsSchema } from '#shared/schemas/ledger-records.ts';
import { layoutProblems, pdfPlacedText } from '../support/pdf-text.ts';

const run = promisify(execFile);

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'statement-hostile-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** `length` characters of text: one unbroken word, or words of five letters. */
const text = (length: number, words: boolean) =>
  words
    ? 'Wörds '
        .repeat(Math.ceil(length / 6))
        .slice(0, length)
        .trim()
    : 'W'.repeat(length);

/** Every text of the tenant and the customer at the longest the ledger API takes (1,000; 100 for short fields). */
function longestParties(words: boolean): StatementParties {
  const name = text(1_000, words);
  const short = text(100, words);
  const address = {
    Line1: name,
    Line2: name,
    Line3: name,
    Town: name,
    County: name,
    PostCode: short,
    CountryCode: 'GB',
  };
  return {
    company: name,
    customerCode: 'C'.repeat(64),
    customerName: name,
    contactName: name,
    currency: 'GBP',
    locale: 'en-GB',
    tenant: {
      address,
      vatNumber: short,
      companyNumber: short,
      phone: short,
      website: short,
      email: `${'a'.repeat(64)}@${'b'.repeat(63)}.example`,
      paymentInstructions: text(2_000, words),
      paymentLink: `https://pay.example/${'p'.repeat(1_900)}?c={CustomerCode}`,
    },
    billingAddress: address,
  };
}

describe('the statement PDF with every text at its longest', () => {
  it.each([
    ['one unbroken word', false],
    ['many words', true],
  ])(
    'keeps each block on its page when every name and address line is 1,000 characters of %s: nothing overlaps, a one-invoice statement is at most 3 pages',
    async (name, words) => {
      const statement = await computeStatement(
        { start: '2026-01-01', end: '2026-03-31', filterAll: false, excludePaid: false },
        {
          invoices: [{ number: 1, issuedDate: '2026-01-05', dueDate: '2026-02-04', totalMinor: 10_000 }],
          creditNotes: [],
          payments: [],
        },
        '2026-04-15',
      );

      const pdf = await renderStatementPdf(describeStatement(statement, longestParties(words)));

      const { placed, pages } = await pdfPlacedText(pdf);
      expect(await layoutProblems(placed)).toEqual([]);
      expect(pages).toBeLessThanOrEqual(3);
      // The names are cut where a page repeats them, never dropped: each starts as written.
      const page1 = placed.filter((item) => item.page === 1).map((item) => item.text);
      expect(page1.some((line) => line.startsWith(text(20, words)))).toBe(true);
      expect(page1.some((line) => line.endsWith('…'))).toBe(true);
      const file = path.join(directory, `${name}.pdf`);
      await writeFile(file, pdf);
      await expect(run('qpdf', ['--check', file])).resolves.toBeDefined();
    },
    60_000,
  );
});

const oneInvoice = () =>
  computeStatement(
    { start: '2026-01-01', end: '2026-03-31', filterAll: false, excludePaid: false },
    {
      invoices: [{ number: 1, issuedDate: '2026-01-05', dueDate: '2026-02-04', totalMinor: 10_000 }],
      creditNotes: [],
      payments: [],
    },
    '2026-04-15',
  );

describe('a payment link whose placeholders a hostile value fills', () => {
  const settings = (PaymentLink: string) =>
    StatementSettingsSchema.safeParse({
      CompanyName: 'Demo',
      TimeZone: 'Europe/London',
      Currency: 'GBP',
      PaymentLink,
    });
  const HOST_RULE =
    'PaymentLink: must have its placeholders after the host (in the path, query or fragment), so that no value filled in changes where it goes';

  it.each([
    'https://{CustomerCode}.pay.example/s',
    'https://{CustomerCode}/s',
    'https://pay.example{CustomerCode}/s',
    'https://{CustomerCode}@pay.example/s',
    'https://pay-{Currency}.example/s',
  ])('refuses %s, whose host a customer code or another value would choose', (link) => {
    const result = settings(link);
    expect(
      result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    ).toEqual([HOST_RULE]);
  });

  it.each([
    'https://pay.example/{CustomerCode}?a={Amount}&c={Currency}#{StatementDate}',
    'https://pay.example:8443/s/{CustomerCode}',
  ])('accepts %s, its placeholders after the host', (link) => {
    expect(settings(link).success).toBe(true);
  });

  it('does not link a stored link with a placeholder in its host, whatever the customer code', async () => {
    const parties: StatementParties = {
      company: 'Demo',
      customerCode: 'evil.example',
      customerName: 'Acme',
      contactName: undefined,
      currency: 'GBP',
      locale: 'en-GB',
      tenant: { paymentLink: 'https://{CustomerCode}/pay', paymentInstructions: 'Bank transfer' },
    };

    const content = describeStatement(await oneInvoice(), parties);

    expect(content.document.howToPay).toEqual({ instructions: ['Bank transfer'], link: undefined });
    expect(content.tokens.PAYONLINE).toBe('');
    const html = statementEmailHtml(content, { subject: 's', locale: 'en-GB', html: '<p>Hello</p>' });
    expect(html).not.toContain('evil.example/pay');
    expect(statementEmailText(content, { text: 'Hello' })).not.toContain('evil.example/pay');
  });
});
