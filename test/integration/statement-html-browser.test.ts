/**
 * The statement email's HTML in a real browser: Debian's Chromium (`apt-get install chromium`,
 * never a browser download) driven by playwright-core, at a phone's width (375 px) and a
 * desktop's (900 px). Screenshots of both are kept in test/artifacts/ (not committed).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeStatement } from '#shared/render/statement-content.ts';
import { composeStatementEmail } from '#shared/render/statement-email.ts';
import { statementEmailHtml } from '#shared/render/statement-html.ts';
import { SAMPLE_LOGO_FILE, SAMPLE_TENANT, sampleComposeInput } from '../../infra/sample-statement.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = new URL('../artifacts/', import.meta.url).pathname;
/** An iPhone SE's screen, and a desktop mail client's reading pane. */
const PHONE = { width: 375, height: 667 };
const DESKTOP = { width: 900, height: 900 };

/** A long Greek company name, with a word longer than a phone's screen. */
const GREEK_NAME =
  'Αθηναϊκή Εμπορική και Βιομηχανική Εταιρεία Δομικών Υλικών Α.Ε. Ηλεκτρομηχανολογικοκατασκευαστικοεμπορική';
const PAYMENT_LINK = 'https://pay.northgate.example/statement?account=ATH-7&amount=23619.34&currency=GBP';

let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM });
});

afterAll(async () => {
  await browser?.close();
});

/** The sample statement email (80 lines, summary, payment link) for a Greek customer, as sent. */
async function sampleEmail() {
  const input = await sampleComposeInput({
    code: 'ATH-7',
    name: GREEK_NAME,
    contactName: 'Ελένη Παπαδοπούλου',
  });
  const parsed = await simpleParser((await composeStatementEmail(input)).raw);
  const content = describeStatement(input.statement, {
    company: input.tenant.name,
    customerCode: input.customer.code,
    customerName: input.customer.name,
    contactName: input.customer.contactName,
    currency: input.tenant.currency,
    locale: 'en-GB',
  });
  if (typeof parsed.html !== 'string') throw new Error('no HTML part');
  return { html: parsed.html, content };
}

/** Opens the HTML at a viewport, counting every request the page tries to make (and refusing it). */
async function open(html: string, viewport: { width: number; height: number }) {
  const page = await browser.newPage({ viewport });
  // A missing element fails the test at once instead of waiting out playwright's 30 s.
  page.setDefaultTimeout(2_000);
  const requests: string[] = [];
  await page.route('**/*', async (route) => {
    requests.push(route.request().url());
    await route.abort();
  });
  await page.setContent(html, { waitUntil: 'load' });
  return { page, requests };
}

/**
 * Runs an expression in the page and returns its value. Written as text: the project compiles
 * without the DOM's types, which are the browser's, not Node's.
 */
async function inPage<T>(page: Page, expression: string): Promise<T> {
  return (await page.evaluate(expression)) as T;
}

/** How far the page scrolls sideways: 0 when nothing is wider than the window. */
const pageOverflow = (page: Page) =>
  inPage<number>(page, 'document.scrollingElement.scrollWidth - window.innerWidth');

/** The font size of every shown element that has text of its own, in CSS pixels. */
const textSizes = (page: Page) =>
  inPage<{ text: string; size: number }[]>(
    page,
    `[...document.body.querySelectorAll('*')]
      .filter((element) => [...element.childNodes].some((node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim()))
      .filter((element) => element.getClientRects().length > 0)
      .map((element) => ({ text: element.textContent.trim().slice(0, 30), size: parseFloat(getComputedStyle(element).fontSize) }))`,
  );

/** Something of each shown cell of the ledger's row that holds `text` (an invoice number). */
const rowCells = <T>(page: Page, text: string, of: string) =>
  inPage<T[]>(
    page,
    `[...[...document.querySelectorAll('table.lg tr')].find((row) => row.textContent.includes(${JSON.stringify(text)})).querySelectorAll('td')]
      .filter((cell) => cell.getClientRects().length > 0)
      .map((cell) => ${of})`,
  );

/** Every shown ledger cell's right edge: none may lie beyond the window. */
const ledgerRightEdges = (page: Page) =>
  inPage<number[]>(
    page,
    `[...document.querySelectorAll('table.lg td')]
      .filter((cell) => cell.getClientRects().length > 0)
      .map((cell) => cell.getBoundingClientRect().right)`,
  );

describe('the statement email in Chromium', () => {
  it.each([
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ])(
    'reads on a %s: no sideways scrolling, the amount due and Pay now on the first screen, legible, nothing loaded',
    async (name, viewport) => {
      const { html, content } = await sampleEmail();
      const { page, requests } = await open(html, viewport);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: `${ARTIFACTS}statement-html-${viewport.width}.png`, fullPage: true });

      expect(await pageOverflow(page), `${name}: the page scrolls sideways`).toBeLessThanOrEqual(0);
      for (const right of await ledgerRightEdges(page)) expect(right).toBeLessThanOrEqual(viewport.width);

      const amountDue = page.locator('xpath=//div[text()="Amount due"]/following-sibling::div[1]');
      expect(await amountDue.textContent()).toBe(content.document.amountDue.value);
      const payNow = page.getByRole('link', { name: 'Pay now', exact: true });
      expect(await payNow.getAttribute('href')).toBe(PAYMENT_LINK);
      for (const element of [amountDue, payNow]) {
        const box = await element.boundingBox();
        expect(box).not.toBeNull();
        expect((box?.y ?? 0) + (box?.height ?? 0)).toBeLessThanOrEqual(viewport.height);
        expect(box?.x).toBeGreaterThanOrEqual(0);
      }

      // Every figure of the table is shown, and the Greek name as written.
      const shown = await page.locator('body').innerText();
      for (const row of content.rows)
        for (const figure of [row.date, row.debit, row.credit, row.balance])
          if (figure) expect(shown).toContain(figure);
      expect(shown).toContain(GREEK_NAME);

      for (const { text, size } of await textSizes(page))
        expect(size, `"${text}" at ${viewport.width} px`).toBeGreaterThanOrEqual(13);
      expect(requests).toEqual([]);
      await page.close();
    },
  );

  it('stacks each ledger row on a phone, every figure captioned with its column', async () => {
    const { html } = await sampleEmail();
    const { page } = await open(html, PHONE);

    const captions = await rowCells<string>(page, '4104', "getComputedStyle(cell, '::before').content");
    // The empty Credit cell is not shown.
    expect(captions).toEqual(['none', 'none', 'none', '"Due "', '"Debit "', '"Balance "']);
    // Two lines: date, type, invoice and amount, then due date and balance.
    const tops = await rowCells<number>(page, '4104', 'Math.round(cell.getBoundingClientRect().top)');
    expect(new Set(tops).size).toBe(2);
    expect(await page.locator('table.lg thead').isVisible()).toBe(false);
    await page.close();
  });

  it('reads without the narrow-screen rules too: the table scrolls in its own box, never the page', async () => {
    const { html } = await sampleEmail();
    const { page } = await open(html.replace(/<style>[\s\S]*?<\/style>/, ''), PHONE);

    expect(await pageOverflow(page)).toBeLessThanOrEqual(0);
    const box = await inPage<{ scrollWidth: number; clientWidth: number; right: number }>(
      page,
      `(({ scrollWidth, clientWidth }, { right }) => ({ scrollWidth, clientWidth, right }))(
        document.querySelector('table.lg').parentElement, document.querySelector('table.lg').parentElement.getBoundingClientRect())`,
    );
    expect(box.scrollWidth).toBeGreaterThan(box.clientWidth);
    expect(box.right).toBeLessThanOrEqual(PHONE.width);
    for (const { text, size } of await textSizes(page)) expect(size, text).toBeGreaterThanOrEqual(13);
    await page.close();
  });

  it('shows the logo from the source it is given, still loading nothing', async () => {
    const input = await sampleComposeInput();
    const content = describeStatement(input.statement, {
      company: SAMPLE_TENANT.name,
      customerCode: input.customer.code,
      customerName: input.customer.name,
      contactName: input.customer.contactName,
      currency: SAMPLE_TENANT.currency,
      locale: 'en-GB',
    });
    const logoSrc = `data:image/png;base64,${readFileSync(SAMPLE_LOGO_FILE).toString('base64')}`;
    const html = statementEmailHtml(content, {
      subject: 'Statement',
      locale: 'en-GB',
      html: '<p>Hello</p>',
      logoSrc,
    });
    const { page, requests } = await open(html, PHONE);

    expect(await page.getByRole('img', { name: SAMPLE_TENANT.name }).isVisible()).toBe(true);
    expect(await inPage(page, `[document.images[0].naturalWidth, document.images[0].height]`)).toEqual([
      360, 48,
    ]);
    expect(requests).toEqual([]);
    await page.close();
  });
});
