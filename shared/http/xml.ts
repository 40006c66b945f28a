/**
 * XML in KashFlow's REST v2 shapes: `ArrayOfString` and the ledger's records in (as an element
 * tree, read by a purpose-built reader), `ArrayOf…` lists, records and `ErrorResponse` out.
 */

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

/** All text written as XML goes through this, so no stored value can break the document. */
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

/** An XML body that is not a readable ArrayOfString; the request parser answers it 400 with its message. */
export class XmlBodyError extends Error {
  override readonly name = 'XmlBodyError';
}

const PREDEFINED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Text with XML's five predefined entities and numeric character references; nothing else. */
function decodeText(text: string): string {
  return text.replace(/&(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z]+);|&/g, (match, entity: string | undefined) => {
    if (entity === undefined) throw new XmlBodyError('XML body is malformed (a bare & in text)');
    if (entity.startsWith('#')) {
      const code =
        entity[1] === 'x' ? Number.parseInt(entity.slice(2), 16) : Number.parseInt(entity.slice(1), 10);
      // XML 1.0's Char production: no NUL, no other C0 control but tab and line ends, no surrogates.
      const allowed =
        code === 0x9 ||
        code === 0xa ||
        code === 0xd ||
        (code >= 0x20 && code <= 0xd7ff) ||
        (code >= 0xe000 && code <= 0xfffd) ||
        (code >= 0x10000 && code <= 0x10ffff);
      if (!allowed) throw new XmlBodyError(`XML body is malformed (a bad character reference ${match})`);
      return String.fromCodePoint(code);
    }
    const decoded = PREDEFINED_ENTITIES[entity];
    if (decoded === undefined) throw new XmlBodyError(`XML body uses an undefined entity ${match}`);
    return decoded;
  });
}

/** A cursor over the document that reads exactly the shapes ArrayOfString needs. */
class Reader {
  private position = 0;

  constructor(private readonly xml: string) {}

  get done(): boolean {
    return this.position >= this.xml.length;
  }

  fail(what: string): never {
    const line = this.xml.slice(0, this.position).split('\n').length;
    throw new XmlBodyError(`XML body is malformed (line ${line}: ${what})`);
  }

  startsWith(text: string): boolean {
    return this.xml.startsWith(text, this.position);
  }

  /** Skips white space, comments and processing instructions (the XML declaration among them). */
  skipMisc(): void {
    for (;;) {
      const rest = /^\s*/.exec(this.xml.slice(this.position))?.[0] ?? '';
      this.position += rest.length;
      if (this.startsWith('<!--')) this.skipPast('-->', 'an unclosed comment');
      else if (this.startsWith('<?')) this.skipPast('?>', 'an unclosed processing instruction');
      else return;
    }
  }

  /** Skips one comment or processing instruction at the cursor and nothing around it; false if none is there. */
  skipCommentOrInstruction(): boolean {
    if (this.startsWith('<!--')) this.skipPast('-->', 'an unclosed comment');
    else if (this.startsWith('<?')) this.skipPast('?>', 'an unclosed processing instruction');
    else return false;
    return true;
  }

  private skipPast(end: string, what: string): void {
    const at = this.xml.indexOf(end, this.position);
    if (at < 0) this.fail(what);
    this.position = at + end.length;
  }

  /** `<name attrs>` or `<name attrs/>`: the qualified name, whether it closed itself, its attributes. */
  openTag(): { name: string; selfClosing: boolean; attributes: Record<string, string> } {
    const match =
      /^<([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/.exec(
        this.xml.slice(this.position),
      );
    if (match === null) this.fail('an element was expected');
    this.position += match[0].length;
    const attributes: Record<string, string> = {};
    for (const [, key = '', double, single] of (match[2] ?? '').matchAll(
      /([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g,
    )) {
      attributes[key] = decodeText(double ?? single ?? '');
    }
    return { name: match[1] ?? '', selfClosing: match[3] === '/', attributes };
  }

  closeTag(name: string): void {
    const match = /^<\/([^\s>]+)\s*>/.exec(this.xml.slice(this.position));
    if (match === null || match[1] !== name) this.fail(`</${name}> was expected`);
    this.position += match[0].length;
  }

  /** Character data up to the next tag, CDATA sections included, decoded. */
  text(): string {
    let text = '';
    for (;;) {
      const next = this.xml.indexOf('<', this.position);
      if (next < 0) this.fail('the document ends inside an element');
      text += decodeText(this.xml.slice(this.position, next));
      this.position = next;
      if (!this.startsWith('<![CDATA[')) return text;
      const end = this.xml.indexOf(']]>', this.position);
      if (end < 0) this.fail('an unclosed CDATA section');
      text += this.xml.slice(this.position + '<![CDATA['.length, end);
      this.position = end + 3;
    }
  }
}

const localName = (name: string) => name.slice(name.indexOf(':') + 1);

/**
 * Reads `<ArrayOfString><string>101</string>…</ArrayOfString>` (the .NET serialisation KashFlow
 * accepts, with or without its namespaces) into the codes, kept exactly as written. A purpose-built
 * reader: no DTD, no entities beyond XML's five and character references, nothing fetched or
 * expanded. A `string` element holding markup, or marked nil, yields a non-string, which the
 * body schema reports by its index.
 */
export function parseArrayOfString(xml: string): unknown[] {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new XmlBodyError('XML body must not contain a DOCTYPE');
  const reader = new Reader(xml.replace(/^\uFEFF/, ''));
  reader.skipMisc();
  if (reader.done) reader.fail('the document is empty');
  const root = reader.openTag();
  if (localName(root.name) !== 'ArrayOfString')
    throw new XmlBodyError('XML body must be an ArrayOfString element');
  const codes: unknown[] = [];
  if (!root.selfClosing) {
    for (;;) {
      const between = reader.text();
      if (between.trim() !== '') throw new XmlBodyError('ArrayOfString must contain only string elements');
      if (reader.startsWith('</')) break;
      if (reader.startsWith('<!--') || reader.startsWith('<?')) {
        reader.skipMisc();
        continue;
      }
      const child = reader.openTag();
      if (localName(child.name) !== 'string')
        throw new XmlBodyError('ArrayOfString must contain only string elements');
      const nil = Object.entries(child.attributes).some(
        ([key, value]) => localName(key) === 'nil' && value === 'true',
      );
      if (child.selfClosing) {
        codes.push(nil ? null : '');
        continue;
      }
      const text = reader.text();
      if (reader.startsWith('</')) {
        reader.closeTag(child.name);
        codes.push(nil ? null : text);
      } else {
        // Markup inside a code: not a string. Read the element to its end; the schema reports it.
        codes.push({});
        const open = [child.name];
        while (open.length > 0) {
          reader.text();
          if (reader.startsWith('</')) reader.closeTag(open.pop() ?? '');
          else {
            const inner = reader.openTag();
            if (!inner.selfClosing) open.push(inner.name);
          }
        }
      }
    }
    reader.closeTag(root.name);
  }
  reader.skipMisc();
  if (!reader.done) reader.fail('content after the root element');
  return codes;
}

/** The nesting a ledger record needs is 4 or 5 levels; a document nesting far deeper is refused, not recursed into. */
export const MAX_XML_DEPTH = 32;

/** An element as parseXmlDocument reads it: names without their namespace prefix, attributes other than nil dropped. */
export interface XmlElement {
  /** The local name (`a:Customer` is `Customer`). */
  name: string;
  /** Marked `nil="true"` (in any namespace): no value, whatever it contains. */
  nil: boolean;
  /** All of its own character data, CDATA included and decoded, between and around its children. */
  text: string;
  /** Its child elements, in document order. */
  children: XmlElement[];
}

const isNil = (attributes: Record<string, string>) =>
  Object.entries(attributes).some(([key, value]) => localName(key) === 'nil' && value === 'true');

function readElement(reader: Reader, depth: number): XmlElement {
  if (depth > MAX_XML_DEPTH) {
    throw new XmlBodyError(`XML body must not nest elements more than ${MAX_XML_DEPTH} deep`);
  }
  const tag = reader.openTag();
  const element: XmlElement = {
    name: localName(tag.name),
    nil: isNil(tag.attributes),
    text: '',
    children: [],
  };
  if (tag.selfClosing) return element;
  for (;;) {
    element.text += reader.text();
    if (reader.startsWith('</')) {
      reader.closeTag(tag.name);
      return element;
    }
    if (!reader.skipCommentOrInstruction()) element.children.push(readElement(reader, depth + 1));
  }
}

/**
 * Reads a whole XML document into its root element's tree, with the same reader and the same
 * safety as parseArrayOfString: no DTD, no entities beyond XML's five and character references,
 * nothing fetched or expanded; namespace prefixes ignored; at most MAX_XML_DEPTH levels. What the
 * elements mean is the caller's (shared/http/ledger-xml.ts reads them by a record's schema).
 */
export function parseXmlDocument(xml: string): XmlElement {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new XmlBodyError('XML body must not contain a DOCTYPE');
  const reader = new Reader(xml.replace(/^\uFEFF/, ''));
  reader.skipMisc();
  if (reader.done) reader.fail('the document is empty');
  const root = readElement(reader, 1);
  reader.skipMisc();
  if (!reader.done) reader.fail('content after the root element');
  return root;
}
