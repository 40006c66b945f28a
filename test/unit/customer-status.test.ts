import { describe, expect, it } from 'vitest';
import { isLookupableCode, judgeCustomer, toStatus } from '#shared/domain/customer-status.ts';
import { isValidEmailAddress } from '#shared/domain/email-address.ts';

describe('isValidEmailAddress', () => {
  it.each(['ann@acme.example', 'a.b+statements@sub.example.co.uk', "o'brien@example.ie", 'x@y.io'])(
    'accepts %s',
    (address) => {
      expect(isValidEmailAddress(address)).toBe(true);
    },
  );

  it.each([
    undefined,
    '',
    'sam.jones.widgetworks.example',
    'ann@',
    '@acme.example',
    'ann@acme',
    'ann@acme.',
    'ann..smith@acme.example',
    '.ann@acme.example',
    'ann smith@acme.example',
    'ann@acme.example\r\nBcc: victim@example.com',
    'Ann <ann@acme.example>',
    'ann@acme.example, bob@acme.example',
    'ann@-acme.example',
    'ann@acme.123',
    `${'a'.repeat(65)}@acme.example`,
    `a@${'b'.repeat(250)}.example`,
  ])('refuses %j', (address) => {
    expect(isValidEmailAddress(address)).toBe(false);
  });
});

describe('judgeCustomer', () => {
  it('sends to a customer with a valid address', () => {
    expect(judgeCustomer({ code: '101', name: 'Acme', email: 'ann@acme.example' })).toBe('send');
  });

  it('reports an unknown customer as an invalid code', () => {
    expect(judgeCustomer(undefined)).toBe('invalidCode');
  });

  it('reports a missing or malformed address as an invalid email address', () => {
    expect(judgeCustomer({ code: '1', name: 'A' })).toBe('invalidEmail');
    expect(judgeCustomer({ code: '1', name: 'A', email: 'nope' })).toBe('invalidEmail');
  });
});

describe('isLookupableCode', () => {
  it('refuses codes that cannot name a customer, without a read', () => {
    expect(isLookupableCode('0065')).toBe(true);
    expect(isLookupableCode('Café-№1')).toBe(true);
    expect(isLookupableCode('')).toBe(false);
    expect(isLookupableCode('a'.repeat(65))).toBe(false);
    expect(isLookupableCode('10\n1')).toBe(false);
    expect(isLookupableCode('\u0000')).toBe(false);
  });

  it('refuses codes that are not well-formed Unicode: lone surrogates all become the same key', () => {
    expect(isLookupableCode('\ud800')).toBe(false);
    expect(isLookupableCode('\udfff')).toBe(false);
    expect(isLookupableCode('AB\ud83d')).toBe(false);
    expect(isLookupableCode('\ud83d\ude00')).toBe(true);
  });
});

describe('toStatus', () => {
  it("uses KashFlow's messages word for word", () => {
    expect(toStatus('101', 'send')).toEqual({ CustomerCode: '101', Sent: true, Message: 'Marked to send' });
    expect(toStatus('X', 'invalidCode')).toEqual({
      CustomerCode: 'X',
      Sent: false,
      Message: 'Invalid customer code',
    });
    expect(toStatus('Y', 'invalidEmail')).toEqual({
      CustomerCode: 'Y',
      Sent: false,
      Message: 'Invalid customer email address',
    });
    expect(toStatus('Z', 'notQueued')).toEqual({
      CustomerCode: 'Z',
      Sent: false,
      Message: 'Could not queue statement, please retry',
    });
  });
});
