import { describe, expect, it } from 'vitest';
import {
  BATCH_RESULT_XML,
  CUSTOMER_LIST_XML,
  fromXml,
  ledgerBatchFromXml,
  RECORD_XML,
  recordFromXml,
} from '#shared/http/ledger-xml.ts';
import { MAX_XML_DEPTH, parseXmlDocument, toXml, XmlBodyError } from '#shared/http/xml.ts';
import { CustomerSchema, InvoiceSchema, VersionSchema } from '#shared/schemas/ledger-records.ts';
import { LEDGER_KINDS, type LedgerType } from '#shared/services/ledger/ledger-kinds.ts';

const read = (xml: string, type: LedgerType) => recordFromXml(parseXmlDocument(xml), type);

/** The schema's issues as `path: message`, the way the write path writes them. */
function problems(type: LedgerType, value: unknown): string[] {
  const parsed = LEDGER_KINDS[type].schema.safeParse(value);
  return parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

const CUSTOMER_XML = `<?xml version="1.0" encoding="utf-8"?>
<Customer xmlns:i="http://www.w3.org/2001/XMLSchema-instance">
  <Code>0065</Code>
  <Name>Acme &amp; Co</Name>
  <Contacts>
    <Contact><Name>Ann</Name><Email>ann@acme.example</Email><IsPrimary>true</IsPrimary></Contact>
    <Contact><Name>Bob</Name><IsPrimary>0</IsPrimary><StatementRecipient>CC</StatementRecipient></Contact>
  </Contacts>
  <Addresses><Address><Line1>1 High St</Line1><PostCode>AB1 2CD</PostCode></Address></Addresses>
  <Currency><Code>GBP</Code></Currency>
  <EmailTemplateNumber i:nil="true"/>
  <PaymentTerms><Days>30</Days></PaymentTerms>
  <!-- archived customers are kept -->
  <IsArchived>false</IsArchived>
  <Version>7</Version>
</Customer>`;

describe('parseXmlDocument', () => {
  it('reads the element tree with local names, nil, text, CDATA and comments', () => {
    const root = parseXmlDocument(
      '\uFEFF<?xml version="1.0"?><a:Root xmlns:a="urn:x"><a:Leaf>A&amp;B&#x43;</a:Leaf><Nil xmlns:i="urn:i" i:nil="true"/><Data><![CDATA[<b>]]><!-- c -->!</Data></a:Root>',
    );
    expect(root).toEqual({
      name: 'Root',
      nil: false,
      text: '',
      children: [
        { name: 'Leaf', nil: false, text: 'A&BC', children: [] },
        { name: 'Nil', nil: true, text: '', children: [] },
        { name: 'Data', nil: false, text: '<b>!', children: [] },
      ],
    });
  });

  it.each([
    [
      'a DOCTYPE',
      '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Customer>&e;</Customer>',
      /DOCTYPE/,
    ],
    ['an undefined entity', '<Customer><Name>&nbsp;</Name></Customer>', /undefined entity &nbsp;/],
    ['a mismatched close tag', '<Customer><Name>x</Nam></Customer>', /<\/Name> was expected/],
    ['content after the root', '<Customer/><Customer/>', /content after the root element/],
    ['an empty document', ' ', /the document is empty/],
    ['JSON', '{"Code":"1"}', /an element was expected/],
    [
      'nesting deeper than the limit',
      `${'<a>'.repeat(MAX_XML_DEPTH + 1)}${'</a>'.repeat(MAX_XML_DEPTH + 1)}`,
      new RegExp(`more than ${MAX_XML_DEPTH} deep`),
    ],
  ])('refuses %s', (_, xml, message) => {
    expect(() => parseXmlDocument(xml)).toThrow(XmlBodyError);
    expect(() => parseXmlDocument(xml)).toThrow(message);
  });

  it('reads a document nested exactly to the limit', () => {
    const xml = `${'<a>'.repeat(MAX_XML_DEPTH)}x${'</a>'.repeat(MAX_XML_DEPTH)}`;
    expect(parseXmlDocument(xml).name).toBe('a');
  });
});

describe('recordFromXml: the JSON shape a schema expects, by walking the schema', () => {
  it('reads a customer: objects by name, lists whatever their item names, numbers, booleans, nil as absent', () => {
    const customer = read(CUSTOMER_XML, 'Customer');

    expect(customer).toEqual({
      Code: '0065',
      Name: 'Acme & Co',
      Contacts: [
        { Name: 'Ann', Email: 'ann@acme.example', IsPrimary: true },
        { Name: 'Bob', IsPrimary: false, StatementRecipient: 'CC' },
      ],
      Addresses: [{ Line1: '1 High St', PostCode: 'AB1 2CD' }],
      Currency: { Code: 'GBP' },
      PaymentTerms: { Days: 30 },
      IsArchived: false,
      Version: 7,
    });
    expect(CustomerSchema.safeParse(customer).success).toBe(true);
  });

  it('keeps codes exactly as written (leading zeros and spaces)', () => {
    expect(read('<Customer><Code> 0065 </Code><Name>N</Name></Customer>', 'Customer')).toMatchObject({
      Code: ' 0065 ',
    });
  });

  it('reads a Version timestamp as text and a counter as a number (the union tries each option)', () => {
    const version = (text: string) =>
      fromXml(parseXmlDocument(`<Version>${text}</Version>`), VersionSchema.optional());
    expect(version('12')).toBe(12);
    expect(version('2026-11-24T10:15:00Z')).toBe('2026-11-24T10:15:00Z');
    expect(version('soon')).toBe('soon');
  });

  it('leaves what is not a number or a boolean as text, and the schema names the field and its rule as for JSON', () => {
    const xml =
      '<Invoice><Number>12a</Number><CustomerCode>101</CustomerCode><IssuedDate>2026-02-30</IssuedDate><DueDate>2026-03-01</DueDate><Total>1e3</Total></Invoice>';
    const json = {
      Number: '12a',
      CustomerCode: '101',
      IssuedDate: '2026-02-30',
      DueDate: '2026-03-01',
      Total: '1e3',
    };

    expect(problems('Invoice', read(xml, 'Invoice'))).toEqual(problems('Invoice', json));
    expect(problems('Invoice', read(xml, 'Invoice'))).toEqual([
      'Number: must be a whole number from 1 to 9999999999',
      'IssuedDate: must be a real date in YYYY-MM-DD form',
      'Total: must be a decimal amount such as 120.00 or "120.00"',
    ]);
  });

  it('keeps an unknown element so that the strict schema refuses it by name', () => {
    const invoice = read(
      '<Invoice><Number>1</Number><CustomerCode>1</CustomerCode><IssuedDate>2026-01-01</IssuedDate><DueDate>2026-01-01</DueDate><Total>1</Total><Discount><Rate>5</Rate></Discount></Invoice>',
      'Invoice',
    );
    expect(invoice).toMatchObject({ Discount: { Rate: '5' } });
    expect(InvoiceSchema.safeParse(invoice).error?.issues[0]).toMatchObject({
      code: 'unrecognized_keys',
      keys: ['Discount'],
    });
  });

  it('makes a field given twice a list, which the schema refuses by the field name', () => {
    const customer = read('<Customer><Code>1</Code><Name>A</Name><Name>B</Name></Customer>', 'Customer');
    expect(customer).toMatchObject({ Name: ['A', 'B'] });
    expect(problems('Customer', customer)).toEqual(['Name: Invalid input: expected string, received array']);
  });

  it('reads markup where text belongs as an object, which the schema refuses by the field name', () => {
    const customer = read('<Customer><Code>1</Code><Name><b>A</b></Name></Customer>', 'Customer');
    expect(problems('Customer', customer)).toEqual(['Name: Invalid input: expected string, received object']);
  });

  it('gives a nil required field as null, and text where a list belongs as text: both named by the schema', () => {
    const customer = read(
      '<Customer xmlns:i="urn:i"><Code i:nil="true"/><Name>A</Name><Contacts>Ann</Contacts></Customer>',
      'Customer',
    );
    expect(customer).toEqual({ Code: null, Name: 'A', Contacts: 'Ann' });
    expect(problems('Customer', customer).map((problem) => problem.split(':')[0])).toEqual([
      'Code',
      'Contacts',
    ]);
  });

  it('does not let an element named __proto__ change the record prototype', () => {
    const customer = read(
      '<Customer><Code>1</Code><Name>A</Name><__proto__><x>1</x></__proto__></Customer>',
      'Customer',
    );
    expect(Object.getPrototypeOf(customer)).toBe(Object.prototype);
    expect(Object.keys(customer as object)).toContain('__proto__');
    expect(CustomerSchema.safeParse(customer).success).toBe(false);
  });

  it.each([
    ['another root', '<Invoice><Number>1</Number></Invoice>', /^XML body must be a Customer element$/],
    [
      'text beside elements',
      '<Customer>hello<Code>1</Code></Customer>',
      /Customer must hold either text or elements/,
    ],
  ])('refuses %s', (_, xml, message) => {
    expect(() => read(xml, 'Customer')).toThrow(XmlBodyError);
    expect(() => read(xml, 'Customer')).toThrow(message);
  });

  it('reads back what toXml writes for every record type', () => {
    const records: { [T in LedgerType]: Record<string, unknown> } = {
      Customer: CustomerSchema.parse(read(CUSTOMER_XML, 'Customer')),
      Invoice: {
        Number: 1001,
        CustomerCode: '101',
        IssuedDate: '2026-01-01',
        DueDate: '2026-02-01',
        Total: '120.00',
        Reference: 'PO <7> & "x"',
        Version: '2026-11-24T10:15:00Z',
      },
      CreditNote: {
        Number: 5,
        CustomerCode: '101',
        IssuedDate: '2026-01-01',
        Total: '20.00',
        Allocations: [{ InvoiceNumber: 1001, Amount: '10.00' }],
      },
      Payment: { Number: 9, InvoiceNumber: 1001, Date: '2026-01-05', Amount: '20.00' },
      EmailTemplate: { Number: 1, Name: 'T', Subject: 'Statement #NAME#', Body: '<p>Hi</p>', IsHtml: true },
      StatementSettings: {
        CompanyName: 'Acme',
        TimeZone: 'Europe/London',
        Currency: 'GBP',
        Locale: 'en-GB',
        Address: { Line1: '1 High St' },
      },
    };
    for (const [type, record] of Object.entries(records) as [LedgerType, Record<string, unknown>][]) {
      const xml = toXml(RECORD_XML[type].root, record, RECORD_XML[type].items);
      const back = LEDGER_KINDS[type].schema.parse(read(xml, type));
      expect(back, type).toEqual(LEDGER_KINDS[type].schema.parse(record));
    }
  });
});

describe('ledgerBatchFromXml', () => {
  it('reads each operation, its Record by its own Type', () => {
    const batch = ledgerBatchFromXml(
      parseXmlDocument(`<LedgerBatch><Operations>
        <Operation><Action>Upsert</Action><Type>Invoice</Type><Record><Number>1001</Number><CustomerCode>101</CustomerCode><IssuedDate>2026-01-01</IssuedDate><DueDate>2026-01-01</DueDate><Total>12.50</Total><Version>3</Version></Record></Operation>
        <Operation><Action>Upsert</Action><Type>Customer</Type><Record><Code>101</Code><Name>A</Name><Contacts><Contact><IsPrimary>true</IsPrimary></Contact></Contacts></Record></Operation>
        <Operation><Action>Delete</Action><Type>Customer</Type><Code>0065</Code><Version>2026-11-24T10:15:00Z</Version></Operation>
        <Operation><Action>Delete</Action><Type>Payment</Type><Number>7</Number><Version>4</Version></Operation>
        <Operation><Action>Upsert</Action><Type>Gadget</Type><Record><Size>9</Size></Record></Operation>
      </Operations></LedgerBatch>`),
    );

    expect(batch).toEqual({
      Operations: [
        {
          Action: 'Upsert',
          Type: 'Invoice',
          Record: {
            Number: 1001,
            CustomerCode: '101',
            IssuedDate: '2026-01-01',
            DueDate: '2026-01-01',
            Total: '12.50',
            Version: 3,
          },
        },
        {
          Action: 'Upsert',
          Type: 'Customer',
          Record: { Code: '101', Name: 'A', Contacts: [{ IsPrimary: true }] },
        },
        { Action: 'Delete', Type: 'Customer', Code: '0065', Version: '2026-11-24T10:15:00Z' },
        { Action: 'Delete', Type: 'Payment', Number: 7, Version: 4 },
        { Action: 'Upsert', Type: 'Gadget', Record: { Size: '9' } },
      ],
    });
  });

  it('keeps unknown top-level elements and an empty Operations, for the envelope check to judge', () => {
    expect(
      ledgerBatchFromXml(parseXmlDocument('<LedgerBatch><Operations/><DryRun>1</DryRun></LedgerBatch>')),
    ).toEqual({ Operations: [], DryRun: '1' });
  });

  it('refuses another root', () => {
    expect(() => ledgerBatchFromXml(parseXmlDocument('<Batch/>'))).toThrow(
      /^XML body must be a LedgerBatch element$/,
    );
  });
});

describe('the XML shapes of the answers', () => {
  it('names list items: contacts, addresses, allocations, the customer list and the bulk results', () => {
    expect(
      toXml(
        CUSTOMER_LIST_XML.root,
        { Data: [{ Code: '1', Contacts: [{ Name: 'A' }] }], MetaData: { PerPage: 1 } },
        CUSTOMER_LIST_XML.items,
      ),
    ).toBe(
      '<?xml version="1.0" encoding="utf-8"?><CustomerList><Data><Customer><Code>1</Code><Contacts><Contact><Name>A</Name></Contact></Contacts></Customer></Data><MetaData><PerPage>1</PerPage></MetaData></CustomerList>',
    );
    expect(
      toXml(
        BATCH_RESULT_XML.root,
        { Results: [{ Index: 0, Result: 'Created' }], Summary: { Created: 1 } },
        BATCH_RESULT_XML.items,
      ),
    ).toBe(
      '<?xml version="1.0" encoding="utf-8"?><LedgerBatchResult><Results><Result><Index>0</Index><Result>Created</Result></Result></Results><Summary><Created>1</Created></Summary></LedgerBatchResult>',
    );
  });
});
