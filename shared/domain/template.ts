/**
 * KashFlow email templates with `#KEY#` tokens. Every token must be one this service knows: an
 * unknown token is an error of the template, reported, never sent as literal text.
 */

/** The tokens of a statement email, after KashFlow's substitution list. */
export const STATEMENT_TOKENS = [
  'NAME',
  'CONTACT',
  'FIRSTNAME',
  'LASTNAME',
  'CUSTCODE',
  'COMPANY',
  'STARTDATE',
  'ENDDATE',
  'STATEMENTDATE',
  'OPENINGBALANCE',
  'BALANCE',
  'OVERDUE',
] as const;
export type StatementToken = (typeof STATEMENT_TOKENS)[number];
export type TokenValues = Record<StatementToken, string>;

/** KashFlow tokens that exist for invoices and quotes but mean nothing on a statement. */
const INVOICE_ONLY_TOKENS = new Set([
  'INVNUM',
  'INVDUE',
  'TOTAL',
  'TOTALDUE',
  'CUSTREF',
  'PERMALINK',
  'PAYONLINE',
]);

const TOKEN = /#([A-Z][A-Z0-9_]*)#/g;

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

/** Folds CR, LF and other control characters to spaces: a value can never start a new line. */
export function toSingleLine(text: string): string {
  return text.replace(/[\p{Cc}\u2028\u2029]+/gu, ' ').trim();
}

export type TemplateContext = 'html' | 'text' | 'header';

const isStatementToken = (token: string): token is StatementToken =>
  (STATEMENT_TOKENS as readonly string[]).includes(token);

/** The tokens of a template that this service cannot fill, with why. */
export function unknownTokens(template: string): string[] {
  const problems: string[] = [];
  for (const [, token = ''] of template.matchAll(TOKEN)) {
    if (isStatementToken(token)) continue;
    problems.push(
      INVOICE_ONLY_TOKENS.has(token)
        ? `#${token}# applies to invoices, not statements`
        : `#${token}# is not a known token`,
    );
  }
  return [...new Set(problems)];
}

/**
 * Replaces every `#KEY#` token. In HTML the values are HTML-escaped; in a header they are folded
 * onto one line; in plain text they are kept as they are. Throws TemplateError for any token it
 * does not know, naming each.
 */
export function renderTemplate(template: string, values: TokenValues, context: TemplateContext): string {
  const problems = unknownTokens(template);
  if (problems.length > 0) throw new TemplateError(problems.join('; '));
  return template.replace(TOKEN, (_, token: StatementToken) => {
    const value = values[token];
    if (context === 'html') return escapeHtml(value);
    if (context === 'header') return toSingleLine(value);
    return value;
  });
}
