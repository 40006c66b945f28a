import { describe, expect, it } from 'vitest';
import { isCurrency, minorDigits, toMinorUnits } from '#shared/domain/money.ts';

describe('toMinorUnits', () => {
  it.each([
    ['120.00', 2, 12000],
    ['120', 2, 12000],
    ['0.1', 2, 10],
    ['0.07', 2, 7],
    ['-3.5', 2, -350],
    ['1234567.89', 2, 123456789],
    ['500', 0, 500],
    ['1.234', 3, 1234],
  ])('reads %s with %i digits as %i exactly', (text, digits, minor) => {
    expect(toMinorUnits(text, digits)).toBe(minor);
  });

  it('never rounds through a float: 0.1 + 0.2 pence stay exact', () => {
    expect((toMinorUnits('0.10', 2) ?? 0) + (toMinorUnits('0.20', 2) ?? 0)).toBe(toMinorUnits('0.30', 2));
  });

  it.each(['1.234', '1e3', '1,000.00', ' 1.00', '£1.00', '', '.5', '99999999999999999.00'])(
    'refuses %j',
    (text) => {
      expect(toMinorUnits(text, 2)).toBeUndefined();
    },
  );
});

describe('currencies', () => {
  it('knows the minor digits of each currency', () => {
    expect(minorDigits('GBP')).toBe(2);
    expect(minorDigits('JPY')).toBe(0);
    expect(minorDigits('BHD')).toBe(3);
  });

  it('accepts ISO 4217 codes only', () => {
    expect(isCurrency('GBP')).toBe(true);
    expect(isCurrency('gbp')).toBe(false);
    expect(isCurrency('POUNDS')).toBe(false);
  });
});
