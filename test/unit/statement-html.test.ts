import { describe, expect, it } from 'vitest';
import { computeStatement } from '#shared/domain/statement.ts';
import { describeStatement, type StatementParties } from '#shared/render/statement-content.ts';
import { statementEmailHtml, statementEmailText } from '#shared/render/statement-html.ts';
import { tenLineStatement } from '#test/support/statements.ts';

const tenant = {
  address: { Line1: '12 Canal Street', Town: 'Manchester', PostCode: 'M1 3HE', CountryCode: 'GB' },
  vatNumber: 'GB123456789',
  companyNumber: '09876543',
  phone: '0161 496 0000',
  website: 'www.demo.example',
  email: 'credit-control@demo.example',
  paymentInstructions: 'Sort code 04-00-04\nAccount 12345678\nQuote your account code.',
  paymentLink: 'https://pay.example/s?c={CustomerCode}&a={Amount}',
};

const parties = (overrides: Partial<StatementParties> = {}): StatementParties => ({
  company: 'Demo Trading Ltd',
  customerCode: '101',
  customerName: 'Łódź Sp. z o.o.',
  contactName: 'Zofia Wójcik',
  currency: 'GBP',
  locale: 'en-GB',
  tenant,
  billingAddress: { Line1: 'ul. Piotrkowska 1', Town: 'Łódź', CountryCode: 'PL' },
  ...overrides,
});

const message = { subject: 'Statement of account', locale: 'en-GB', html: '<p>Dear Zofia,</p>' };

/** A customer in credit: a credit note larger than what was invoiced. */
async function inCredit() {
  return computeStatement(
    { start: '2026-01-01', end: '2026-03-31', filterAll: false, excludePaid: false },
    {
      invoices: [{ number: 1, issuedDate: '2026-01-05', dueDate: '2026-02-04', totalMinor: 10000 }],
      creditNotes: [{ number: 2, issuedDate: '2026-01-20', totalMinor: 13000 }],
      payments: [],
    },
    '2026-04-15',
  );
}

describe('statementEmailHtml', () => {
  it('lays the email out in order: letterhead, amount due and Pay now, message, summary, customer, table, ageing, how to pay, footer', async () => {
    const content = describeStatement(await tenLineStatement(), parties());
    const html = statementEmailHtml(content, message);

    const positions = [
      'Demo Trading Ltd</div>',
      '12 Canal Street',
      '>Amount due<',
      '>£1,267.60<',
      '>Pay now</a>',
      'Dear Zofia,',
      '>Account summary<',
      '>Statement<',
      '>Łódź Sp. z o.o.<',
      '>Period<',
      '>Statement of account for Łódź Sp. z o.o. (101)',
      'white-space:normal">Closing balance<',
      '>Amount due by age<',
      '>How to pay<',
      'Sort code 04-00-04<br>Account 12345678<br>Quote your account code.',
      'Company number 09876543</td>',
    ].map((text) => html.indexOf(text));
    expect(positions).not.toContain(-1);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('links Pay now to the filled payment link, and loads nothing from the network', async () => {
    const content = describeStatement(await tenLineStatement(), parties());
    const html = statementEmailHtml(content, message);

    expect(html).toMatch(/<a href="https:\/\/pay\.example\/s\?c=101&amp;a=1267\.60"[^>]*>Pay now<\/a>/);
    // Every URL in the document is the payment link; no image, stylesheet, font or script.
    expect([...html.matchAll(/https?:\/\/[^"<\s]+/g)].map(([url]) => url)).toEqual(
      Array(3).fill('https://pay.example/s?c=101&amp;a=1267.60'),
    );
    expect(html).not.toMatch(/<img|<link|<script|@import|url\(|src=/i);
  });

  it('has no Pay now for a customer in credit, nor for a link that is not https', async () => {
    const credit = statementEmailHtml(describeStatement(await inCredit(), parties()), message);
    expect(credit).not.toContain('>Pay now</a>');
    expect(credit).toContain('>In credit<');
    expect(credit).not.toContain('>Of which overdue');

    const unsafe = statementEmailHtml(
      describeStatement(
        await tenLineStatement(),
        parties({ tenant: { ...tenant, paymentLink: 'javascript:alert(1)//{CustomerCode}' } }),
      ),
      message,
    );
    expect(unsafe).not.toContain('javascript:');
    expect(unsafe).not.toContain('>Pay now</a>');
  });

  it('shows the logo only when the caller gives its source', async () => {
    const content = describeStatement(await tenLineStatement(), parties());

    expect(statementEmailHtml(content, message)).not.toContain('<img');
    expect(statementEmailHtml(content, { ...message, logoSrc: 'cid:logo' })).toMatch(
      /<img src="cid:logo" alt="Demo Trading Ltd"/,
    );
  });

  it('escapes every value, in the text and in the narrow-screen rules', async () => {
    const evil = '<script>alert(1)</script>"\'&';
    const content = describeStatement(
      await tenLineStatement(),
      parties({
        company: evil,
        customerName: evil,
        tenant: { ...tenant, paymentInstructions: evil, phone: evil, vatNumber: evil },
        billingAddress: { Line1: evil },
      }),
    );
    const html = statementEmailHtml(
      { ...content, headings: { ...content.headings, due: '"}</style><script>alert(1)</script>' } },
      { ...message, subject: evil, locale: 'en-GB"><script>' },
    );

    expect(html).not.toMatch(/<script|<\/style><script/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;');
    expect(html.match(/<\/style>/g)).toHaveLength(1);
  });

  it('has a hidden preheader with the amount due and the statement date, not hidden by colour', async () => {
    const html = statementEmailHtml(describeStatement(await tenLineStatement(), parties()), message);

    const preheader = /<div style="display:none;[^"]*">([^<]*)<\/div>/.exec(html);
    expect(preheader?.[1]).toBe('Amount due £1,267.60 · Statement date 31 Mar 2026');
    expect(preheader?.[0]).not.toMatch(/[;"]color:/);
  });

  it('sets lang on the document and dir on its body', async () => {
    const html = statementEmailHtml(
      describeStatement(await tenLineStatement(), parties({ locale: 'fr-FR' })),
      {
        ...message,
        locale: 'fr-FR',
      },
    );

    expect(html).toContain('<html lang="fr-FR">');
    expect(html).toMatch(/<body dir="ltr"/);
  });
});

describe('statementEmailText', () => {
  it('says what the HTML says, in the same order, with the remittance details', async () => {
    const content = describeStatement(await tenLineStatement(), parties());
    const text = statementEmailText(content, { text: 'Dear Zofia,' });

    const expected = [
      'Amount due        £1,267.60',
      'Of which overdue  £0.00',
      'Pay now           https://pay.example/s?c=101&a=1267.60',
      'Dear Zofia,',
      'Account summary',
      'Opening balance        £0.00',
      'Closing balance    £1,267.60',
      'Statement',
      'Łódź Sp. z o.o.',
      'ul. Piotrkowska 1',
      'Account         101',
      'Period          01 Jan 2026 to 31 Mar 2026',
      'Statement of account for Łódź Sp. z o.o. (101), 01 Jan 2026 to 31 Mar 2026',
      '10 Jan 2026  Invoice          1001     30 Apr 2026  £123.45            £123.45',
      'Amount due by age',
      'Over 90 days      £0.00',
      'Total due     £1,267.60',
      'How to pay',
      'Sort code 04-00-04\nAccount 12345678\nQuote your account code.',
      'Pay now: https://pay.example/s?c=101&a=1267.60',
      'Remittance advice',
      'Customer        Łódź Sp. z o.o.',
      'Amount due      £1,267.60',
      'Demo Trading Ltd · VAT number GB123456789 · Company number 09876543',
    ].map((line) => text.indexOf(line));
    expect(expected).not.toContain(-1);
    expect(expected).toEqual([...expected].sort((a, b) => a - b));
    // The slip's blank "Amount enclosed" is for paper.
    expect(text).not.toContain('Amount enclosed');
  });
});
