/**
 * The ledger API's records in XML. In: an element tree (xml.ts) becomes the JSON shape a record's
 * zod schema expects, by walking that schema, so the schema judges an XML body exactly as it
 * judges JSON and names the same field with the same rule. Nothing is judged here: text that cannot
 * be what the schema wants is passed on as text, and the schema refuses it. Out: the XML shapes
 * (root and list item names) of every answer.
 */
import * as z from 'zod';
import { CustomerCodeSchema, RecordNumberSchema } from '../schemas/fields.ts';
import { VersionSchema } from '../schemas/ledger-records.ts';
import { LEDGER_KINDS, LEDGER_TYPES, type LedgerType } from '../services/ledger/ledger-kinds.ts';
import type { XmlShape } from './responses.ts';
import { XmlBodyError, type XmlElement } from './xml.ts';

/** The part of a zod 4 schema's definition the walk reads. */
interface SchemaDefinition {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  options?: z.ZodType[];
  getter?: () => z.ZodType;
}

const definitionOf = (schema: z.ZodType): SchemaDefinition =>
  (schema as unknown as { _zod: { def: SchemaDefinition } })._zod.def;

/** Wrappers whose value is their inner schema's; `optional` and `default` also let a nil element be absent. */
const WRAPPERS = new Set(['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch', 'nonoptional']);
const ABSENT_WHEN_NIL = new Set(['optional', 'default', 'prefault']);

/** Decimal numbers, as the money rule reads them (no exponent, so `1e3` stays text for the schema to refuse). */
const NUMBER_TEXT = /^-?\d+(\.\d+)?$/;
/** xs:boolean's four forms. */
const BOOLEAN_TEXT: Record<string, boolean> = { true: true, false: false, 1: true, 0: false };

/** Child elements grouped by name, in the order each name first appears. */
function byName(children: readonly XmlElement[]): [string, XmlElement[]][] {
  const groups = new Map<string, XmlElement[]>();
  for (const child of children) groups.set(child.name, [...(groups.get(child.name) ?? []), child]);
  return [...groups];
}

/** An element read without a schema (a field the schema does not know): text, or an object of its children. */
function untyped(element: XmlElement): unknown {
  if (element.nil) return null;
  if (element.children.length === 0) return element.text;
  return Object.fromEntries(
    byName(element.children).map(([name, list]) => {
      const values = list.map(untyped);
      return [name, values.length === 1 ? values[0] : values];
    }),
  );
}

/** A leaf's text, or (for an element holding markup) what the markup reads as, which no text schema accepts. */
const leafText = (element: XmlElement): unknown =>
  element.children.length === 0 ? element.text : untyped(element);

/** Text beside child elements has no place in a record: refused, naming the element. */
function refuseMixedContent(element: XmlElement): void {
  if (element.children.length > 0 && element.text.trim() !== '') {
    throw new XmlBodyError(`XML element ${element.name} must hold either text or elements, not both`);
  }
}

function toObject(element: XmlElement, shape: Record<string, z.ZodType>): unknown {
  if (element.children.length === 0 && element.text.trim() !== '') return element.text;
  refuseMixedContent(element);
  const entries: [string, unknown][] = [];
  for (const [name, list] of byName(element.children)) {
    const field = Object.hasOwn(shape, name) ? shape[name] : undefined;
    const values = list.map((child) => (field === undefined ? untyped(child) : fromXml(child, field)));
    // A field given twice becomes a list, which its schema refuses by the field's name.
    if (values.length > 1) entries.push([name, values]);
    else if (values[0] !== undefined) entries.push([name, values[0]]);
  }
  // fromEntries defines each name as the object's own field, `__proto__` included.
  return Object.fromEntries(entries);
}

function toArray(element: XmlElement, item: z.ZodType): unknown {
  if (element.children.length === 0 && element.text.trim() !== '') return element.text;
  refuseMixedContent(element);
  return element.children.map((child) => fromXml(child, item));
}

function toNumber(element: XmlElement): unknown {
  const text = leafText(element);
  return typeof text === 'string' && NUMBER_TEXT.test(text.trim()) ? Number(text.trim()) : text;
}

function toBoolean(element: XmlElement): unknown {
  const text = leafText(element);
  if (typeof text !== 'string') return text;
  const value = BOOLEAN_TEXT[text.trim()];
  return value ?? text;
}

/**
 * The option that accepts the element, trying first the options that read it as the text written
 * (exact: `"120.00"` stays `"120.00"` for money that is a number or decimal text), then the others
 * (`7` is a number for a Version that is a counter or a timestamp). None: the text, which the
 * union refuses with its own message.
 */
function toUnion(element: XmlElement, options: readonly z.ZodType[]): unknown {
  const text = leafText(element);
  const readings = options.map((option) => ({ option, value: fromXml(element, option) }));
  const ordered = [
    ...readings.filter(({ value }) => value === text),
    ...readings.filter(({ value }) => value !== text),
  ];
  return ordered.find(({ option, value }) => option.safeParse(value).success)?.value ?? text;
}

/**
 * Reads an element as the value `schema` expects: objects by child element name (unknown names
 * kept, so a strict object refuses them by name), arrays from the child elements whatever their
 * names (`<Contacts><Contact>…</Contact></Contacts>`), numbers and booleans from their text when
 * the text is one, unions by trying each option, everything else as text. A nil element is `null`,
 * or absent where the field is optional.
 */
export function fromXml(element: XmlElement, schema: z.ZodType): unknown {
  const definition = definitionOf(schema);
  if (WRAPPERS.has(definition.type) && definition.innerType !== undefined) {
    if (element.nil && ABSENT_WHEN_NIL.has(definition.type)) return undefined;
    return fromXml(element, definition.innerType);
  }
  if (definition.type === 'pipe' && definition.in !== undefined) return fromXml(element, definition.in);
  if (definition.type === 'lazy' && definition.getter !== undefined)
    return fromXml(element, definition.getter());
  if (element.nil) return null;
  switch (definition.type) {
    case 'object':
      return toObject(element, definition.shape ?? {});
    case 'array':
      return definition.element === undefined ? untyped(element) : toArray(element, definition.element);
    case 'number':
      return toNumber(element);
    case 'boolean':
      return toBoolean(element);
    case 'union':
      return toUnion(element, definition.options ?? []);
    default:
      return leafText(element);
  }
}

/** KashFlow's root element of each record type: `<Customer>`, `<Invoice>`, … */
export const RECORD_ROOTS: { [T in LedgerType]: string } = {
  Customer: 'Customer',
  Invoice: 'Invoice',
  CreditNote: 'CreditNote',
  Payment: 'Payment',
  EmailTemplate: 'EmailTemplate',
  StatementSettings: 'StatementSettings',
};

function expectRoot(root: XmlElement, name: string): void {
  if (root.name !== name) {
    throw new XmlBodyError(`XML body must be ${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name} element`);
  }
}

/** A record's XML body (`<Customer>…</Customer>`) in the JSON shape its schema reads. */
export function recordFromXml(root: XmlElement, type: LedgerType): unknown {
  expectRoot(root, RECORD_ROOTS[type]);
  return fromXml(root, LEDGER_KINDS[type].schema as z.ZodType);
}

/** What each field of an operation is read as; `Record` by its Type's schema. */
function operationSchema(type: string): z.ZodType {
  const kind = (LEDGER_TYPES as readonly string[]).includes(type)
    ? LEDGER_KINDS[type as LedgerType]
    : undefined;
  return z.object({
    Action: z.string(),
    Type: z.string(),
    Code: CustomerCodeSchema.optional(),
    Number: RecordNumberSchema.optional(),
    Version: VersionSchema.optional(),
    Record: ((kind?.schema as z.ZodType | undefined) ?? z.unknown()).optional(),
  });
}

function operationFromXml(element: XmlElement): unknown {
  if (element.nil || element.children.length === 0) return leafText(element);
  const typeElement = element.children.find((child) => child.name === 'Type');
  return fromXml(element, operationSchema(typeElement?.text.trim() ?? ''));
}

function operationsFromXml(element: XmlElement): unknown {
  if (element.nil || (element.children.length === 0 && element.text.trim() !== '')) return untyped(element);
  refuseMixedContent(element);
  return element.children.map(operationFromXml);
}

/**
 * `<LedgerBatch><Operations><Operation><Action/><Type/><Code/>|<Number/><Version/><Record>…</Record>
 * </Operation>…</Operations></LedgerBatch>` in the JSON shape of `POST /v2/ledger/batch`: each
 * operation's Record read by its own Type's schema. Unknown elements are kept, to be refused by name.
 */
export function ledgerBatchFromXml(root: XmlElement): unknown {
  expectRoot(root, 'LedgerBatch');
  if (root.children.length === 0 && root.text.trim() !== '') return root.text;
  refuseMixedContent(root);
  return Object.fromEntries(
    byName(root.children).map(([name, list]): [string, unknown] => {
      const values = list.map((element) =>
        name === 'Operations' ? operationsFromXml(element) : untyped(element),
      );
      return [name, values.length === 1 ? values[0] : values];
    }),
  );
}

/** The list items of the records: a customer's contacts and addresses, a credit note's allocations. */
const RECORD_ITEMS = {
  Contacts: 'Contact',
  Addresses: 'Address',
  Allocations: 'Allocation',
  Translations: 'Translation',
};

/** Each record type's answer in XML. */
export const RECORD_XML: { [T in LedgerType]: XmlShape } = {
  Customer: { root: RECORD_ROOTS.Customer, items: RECORD_ITEMS },
  Invoice: { root: RECORD_ROOTS.Invoice, items: RECORD_ITEMS },
  CreditNote: { root: RECORD_ROOTS.CreditNote, items: RECORD_ITEMS },
  Payment: { root: RECORD_ROOTS.Payment, items: RECORD_ITEMS },
  EmailTemplate: { root: RECORD_ROOTS.EmailTemplate, items: RECORD_ITEMS },
  StatementSettings: { root: RECORD_ROOTS.StatementSettings, items: RECORD_ITEMS },
};

/** `GET /v2/customers`: `<CustomerList><Data><Customer>…</Customer></Data><MetaData>…</MetaData></CustomerList>`. */
export const CUSTOMER_LIST_XML: XmlShape = {
  root: 'CustomerList',
  items: { ...RECORD_ITEMS, Data: 'Customer' },
};

/** `GET /v2/emailtemplates`: `<ArrayOfEmailTemplate><EmailTemplate>…</EmailTemplate></ArrayOfEmailTemplate>`. */
export const TEMPLATE_LIST_XML: XmlShape = {
  root: 'ArrayOfEmailTemplate',
  items: { ArrayOfEmailTemplate: 'EmailTemplate' },
};

/** `GET /v2/invoices/{number}/payments`: `<ArrayOfPayment><Payment>…</Payment></ArrayOfPayment>`. */
export const PAYMENT_LIST_XML: XmlShape = { root: 'ArrayOfPayment', items: { ArrayOfPayment: 'Payment' } };

/** `POST /v2/ledger/batch`: `<LedgerBatchResult><Results><Result>…</Result></Results><Summary>…</Summary></LedgerBatchResult>`. */
export const BATCH_RESULT_XML: XmlShape = { root: 'LedgerBatchResult', items: { Results: 'Result' } };
