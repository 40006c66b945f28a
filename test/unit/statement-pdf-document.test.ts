import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { PDFDict, PDFDocument, PDFName, rgb } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { minorDigits, toDecimalText } from '#shared/domain/money.ts';
import { computeStatement, type Ledger, type Statement } from '#shared/domain/statement.ts';
import type { StatementPeriod } from '#shared/domain/statement-period.ts';
import { labelsFor, STATEMENT_LANGUAGES } from '#shared/render/labels.ts';
import {
  describeStatement,
  type StatementContent,
  type StatementLogo,
  type StatementParties,
  type TenantDetails,
} from '#shared/render/statement-content.ts';
import { renderStatementPdf } from '#shared/render/statement-pdf.ts';
import { layoutProblems, type PlacedText, pdfLinks, pdfPlacedText } from '../support/pdf-text.ts';
import { png } from '../support/png.ts';

const run = promisify(execFile);

const PERIOD: StatementPeriod = {
  start: '2026-01-01',
  end: '2026-03-31',
  filterAll: false,
  excludePaid: false,
};
const AS_OF = '2026-04-15';

const TENANT: TenantDetails = {
  address: {
    Line1: '1 High Street',
    Line2: 'Clerkenwell',
    Town: 'London',
    PostCode: 'EC1A 1AA',
    CountryCode: 'GB',
  },
  vatNumber: 'GB123456789',
  companyNumber: '01234567',
  phone: '020 7946 0000',
  email: 'accounts@demo.example',
  website: 'www.demo.example',
  paymentInstructions:
    'Bank transfer to Demo Trading Ltd\nSort code 12-34-56, account 12345678\n\nQuote your account number.',
  paymentLink: 'https://pay.demo.example/statements/{CustomerCode}?amount={Amount}&currency={Currency}',
};

const parties = (overrides: Partial<StatementParties> = {}): StatementParties => ({
  company: 'Demo Trading Ltd',
  customerCode: '101',
  customerName: 'Acme Ltd',
  contactName: 'Ann Smith',
  currency: 'GBP',
  locale: 'en-GB',
  tenant: TENANT,
  billingAddress: { Line1: '22 Dock Road', Town: 'Leeds', PostCode: 'LS1 4AP', CountryCode: 'GB' },
  ...overrides,
});

/**
 * A ledger of `invoices` invoices over the first quarter of 2026 (numbers from 100001, due 30
 * days after issue), two invoices before it (the opening balance), a credit note, a payment of
 * the first invoice and a payment on account: every kind of line the summary adds up.
 */
function ledger(invoices: number): Ledger {
  const dated = (index: number) => {
    const day = new Date(
      Date.UTC(2026, 0, 1) + Math.floor((index * 89) / Math.max(invoices, 1)) * 86_400_000,
    );
    return day.toISOString().slice(0, 10);
  };
  const due = (iso: string) => new Date(Date.parse(iso) + 30 * 86_400_000).toISOString().slice(0, 10);
  return {
    invoices: [
      { number: 900, issuedDate: '2025-11-02', dueDate: '2025-12-02', totalMinor: 40_000 },
      { number: 901, issuedDate: '2025-12-10', dueDate: '2026-01-09', totalMinor: 25_050 },
      ...Array.from({ length: invoices }, (_, index) => ({
        number: 100_001 + index,
        issuedDate: dated(index),
        dueDate: due(dated(index)),
        totalMinor: 10_000 + ((index * 7919) % 90_000),
      })),
    ],
    creditNotes: [{ number: 5, issuedDate: '2026-02-03', totalMinor: 2_500 }],
    payments: [
      { number: 1, invoiceNumber: 900, date: '2026-01-20', amountMinor: 40_000 },
      { number: 2, date: '2026-03-01', amountMinor: 10_000 },
    ],
  };
}

function statementOf(invoices: number, type: 'activity' | 'outstanding' = 'activity'): Promise<Statement> {
  return computeStatement({ ...PERIOD, statementType: type }, ledger(invoices), AS_OF);
}

/** en-GB pounds back to pence: `-£1,234.56` → -123456. */
function pence(text: string): number {
  expect(text).toMatch(/^-?£[\d,]+\.\d\d$/);
  return (text.startsWith('-') ? -1 : 1) * Number(text.replace(/[^\d]/g, ''));
}

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'statement-pdf-document-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function file(pdf: Uint8Array, name: string): Promise<string> {
  const target = path.join(directory, `${name}.pdf`);
  await writeFile(target, pdf);
  return target;
}

/** The PDF rendered from the content, its texts as placed, and its links. */
async function render(content: StatementContent) {
  const pdf = await renderStatementPdf(content, { company: 'ignored', subtitle: 'ignored' });
  const { pages, placed } = await pdfPlacedText(pdf);
  return { pdf, pages, placed, links: await pdfLinks(pdf) };
}

/** The texts on a page's line (the same baseline), left to right. */
function lineOf(placed: PlacedText[], anchor: PlacedText): PlacedText[] {
  return placed
    .filter((text) => text.page === anchor.page && Math.abs(text.y - anchor.y) < 0.01)
    .sort((a, b) => a.x - b.x);
}

/** The one text drawn as `text` (on `page` if given); fails if there is not exactly one. */
function only(placed: PlacedText[], text: string, page?: number): PlacedText {
  const found = placed.filter((item) => item.text === text && (page === undefined || item.page === page));
  expect(found, `"${text}" drawn once`).toHaveLength(1);
  return found[0] as PlacedText;
}

/** The figure drawn to the right of a caption, on its line: of the caption's first drawing on the page. */
function valueBeside(placed: PlacedText[], caption: string, page = 1): string {
  const label = placed.find((text) => text.text === caption && text.page === page);
  expect(label, `"${caption}" on page ${page}`).toBeDefined();
  const right = lineOf(placed, label as PlacedText).filter((text) => text.x > (label?.x ?? 0));
  expect(right.length, `a value beside "${caption}"`).toBeGreaterThan(0);
  return right[0]?.text ?? '';
}

/** Page 1's texts split where the letterhead packs its contact and registration items (` · `). */
function letterheadItems(placed: PlacedText[]): string[] {
  return placed.filter((text) => text.page === 1).flatMap((text) => text.text.split(' · '));
}

/** The table's rows as drawn: each line of texts on one baseline, left to right, joined by " | ". */
function drawnLines(placed: PlacedText[]): { page: number; y: number; text: string }[] {
  const lines = new Map<string, PlacedText[]>();
  for (const text of placed) {
    const key = `${text.page}:${text.y.toFixed(2)}`;
    lines.set(key, [...(lines.get(key) ?? []), text]);
  }
  return [...lines.values()].map((texts) => ({
    page: texts[0]?.page ?? 0,
    y: texts[0]?.y ?? 0,
    text: texts
      .sort((a, b) => a.x - b.x)
      .map(({ text }) => text)
      .join(' | '),
  }));
}

const rowText = (row: StatementContent['rows'][number]) =>
  [row.date, row.type, row.reference, row.due, row.debit, row.credit, row.balance]
    .filter(Boolean)
    .join(' | ');

/** Each content row is drawn exactly once; returns the page each was drawn on, in order. */
function expectEveryRowOnce(content: StatementContent, placed: PlacedText[]): number[] {
  const lines = drawnLines(placed);
  return content.rows.map((row) => {
    const matches = lines.filter((line) => line.text === rowText(row));
    const wanted = content.rows.filter((other) => rowText(other) === rowText(row)).length;
    expect(matches, rowText(row)).toHaveLength(wanted);
    return matches[0]?.page ?? 0;
  });
}

/** No two texts on a page overlap, and every text is within the page's margins. */
async function expectNothingOverlaps(placed: PlacedText[]): Promise<void> {
  expect(await layoutProblems(placed)).toEqual([]);
}

// --- Image fixtures: a PNG built here (zlib), a JPEG made by poppler from a PDF drawn here. ---

/** A 200 x 80 px logo: a blue square and a grey bar on transparency. */
const pngLogo = (): StatementLogo => ({
  contentType: 'image/png',
  bytes: png(200, 80, {
    pixel: (x, y) => (x < 80 ? [26, 69, 115, 255] : y > 30 && y < 50 ? [90, 90, 90, 255] : [0, 0, 0, 0]),
  }),
});

/** A JPEG of 160 x 48 px: a PDF page drawn with pdf-lib, rasterised by poppler's pdftoppm. */
async function jpegLogo(): Promise<StatementLogo> {
  const drawing = await PDFDocument.create();
  const page = drawing.addPage([400, 120]);
  page.drawRectangle({ x: 0, y: 0, width: 400, height: 120, color: rgb(1, 1, 1) });
  page.drawRectangle({ x: 10, y: 10, width: 100, height: 100, color: rgb(0.8, 0.2, 0.1) });
  const source = await file(await drawing.save(), 'jpeg-source');
  const target = path.join(directory, 'logo');
  await run('pdftoppm', ['-jpeg', '-singlefile', '-scale-to-x', '160', '-scale-to-y', '48', source, target]);
  return { contentType: 'image/jpeg', bytes: await readFile(`${target}.jpg`) };
}

/** poppler's list of the images a PDF draws: type (image, smask), size and encoding of each. */
async function images(pdf: Uint8Array, name: string) {
  const { stdout } = await run('pdfimages', ['-list', await file(pdf, name)]);
  return stdout
    .split('\n')
    .slice(2)
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [page, , type, width, height, , , , encoding] = line.trim().split(/\s+/);
      return { page: Number(page), type, width: Number(width), height: Number(height), encoding };
    });
}

/** The size an image is drawn at on page 1: the scale (`w 0 0 h 0 0 cm`) pdf-lib sets just before its `Do`. */
async function drawnImageSize(pdf: Uint8Array): Promise<{ width: number; height: number }> {
  const { stdout } = await run(
    'qpdf',
    ['--qdf', '--object-streams=disable', await file(pdf, 'qdf-in'), '-'],
    {
      encoding: 'latin1',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const lines = stdout.split('\n');
  const drawn = lines.findIndex((line) => /^\/Image-\d+ Do$/.test(line));
  expect(drawn, 'an image drawn on the page').toBeGreaterThan(0);
  const [scale] = lines
    .slice(Math.max(0, drawn - 5), drawn)
    .map((line) => /^([\d.]+) 0 0 ([\d.]+) 0 0 cm$/.exec(line))
    .filter((match) => match !== null && !(match[1] === '1' && match[2] === '1'));
  return { width: Number(scale?.[1]), height: Number(scale?.[2]) };
}

async function qpdfCheck(pdf: Uint8Array, name: string): Promise<number> {
  try {
    await run('qpdf', ['--check', await file(pdf, name)]);
    return 0;
  } catch (error) {
    return (error as { code?: number }).code ?? -1;
  }
}

describe('the statement PDF: page 1', () => {
  it('prints the letterhead, the customer block and the facts', async () => {
    const statement = await statementOf(12);
    const content = describeStatement(statement, parties());
    const { placed } = await render(content);
    const page1 = (text: string) => placed.filter((item) => item.page === 1 && item.text === text);

    // A line each: the names, the addresses.
    for (const line of [
      'Demo Trading Ltd',
      '1 High Street',
      'Clerkenwell',
      'London',
      'EC1A 1AA',
      'United Kingdom',
      'Statement',
      'Acme Ltd',
      '22 Dock Road',
      'Leeds',
      'LS1 4AP',
    ]) {
      expect(page1(line).length, line).toBeGreaterThan(0);
    }
    // The contact details on as few lines as fit, and the registration numbers.
    const items = letterheadItems(placed);
    for (const item of [
      'Tel 020 7946 0000',
      'accounts@demo.example',
      'www.demo.example',
      'VAT number GB123456789',
      'Company number 01234567',
    ])
      expect(items, item).toContain(item);
    // On as few lines as fit: the three contact details on two, the registration numbers on one.
    expect(page1('VAT number GB123456789 · Company number 01234567')).toHaveLength(1);
    expect(valueBeside(placed, 'Account')).toBe('101');
    // The statement date: the period's end (today, 15 April, is later).
    expect(valueBeside(placed, 'Statement date')).toBe('31 Mar 2026');
    expect(valueBeside(placed, 'Period')).toBe('01 Jan 2026 to 31 Mar 2026');
    expect(page1(content.title)).toHaveLength(1);
    await expectNothingOverlaps(placed);
  });

  it('fits a ten-line statement with logo, letterhead, summary, ageing, how to pay and the slip on one page', async () => {
    const statement = await computeStatement(PERIOD, { ...ledger(8), creditNotes: [], payments: [] }, AS_OF);
    const content = describeStatement(statement, parties({ tenant: { ...TENANT, logo: pngLogo() } }));
    expect(content.rows).toHaveLength(10);

    const { placed, pages } = await render(content);

    expect(pages).toBe(1);
    for (const text of [
      'Account summary',
      'Amount due by age',
      'How to pay',
      'Remittance advice',
      'Page 1 of 1',
    ])
      only(placed, text, 1);
    await expectNothingOverlaps(placed);
  });

  it('prints the summary, whose figures add up to the closing balance the statement maths gives', async () => {
    const statement = await statementOf(12);
    const { placed } = await render(describeStatement(statement, parties()));

    const opening = pence(valueBeside(placed, 'Opening balance'));
    const invoiced = pence(valueBeside(placed, 'Invoiced'));
    const credits = pence(valueBeside(placed, 'Credit notes'));
    const payments = pence(valueBeside(placed, 'Payments received'));
    const closing = pence(valueBeside(placed, 'Closing balance'));
    expect(opening + invoiced - credits - payments).toBe(closing);
    expect(opening).toBe(statement.openingMinor);
    expect(closing).toBe(statement.closingMinor);
    const sum = (kind: string, column: 'debitMinor' | 'creditMinor') =>
      statement.lines.filter((line) => line.kind === kind).reduce((total, line) => total + line[column], 0);
    expect(invoiced).toBe(sum('invoice', 'debitMinor'));
    expect(credits).toBe(2_500);
    expect(payments).toBe(sum('payment', 'creditMinor') + sum('payment-on-account', 'creditMinor'));
    expect(payments).toBe(40_000 + 10_000);
  });

  it('prints the amount due large and boxed, with what of it is overdue, and the ageing the maths gives', async () => {
    const statement = await statementOf(12);
    const { placed } = await render(describeStatement(statement, parties()));

    const due = only(placed, 'Amount due', 1);
    // The largest text on the page.
    const [amount] = placed.filter((text) => text.page === 1).sort((a, b) => b.size - a.size);
    expect(pence(amount?.text ?? '')).toBe(statement.closingMinor);
    expect(amount?.font).toContain('Bold');
    expect(amount?.y).toBeLessThan(due.y);
    expect(pence(valueBeside(placed, 'Of which overdue'))).toBe(statement.overdueMinor);
    expect(statement.overdueMinor).toBeGreaterThan(0);

    const last = Math.max(...placed.map((text) => text.page));
    const bucket = (label: string) =>
      pence(valueBeside(placed, label, placed.find((t) => t.text === label)?.page ?? last));
    expect(bucket('Current')).toBe(statement.ageing.currentMinor);
    expect(bucket('1–30 days')).toBe(statement.ageing.days1To30Minor);
    expect(bucket('31–60 days')).toBe(statement.ageing.days31To60Minor);
    expect(bucket('61–90 days')).toBe(statement.ageing.days61To90Minor);
    expect(bucket('Over 90 days')).toBe(statement.ageing.over90Minor);
    expect(bucket('Total due')).toBe(statement.closingMinor);
  });

  it('says "In credit" for a customer in credit, with no how to pay and no slip', async () => {
    const statement = await computeStatement(
      PERIOD,
      {
        invoices: [{ number: 1, issuedDate: '2026-01-05', dueDate: '2026-02-04', totalMinor: 10_000 }],
        creditNotes: [{ number: 3, issuedDate: '2026-01-10', totalMinor: 13_000 }],
        payments: [],
      },
      AS_OF,
    );
    const { placed, links } = await render(describeStatement(statement, parties()));

    const inCredit = placed.filter((text) => text.text === 'In credit');
    expect(inCredit.length).toBeGreaterThan(0);
    const [largest] = placed.filter((text) => text.page === 1).sort((a, b) => b.size - a.size);
    expect(largest?.text).toBe('£30.00');
    for (const absent of [
      'How to pay',
      'Pay now',
      'Remittance advice',
      'Amount enclosed',
      'Of which overdue',
    ])
      expect(
        placed.filter((text) => text.text === absent),
        absent,
      ).toHaveLength(0);
    expect(links).toHaveLength(0);
  });
});

describe('the statement PDF: how to pay and the logo', () => {
  it('prints the instructions and the filled payment link, as a clickable link', async () => {
    const statement = await statementOf(12);
    const content = describeStatement(statement, parties());
    const { placed, links } = await render(content);

    const filled = `https://pay.demo.example/statements/101?amount=${toDecimalText(statement.closingMinor, minorDigits('GBP'))}&currency=GBP`;
    const page = only(placed, 'How to pay').page;
    for (const line of [
      'Bank transfer to Demo Trading Ltd',
      'Sort code 12-34-56, account 12345678',
      'Quote your account number.',
    ])
      only(placed, line, page);
    const payNow = only(placed, 'Pay now', page);
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) expect(link.uri).toBe(filled);
    // The "Pay now" caption is inside a link's rectangle, and the URL is printed for paper readers.
    expect(
      links.some(
        ({ rect: [x1 = 0, y1 = 0, x2 = 0, y2 = 0] }) =>
          payNow.x >= x1 && payNow.x < x2 && payNow.y >= y1 && payNow.y <= y2,
      ),
    ).toBe(true);
    expect(
      placed
        .filter((text) => text.page === page && text.y < payNow.y && text.x === payNow.x)
        .map((text) => text.text)
        .join(''),
    ).toContain(filled);
  });

  it('prints neither how to pay nor a link when the tenant set no instructions and no link', async () => {
    const content = describeStatement(
      await statementOf(12),
      parties({ tenant: { ...TENANT, paymentInstructions: undefined, paymentLink: undefined } }),
    );
    const { placed, links } = await render(content);

    expect(placed.filter((text) => text.text === 'How to pay' || text.text === 'Pay now')).toHaveLength(0);
    expect(links).toHaveLength(0);
    only(placed, 'Remittance advice');
  });

  it.each([
    ['PNG', pngLogo],
    ['JPEG', jpegLogo],
  ])('embeds a %s logo as an image, scaled into 150 x 60 pt keeping its shape', async (kind, logo) => {
    const image = await logo();
    const pdf = await renderStatementPdf(
      describeStatement(await statementOf(3), parties({ tenant: { ...TENANT, logo: image } })),
    );

    const listed = await images(pdf, `logo-${kind}`);
    const main = listed.filter((entry) => entry.type === 'image');
    expect(main).toHaveLength(1);
    expect(main[0]).toMatchObject({
      page: 1,
      width: kind === 'PNG' ? 200 : 160,
      height: kind === 'PNG' ? 80 : 48,
    });
    expect(main[0]?.encoding).toBe(kind === 'PNG' ? 'image' : 'jpeg');
    // The PNG's transparency is a soft mask; a JPEG has none.
    expect(listed.filter((entry) => entry.type === 'smask')).toHaveLength(kind === 'PNG' ? 1 : 0);
    const drawn = await drawnImageSize(pdf);
    const [pixelsWide, pixelsHigh] = kind === 'PNG' ? [200, 80] : [160, 48];
    expect(drawn.width / drawn.height).toBeCloseTo(pixelsWide / pixelsHigh, 2);
    expect(drawn.width).toBeLessThanOrEqual(150.01);
    expect(drawn.height).toBeLessThanOrEqual(60.01);
    expect(Math.max(drawn.width / 150, drawn.height / 60)).toBeCloseTo(1, 2);
    expect(await qpdfCheck(pdf, `logo-${kind}-check`)).toBe(0);
  });

  it('costs no more than the logo itself: a 64 KB PNG adds at most its size to the PDF', async () => {
    // xorshift32: noise that deflate cannot shrink, the worst case for a logo's bytes.
    let state = 0x2545f491;
    const noise = () => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 8) & 0xff;
    };
    const heavy: StatementLogo = {
      contentType: 'image/png',
      bytes: png(126, 127, { pixel: () => [noise(), noise(), noise(), noise()] }),
    };
    expect(heavy.bytes.byteLength).toBeGreaterThan(60 * 1024);
    expect(heavy.bytes.byteLength).toBeLessThanOrEqual(64 * 1024);
    // The ten-line statement: opening, eight invoices, closing.
    const tenLines = await computeStatement(PERIOD, { ...ledger(8), creditNotes: [], payments: [] }, AS_OF);
    const content = (logo?: StatementLogo) =>
      describeStatement(tenLines, parties({ tenant: { ...TENANT, logo } }));
    expect(content().rows).toHaveLength(10);

    const without = await renderStatementPdf(content());
    const withLogo = await renderStatementPdf(content(heavy));

    expect(without.byteLength).toBeLessThan(80 * 1024);
    expect(withLogo.byteLength - without.byteLength).toBeLessThanOrEqual(
      heavy.bytes.byteLength * 1.05 + 1024,
    );
  });

  it('leaves off a logo it cannot decode and still renders the statement, the letterhead naming the tenant', async () => {
    const broken: StatementLogo = {
      contentType: 'image/png',
      bytes: Buffer.concat([
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
        Buffer.from('not a png'),
      ]),
    };
    const pdf = await renderStatementPdf(
      describeStatement(await statementOf(3), parties({ tenant: { ...TENANT, logo: broken } })),
    );

    expect(await images(pdf, 'broken-logo')).toHaveLength(0);
    const { placed } = await pdfPlacedText(pdf);
    expect(
      placed.filter((text) => text.page === 1 && text.text === 'Demo Trading Ltd').length,
    ).toBeGreaterThan(0);
    expect(await qpdfCheck(pdf, 'broken-logo-check')).toBe(0);
  });
});

describe('the statement PDF: the table across pages', () => {
  it.each(['activity', 'outstanding'] as const)(
    'draws every row of a multi-page %s statement once, with Page N of M, and brings forward what it carried forward',
    async (type) => {
      const statement = await statementOf(150, type);
      const content = describeStatement(statement, parties());
      const { placed, pages } = await render(content);

      expect(pages).toBeGreaterThanOrEqual(3);
      for (let page = 1; page <= pages; page += 1) only(placed, `Page ${page} of ${pages}`, page);
      const rowPages = expectEveryRowOnce(content, placed);
      expect(rowPages).toEqual([...rowPages].sort((a, b) => a - b));

      // What each row carries, from the statement maths: the running balance (activity: opening,
      // each line's, closing) or the running total of what is open (outstanding: each item's, the total).
      let open = 0;
      const carried =
        type === 'activity'
          ? [
              statement.openingMinor,
              ...statement.lines.map((line) => line.balanceMinor),
              statement.closingMinor,
            ]
          : [
              ...(statement.openItems ?? []).map((item) => {
                open += item.openMinor;
                return open;
              }),
              statement.closingMinor,
            ];
      expect(carried).toHaveLength(content.rows.length);
      const tablePages = Math.max(...rowPages);
      expect(tablePages).toBeGreaterThanOrEqual(3);
      for (let page = 1; page < tablePages; page += 1) {
        const lastRow = rowPages.lastIndexOf(page);
        const carriedForward = pence(valueBeside(placed, 'Carried forward', page));
        const broughtForward = pence(valueBeside(placed, 'Brought forward', page + 1));
        expect(carriedForward).toBe(carried[lastRow]);
        expect(broughtForward).toBe(carriedForward);
        // The forward rows are below the page's last row and above the next page's first.
        const lastDrawn = drawnLines(placed).find(
          (line) => line.text === rowText(content.rows[lastRow] as never),
        );
        expect(only(placed, 'Carried forward', page).y).toBeLessThan(lastDrawn?.y ?? 0);
        const firstNext = drawnLines(placed).find(
          (line) => line.text === rowText(content.rows[lastRow + 1] as never),
        );
        expect(only(placed, 'Brought forward', page + 1).y).toBeGreaterThan(firstNext?.y ?? 0);
        // Each page repeats the table's headings.
        expect(
          placed.filter((text) => text.page === page + 1 && text.text === content.headings.balance),
        ).toHaveLength(1);
      }
      expect(placed.filter((text) => text.text === 'Carried forward')).toHaveLength(tablePages - 1);
      expect(placed.filter((text) => text.text === 'Brought forward')).toHaveLength(tablePages - 1);
      // Later pages have a compact header: the tenant, the customer, the account.
      for (let page = 2; page <= pages; page += 1) {
        for (const text of ['Demo Trading Ltd', 'Acme Ltd', 'Account 101'])
          expect(
            placed.some((item) => item.page === page && item.text === text),
            `${text} on page ${page}`,
          ).toBe(true);
      }
      await expectNothingOverlaps(placed);
    },
  );

  it("names each face once a page and draws a page's texts in one text object per run", async () => {
    const pdf = await renderStatementPdf(describeStatement(await statementOf(150), parties()));

    const document = await PDFDocument.load(pdf);
    for (const page of document.getPages()) {
      const fonts = page.node.Resources()?.lookup(PDFName.of('Font'));
      expect(fonts instanceof PDFDict ? fonts.keys().length : 0).toBe(2);
    }
    const { stdout } = await run(
      'qpdf',
      ['--qdf', '--object-streams=disable', await file(pdf, 'operators'), '-'],
      {
        encoding: 'latin1',
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    const count = (operator: RegExp) => stdout.match(operator)?.length ?? 0;
    const shown = count(/> Tj$/gm);
    expect(shown).toBeGreaterThan(1_000);
    // Far fewer text objects and font selections than texts: one each per run of texts.
    expect(count(/^BT$/gm)).toBeLessThan(shown / 4);
    expect(count(/ Tf$/gm)).toBeLessThan(shown / 4);
  });

  it('wraps long words in the Type column instead of running into the next column', async () => {
    const statement = await computeStatement(
      PERIOD,
      {
        invoices: [{ number: 1, issuedDate: '2026-01-05', dueDate: '2026-02-04', totalMinor: 10_000 }],
        creditNotes: [],
        payments: [{ number: 9, date: '2026-02-01', amountMinor: -1_000 }],
      },
      AS_OF,
    );
    // fr: "Remboursement non affecté" is wider than the Type column.
    const content = describeStatement(statement, parties({ locale: 'fr-FR' }));
    const { placed } = await render(content);

    const first = placed.find((text) => text.text.startsWith('Remboursement'));
    expect(first?.text).not.toBe('Remboursement non affecté');
    const rest = placed.filter(
      (text) => text.page === first?.page && text.x === first?.x && text.y < (first?.y ?? 0),
    );
    expect(`${first?.text} ${rest[0]?.text}`).toBe('Remboursement non affecté');
    await expectNothingOverlaps(placed);
  });

  it('renders a 3,000-line statement: a sane page count, every invoice once, the slip on the last page only', async () => {
    const statement = await statementOf(3_000);
    const content = describeStatement(statement, parties());
    // The opening and closing balances, the invoices, the credit note and the two payments.
    expect(content.rows.length).toBe(3_000 + 2 + 3);

    const { pdf, pages, placed } = await render(content);

    expect(await qpdfCheck(pdf, 'three-thousand')).toBe(0);
    expect(pages).toBeGreaterThanOrEqual(Math.ceil(content.rows.length / 60));
    expect(pages).toBeLessThanOrEqual(Math.ceil(content.rows.length / 40) + 2);
    const numbers = new Map<string, number>();
    for (const text of placed)
      if (/^1\d{5}$/.test(text.text)) numbers.set(text.text, (numbers.get(text.text) ?? 0) + 1);
    expect(numbers.size).toBe(3_000);
    expect([...numbers.values()].every((count) => count === 1)).toBe(true);
    expect(only(placed, 'Remittance advice').page).toBe(pages);
    expect(only(placed, 'Amount enclosed').page).toBe(pages);
    expect(only(placed, `Page ${pages} of ${pages}`).page).toBe(pages);
  }, 60_000);

  it('puts the slip at the foot of the last page, on a page of its own when the last page is full', async () => {
    let ownPage = 0;
    for (let invoices = 30; invoices <= 64; invoices += 2) {
      const content = describeStatement(await statementOf(invoices), parties());
      const { placed, pages } = await render(content);

      const slip = only(placed, 'Remittance advice');
      expect(slip.page, `${invoices} invoices`).toBe(pages);
      // At the foot: nothing but the slip and the footer below its heading.
      expect(slip.y).toBeLessThan(260);
      const onSlipPage = placed.filter((text) => text.page === pages && text.y > slip.y);
      if (
        !onSlipPage.some((text) => text.text === content.labels.amountDueByAge || text.text === 'How to pay')
      )
        ownPage += 1;
      await expectNothingOverlaps(placed.filter((text) => text.page === pages));
    }
    expect(ownPage).toBeGreaterThan(0);
  }, 60_000);
});

describe('the statement PDF in every language', () => {
  it.each(STATEMENT_LANGUAGES)('prints the document labels in %s', async (language) => {
    const content = describeStatement(await statementOf(60), parties({ locale: language }));
    const words = labelsFor(language).document;
    const { placed, pages } = await render(content);
    const all = placed.map((text) => text.text).join(' ');

    expect(pages).toBeGreaterThan(1);
    for (const label of [
      words.activityHeading,
      words.account,
      words.statementDate,
      words.period,
      words.summary,
      words.invoiced,
      words.credits,
      words.payments,
      words.amountDue,
      words.overdue,
      words.broughtForward,
      words.carriedForward,
      words.pageOf(1, pages),
      words.pageOf(pages, pages),
      words.howToPay,
      words.payNow,
      words.remittance,
      words.remittanceNote,
      words.customer,
      words.amountEnclosed,
    ]) {
      expect(all, label).toContain(label);
    }
    const items = letterheadItems(placed);
    expect(items).toContain(`${words.vatNumber} GB123456789`);
    expect(items).toContain(`${words.companyNumber} 01234567`);
    expect(items).toContain(`${words.phone} 020 7946 0000`);
    await expectNothingOverlaps(placed);
  });
});

describe('the statement PDF with long names in every script', () => {
  it('keeps a letter extractable after a statement drew it only as part of an accented one (Ӂ, then Ж)', async () => {
    const statement = await statementOf(3);
    await renderStatementPdf(describeStatement(statement, parties({ customerName: 'Ӂ Trading' })));

    const pdf = await renderStatementPdf(
      describeStatement(statement, parties({ customerName: 'Жук Trading' })),
    );

    const { stdout } = await run('pdftotext', ['-enc', 'UTF-8', await file(pdf, 'zhe'), '-']);
    expect(stdout).toContain('Жук Trading');
    const { placed } = await pdfPlacedText(pdf);
    expect(placed.filter((text) => text.text.includes('\ufffd'))).toEqual([]);
  });

  it.each([
    ['Polish', 'Przedsiębiorstwo Handlowo-Usługowe Łódź Źródło Spółka z ograniczoną odpowiedzialnością'],
    ['Greek', 'Αθηναϊκή Εμπορική και Βιομηχανική Ανώνυμη Εταιρεία Εισαγωγών και Εξαγωγών Α.Ε.'],
    ['Cyrillic', 'Общество с ограниченной ответственностью «Ромашка-Северо-Западная Торговая Компания»'],
  ])(
    'prints a long %s name as tenant, customer and address, extractable, nothing overlapping',
    async (script, name) => {
      const content = describeStatement(
        await statementOf(70),
        parties({
          company: name,
          customerName: name,
          tenant: { ...TENANT, paymentLink: undefined, address: { Line1: name, Town: name.split(' ')[0] } },
          billingAddress: { Line1: name, Town: name.split(' ')[1] },
        }),
      );
      const { pdf, placed, pages } = await render(content);

      expect(pages).toBeGreaterThan(1);
      const { stdout } = await run('pdftotext', ['-enc', 'UTF-8', await file(pdf, script), '-']);
      expect(stdout).not.toContain('?');
      const words = stdout.split(/\s+/);
      for (const word of name.split(' ')) expect(words, word).toContain(word);
      // The name on every page (the compact header, the footer), each of its words drawn.
      for (let page = 1; page <= pages; page += 1) {
        const text = placed
          .filter((item) => item.page === page)
          .map((item) => item.text)
          .join(' ');
        expect(text, `page ${page}`).toContain(name.split(' ').slice(0, 3).join(' '));
      }
      await expectNothingOverlaps(placed);
    },
  );
});
