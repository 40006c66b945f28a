import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMoney, toDecimalText } from '#shared/domain/money.ts';
import {
  renderTemplate,
  STATEMENT_TOKENS,
  TemplateError,
  type TokenValues,
  toSingleLine,
  unknownTokens,
} from '#shared/domain/template.ts';

const values = Object.fromEntries(
  STATEMENT_TOKENS.map((token) => [token, `<${token.toLowerCase()}>`]),
) as TokenValues;

describe('renderTemplate', () => {
  it('replaces every known token', () => {
    expect(renderTemplate('#NAME#/#CONTACT#/#CUSTCODE#/#COMPANY#/#BALANCE#/#OVERDUE#', values, 'text')).toBe(
      '<name>/<contact>/<custcode>/<company>/<balance>/<overdue>',
    );
  });

  it('HTML-escapes values in HTML bodies, not the template itself', () => {
    const rendered = renderTemplate(
      '<p>Dear #CONTACT#</p>',
      { ...values, CONTACT: `<script>alert("x")</script> & 'co'` },
      'html',
    );
    expect(rendered).toBe('<p>Dear &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;</p>');
  });

  it('keeps a value on one line in a header, whatever it carries', () => {
    const subject = renderTemplate(
      'Statement for #NAME#',
      { ...values, NAME: 'Acme\r\nBcc: victim@example.com' },
      'header',
    );
    expect(subject).toBe('Statement for Acme Bcc: victim@example.com');
    expect(subject).not.toMatch(/[\r\n]/);
    expect(toSingleLine('a\u2028b\u0000c\td')).toBe('a b c d');
  });

  it('refuses unknown tokens, naming each, rather than sending them as text', () => {
    expect(() => renderTemplate('Hi #NAEM#, #BALANCE# #FOO_1#', values, 'text')).toThrow(
      new TemplateError('#NAEM# is not a known token; #FOO_1# is not a known token'),
    );
    expect(() => renderTemplate('Invoice #INVNUM#', values, 'text')).toThrow(
      '#INVNUM# applies to invoices, not statements',
    );
  });

  it('leaves text that is not a token alone', () => {
    expect(renderTemplate('Ref #12 and # NAME # and #1st# and ## and #', values, 'text')).toBe(
      'Ref #12 and # NAME # and #1st# and ## and #',
    );
  });

  it('substitutes known tokens typed in any letter case', () => {
    expect(renderTemplate('Dear #Name#, your balance is #balance# (#OverDue# overdue)', values, 'text')).toBe(
      'Dear <name>, your balance is <balance> (<overdue> overdue)',
    );
    expect(renderTemplate('<p>#contact#</p>', { ...values, CONTACT: 'A & B' }, 'html')).toBe(
      '<p>A &amp; B</p>',
    );
  });

  it('refuses unknown tokens in any letter case, naming them as written', () => {
    expect(() => renderTemplate('Hi #Naem#, #balance#, #foo#', values, 'text')).toThrow(
      new TemplateError('#Naem# is not a known token; #foo# is not a known token'),
    );
    expect(() => renderTemplate('Invoice #InvNum#', values, 'header')).toThrow(
      new TemplateError('#InvNum# applies to invoices, not statements'),
    );
  });
});

describe('the token check and the substitution', () => {
  /** Templates made of text, '#', known and unknown words in random letter case. */
  const fragment = fc.oneof(
    fc.constantFrom(...STATEMENT_TOKENS, 'INVNUM', 'NAEM', 'FOO_1', 'x', '1st', ' ', '#', '##'),
    fc.string({ maxLength: 4 }),
  );
  const caseOf = (word: string, pattern: boolean[]) =>
    [...word].map((char, index) => (pattern[index % pattern.length] ? char.toLowerCase() : char)).join('');
  const templateArbitrary = fc
    .tuple(fc.array(fragment, { maxLength: 12 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }))
    .map(([fragments, pattern]) => caseOf(fragments.join('#'), pattern));

  it('agree on every template: it is rendered in full, or refused with exactly the unknown tokens', () => {
    fc.assert(
      fc.property(templateArbitrary, (template) => {
        const problems = unknownTokens(template);
        let rendered: string | undefined;
        try {
          rendered = renderTemplate(template, values, 'text');
        } catch (error) {
          expect(error).toEqual(new TemplateError(problems.join('; ')));
          expect(problems.length).toBeGreaterThan(0);
          return;
        }
        expect(problems).toEqual([]);
        // Nothing token-shaped is left to be mailed as literal text.
        expect(rendered).not.toMatch(/#[A-Za-z][A-Za-z0-9_]*#/);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('money formatting', () => {
  it('formats minor units exactly in the tenant currency and locale', () => {
    expect(formatMoney(123456, 'GBP', 'en-GB')).toBe('£1,234.56');
    expect(formatMoney(-5, 'GBP', 'en-GB')).toBe('-£0.05');
    expect(formatMoney(1234567, 'EUR', 'de-DE')).toBe('12.345,67\u00a0€');
    expect(formatMoney(9007199254740991, 'USD', 'en-US')).toBe('$90,071,992,547,409.91');
  });

  it('writes decimal text without floats', () => {
    expect(toDecimalText(5, 2)).toBe('0.05');
    expect(toDecimalText(-12000, 2)).toBe('-120.00');
    expect(toDecimalText(500, 0)).toBe('500');
    expect(toDecimalText(1, 3)).toBe('0.001');
  });
});
