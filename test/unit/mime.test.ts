import * as fc from 'fast-check';
import { type AddressObject, simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { toSingleLine } from '#shared/domain/template.ts';
import { buildRawMessage, MailAddressError, type MailMessage } from '#shared/render/mime.ts';

const PDF = new TextEncoder().encode('%PDF-1.7 not really');

function message(changes: Partial<MailMessage> = {}): MailMessage {
  return {
    from: { name: 'Demo Trading Ltd', address: 'accounts@demo.example' },
    to: { name: 'Ann Smith', address: 'ann@acme.example' },
    subject: 'Statement of account',
    text: 'Dear Ann',
    html: '<p>Dear Ann</p>',
    attachments: [{ filename: 'statement-101-2026-03-31.pdf', contentType: 'application/pdf', content: PDF }],
    date: new Date('2026-04-15T09:00:00Z'),
    ...changes,
  };
}

const lines = (raw: Buffer) => raw.toString('latin1').split('\r\n');
const headerLines = (raw: Buffer) => lines(raw).filter((line) => /^([A-Za-z-]+:|[ \t])/.test(line));
const firstAddress = (field: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(field) ? field[0] : field)?.value[0];

/** Every byte is 7-bit, every line within RFC 5322's 998, every header line within 78. */
function expectWellFormed(raw: Buffer) {
  expect(raw.every((byte) => byte < 128)).toBe(true);
  expect(raw.toString('latin1').replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  for (const line of lines(raw)) expect(line.length).toBeLessThanOrEqual(998);
  for (const line of headerLines(raw)) expect(line.length, line).toBeLessThanOrEqual(78);
}

describe('buildRawMessage', () => {
  it('encodes a non-ASCII attachment name per RFC 2231, with an ASCII fallback', async () => {
    const raw = buildRawMessage(
      message({
        attachments: [
          { filename: 'statement-MÜLLER-2026-03-31.pdf', contentType: 'application/pdf', content: PDF },
        ],
      }),
    );

    expectWellFormed(raw);
    const text = raw.toString('latin1');
    expect(text).toContain("filename*=utf-8''statement-M%C3%9CLLER-2026-03-31.pdf");
    expect(text).toContain("name*=utf-8''statement-M%C3%9CLLER-2026-03-31.pdf");
    expect(text).toMatch(/ filename="statement-M[?_]LLER-2026-03-31\.pdf"/);
    const parsed = await simpleParser(raw);
    expect(parsed.attachments[0]?.filename).toBe('statement-MÜLLER-2026-03-31.pdf');
  });

  it('folds a long ASCII subject at spaces into lines of at most 78 characters', async () => {
    const subject = Array.from({ length: 150 }, (_, index) => `word${index}`).join(' ');
    expect(subject.length).toBeGreaterThan(998);
    const raw = buildRawMessage(message({ subject }));

    expectWellFormed(raw);
    expect(raw.toString('latin1')).toContain('Subject: word0 word1');
    expect((await simpleParser(raw)).subject).toBe(subject);
  });

  it('keeps path separators and quotes out of the attachment name', async () => {
    const raw = buildRawMessage(
      message({ attachments: [{ filename: '../a"b\\c.pdf', contentType: 'application/pdf', content: PDF }] }),
    );
    expect((await simpleParser(raw)).attachments[0]?.filename).toBe('.._a_b_c.pdf');
  });

  it("gives every message its own Message-ID in the sender's domain", async () => {
    const [first, second] = [buildRawMessage(message()), buildRawMessage(message())];

    expect((await simpleParser(first)).messageId).toMatch(/^<[0-9a-f]{32}@demo\.example>$/);
    expect((await simpleParser(first)).messageId).not.toBe((await simpleParser(second)).messageId);
  });

  it('sends inline images with the HTML in a multipart/related, shown by cid and not attached', async () => {
    const logo = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    const raw = buildRawMessage(
      message({
        html: '<img src="cid:logo@statement.invalid"><p>Dear Ann</p>',
        inline: [
          {
            contentId: 'logo@statement.invalid',
            contentType: 'image/png',
            filename: 'logo.png',
            content: logo,
          },
        ],
      }),
    );

    expectWellFormed(raw);
    expect(raw.toString('latin1')).toMatch(/Content-Type: multipart\/related;\s+type="?text\/html"?;/);
    const parsed = await simpleParser(raw);
    const image = parsed.attachments.find((attachment) => attachment.contentType === 'image/png');
    expect(image).toMatchObject({
      contentId: '<logo@statement.invalid>',
      related: true,
      contentDisposition: 'inline',
    });
    expect(Buffer.from(image?.content ?? []).equals(Buffer.from(logo))).toBe(true);
    expect(parsed.attachments.filter((attachment) => !attachment.related).map((a) => a.filename)).toEqual([
      'statement-101-2026-03-31.pdf',
    ]);
  });

  it('refuses an inline image whose content id could break the header', () => {
    expect(() =>
      buildRawMessage(
        message({
          inline: [
            { contentId: 'a>\r\nBcc: x@y', contentType: 'image/png', filename: 'l.png', content: PDF },
          ],
        }),
      ),
    ).toThrow(MailAddressError);
  });

  it('refuses a content type that is not a plain type/subtype', () => {
    expect(() =>
      buildRawMessage(
        message({
          attachments: [
            { filename: 'a.pdf', contentType: 'application/pdf\r\nBcc: x@evil.example', content: PDF },
          ],
        }),
      ),
    ).toThrow('Invalid content type');
  });
});

describe('buildRawMessage addresses', () => {
  const addressesOf = (field: AddressObject | AddressObject[] | undefined) =>
    (Array.isArray(field) ? field : field === undefined ? [] : [field]).flatMap((object) => object.value);

  it('writes several To, Cc and a Reply-To, names encoded and folded, and never a Bcc header', async () => {
    const raw = buildRawMessage(
      message({
        to: [
          { name: 'Łukasz Żółkiewski, Księgowość', address: 'lukasz@acme.example' },
          { name: 'Tom "TJ" Jones', address: 'tom@acme.example' },
        ],
        cc: [
          { name: 'Carol', address: 'carol@acme.example' },
          { address: 'ap@acme.example' },
          { name: 'Δημήτρης Παπαδόπουλος'.repeat(3), address: 'dimitris@acme.example' },
        ],
        replyTo: { name: 'Demo Credit Control', address: 'credit@demo.example' },
      }),
    );

    expectWellFormed(raw);
    const headers = raw.toString('latin1').split('\r\n\r\n')[0] ?? '';
    expect(headers).not.toMatch(/^Bcc:/im);
    expect(headers).toMatch(/^Cc: "Carol" <carol@acme\.example>,/m);
    const parsed = await simpleParser(raw);
    expect(addressesOf(parsed.to)).toEqual([
      { name: 'Łukasz Żółkiewski, Księgowość', address: 'lukasz@acme.example' },
      { name: 'Tom "TJ" Jones', address: 'tom@acme.example' },
    ]);
    expect(addressesOf(parsed.cc)).toEqual([
      { name: 'Carol', address: 'carol@acme.example' },
      { name: '', address: 'ap@acme.example' },
      { name: 'Δημήτρης Παπαδόπουλος'.repeat(3), address: 'dimitris@acme.example' },
    ]);
    expect(addressesOf(parsed.replyTo)).toEqual([
      { name: 'Demo Credit Control', address: 'credit@demo.example' },
    ]);
    expect(parsed.bcc).toBeUndefined();
  });

  it('writes no Cc or Reply-To header when there is none', () => {
    const headers =
      buildRawMessage(message({ cc: [] }))
        .toString('latin1')
        .split('\r\n\r\n')[0] ?? '';

    expect(headers).not.toMatch(/^(Cc|Reply-To|Bcc):/im);
  });

  it('refuses an invalid address on any line, an empty To, and extra headers that would address the message', () => {
    const invalid = { name: 'Evil', address: 'x@acme.example\r\nBcc: victim@example.com' };

    expect(() => buildRawMessage(message({ cc: [invalid] }))).toThrow(MailAddressError);
    expect(() => buildRawMessage(message({ to: [{ address: 'ann@acme.example' }, invalid] }))).toThrow(
      MailAddressError,
    );
    expect(() => buildRawMessage(message({ replyTo: invalid }))).toThrow(MailAddressError);
    expect(() => buildRawMessage(message({ to: [] }))).toThrow(MailAddressError);
    for (const name of ['Bcc', 'cc', 'To', 'Reply-To', 'From', 'Sender'])
      expect(() => buildRawMessage(message({ headers: { [name]: 'victim@example.com' } })), name).toThrow(
        MailAddressError,
      );
  });
});

describe('buildRawMessage over generated subjects, names and codes', () => {
  const anyText = (maxLength: number) =>
    fc.oneof(
      fc.string({ unit: 'binary', maxLength }),
      fc.string({ unit: 'grapheme', maxLength }),
      fc.string({ unit: 'binary-ascii', maxLength }),
      // Long ASCII words: some longer than a line, so that they cannot be folded at a space.
      fc.array(fc.stringMatching(/^[!-~]{1,120}$/), { maxLength: 20 }).map((words) => words.join(' ')),
      fc
        .array(fc.constantFrom('a', 'Ü', ' ', '  ', '=?', '"', '\\', 'x'.repeat(80), '€', '😀'), {
          maxLength: 60,
        })
        .map((parts) => parts.join('')),
    );
  const code = anyText(40).filter((value) => !/["\\/]/.test(value));

  it('is 7-bit clean, folded, and decodes back to the same subject, names and file name', async () => {
    await fc.assert(
      fc.asyncProperty(
        anyText(1500),
        anyText(200),
        anyText(200),
        code,
        async (subject, from, to, customer) => {
          const filename = `statement-${customer}-2026-03-31.pdf`;
          const raw = buildRawMessage(
            message({
              subject,
              from: { name: from, address: 'accounts@demo.example' },
              to: { name: to, address: 'ann@acme.example' },
              attachments: [{ filename, contentType: 'application/pdf', content: PDF }],
              headers: { 'X-Statement-Customer': customer },
            }),
          );

          expectWellFormed(raw);
          const parsed = await simpleParser(raw);
          expect(parsed.subject ?? '').toBe(toSingleLine(subject));
          expect(firstAddress(parsed.from)).toEqual({
            address: 'accounts@demo.example',
            name: toSingleLine(from),
          });
          expect(firstAddress(parsed.to)).toEqual({ address: 'ann@acme.example', name: toSingleLine(to) });
          expect(parsed.attachments).toHaveLength(1);
          expect(parsed.attachments[0]?.filename).toBe(toSingleLine(filename));
          expect(Buffer.from(parsed.attachments[0]?.content ?? [])).toEqual(Buffer.from(PDF));
          expect(parsed.text).toBe('Dear Ann');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('writes lists of To and Cc mailboxes with any names that decode back to the same mailboxes', async () => {
    const mailboxes = (prefix: string) =>
      fc
        .array(anyText(120), { minLength: 1, maxLength: 4 })
        .map((names) => names.map((name, index) => ({ name, address: `${prefix}${index}@acme.example` })));
    const listOf = (field: AddressObject | AddressObject[] | undefined) =>
      (Array.isArray(field) ? field : field === undefined ? [] : [field]).flatMap((object) => object.value);
    await fc.assert(
      fc.asyncProperty(mailboxes('to'), mailboxes('cc'), async (to, cc) => {
        const raw = buildRawMessage(message({ to, cc }));

        expectWellFormed(raw);
        const parsed = await simpleParser(raw);
        const expected = (list: typeof to) =>
          list.map(({ name, address }) => ({ address, name: toSingleLine(name) }));
        expect(listOf(parsed.to)).toEqual(expected(to));
        expect(listOf(parsed.cc)).toEqual(expected(cc));
      }),
      { numRuns: 200 },
    );
  });
});
