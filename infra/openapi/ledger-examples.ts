/**
 * The ledger API's examples (docs/api.md "The ledger API"): each record as a PUT sends it and as it
 * is answered, the customer list, and the bulk. The lint (`npm run lint:openapi`) checks each
 * against its schema.
 */
import type { LedgerType } from '#shared/services/ledger/ledger-kinds.ts';

type RecordType = Exclude<LedgerType, 'StatementSettings'>;

const CUSTOMER_ANSWER = {
  Code: '101',
  Name: 'Acme Ltd',
  Contacts: [
    { Name: 'Ann Smith', Email: 'ann@acme.example', IsPrimary: true },
    { Name: 'Accounts', Email: 'accounts@acme.example', IsPrimary: false, StatementRecipient: 'CC' },
  ],
  Addresses: [{ Line1: '1 High Street', Town: 'Leeds', PostCode: 'LS1 1AA', CountryCode: 'GB' }],
  Currency: { Code: 'GBP' },
  EmailTemplateNumber: 1,
  PaymentTerms: { Days: 30, Type: 'DaysAfterInvoiceDate' },
  Language: 'en-GB',
  IsArchived: false,
  Version: 7,
};

/** Each record type's PUT body (its key left to the path) and its answer. */
export const EXAMPLE_RECORDS: { [T in RecordType]: { request: unknown; answer: unknown } } = {
  Customer: {
    request: {
      Name: 'Acme Ltd',
      Contacts: CUSTOMER_ANSWER.Contacts,
      Addresses: CUSTOMER_ANSWER.Addresses,
      Currency: { Code: 'GBP' },
      EmailTemplateNumber: 1,
      PaymentTerms: { Days: 30 },
      Language: 'en-GB',
      Version: 7,
    },
    answer: CUSTOMER_ANSWER,
  },
  Invoice: {
    request: {
      CustomerCode: '101',
      IssuedDate: '2026-11-01',
      DueDate: '2026-12-01',
      Total: 120,
      Version: 3,
    },
    answer: {
      Number: 1001,
      CustomerCode: '101',
      IssuedDate: '2026-11-01',
      DueDate: '2026-12-01',
      Total: '120.00',
      Version: 3,
    },
  },
  CreditNote: {
    request: {
      CustomerCode: '101',
      IssuedDate: '2026-11-15',
      Total: '30.00',
      Reference: 'Damaged goods',
      Allocations: [{ InvoiceNumber: 1001, Amount: 30 }],
      Version: '2026-11-15T09:30:00Z',
    },
    answer: {
      Number: 5,
      CustomerCode: '101',
      IssuedDate: '2026-11-15',
      Total: '30.00',
      Reference: 'Damaged goods',
      Allocations: [{ InvoiceNumber: 1001, Amount: '30.00' }],
      Version: '2026-11-15T09:30:00Z',
    },
  },
  Payment: {
    request: { Number: 17, Date: '2026-11-20', Amount: '20.00', Method: 'BACS', Version: 1 },
    answer: {
      Number: 17,
      InvoiceNumber: 1001,
      CustomerCode: '101',
      Date: '2026-11-20',
      Amount: '20.00',
      Method: 'BACS',
      Version: 1,
    },
  },
  EmailTemplate: {
    request: {
      Name: 'Statements',
      Subject: 'Statement from #COMPANY#',
      Body: '<p>Dear #CONTACT#, your balance is #BALANCE#.</p>',
      Translations: [
        {
          Language: 'fr',
          Subject: 'Relevé de #COMPANY#',
          Body: '<p>Bonjour #CONTACT#, votre solde est de #BALANCE#.</p>',
        },
      ],
    },
    answer: {
      Number: 1,
      Name: 'Statements',
      Subject: 'Statement from #COMPANY#',
      Body: '<p>Dear #CONTACT#, your balance is #BALANCE#.</p>',
      IsHtml: true,
      Translations: [
        {
          Language: 'fr',
          Subject: 'Relevé de #COMPANY#',
          Body: '<p>Bonjour #CONTACT#, votre solde est de #BALANCE#.</p>',
        },
      ],
    },
  },
};

const SETTINGS = {
  CompanyName: 'Demo Trading Ltd',
  Address: { Line1: '12 Canal Street', Town: 'Manchester', PostCode: 'M1 3HE', CountryCode: 'GB' },
  VATNumber: 'GB123456789',
  TimeZone: 'Europe/London',
  Currency: 'GBP',
  Locale: 'en-GB',
  PaymentInstructions: 'Sort code 04-00-04\nAccount 12345678',
  PaymentLink: 'https://pay.example/s?c={CustomerCode}&a={Amount}',
  DefaultStatementTemplateNumber: 1,
  Version: 2,
};

/** The statement settings, as a PUT sends them and as they are answered. */
export const EXAMPLE_SETTINGS = { request: SETTINGS, answer: SETTINGS };

/** `GET /v2/customers?perpage=2`: a page and the next one's URL. */
export const EXAMPLE_CUSTOMER_LIST = {
  Data: [CUSTOMER_ANSWER, { Code: '102', Name: 'Bolt & Co', Contacts: [], Addresses: [], IsArchived: false }],
  MetaData: { PerPage: 2, NextPageUrl: '/prod/v2/customers?perpage=2&cursor=Q1VTVE9NRVIjMTAy' },
};

/** docs/api.md's bulk: four operations, one of them Invalid. */
export const EXAMPLE_BATCH = {
  Operations: [
    { Action: 'Upsert', Type: 'Customer', Record: { Code: '101', Name: 'Acme Ltd', Version: 7 } },
    {
      Action: 'Upsert',
      Type: 'Invoice',
      Record: {
        Number: 1001,
        CustomerCode: '101',
        IssuedDate: '2026-11-01',
        DueDate: '2026-12-01',
        Total: '120.00',
      },
    },
    { Action: 'Delete', Type: 'Payment', Number: 17, Version: 4 },
    {
      Action: 'Upsert',
      Type: 'Invoice',
      Record: {
        Number: 1002,
        CustomerCode: '101',
        IssuedDate: '2026-11-01',
        DueDate: '2026-12-01',
        Total: '1.005',
      },
    },
  ],
};

/** The same operations as NDJSON. */
export const EXAMPLE_BATCH_NDJSON = `${EXAMPLE_BATCH.Operations.map((operation) => JSON.stringify(operation)).join('\n')}\n`;

/** The bulk's answer. */
export const EXAMPLE_BATCH_RESULT = {
  Results: [
    { Index: 0, Type: 'Customer', Key: '101', Result: 'Created' },
    { Index: 1, Type: 'Invoice', Key: '1001', Result: 'Updated' },
    { Index: 2, Type: 'Payment', Key: '17', Result: 'Deleted' },
    {
      Index: 3,
      Type: 'Invoice',
      Key: '1002',
      Result: 'Invalid',
      Message: 'Total: must have at most 2 decimals for GBP',
    },
  ],
  Summary: {
    Created: 1,
    Updated: 1,
    Unchanged: 0,
    Deleted: 1,
    Stale: 0,
    NotFound: 0,
    Invalid: 1,
    Conflict: 0,
  },
};
