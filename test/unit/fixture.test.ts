import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FixtureError, toJsonPath, validateFixture } from '#shared/seed/import-fixture.ts';

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
      '$.Tenants[0].Payments[0].Amount: makes the payments exceed the invoice total',
      '$.Tenants[0].Payments[1].InvoiceNumber: must be the Number of one of Invoices',
      '$.Tenants[0].Payments[2].Amount: must be a positive amount with at most 2 decimals',
    ]);
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
