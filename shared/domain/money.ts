/**
 * Exact money: amounts are integer minor units (pence, cents) from the moment they are read, and
 * decimal text is converted without ever passing through a binary float.
 */

/** The minor-unit digits of an ISO 4217 currency (GBP 2, JPY 0, BHD 3), from the runtime's ICU data. */
export function minorDigits(currency: string): number {
  return (
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2
  );
}

/** True when `currency` is a three-letter code the runtime can format. */
export function isCurrency(currency: string): boolean {
  if (!/^[A-Z]{3}$/.test(currency)) return false;
  try {
    minorDigits(currency);
    return true;
  } catch {
    return false;
  }
}

/**
 * Converts decimal text such as `"120.00"`, `"-3.5"` or `"7"` to minor units; `undefined` when the
 * text is not a plain decimal, has more decimals than the currency has minor digits, or is too
 * large to hold exactly.
 */
export function toMinorUnits(text: string, digits: number): number | undefined {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return undefined;
  const [, sign = '', whole = '', fraction = ''] = match;
  if (fraction.length > digits) return undefined;
  const minor = Number(`${whole}${fraction.padEnd(digits, '0')}`);
  if (!Number.isSafeInteger(minor)) return undefined;
  return sign === '-' ? -minor : minor;
}
