import { readFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { computeStatement, type Statement } from '#shared/domain/statement.ts';
import { TemplateError } from '#shared/domain/template.ts';
import { buildRawMessage, MailAddressError } from '#shared/render/mime.ts';
import {
  BUILT_IN_TEMPLATE,
  composeStatementEmail,
  StatementEmailError,
} from '#shared/render/statement-email.ts';
import { renderStatementPdf } from '#shared/render/statement-pdf.ts';
import type { CustomerRecord, TemplateRecord, TenantRecord } from '#shared/schemas/records.ts';
import { pdfText } from '../support/pdf-text.ts';

const tenant: TenantRecord = {
  tenantId: 't',
  name: 'Demo Trading Ltd',
  fromEmail: 'accounts@demo.example',
  timeZone: 'Europe/London',
  currency: 'GBP',
  locale: 'en-GB',
};
const customer: CustomerRecord = {
  code: '0065',
  name: 'Northwind',
  contactName: 'Oliver Brown',
  email: 'oliver@northwind.example',
};
const period = { start: '2026-01-01', end: '2026-03-31', filterAll: false, excludePaid: false };

const invoices = [
  { number: 1001, issuedDate: '2025-12-01', dueDate: '2025-12-31', totalMinor: 10000 },
  { number: 1002, issuedDate: '2026-02-01', dueDate: '2026-03-03', totalMinor: 24550 },
];

async function statement() {
  return computeStatement(
    period,
    {
      invoices,
      creditNotes: [],
      payments: [{ number: 1, invoiceNumber: 1001, date: '2026-01-10', amountMinor: 10000 }],
    },
    '2026-04-15',
  );
}

async function compose(
  overrides: {
    customer?: CustomerRecord;
    template?: TemplateRecord;
    tenant?: TenantRecord;
    statement?: Statement;
    logo?: { contentType: 'image/png' | 'image/jpeg'; bytes: Uint8Array };
  } = {},
) {
  const email = await composeStatementEmail({
    tenant: overrides.tenant ?? tenant,
    customer: overrides.customer ?? customer,
    template: overrides.template ?? BUILT_IN_TEMPLATE,
    statement: overrides.statement ?? (await statement()),
    now: new Date('2026-04-15T09:00:00Z'),
    logo: overrides.logo,
    renderPdf: renderStatementPdf,
  });
  return { email, parsed: await simpleParser(email.raw) };
}

describe('composeStatementEmail', () => {
  it("shows the tenant's logo in the HTML from an inline part, and prints it on the PDF", async () => {
    const bytes = readFileSync('fixtures/demo-logo.png');
    const { email } = await compose({ logo: { contentType: 'image/png', bytes } });
    const parsed = await simpleParser(email.raw, { keepCidLinks: true });

    const [cid] = /src="cid:([^"]+)"/.exec(parsed.html || '')?.slice(1) ?? [];
    const inline = parsed.attachments.find((attachment) => attachment.related);
    expect(inline?.contentId).toBe(`<${cid}>`);
    expect(Buffer.from(inline?.content ?? []).equals(bytes)).toBe(true);
    const pdf = parsed.attachments.find((attachment) => attachment.contentType === 'application/pdf');
    expect(Buffer.from(pdf?.content ?? []).toString('latin1')).toMatch(/\/Subtype\s*\/Image/);
  });

  it('shows no logo and sends no inline part when the tenant has none', async () => {
    const { parsed } = await compose();

    expect(parsed.html || '').not.toContain('<img');
    expect(parsed.attachments.filter((attachment) => attachment.related)).toEqual([]);
  });

  it('builds HTML, text and a PDF attachment with the same lines and figures', async () => {
    const { email, parsed } = await compose();

    expect(parsed.from?.text).toBe('"Demo Trading Ltd" <accounts@demo.example>');
    expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.text : '').toBe(
      '"Oliver Brown" <oliver@northwind.example>',
    );
    expect(parsed.subject).toBe('Statement of account from Demo Trading Ltd');
    for (const body of [parsed.text ?? '', parsed.html || '']) {
      expect(body).toContain('1001');
      expect(body).toContain('1002');
      expect(body).toContain('£245.50');
      expect(body).toContain('£100.00');
    }
    expect(parsed.attachments).toHaveLength(1);
    const [pdf] = parsed.attachments;
    expect(pdf?.contentType).toBe('application/pdf');
    expect(pdf?.filename).toBe('statement-0065-2026-03-31.pdf');
    const { pages, text } = await pdfText(pdf?.content ?? new Uint8Array());
    expect(pages).toBe(1);
    expect(text).toEqual(
      expect.arrayContaining(['1001', '1002', '£245.50', '£100.00', 'Opening balance', 'Closing balance']),
    );
    expect(email.lineCount).toBe(2); // payment against 1001 and invoice 1002; 1001 itself is in the opening balance
  });

  it('labels a credit note by its own number and a payment on account, alike in the text, HTML and PDF', async () => {
    // Credit note 1002 shares invoice 1002's number; payment 2 is on account, payment 3's invoice is gone.
    const { email, parsed } = await compose({
      statement: await computeStatement(
        period,
        {
          invoices,
          creditNotes: [{ number: 1002, issuedDate: '2026-03-05', totalMinor: 1550 }],
          payments: [
            { number: 1, invoiceNumber: 1001, date: '2026-01-10', amountMinor: 10000 },
            { number: 2, date: '2026-03-01', amountMinor: 2500 },
            { number: 3, invoiceNumber: 999, date: '2026-03-02', amountMinor: 500 },
          ],
        },
        '2026-04-15',
      ),
    });

    const rows = (parsed.text ?? '').split('\n').filter((line) => /^\d\d \w{3} \d{4} /.test(line));
    expect(rows.map((row) => row.replace(/\s+/g, ' '))).toEqual([
      '01 Jan 2026 Opening balance £100.00',
      '10 Jan 2026 Payment 1001 £100.00 £0.00',
      '01 Feb 2026 Invoice 1002 03 Mar 2026 £245.50 £245.50',
      '01 Mar 2026 Payment on account £25.00 £220.50',
      '02 Mar 2026 Payment on account £5.00 £215.50',
      '05 Mar 2026 Credit note 1002 £15.50 £200.00',
      '31 Mar 2026 Closing balance £200.00',
    ]);
    const html = parsed.html || '';
    for (const label of ['Credit note 1002', 'Payment on account']) expect(html).toContain(`>${label}</td>`);
    expect(html).not.toContain('>999<');
    const [pdf] = parsed.attachments;
    const { text } = await pdfText(pdf?.content ?? new Uint8Array());
    expect(text).toEqual(
      expect.arrayContaining(['Credit note 1002', 'Payment on account', '£15.50', '£200.00']),
    );
    expect(text).not.toContain('999');
    expect(email.lineCount).toBe(5);
  });

  it("lays the HTML and text parts out as the statement email: amount due and Pay now to the tenant's link", async () => {
    const { parsed } = await compose({
      tenant: { ...tenant, paymentLink: 'https://pay.demo.example/{CustomerCode}?amount={Amount}' },
    });
    const html = typeof parsed.html === 'string' ? parsed.html : '';

    expect(html).toMatch(/<a href="https:\/\/pay\.demo\.example\/0065\?amount=245\.50"[^>]*>Pay now<\/a>/);
    expect(html.indexOf('>Amount due<')).toBeLessThan(html.indexOf('>Amount due by age<'));
    expect(parsed.text).toMatch(/^Pay now {2,}https:\/\/pay\.demo\.example\/0065\?amount=245\.50$/m);
    expect(parsed.text).toContain('Remittance advice');
  });

  it('is multipart/mixed of multipart/alternative (text, then HTML) and the PDF', async () => {
    const { email } = await compose();
    const raw = email.raw.toString('utf8');

    const mixed = /Content-Type: multipart\/mixed; boundary="([^"]+)"/.exec(raw)?.[1];
    const alternative = /Content-Type: multipart\/alternative; boundary="([^"]+)"/.exec(raw)?.[1];
    expect(mixed).toBeDefined();
    expect(alternative).toBeDefined();
    const parts = raw.split(`--${mixed}`);
    expect(parts).toHaveLength(4); // preamble, alternative, attachment, closing
    expect(parts[1]?.indexOf('text/plain')).toBeLessThan(parts[1]?.indexOf('text/html') ?? 0);
    expect(parts[2]).toContain('Content-Type: application/pdf');
    expect(raw).toMatch(/\r\n/);
    expect(raw.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it("fills the customer's template, HTML-escaping values in the HTML part", async () => {
    const template: TemplateRecord = {
      number: 4,
      name: 'Custom',
      subject: '#COMPANY#: statement for #NAME#',
      body: '<p>Hello #FIRSTNAME#, you owe #BALANCE# (#OVERDUE# overdue) as of #STATEMENTDATE#.</p>',
      isHtml: true,
    };
    const { parsed } = await compose({
      template,
      customer: { ...customer, name: 'Bob <script>alert(1)</script> & Co', contactName: 'Bob "B" Smith' },
    });

    expect(parsed.subject).toBe('Demo Trading Ltd: statement for Bob <script>alert(1)</script> & Co');
    expect(parsed.html).toContain('Bob &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co');
    expect(parsed.html).not.toContain('<script>');
    expect(parsed.html).toContain('Hello Bob, you owe £245.50 (£245.50 overdue) as of 31 Mar 2026.');
    expect(parsed.text).toContain('Hello Bob, you owe £245.50');
  });

  it('reports an unknown token as a template error instead of sending it', async () => {
    const template = { ...BUILT_IN_TEMPLATE, body: 'Dear #CONTACTNAME#' };
    await expect(compose({ template })).rejects.toThrow(
      new TemplateError('#CONTACTNAME# is not a known token'),
    );
  });

  it('refuses a customer without a valid single address', async () => {
    await expect(
      compose({ customer: { ...customer, email: 'a@b.example, c@d.example' } }),
    ).rejects.toBeInstanceOf(StatementEmailError);
  });
});

describe('composeStatementEmail without a PDF renderer (the dry run)', () => {
  it('has no attachment and never loads pdf-lib', async () => {
    const email = await composeStatementEmail({
      tenant,
      customer,
      template: BUILT_IN_TEMPLATE,
      statement: await statement(),
      now: new Date('2026-04-15T09:00:00Z'),
    });
    const parsed = await simpleParser(email.raw);
    expect(parsed.attachments).toEqual([]);
    expect(email).toMatchObject({ hasPdf: false, balance: '£245.50', overdue: '£245.50', lineCount: 2 });
  });
});

describe('header injection', () => {
  it('keeps CR/LF in names and subjects from making new headers', async () => {
    const evil = 'Acme\r\nBcc: victim@evil.example\r\nX-Injected: 1';
    const { parsed, email } = await compose({
      customer: { ...customer, name: evil, contactName: evil },
      template: { ...BUILT_IN_TEMPLATE, subject: 'Statement for #NAME#' },
      tenant: { ...tenant, name: `Demo\nReply-To: thief@evil.example` },
    });

    expect(parsed.bcc).toBeUndefined();
    expect(parsed.replyTo).toBeUndefined();
    expect(parsed.headers.has('x-injected')).toBe(false);
    expect(parsed.subject).toBe('Statement for Acme Bcc: victim@evil.example X-Injected: 1');
    const headerBlock = email.raw.toString('utf8').split('\r\n\r\n')[0] ?? '';
    expect(
      headerBlock
        .split('\r\n')
        .filter((line) => /^[A-Za-z-]+:/.test(line))
        .map((line) => line.split(':')[0]),
    ).toEqual(['From', 'To', 'Subject', 'Date', 'Message-ID', 'MIME-Version', 'Content-Type']);
  });

  it('refuses addresses that could carry a header', () => {
    const message = { from: { address: 'a@b.example' }, subject: 's', text: 't', html: 'h', attachments: [] };
    expect(() =>
      buildRawMessage({ ...message, to: { address: 'x@y.example\r\nBcc: z@evil.example' } }),
    ).toThrow(MailAddressError);
    expect(() => buildRawMessage({ ...message, to: { address: 'x@y.example>, <z@evil.example' } })).toThrow(
      MailAddressError,
    );
  });

  it('encodes non-ASCII header text as RFC 2047 words of at most 75 characters', async () => {
    const subject = 'Relevé de compte — Société Générale Ünïcödé '.repeat(3);
    const { parsed, email } = await compose({ template: { ...BUILT_IN_TEMPLATE, subject } });

    const header = /^Subject: (.*(?:\r\n .*)*)/m.exec(email.raw.toString('latin1'))?.[1] ?? '';
    const words = header.split(/\r\n /);
    expect(words.length).toBeGreaterThan(1);
    for (const word of words) {
      expect(word).toMatch(/^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/);
      expect(word.length).toBeLessThanOrEqual(75);
    }
    expect(parsed.subject).toBe(subject.trim());
  });
});

describe('the raw message of a statement', () => {
  it('is 7-bit clean with a non-ASCII customer code, whose file name is RFC 2231-encoded', async () => {
    const { email, parsed } = await compose({ customer: { ...customer, code: 'MÜLLER' } });

    expect(email.raw.every((byte) => byte < 128)).toBe(true);
    expect(email.raw.toString('latin1')).toContain("filename*=utf-8''statement-M%C3%9CLLER-2026-03-31.pdf");
    expect(parsed.attachments[0]?.filename).toBe('statement-MÜLLER-2026-03-31.pdf');
  });

  it('folds a long subject: no header line over 78 characters', async () => {
    const subject = `Statement of account for #NAME# ${'with a great deal to say '.repeat(50)}`;
    const { email, parsed } = await compose({ template: { ...BUILT_IN_TEMPLATE, subject } });

    const headers = email.raw.toString('latin1').split('\r\n\r\n')[0]?.split('\r\n') ?? [];
    for (const line of headers) expect(line.length).toBeLessThanOrEqual(78);
    expect(parsed.subject).toBe(subject.replace('#NAME#', customer.name).trim());
  });
});
