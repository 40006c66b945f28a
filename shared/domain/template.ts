/**
 * KashFlow email templates with `#KEY#` tokens. Every token must be one this service knows: an
 * unknown token is an error of the template, reported, never sent as literal text. Tokens are
 * matched in any letter case (`#Name#` is `#NAME#`): KashFlow users type them by hand.
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
  'PAYONLINE',
] as const;
/** A token the renderer fills; values are keyed by it, so a token without a value cannot compile. */
export type StatementToken = (typeof STATEMENT_TOKENS)[number];
/** One value for every statement token, so that no known token is ever left unfilled. */
export type TokenValues = Record<StatementToken, string>;

/** KashFlow tokens that exist for invoices and quotes but mean nothing on a statement. */
const INVOICE_ONLY_TOKENS = new Set(['INVNUM', 'INVDUE', 'TOTAL', 'TOTALDUE', 'CUSTREF', 'PERMALINK']);

/**
 * The one token grammar, used both to check a template and to fill it, so that the two cannot
 * disagree: `#`, a letter, then letters, digits or underscores, `#`, in any letter case.
 */
const TOKEN = /#([A-Za-z][A-Za-z0-9_]*)#/g;

/** A template the renderer cannot fill: no retry mends it, so the job fails naming the tokens. */
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

/** Every value put into HTML goes through this, so that customer data cannot add markup. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

/** Folds CR, LF and other control characters to spaces: a value can never start a new line. */
export function toSingleLine(text: string): string {
  return text.replace(/[\p{Cc}\u2028\u2029]+/gu, ' ').trim();
}

/** Where a filled text goes, which decides how values are made safe (escaped, folded or kept). */
export type TemplateContext = 'html' | 'text' | 'header';

const isStatementToken = (token: string): token is StatementToken =>
  (STATEMENT_TOKENS as readonly string[]).includes(token);

/**
 * Scans a template once with TOKEN, replacing each known token (any case) by `fill(token)` and
 * collecting a problem for every other one, which is left as it is.
 */
function scanTemplate(
  template: string,
  fill: (token: StatementToken) => string,
): { text: string; problems: string[] } {
  const problems = new Set<string>();
  const text = template.replace(TOKEN, (match, written: string) => {
    const key = written.toUpperCase();
    if (isStatementToken(key)) return fill(key);
    problems.add(
      INVOICE_ONLY_TOKENS.has(key)
        ? `#${written}# applies to invoices, not statements`
        : `#${written}# is not a known token`,
    );
    return match;
  });
  return { text, problems: [...problems] };
}

/** The tokens of a template that this service cannot fill, with why, as written. */
export function unknownTokens(template: string): string[] {
  return scanTemplate(template, () => '').problems;
}

/**
 * Replaces every `#KEY#` token, in any letter case. In HTML the values are HTML-escaped; in a
 * header they are folded onto one line; in plain text they are kept as they are. Throws
 * TemplateError for any token it does not know, naming each.
 */
export function renderTemplate(template: string, values: TokenValues, context: TemplateContext): string {
  const { text, problems } = scanTemplate(template, (token) => {
    const value = values[token];
    if (context === 'html') return escapeHtml(value);
    if (context === 'header') return toSingleLine(value);
    return value;
  });
  if (problems.length > 0) throw new TemplateError(problems.join('; '));
  return text;
}
