/**
 * XML in KashFlow's REST v2 shapes: `ArrayOfString` in, `ArrayOf…` lists and `ErrorResponse` out.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

const XML_SPECIALS: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};
// XML 1.0 cannot carry these code points at all, even escaped.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

export function escapeXml(text: string): string {
  return text.replace(XML_FORBIDDEN, '\uFFFD').replace(/[&<>"']/g, (char) => XML_SPECIALS[char] ?? char);
}

/** Element names of the list items inside each list element, e.g. `{ Items: 'BatchItem' }`. */
export type XmlItemNames = Record<string, string>;

function renderValue(name: string, value: unknown, items: XmlItemNames): string {
  if (value === undefined) return '';
  if (value === null) return `<${name}/>`;
  if (Array.isArray(value)) {
    const itemName = items[name] ?? 'Item';
    return `<${name}>${value.map((item) => renderValue(itemName, item, items)).join('')}</${name}>`;
  }
  if (typeof value === 'object') {
    const children = Object.entries(value as Record<string, unknown>)
      .map(([key, child]) => renderValue(key, child, items))
      .join('');
    return `<${name}>${children}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** Serialises a JSON-shaped value as an XML document whose root element is `root`. */
export function toXml(root: string, value: unknown, items: XmlItemNames = {}): string {
  return `<?xml version="1.0" encoding="utf-8"?>${renderValue(root, value, items)}`;
}

export class XmlBodyError extends Error {
  override readonly name = 'XmlBodyError';
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  removeNSPrefix: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  htmlEntities: false,
  isArray: (name) => name === 'string',
});

/**
 * Reads `<ArrayOfString><string>101</string>…</ArrayOfString>` (the .NET serialisation KashFlow
 * accepts, with or without its namespace) into the codes, kept exactly as written. DTDs are
 * refused outright so that no entity can expand or reach outside the document.
 */
export function parseArrayOfString(xml: string): unknown[] {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new XmlBodyError('XML body must not contain a DOCTYPE');
  const valid = XMLValidator.validate(xml);
  if (valid !== true)
    throw new XmlBodyError(`XML body is malformed (line ${valid.err.line}: ${valid.err.msg})`);
  const document = parser.parse(xml) as Record<string, unknown>;
  const roots = Object.keys(document);
  const root = document.ArrayOfString;
  if (roots.length !== 1 || root === undefined) {
    throw new XmlBodyError('XML body must be an ArrayOfString element');
  }
  if (root === '' || (typeof root === 'string' && root.trim() === '')) return [];
  if (typeof root !== 'object' || root === null)
    throw new XmlBodyError('ArrayOfString must contain string elements');
  const { string: codes = [], '#text': text, ...others } = root as Record<string, unknown>;
  if (Object.keys(others).length > 0 || (typeof text === 'string' && text.trim() !== '')) {
    throw new XmlBodyError('ArrayOfString must contain only string elements');
  }
  return codes as unknown[];
}
