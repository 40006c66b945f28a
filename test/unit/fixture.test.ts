import { readFileSync } from 'node:fs';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, daysBetween } from '#shared/domain/calendar-date.ts';
import {
  FixtureError,
  moveFixtureDates,
  toJsonPath,
  validateFixture,
} from '#shared/seed/validate-fixture.ts';

const designExample = {
  Tenants: [
    {
      Id: 'demo',
      Name: 'Demo Trading Ltd',
      FromEmail: 'accounts@demo.example',
      TimeZone: 'Europe/London',
      Currency: 'GBP',
      ApiTokens: ['local-dev-token'],
      DefaultStatementTemplateNumber: 1,
      EmailTemplates: [
        {
          Number: 1,
          Name: 'Statements',
          Subject: 'Statement from #COMPANY#',
          Body: '<p>Dear #CONTACT#</p>',
          IsHtml: true,
        },
      ],
      Customers: [
        {
          Code: '101',
          Name: 'Acme Ltd',
          ContactName: 'Ann Smith',
          Email: 'ann@acme.example',
          EmailTemplateNumber: 1,
        },
      ],
      Invoices: [
        {
          Number: 1001,
          CustomerCode: '101',
          IssuedDate: '2013-02-01',
          DueDate: '2013-03-01',
          Total: '120.00',
        },
      ],
      Payments: [{ InvoiceNumber: 1001, Date: '2013-02-20', Amount: '20.00' }],
    },
  ],
};

function problemsOf(document: unknown): string[] {
  try {
    validateFixture(document);
  } catch (error) {
    if (error instanceof FixtureError) return error.problems;
    throw error;
  }
  return [];
}

const withTenant = (changes: Record<string, unknown>) => ({
  Tenants: [{ ...designExample.Tenants[0], ...changes }],
});

describe('validateFixture', () => {
  it("accepts DESIGN.md's example and the demo fixture", () => {
    expect(problemsOf(designExample)).toEqual([]);
    expect(problemsOf(JSON.parse(readFileSync('fixtures/demo.json', 'utf8')))).toEqual([]);
  });

  it('names the JSON path and the rule of every bad field at once', () => {
    const problems = problemsOf(
      withTenant({
        TimeZone: 'Mars/Olympus',
        Currency: 'POUNDS',
        Customers: [{ Code: '', Name: 'x' }],
        Invoices: [
          {
            Number: 1001,
            CustomerCode: '101',
            IssuedDate: '2013-02-30',
            DueDate: '2013-03-01',
            Total: '12.345',
          },
        ],
      }),
    );
    expect(problemsOf(withTenant({}))).toEqual([]);
    expect(problemsOf({ Tenants: [] })).toEqual(['$.Tenants: Too small: expected array to have >=1 items']);
    expect(problemsOf({ Tenant: [] })[0]).toMatch(/^\$/);
    expect(problems).toEqual(
      expect.arrayContaining([
        '$.Tenants[0].TimeZone: must be an IANA time zone such as Europe/London',
        '$.Tenants[0].Currency: must be an ISO 4217 currency code such as GBP',
        '$.Tenants[0].Customers[0].Code: must be 1 to 64 characters with no control characters',
        '$.Tenants[0].Invoices[0].IssuedDate: must be a real date in YYYY-MM-DD form',
      ]),
    );
  });

  it('checks the cross-references between records', () => {
    const problems = problemsOf(
      withTenant({
        DefaultStatementTemplateNumber: 9,
        Customers: [
          { Code: '101', Name: 'Acme', EmailTemplateNumber: 7 },
          { Code: '101', Name: 'Acme again' },
        ],
        Invoices: [
          {
            Number: 1001,
            CustomerCode: 'NOPE',
            IssuedDate: '2013-02-01',
            DueDate: '2013-01-01',
            Total: '120.00',
          },
          {
            Number: 1001,
            CustomerCode: '101',
            IssuedDate: '2013-02-01',
            DueDate: '2013-03-01',
            Total: '1.00',
          },
        ],
        Payments: [
          { InvoiceNumber: 1001, Date: '2013-02-20', Amount: '200.00' },
          { InvoiceNumber: 4242, Date: '2013-02-20', Amount: '1.00' },
          { InvoiceNumber: 1001, Date: '2013-02-20', Amount: '-1.00' },
        ],
      }),
    );
    expect(problems).toEqual([
      '$.Tenants[0].Customers[1].Code: duplicates another customer code',
      '$.Tenants[0].Invoices[1].Number: duplicates another invoice number',
      '$.Tenants[0].DefaultStatementTemplateNumber: must be the Number of one of EmailTemplates',
      '$.Tenants[0].Customers[0].EmailTemplateNumber: must be the Number of one of EmailTemplates',
      '$.Tenants[0].Invoices[0].CustomerCode: must be the Code of one of Customers',
      '$.Tenants[0].Invoices[0].DueDate: must not be before IssuedDate',
      '$.Tenants[0].Payments[1].InvoiceNumber: must be the Number of one of Invoices',
      '$.Tenants[0].Payments[2].Amount: must be a positive amount of at most 1000000000000 minor units with at most 2 decimals for GBP',
    ]);
  });

  it('takes an over-payment: what is paid beyond an invoice is credit the customer holds, as through the API', () => {
    expect(
      problemsOf(withTenant({ Payments: [{ InvoiceNumber: 1001, Date: '2013-02-20', Amount: '500.00' }] })),
    ).toEqual([]);
  });

  it('refuses unknown fields, duplicate tenants and a token shared by two tenants', () => {
    const tenant = designExample.Tenants[0];
    expect(problemsOf(withTenant({ Colour: 'red' }))[0]).toMatch(/^\$\.Tenants\[0\]: Unrecognized key/);
    expect(problemsOf({ Tenants: [tenant, tenant] })).toEqual([
      '$.Tenants[1].Id: duplicates another tenant id',
      '$.Tenants[1].ApiTokens[0]: is used twice',
    ]);
  });
});

describe('toJsonPath', () => {
  it('writes indexes in brackets and names after dots', () => {
    expect(toJsonPath(['Tenants', 0, 'Customers', 12, 'Code'])).toBe('$.Tenants[0].Customers[12].Code');
    expect(toJsonPath([])).toBe('$');
  });
});

describe('validateFixture: every setting a statement depends on', () => {
  const template = designExample.Tenants[0]?.EmailTemplates[0];
  const customer = designExample.Tenants[0]?.Customers[0];
  const invoice = designExample.Tenants[0]?.Invoices[0];
  const withTemplate = (changes: Record<string, unknown>) =>
    withTenant({ EmailTemplates: [{ ...template, ...changes }] });
  const withCustomer = (changes: Record<string, unknown>) =>
    withTenant({ Customers: [{ ...customer, ...changes }] });
  const withInvoice = (changes: Record<string, unknown>) =>
    withTenant({ Invoices: [{ ...invoice, ...changes }], Payments: [] });

  it.each([
    [
      'a locale with an underscore',
      withTenant({ Locale: 'en_GB' }),
      '$.Tenants[0].Locale: must be a BCP 47 language tag such as en-GB',
    ],
    [
      'a locale not in canonical form',
      withTenant({ Locale: 'EN-gb' }),
      '$.Tenants[0].Locale: must be written en-GB',
    ],
    [
      'a locale the runtime cannot format in',
      withTenant({ Locale: 'xx' }),
      '$.Tenants[0].Locale: must be a locale this runtime can format money and dates in, such as en-GB',
    ],
    [
      'an empty locale',
      withTenant({ Locale: '' }),
      '$.Tenants[0].Locale: must be a BCP 47 language tag such as en-GB',
    ],
    [
      'a well-formed but unknown currency',
      withTenant({ Currency: 'XYZ' }),
      '$.Tenants[0].Currency: must be an ISO 4217 currency code such as GBP',
    ],
    [
      'a lower-case currency',
      withTenant({ Currency: 'gbp' }),
      '$.Tenants[0].Currency: must be an ISO 4217 currency code such as GBP',
    ],
    [
      'an unknown time zone',
      withTenant({ TimeZone: 'Europe/Londres' }),
      '$.Tenants[0].TimeZone: must be an IANA time zone such as Europe/London',
    ],
    [
      'a From address with a display name',
      withTenant({ FromEmail: 'Demo <accounts@demo.example>' }),
      '$.Tenants[0].FromEmail: must be a valid email address',
    ],
    [
      'a From address with a line break',
      withTenant({ FromEmail: 'accounts@demo.example\r\nBcc: x@y.example' }),
      '$.Tenants[0].FromEmail: must be a valid email address',
    ],
    ['a blank tenant name', withTenant({ Name: '   ' }), '$.Tenants[0].Name: must not be blank'],
    [
      'a tenant name with a lone surrogate',
      withTenant({ Name: 'Demo \ud800' }),
      '$.Tenants[0].Name: must be valid Unicode text (no lone surrogates)',
    ],
    [
      'a default template number that is no template',
      withTenant({ DefaultStatementTemplateNumber: 2 }),
      '$.Tenants[0].DefaultStatementTemplateNumber: must be the Number of one of EmailTemplates',
    ],
    [
      'an unknown token in a subject',
      withTemplate({ Subject: 'Statement for #CUSTOMER#' }),
      '$.Tenants[0].EmailTemplates[0].Subject: #CUSTOMER# is not a known token',
    ],
    [
      'an invoice token in a body',
      withTemplate({ Body: 'Invoice #INVNUM# is due' }),
      '$.Tenants[0].EmailTemplates[0].Body: #INVNUM# applies to invoices, not statements',
    ],
    [
      'a blank template name',
      withTemplate({ Name: '' }),
      '$.Tenants[0].EmailTemplates[0].Name: must not be blank',
    ],
    [
      'a template body over 100,000 characters',
      withTemplate({ Body: 'x'.repeat(100_001) }),
      '$.Tenants[0].EmailTemplates[0].Body: must be at most 100000 characters',
    ],
    [
      'a template number too long for its sort key',
      withTenant({
        EmailTemplates: [{ ...template, Number: 10_000_000_000 }],
        DefaultStatementTemplateNumber: undefined,
        Customers: [{ ...customer, EmailTemplateNumber: undefined }],
      }),
      '$.Tenants[0].EmailTemplates[0].Number: must be a whole number from 1 to 9999999999',
    ],
    [
      'a customer code with a lone surrogate',
      withTenant({ Customers: [{ ...customer, Code: 'A\udfff' }], Invoices: [], Payments: [] }),
      '$.Tenants[0].Customers[0].Code: must be valid Unicode text (no lone surrogates)',
    ],
    [
      'a customer code that cannot be looked up',
      withTenant({ Customers: [{ ...customer, Code: '1\n1' }], Invoices: [], Payments: [] }),
      '$.Tenants[0].Customers[0].Code: must be 1 to 64 characters with no control characters',
    ],
    [
      'a blank customer name',
      withCustomer({ Name: ' ' }),
      '$.Tenants[0].Customers[0].Name: must not be blank',
    ],
    [
      'a contact name with a lone surrogate',
      withCustomer({ ContactName: '\udc00Ann' }),
      '$.Tenants[0].Customers[0].ContactName: must be valid Unicode text (no lone surrogates)',
    ],
    [
      'a customer template that is no template',
      withCustomer({ EmailTemplateNumber: 3 }),
      '$.Tenants[0].Customers[0].EmailTemplateNumber: must be the Number of one of EmailTemplates',
    ],
    [
      'an invoice number too long for its sort key',
      withInvoice({ Number: 12_345_678_901 }),
      '$.Tenants[0].Invoices[0].Number: must be a whole number from 1 to 9999999999',
    ],
  ])('refuses %s, naming its path', (_, fixture, problem) => {
    expect(problemsOf(fixture)).toEqual([problem]);
  });

  it('keeps a bad customer email address: it is data, reported per request', () => {
    expect(problemsOf(withCustomer({ Email: 'not an address' }))).toEqual([]);
  });

  it('refuses an invoice larger than one document may be, as the API does', () => {
    expect(
      problemsOf(withTenant({ Invoices: [{ ...invoice, Total: '10000000000.01' }], Payments: [] })),
    ).toEqual([
      '$.Tenants[0].Invoices[0].Total: must be an amount of at most 1000000000000 minor units with at most 2 decimals for GBP',
    ]);
  });

  it('refuses invoices whose sum a statement could not compute exactly', () => {
    // The largest document is 10^12 minor units; 4,504 of them pass 2^52, half of what adds up exactly.
    const big = (number: number) => ({ ...invoice, Number: number, Total: '10000000000.00' });
    const invoices = Array.from({ length: 4_504 }, (_, index) => big(index + 1));
    expect(problemsOf(withTenant({ Invoices: invoices, Payments: [] }))).toEqual([
      '$.Tenants[0].Invoices[4503].Total: makes the invoices of customer 101 too large to add up exactly',
    ]);
    expect(problemsOf(withTenant({ Invoices: invoices.slice(1), Payments: [] }))).toEqual([]);
  });

  it('with AsOf, refuses invoices and payments dated after it (they would be in the future)', () => {
    expect(
      problemsOf({
        AsOf: '2013-02-10',
        Tenants: designExample.Tenants,
      }),
    ).toEqual(['$.Tenants[0].Payments[0].Date: must not be after AsOf']);
    expect(
      problemsOf({
        AsOf: '2013-01-31',
        Tenants: designExample.Tenants,
      }),
    ).toEqual([
      '$.Tenants[0].Invoices[0].IssuedDate: must not be after AsOf',
      '$.Tenants[0].Payments[0].Date: must not be after AsOf',
    ]);
  });
});

describe('moveFixtureDates', () => {
  const demo = validateFixture(JSON.parse(readFileSync('fixtures/demo.json', 'utf8')));
  const asOf = demo.AsOf ?? '';
  const isoDay = fc
    .date({
      min: new Date('1990-01-01T00:00:00Z'),
      max: new Date('2099-12-31T00:00:00Z'),
      noInvalidDate: true,
    })
    .map((date) => date.toISOString().slice(0, 10));

  /** The demo's promise: nothing issued or paid after the load date, every age as the fixture wrote it. */
  function expectDemoMovedTo(today: string) {
    const moved = moveFixtureDates(demo, today);
    const [before, after] = [demo.Tenants[0], moved.Tenants[0]];
    if (before === undefined || after === undefined) throw new Error('the demo has a tenant');
    for (const invoice of after.Invoices) expect(invoice.IssuedDate <= today).toBe(true);
    for (const payment of after.Payments) expect(payment.Date <= today).toBe(true);
    after.Invoices.forEach((invoice, index) => {
      const original = before.Invoices[index];
      expect(daysBetween(invoice.DueDate, today)).toBe(daysBetween(original?.DueDate ?? '', asOf));
      expect(daysBetween(invoice.IssuedDate, today)).toBe(daysBetween(original?.IssuedDate ?? '', asOf));
    });
    after.Payments.forEach((payment, index) => {
      expect(daysBetween(payment.Date, today)).toBe(daysBetween(before.Payments[index]?.Date ?? '', asOf));
    });
  }

  it.each([
    '2026-11-24',
    '2026-12-01',
    '2026-12-17',
    '2027-01-01',
    '2027-03-01',
    '2028-02-29',
    '2028-03-01',
    '2027-02-28',
    '2027-01-31',
    '2026-06-30',
  ])('puts no demo invoice or payment after a load on %s, and keeps every age', (today) => {
    expectDemoMovedTo(today);
  });

  it('puts no demo invoice or payment after any load date', () => {
    fc.assert(
      fc.property(isoDay, (today) => expectDemoMovedTo(today)),
      { numRuns: 200 },
    );
  });

  it('keeps every date on or before AsOf on or before the load date, in order', () => {
    fc.assert(
      fc.property(isoDay, isoDay, isoDay, isoDay, (a, b, asOfDate, today) => {
        const [issued, due] = a <= b ? [a, b] : [b, a];
        fc.pre(issued <= asOfDate && addDays(issued, daysBetween(asOfDate, today)) >= '1900-01-01');
        const fixture = validateFixture({
          AsOf: asOfDate,
          Tenants: [
            {
              ...designExample.Tenants[0],
              Invoices: [{ Number: 1, CustomerCode: '101', IssuedDate: issued, DueDate: due, Total: '1.00' }],
              Payments: [{ InvoiceNumber: 1, Date: issued, Amount: '1.00' }],
            },
          ],
        });
        const moved = moveFixtureDates(fixture, today).Tenants[0];
        const [invoice, payment] = [moved?.Invoices[0], moved?.Payments[0]];
        expect(invoice && invoice.IssuedDate <= today).toBe(true);
        expect(payment?.Date).toBe(invoice?.IssuedDate);
        expect(invoice && daysBetween(invoice.IssuedDate, invoice.DueDate)).toBe(daysBetween(issued, due));
        expect(invoice && daysBetween(invoice.DueDate, today)).toBe(daysBetween(due, asOfDate));
      }),
      { numRuns: 300 },
    );
  });

  it('leaves a fixture without AsOf as it is', () => {
    const fixture = validateFixture(designExample);
    expect(moveFixtureDates(fixture, '2026-12-01')).toEqual(fixture);
  });

  it('refuses a load date that would move a date out of the calendar, naming its path', () => {
    const fixture = validateFixture({ AsOf: '2013-03-01', Tenants: designExample.Tenants });
    const thrown = (() => {
      try {
        return moveFixtureDates(fixture, '1900-01-05');
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toBeInstanceOf(FixtureError);
    expect((thrown as FixtureError).problems).toEqual([
      '$.Tenants[0].Invoices[0].IssuedDate: would move to before 1900 when loaded on 1900-01-05',
      '$.Tenants[0].Payments[0].Date: would move to before 1900 when loaded on 1900-01-05',
    ]);
  });
});
