import { describe, expect, it } from 'vitest';
import { judgeCustomer } from '#shared/domain/customer-status.ts';
import { jobRecipientsOf, jobStateOf } from '#shared/domain/recipient-state.ts';
import {
  addressedCustomer,
  describeDropped,
  type RecipientContact,
  type SuppressedAddresses,
  sentRecipients,
  statementRecipients,
  statementSender,
} from '#shared/domain/statement-recipients.ts';
import { SuppressionRecordSchema } from '#shared/schemas/records.ts';

const customer = (contacts?: RecipientContact[], extra: { email?: string; contactName?: string } = {}) => ({
  name: 'Acme Ltd',
  ...extra,
  ...(contacts === undefined ? {} : { contacts }),
});

const addresses = (list: { address: string }[]) => list.map((recipient) => recipient.address);

const suppressed = (entries: Record<string, 'Bounced' | 'Complained'>): SuppressedAddresses =>
  new Map(
    Object.entries(entries).map(([address, reason]) => [address, { reason, at: '2026-11-01T00:00:00Z' }]),
  );

describe('statementRecipients', () => {
  it('puts the primary contact first on To, the other To contacts after it, CC contacts on Cc, None nowhere', () => {
    const recipients = statementRecipients(
      customer([
        { Name: 'Tom', Email: 'tom@acme.example', StatementRecipient: 'To' },
        { Name: 'Carol', Email: 'carol@acme.example', StatementRecipient: 'CC' },
        { Name: 'Ann', Email: 'ann@acme.example', IsPrimary: true },
        { Name: 'Nick', Email: 'nick@acme.example', StatementRecipient: 'None' },
        { Name: 'Nora', Email: 'nora@acme.example' },
      ]),
    );

    expect(recipients.to).toEqual([
      { name: 'Ann', address: 'ann@acme.example', line: 'To' },
      { name: 'Tom', address: 'tom@acme.example', line: 'To' },
    ]);
    expect(recipients.cc).toEqual([{ name: 'Carol', address: 'carol@acme.example', line: 'Cc' }]);
    expect(recipients.bcc).toEqual([]);
    expect(recipients.dropped).toEqual([]);
    expect(recipients.promoted).toBe(false);
  });

  it('keeps a primary contact marked CC on Cc, and names an unnamed contact after the customer', () => {
    const recipients = statementRecipients(
      customer([
        { Email: 'ap@acme.example', IsPrimary: true, StatementRecipient: 'CC' },
        { Name: 'Tom', Email: 'tom@acme.example', StatementRecipient: 'To' },
      ]),
    );

    expect(addresses(recipients.to)).toEqual(['tom@acme.example']);
    expect(recipients.cc).toEqual([{ name: 'Acme Ltd', address: 'ap@acme.example', line: 'Cc' }]);
  });

  it('falls back to the email and contact name of a customer without contacts', () => {
    expect(
      statementRecipients(customer(undefined, { email: 'ann@acme.example', contactName: 'Ann' })),
    ).toEqual({
      to: [{ name: 'Ann', address: 'ann@acme.example', line: 'To' }],
      cc: [],
      bcc: [],
      dropped: [],
      promoted: false,
    });
    expect(statementRecipients(customer(undefined, { email: 'ann@acme.example' })).to[0]?.name).toBe(
      'Acme Ltd',
    );
    expect(statementRecipients(customer(undefined)).to).toEqual([]);
  });

  it('drops invalid and missing addresses, reporting each with its line', () => {
    const recipients = statementRecipients(
      customer([
        { Name: 'Ann', Email: 'ann@acme', IsPrimary: true },
        { Name: 'Tom', StatementRecipient: 'To' },
        { Name: 'Carol', Email: 'carol@acme.example', StatementRecipient: 'CC' },
        { Name: 'Evil', Email: 'x@acme.example\r\nBcc: victim@example.com', StatementRecipient: 'CC' },
      ]),
    );

    expect(recipients.dropped).toEqual([
      { name: 'Ann', address: 'ann@acme', line: 'To', reason: 'Invalid' },
      { name: 'Tom', address: '', line: 'To', reason: 'Invalid' },
      { name: 'Evil', address: 'x@acme.example\r\nBcc: victim@example.com', line: 'Cc', reason: 'Invalid' },
    ]);
    // No valid To: the first valid CC is promoted.
    expect(addresses(recipients.to)).toEqual(['carol@acme.example']);
    expect(recipients.cc).toEqual([]);
    expect(recipients.promoted).toBe(true);
  });

  it('drops suppressed addresses whatever their letter case, and keeps the others', () => {
    const recipients = statementRecipients(
      customer([
        { Name: 'Ann', Email: 'Ann@Acme.example', IsPrimary: true },
        { Name: 'Tom', Email: 'tom@acme.example', StatementRecipient: 'To' },
        { Name: 'Carol', Email: 'carol@acme.example', StatementRecipient: 'CC' },
      ]),
      { suppressed: suppressed({ 'ann@acme.example': 'Bounced', 'carol@acme.example': 'Complained' }) },
    );

    expect(addresses(recipients.to)).toEqual(['tom@acme.example']);
    expect(recipients.cc).toEqual([]);
    expect(recipients.dropped.map(({ address, reason }) => [address, reason])).toEqual([
      ['Ann@Acme.example', 'Bounced'],
      ['carol@acme.example', 'Complained'],
    ]);
  });

  it('promotes the first valid, unsuppressed CC when no To is left', () => {
    const recipients = statementRecipients(
      customer([
        { Name: 'Ann', Email: 'ann@acme.example', IsPrimary: true },
        { Name: 'Carol', Email: 'carol@acme.example', StatementRecipient: 'CC' },
        { Name: 'Dave', Email: 'dave@acme.example', StatementRecipient: 'CC' },
      ]),
      { suppressed: suppressed({ 'ann@acme.example': 'Bounced' }) },
    );

    expect(recipients.to).toEqual([{ name: 'Carol', address: 'carol@acme.example', line: 'To' }]);
    expect(addresses(recipients.cc)).toEqual(['dave@acme.example']);
    expect(recipients.promoted).toBe(true);
  });

  it('puts an address on one line only, the first it comes on, ignoring letter case', () => {
    const recipients = statementRecipients(
      customer([
        { Name: 'Ann', Email: 'ann@acme.example', IsPrimary: true },
        { Name: 'Ann again', Email: 'ANN@acme.example', StatementRecipient: 'To' },
        { Name: 'Ann copied', Email: 'Ann@Acme.Example', StatementRecipient: 'CC' },
        { Name: 'Carol', Email: 'carol@acme.example', StatementRecipient: 'CC' },
      ]),
      { bcc: 'CAROL@acme.example' },
    );

    expect(addresses(sentRecipients(recipients))).toEqual(['ann@acme.example', 'carol@acme.example']);
    expect(recipients.bcc).toEqual([]);
    expect(recipients.dropped).toEqual([]);
  });

  it("adds the tenant's Bcc copy, never judged by the customer's suppressions, and drops an invalid one", () => {
    const contacts = [{ Name: 'Ann', Email: 'ann@acme.example', IsPrimary: true }];
    const withBcc = statementRecipients(customer(contacts), {
      bcc: 'copies@demo.example',
      suppressed: suppressed({ 'copies@demo.example': 'Bounced' }),
    });
    const invalid = statementRecipients(customer(contacts), { bcc: 'copies@demo' });

    expect(withBcc.bcc).toEqual([{ address: 'copies@demo.example', line: 'Bcc' }]);
    expect(invalid.bcc).toEqual([]);
    expect(invalid.dropped).toEqual([{ address: 'copies@demo', line: 'Bcc', reason: 'Invalid' }]);
  });

  it('leaves nobody on To when every address is invalid, suppressed or marked None; a Bcc alone does not count', () => {
    const recipients = statementRecipients(
      customer([
        { Name: 'Ann', Email: 'ann@acme.example', IsPrimary: true },
        { Name: 'Carol', Email: 'carol', StatementRecipient: 'CC' },
        { Name: 'Nick', Email: 'nick@acme.example', StatementRecipient: 'None' },
      ]),
      { bcc: 'copies@demo.example', suppressed: suppressed({ 'ann@acme.example': 'Bounced' }) },
    );

    expect(recipients.to).toEqual([]);
    expect(recipients.cc).toEqual([]);
    expect(describeDropped(recipients.dropped)).toBe('1 bounced before, 1 not a valid email address');
  });

  it('caps the recipients at SES limit of 50, reporting the rest', () => {
    const contacts = Array.from({ length: 52 }, (_, index) => ({
      Email: `c${index}@acme.example`,
      StatementRecipient: 'CC' as const,
    }));

    const recipients = statementRecipients(customer(contacts), { bcc: 'copies@demo.example' });

    expect(sentRecipients(recipients)).toHaveLength(50);
    expect(recipients.dropped.map(({ address, reason }) => [address, reason])).toEqual([
      ['c50@acme.example', 'OverLimit'],
      ['c51@acme.example', 'OverLimit'],
      ['copies@demo.example', 'OverLimit'],
    ]);
  });
});

describe('addressedCustomer', () => {
  it('addresses again to exactly the same To and Cc without knowing the suppressions', () => {
    const record = {
      code: '101',
      name: 'Acme Ltd',
      email: 'ann@acme.example',
      contactName: 'Ann',
      contacts: [
        { Name: 'Ann', Email: 'ann@acme.example', IsPrimary: true },
        { Email: 'tom@acme.example', StatementRecipient: 'To' as const },
        { Name: 'Carol', Email: 'carol@acme.example', StatementRecipient: 'CC' as const },
        { Name: 'Dave', Email: 'dave@acme.example', StatementRecipient: 'CC' as const },
      ],
    };
    const first = statementRecipients(record, {
      bcc: 'copies@demo.example',
      suppressed: suppressed({ 'ann@acme.example': 'Bounced', 'tom@acme.example': 'Complained' }),
    });

    const again = statementRecipients(addressedCustomer(record, first), { bcc: 'copies@demo.example' });

    expect(sentRecipients(again)).toEqual(sentRecipients(first));
    expect(addressedCustomer(record, first)).toMatchObject({ code: '101', email: 'ann@acme.example' });
  });
});

describe('statementSender', () => {
  it("writes From with the tenant's fromName, else its name, and Reply-To only when set, valid and not From", () => {
    const tenant = { name: 'Demo Trading Ltd', fromEmail: 'accounts@demo.example' };

    expect(statementSender(tenant)).toEqual({
      from: { name: 'Demo Trading Ltd', address: 'accounts@demo.example' },
    });
    expect(statementSender({ ...tenant, fromName: 'Demo Accounts', replyTo: 'credit@demo.example' })).toEqual(
      {
        from: { name: 'Demo Accounts', address: 'accounts@demo.example' },
        replyTo: { address: 'credit@demo.example' },
      },
    );
    expect(statementSender({ ...tenant, replyTo: 'credit@demo' }).replyTo).toBeUndefined();
    expect(statementSender({ ...tenant, replyTo: 'Accounts@demo.example' }).replyTo).toBeUndefined();
  });
});

describe('judgeCustomer with contacts', () => {
  const contacts = [
    { Name: 'Ann', Email: 'ann@acme.example', IsPrimary: true },
    { Name: 'Carol', Email: 'carol@acme.example', StatementRecipient: 'CC' as const },
  ];

  it('sends while one To or Cc address is left, and reports an invalid email address when none is', () => {
    expect(judgeCustomer(customer(contacts), suppressed({ 'ann@acme.example': 'Bounced' }))).toBe('send');
    expect(
      judgeCustomer(
        customer(contacts),
        suppressed({ 'ann@acme.example': 'Bounced', 'carol@acme.example': 'Complained' }),
      ),
    ).toBe('invalidEmail');
    expect(judgeCustomer(customer([{ Email: 'nick@acme.example', StatementRecipient: 'None' }]))).toBe(
      'invalidEmail',
    );
  });
});

describe('SuppressionRecordSchema', () => {
  it('reads the per-address map and an item of the first version (one address) alike, keyed in lower case', () => {
    const legacy = SuppressionRecordSchema.parse({
      code: '101',
      address: 'Ann@Acme.example',
      reason: 'Bounced',
      at: '2026-01-01T00:00:00Z',
    });
    const both = SuppressionRecordSchema.parse({
      code: '101',
      address: 'ann@acme.example',
      reason: 'Bounced',
      at: '2026-01-01T00:00:00Z',
      addresses: { 'tom@acme.example': { reason: 'Complained', at: '2026-02-01T00:00:00Z' } },
    });

    expect([...legacy.addresses]).toEqual([
      ['ann@acme.example', { reason: 'Bounced', at: '2026-01-01T00:00:00Z' }],
    ]);
    expect([...both.addresses.keys()]).toEqual(['ann@acme.example', 'tom@acme.example']);
  });
});

describe('jobStateOf', () => {
  const to = (state: 'Sent' | 'Delivered' | 'Bounced' | 'Complained') => ({ line: 'To' as const, state });

  it("sums up the To and Cc recipients: Complained if any, Bounced if all, Delivered if any, never the Bcc's", () => {
    expect(jobStateOf([to('Sent'), to('Sent')])).toBe('Sent');
    expect(jobStateOf([to('Bounced'), to('Sent')])).toBe('Sent');
    expect(jobStateOf([to('Bounced'), to('Delivered')])).toBe('Delivered');
    expect(jobStateOf([to('Bounced'), { line: 'Cc', state: 'Bounced' }])).toBe('Bounced');
    expect(jobStateOf([to('Delivered'), to('Complained')])).toBe('Complained');
    expect(jobStateOf([to('Sent'), { line: 'Bcc', state: 'Delivered' }])).toBe('Sent');
    expect(jobStateOf([to('Bounced'), { line: 'Bcc', state: 'Delivered' }])).toBe('Bounced');
    expect(jobStateOf([to('Delivered'), { line: 'Cc', state: 'NotSent' }])).toBe('Delivered');
  });

  it('reads a job sent before recipients were recorded as its one sentTo, in the job state', () => {
    expect(jobRecipientsOf({ sentTo: 'ann@acme.example', state: 'Delivered' })).toEqual([
      { address: 'ann@acme.example', line: 'To', state: 'Delivered', stateRank: 2 },
    ]);
    expect(jobRecipientsOf({ state: 'Failed' })).toEqual([]);
  });
});
