/**
 * A raw MIME message for SES SendRawEmail: multipart/mixed of a multipart/alternative (plain text
 * and HTML) and attachments. Every header value is folded to one line and RFC 2047-encoded, and
 * addresses must be plain valid mailboxes, so no value can add or alter a header.
 */
import { randomBytes } from 'node:crypto';
import { isValidEmailAddress } from '../domain/email-address.ts';
import { toSingleLine } from '../domain/template.ts';

export interface Mailbox {
  name?: string | undefined;
  address: string;
}

export interface Attachment {
  filename: string;
  contentType: string;
  content: Uint8Array;
}

export interface MailMessage {
  from: Mailbox;
  to: Mailbox;
  subject: string;
  text: string;
  html: string;
  attachments: Attachment[];
  /** Extra headers; names are checked, values folded like every other. */
  headers?: Record<string, string>;
  date?: Date;
}

export class MailAddressError extends Error {
  override readonly name = 'MailAddressError';
}

/** RFC 2047 encoded-word (base64), split so that no encoded word exceeds 75 characters. */
export function encodeHeaderText(text: string): string {
  const value = toSingleLine(text);
  if (/^[\x20-\x7E]*$/.test(value) && !/=\?/.test(value)) return value;
  const words: string[] = [];
  let chunk = '';
  for (const char of value) {
    // 45 bytes of UTF-8 make 60 base64 characters, inside the 75-character limit with the wrapper.
    if (Buffer.byteLength(chunk + char, 'utf8') > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += char;
  }
  if (chunk !== '') words.push(chunk);
  return words.map((word) => `=?UTF-8?B?${Buffer.from(word, 'utf8').toString('base64')}?=`).join('\r\n ');
}

function formatMailbox({ name, address }: Mailbox): string {
  if (!isValidEmailAddress(address)) throw new MailAddressError('The address is not a valid single mailbox');
  const display = name === undefined ? '' : toSingleLine(name);
  if (display === '') return address;
  // A quoted ASCII name needs its quotes and backslashes escaped; anything else is encoded.
  const encoded = /^[\x20-\x7E]*$/.test(display)
    ? `"${display.replace(/["\\]/g, '\\$&')}"`
    : encodeHeaderText(display);
  return `${encoded} <${address}>`;
}

function base64Lines(content: Uint8Array | string): string {
  const encoded = Buffer.from(content).toString('base64');
  return (encoded.match(/.{1,76}/g) ?? []).join('\r\n');
}

const boundary = (kind: string) => `=_${kind}_${randomBytes(12).toString('hex')}`;

function attachmentName(filename: string): string {
  return toSingleLine(filename).replace(/["\\/]/g, '_');
}

/** Builds the raw message (CRLF line ends, 7-bit clean), ready for SendRawEmail. */
export function buildRawMessage(message: MailMessage): Buffer {
  const mixed = boundary('mixed');
  const alternative = boundary('alt');
  const extra = Object.entries(message.headers ?? {}).map(([name, value]) => {
    if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(name)) throw new MailAddressError(`Invalid header name ${name}`);
    return `${name}: ${encodeHeaderText(value)}`;
  });
  const lines = [
    `From: ${formatMailbox(message.from)}`,
    `To: ${formatMailbox(message.to)}`,
    `Subject: ${encodeHeaderText(message.subject)}`,
    `Date: ${(message.date ?? new Date()).toUTCString().replace('GMT', '+0000')}`,
    'MIME-Version: 1.0',
    ...extra,
    `Content-Type: multipart/mixed; boundary="${mixed}"`,
    '',
    'This is a multi-part message in MIME format.',
    `--${mixed}`,
    `Content-Type: multipart/alternative; boundary="${alternative}"`,
    '',
    `--${alternative}`,
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(message.text),
    `--${alternative}`,
    'Content-Type: text/html; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(message.html),
    `--${alternative}--`,
    ...message.attachments.flatMap((attachment) => {
      const filename = attachmentName(attachment.filename);
      return [
        `--${mixed}`,
        `Content-Type: ${attachment.contentType}; name="${filename}"`,
        `Content-Disposition: attachment; filename="${filename}"`,
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
