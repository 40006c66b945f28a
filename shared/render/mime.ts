/**
 * A raw MIME message for SES SendRawEmail: multipart/mixed of a multipart/alternative (plain text
 * and HTML) and attachments. The message is 7-bit clean: every header value is folded onto one
 * line of text, then written as plain ASCII, RFC 2047 encoded-words (unstructured text, display
 * names) or RFC 2231 parameters (file names), and folded at 78 characters; addresses must be
 * plain valid mailboxes. So no value can add or alter a header, and no line is over 998.
 *
 * Near 300 lines on purpose: the header encoders and the message they build are one rule (7-bit
 * clean, folded) and are read and tested together.
 */
import { randomBytes } from 'node:crypto';
import { isValidEmailAddress } from '../domain/email-address.ts';
import { toSingleLine } from '../domain/template.ts';

/** An address and its display name; the name is encoded and the address checked, so neither adds a header. */
export interface Mailbox {
  name?: string | undefined;
  address: string;
}

/** A file attached to the email (the statement PDF), base64-encoded by the writer. */
export interface Attachment {
  filename: string;
  contentType: string;
  content: Uint8Array;
}

/**
 * An image the HTML part shows by `cid:` (the tenant's logo): sent in a multipart/related with the
 * HTML, so that the email loads nothing from the network.
 */
export interface InlineImage {
  /** Without angle brackets; the HTML refers to it as `cid:<contentId>`. */
  contentId: string;
  contentType: string;
  filename: string;
  content: Uint8Array;
}

/**
 * What buildRawMessage needs for SendRawEmail; the writer, not the caller, makes each value safe.
 * There is no Bcc: a blind copy is an envelope destination only (SES's `Destinations`), and a
 * `Bcc:` header would show it to every recipient.
 */
export interface MailMessage {
  from: Mailbox;
  /** One mailbox, or several (RFC 5322 address-list). */
  to: Mailbox | readonly Mailbox[];
  cc?: readonly Mailbox[];
  /** Where replies go; absent: to From. */
  replyTo?: Mailbox;
  subject: string;
  text: string;
  html: string;
  /** Images the HTML shows by `cid:`; absent or empty: the HTML part stands alone. */
  inline?: readonly InlineImage[];
  attachments: Attachment[];
  /** Extra headers; names are checked, values folded like every other. */
  headers?: Record<string, string>;
  date?: Date;
}

/** A From or To that is not one plain valid mailbox: refused, since it could alter the headers. */
export class MailAddressError extends Error {
  override readonly name = 'MailAddressError';
}

/**
 * RFC 5322 2.1.1: a line SHOULD be at most 78 characters and MUST be at most 998. Every header is
 * folded to 78; only an atom that cannot be split (a long address) may make a line longer, and
 * an address is at most 254 characters.
 */
const FOLD_AT = 78;
/** RFC 2047 2: an encoded-word is at most 75 characters. */
const MAX_ENCODED_WORD = 75;
const ENCODED_WORD_WRAPPER = '=?UTF-8?B??='.length;

const isPlainAscii = (text: string) => /^[\x20-\x7E]*$/.test(text) && !text.includes('=?');

/**
 * Writes `Name: atom atom …`, folding at the spaces between atoms so that every line is at most
 * 78 characters where the atoms allow. A fold is CRLF before the single space, so unfolding gives
 * the value back exactly (also to parsers that collapse the whitespace after a fold).
 */
function foldHeader(name: string, atoms: string[]): string {
  const lines: string[] = [];
  let line = `${name}:`;
  let first = true;
  for (const atom of atoms) {
    const fitsHere = line.length + 1 + atom.length <= FOLD_AT;
    // An atom too long for any line stays beside the name rather than leave it alone on a line.
    const fitsNowhere = 1 + atom.length > FOLD_AT;
    if (fitsHere || (first && fitsNowhere)) line += ` ${atom}`;
    else {
      lines.push(line);
      line = ` ${atom}`;
    }
    first = false;
  }
  lines.push(line);
  return lines.join('\r\n');
}

/**
 * RFC 2047 encoded-words (base64 of UTF-8), split between characters so that each is at most 75
 * characters, the first at most `firstRoom`. Decoders drop the space between adjacent
 * encoded-words, so the words give back exactly `text`.
 */
function encodedWords(text: string, firstRoom: number): string[] {
  const bytesFor = (room: number) =>
    Math.floor((Math.min(room, MAX_ENCODED_WORD) - ENCODED_WORD_WRAPPER) / 4) * 3;
  const words: string[] = [];
  let limit = bytesFor(firstRoom);
  let chunk = '';
  let chunkBytes = 0;
  const flush = () => {
    if (chunk !== '') words.push(`=?UTF-8?B?${Buffer.from(chunk, 'utf8').toString('base64')}?=`);
    chunk = '';
    chunkBytes = 0;
    limit = bytesFor(MAX_ENCODED_WORD);
  };
  for (const char of text) {
    const bytes = Buffer.byteLength(char, 'utf8');
    if (chunkBytes + bytes > limit) flush();
    chunk += char;
    chunkBytes += bytes;
  }
  flush();
  return words;
}

/**
 * The atoms of an unstructured header value (Subject, extra headers): plain ASCII words when
 * every word fits on a line, else encoded-words for the whole value.
 */
function unstructuredAtoms(name: string, text: string): string[] {
  const value = toSingleLine(text);
  // Fold only at a single space between two words: a run of spaces stays inside one atom.
  const words = value.split(/(?<=[^ ]) (?=[^ ])/);
  const firstRoom = FOLD_AT - name.length - 2;
  const fits = words.every((word, index) => word.length <= (index === 0 ? firstRoom : FOLD_AT - 1));
  if (isPlainAscii(value) && fits) return words;
  return encodedWords(value, firstRoom);
}

/** An unstructured header, folded and encoded. */
export function formatUnstructuredHeader(name: string, text: string): string {
  return foldHeader(name, unstructuredAtoms(name, text));
}

/** Headers the writer sets itself (or, for Bcc, never): an extra header of these names is refused. */
const STRUCTURAL_HEADERS = new Set([
  'from',
  'sender',
  'to',
  'cc',
  'bcc',
  'reply-to',
  'subject',
  'date',
  'message-id',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
]);

function mailboxAtoms(name: string, { name: display = '', address }: Mailbox): string[] {
  if (!isValidEmailAddress(address)) throw new MailAddressError('The address is not a valid single mailbox');
  const phrase = toSingleLine(display);
  const addressAtom = `<${address}>`;
  if (phrase === '') return [address];
  // A quoted ASCII name needs its quotes and backslashes escaped; anything else is encoded.
  const quoted = `"${phrase.replace(/["\\]/g, '\\$&')}"`;
  if (isPlainAscii(phrase) && quoted.length <= FOLD_AT - name.length - 2) return [quoted, addressAtom];
  return [...encodedWords(phrase, FOLD_AT - name.length - 2), addressAtom];
}

/**
 * An address header of one or more mailboxes (RFC 5322 3.4 address-list): each mailbox's atoms,
 * a comma after each mailbox but the last, folded between atoms like every other header.
 */
function formatAddressHeader(name: string, mailboxes: Mailbox | readonly Mailbox[]): string {
  const list: readonly Mailbox[] = Array.isArray(mailboxes) ? mailboxes : [mailboxes as Mailbox];
  if (list.length === 0) throw new MailAddressError(`${name} needs at least one address`);
  const atoms = list.flatMap((mailbox, index) => {
    const own = mailboxAtoms(name, mailbox);
    if (index === list.length - 1) return own;
    return [...own.slice(0, -1), `${own.at(-1)},`];
  });
  return foldHeader(name, atoms);
}

/** RFC 2231 / 5987 attr-char: what a parameter value may hold without percent-encoding. */
const ATTR_CHAR = /^[A-Za-z0-9!#$&+\-.^_`|~]$/;

function percentEncode(char: string): string {
  if (ATTR_CHAR.test(char)) return char;
  return [...Buffer.from(char, 'utf8')]
    .map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)
    .join('');
}

/**
 * A parameter as atoms, each ending in `;` but the last. A plain ASCII value that fits on a line
 * is quoted; any other value is written per RFC 2231 (`key*=utf-8''…`, split into `key*0*`,
 * `key*1*`, … continuations to fold at 78) after an ASCII fallback `key="…"` for older readers,
 * which RFC 6266 4.3 tells readers to ignore when the extended form is present.
 */
function parameterAtoms(key: string, value: string): string[] {
  const quoted = `${key}="${value}"`;
  if (isPlainAscii(value) && !/["\\]/.test(value) && quoted.length + 1 < FOLD_AT) return [quoted];
  let fallback = value.replace(/[^\x20-\x7E]|["\\]/g, '_').replaceAll('=?', '_?');
  const room = FOLD_AT - 1 - `${key}="";`.length;
  if (fallback.length > room) {
    const extension = /\.[A-Za-z0-9]{1,8}$/.exec(fallback)?.[0] ?? '';
    fallback = fallback.slice(0, room - extension.length) + extension;
  }
  const encoded = [...value].map(percentEncode);
  const single = `${key}*=utf-8''${encoded.join('')}`;
  if (single.length + 1 < FOLD_AT) return [`${key}="${fallback}";`, single];
  const segments: string[] = [];
  let segment = `${key}*0*=utf-8''`;
  for (const piece of encoded) {
    if (segment.length + piece.length + 1 >= FOLD_AT) {
      segments.push(`${segment};`);
      segment = `${key}*${segments.length}*=`;
    }
    segment += piece;
  }
  segments.push(segment);
  return [`${key}="${fallback}";`, ...segments];
}

/** `type/subtype; key=value; …` as a folded header. */
function formatParameterHeader(name: string, value: string, parameters: [string, string][]): string {
  const atoms = [
    value,
    ...parameters.flatMap(([key, parameterValue]) => parameterAtoms(key, parameterValue)),
  ];
  // A parameter's own atoms already end in ';' (a quoted or percent-encoded value never does).
  return foldHeader(
    name,
    atoms.map((atom, index) => (index < atoms.length - 1 && !atom.endsWith(';') ? `${atom};` : atom)),
  );
}

function base64Lines(content: Uint8Array | string): string {
  const encoded = Buffer.from(content).toString('base64');
  return (encoded.match(/.{1,76}/g) ?? []).join('\r\n');
}

const boundary = (kind: string) => `=_${kind}_${randomBytes(12).toString('hex')}`;

/** The file name an attachment is offered under: one line, no path separators or quotes. */
function attachmentName(filename: string): string {
  return toSingleLine(filename).replace(/["\\/]/g, '_');
}

const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$/;

const CONTENT_ID = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+$/;

/** The HTML part: alone, or in a multipart/related with the images it shows by `cid:`. */
function htmlPart(html: string, inline: readonly InlineImage[]): string[] {
  const part = [
    'Content-Type: text/html; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(html),
  ];
  if (inline.length === 0) return part;
  const related = boundary('rel');
  return [
    formatParameterHeader('Content-Type', 'multipart/related', [
      ['type', 'text/html'],
      ['boundary', related],
    ]),
    '',
    `--${related}`,
    ...part,
    ...inline.flatMap((image) => {
      if (!MEDIA_TYPE.test(image.contentType) || !CONTENT_ID.test(image.contentId))
        throw new MailAddressError('Invalid inline image');
      const filename = attachmentName(image.filename);
      return [
        `--${related}`,
        formatParameterHeader('Content-Type', image.contentType, [['name', filename]]),
        formatParameterHeader('Content-Disposition', 'inline', [['filename', filename]]),
        `Content-ID: <${image.contentId}>`,
        'Content-Transfer-Encoding: base64',
        '',
        base64Lines(image.content),
      ];
    }),
    `--${related}--`,
  ];
}

/**
 * A Message-ID in the sender's domain (RFC 5322 3.6.4): SES keeps it and adds its own, and spam
 * filters score a message without one (SpamAssassin's MISSING_MID).
 */
function messageId(from: Mailbox): string {
  const domain = from.address.slice(from.address.lastIndexOf('@') + 1);
  return `<${randomBytes(16).toString('hex')}@${domain}>`;
}

/** Builds the raw message (CRLF line ends, 7-bit clean, headers folded), ready for SendRawEmail. */
export function buildRawMessage(message: MailMessage): Buffer {
  const mixed = boundary('mixed');
  const alternative = boundary('alt');
  const extra = Object.entries(message.headers ?? {}).map(([name, value]) => {
    if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(name) || STRUCTURAL_HEADERS.has(name.toLowerCase()))
      throw new MailAddressError(`Invalid header name ${name}`);
    return formatUnstructuredHeader(name, value);
  });
  const lines = [
    formatAddressHeader('From', message.from),
    formatAddressHeader('To', message.to),
    ...(message.cc === undefined || message.cc.length === 0 ? [] : [formatAddressHeader('Cc', message.cc)]),
    ...(message.replyTo === undefined ? [] : [formatAddressHeader('Reply-To', message.replyTo)]),
    formatUnstructuredHeader('Subject', message.subject),
    `Date: ${(message.date ?? new Date()).toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: ${messageId(message.from)}`,
    'MIME-Version: 1.0',
    ...extra,
    formatParameterHeader('Content-Type', 'multipart/mixed', [['boundary', mixed]]),
    '',
    'This is a multi-part message in MIME format.',
    `--${mixed}`,
    formatParameterHeader('Content-Type', 'multipart/alternative', [['boundary', alternative]]),
    '',
    `--${alternative}`,
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(message.text),
    `--${alternative}`,
    ...htmlPart(message.html, message.inline ?? []),
    `--${alternative}--`,
    ...message.attachments.flatMap((attachment) => {
      if (!MEDIA_TYPE.test(attachment.contentType))
        throw new MailAddressError(`Invalid content type for attachment`);
      const filename = attachmentName(attachment.filename);
      return [
        `--${mixed}`,
        formatParameterHeader('Content-Type', attachment.contentType, [['name', filename]]),
        formatParameterHeader('Content-Disposition', 'attachment', [['filename', filename]]),
        'Content-Transfer-Encoding: base64',
        '',
        base64Lines(attachment.content),
      ];
    }),
    `--${mixed}--`,
    '',
  ];
  return Buffer.from(lines.join('\r\n'), 'utf8');
}
