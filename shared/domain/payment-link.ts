/**
 * The tenant's payment link (`PaymentLink`, the statement's "Pay now" and `#PAYONLINE#`): which
 * links may be stored, judged both when the settings are written and before a statement links one.
 */

/**
 * What a payment link may hold, filled per statement: the customer's code, the amount due (a plain
 * decimal such as `1730.50`), its currency code and the statement date (YYYY-MM-DD).
 */
export const PAYMENT_LINK_PLACEHOLDERS = [
  '{CustomerCode}',
  '{Amount}',
  '{Currency}',
  '{StatementDate}',
] as const;

/** The parts of a URL that say where it goes: a placeholder may not change any of them. */
const whereTo = (url: URL) => [url.protocol, url.username, url.password, url.host].join(' ');

/**
 * Why a payment link cannot be used, or `undefined` when it can: an https URL whose only `{…}` are
 * PAYMENT_LINK_PLACEHOLDERS, each after the host (in the path, query or fragment), so that no
 * customer code or other value filled in can send the customer to another host. Decided by the URL
 * parser itself: the link filled with two different values must go to the same scheme, user and host.
 */
export function paymentLinkProblem(link: string): string | undefined {
  const unknown = (link.match(/\{[^}]*\}/g) ?? []).filter(
    (placeholder) => !(PAYMENT_LINK_PLACEHOLDERS as readonly string[]).includes(placeholder),
  );
  if (unknown.length > 0) {
    return `must use only the placeholders ${PAYMENT_LINK_PLACEHOLDERS.join(', ')} (not ${unknown.join(', ')})`;
  }
  const filled = (value: string) => {
    try {
      return new URL(link.replace(/\{[^}]*\}/g, value));
    } catch {
      return undefined;
    }
  };
  const [x, y] = [filled('x'), filled('y')];
  if (x?.protocol !== 'https:' || y === undefined) return 'must be an https URL';
  if (whereTo(x) !== whereTo(y)) {
    return 'must have its placeholders after the host (in the path, query or fragment), so that no value filled in changes where it goes';
  }
  return undefined;
}
