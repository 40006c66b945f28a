/**
 * Exact money: amounts are integer minor units (pence, cents) from the moment they are read, and
 * decimal text is converted without ever passing through a binary float.
 */

const digitsByCurrency = new Map<string, number>();

/**
 * The minor-unit digits of an ISO 4217 currency (GBP 2, JPY 0, BHD 3), from the runtime's ICU data;
 * remembered per currency, as a bulk write asks for every amount and a NumberFormat is costly.
 */
export function minorDigits(currency: string): number {
  let digits = digitsByCurrency.get(currency);
  if (digits === undefined) {
    digits =
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ??
      2;
    digitsByCurrency.set(currency, digits);
  }
  return digits;
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

/** The exact decimal text of an amount in minor units: 12345 with 2 digits is "123.45". */
export function toDecimalText(minor: number, digits: number): string {
  const sign = minor < 0 ? '-' : '';
  const text = String(Math.abs(minor)).padStart(digits + 1, '0');
  return digits === 0 ? `${sign}${text}` : `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/**
 * Formats minor units in a currency and locale ("£1,234.50" for en-GB GBP). The decimal text is
 * handed to Intl as a string, so no amount is ever rounded through a binary float.
 */
export function formatMoney(minor: number, currency: string, locale: string): string {
  const formatter = new Intl.NumberFormat(locale, { style: 'currency', currency });
  // Intl.NumberFormat formats decimal strings exactly (ECMA-402 NumberFormat v3, Node 19+).
  return formatter.format(toDecimalText(minor, minorDigits(currency)) as unknown as number);
}
