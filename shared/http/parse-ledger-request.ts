/**
 * The ledger API's request checks, all made before anything is read or written: the Accept header
 * (406, by the caller), the Content-Type (415), the body's size (413), an empty or unreadable body,
 * the path's ids, the query (400). Each refusal names the parameter or field and its rule. What the
 * record itself must be is the write path's to judge (apply-ledger-operations.ts), for JSON and XML
 * alike: XML bodies are read into the JSON shape first (ledger-xml.ts).
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import contentType from 'content-type';
import * as z from 'zod';
import { VersionSchema } from '../schemas/ledger-records.ts';
import type { LedgerOperation } from '../services/ledger/apply-ledger-operations.ts';
import {
  LEDGER_KINDS,
  LEDGER_TYPES,
  type LedgerType,
  type RecordId,
} from '../services/ledger/ledger-kinds.ts';
import { CUSTOMER_LIST_PREFIX, decodeCursor } from '../services/ledger/read-ledger-records.ts';
import { bodyText, header, pathParameter, queryValues, singleQueryValue } from './api-gateway.ts';
import { HttpError, ValidationError } from './http-error.ts';
import { ledgerBatchFromXml, recordFromXml } from './ledger-xml.ts';
import { requestBodyFormat } from './negotiation.ts';
import { parseXmlDocument, XmlBodyError, type XmlElement } from './xml.ts';

/** One record, even a settings item with its 64 KB logo in base64, is far below this. */
export const MAX_RECORD_BODY_BYTES = 1024 * 1024;
/**
 * A bulk body: 1,000 records of a few hundred bytes each (about 210 KB as JSON). Lambda's 6 MB
 * limit is on the whole event, the body JSON-escaped inside it (up to twice its size when every
 * character is a quote or backslash), so 3 MB is the most that always reaches the handler and
 * gets its own answer (413), never API Gateway's 500.
 */
export const MAX_BATCH_BODY_BYTES = 3_000_000;
/** Operations in one `POST /v2/ledger/batch`. */
export const MAX_BATCH_OPERATIONS = 1000;
/** The customer list's page size when `perpage` is not given. */
export const DEFAULT_PER_PAGE = 100;
/** The customer list's largest page; a Query that reaches DynamoDB's 1 MB first answers fewer, and NextPageUrl goes on from there. */
export const MAX_PER_PAGE = 1000;

/** How a body is written: JSON or XML for every route, NDJSON for the bulk too. */
type BodyFormat = 'json' | 'xml' | 'ndjson';

/** NDJSON's media type (and the newer name without `x-`). */
const NDJSON_TYPES = new Set(['application/x-ndjson', 'application/ndjson']);

function isNdjson(value: string | undefined): boolean {
  if (value === undefined) return false;
  try {
    const parsed = contentType.parse(value);
    const charset = parsed.parameters.charset?.toLowerCase();
    return (
      NDJSON_TYPES.has(parsed.type) && (charset === undefined || charset === 'utf-8' || charset === 'utf8')
    );
  } catch {
    return false;
  }
}

function bodyFormatOf(event: APIGatewayProxyEvent, allowNdjson: boolean): BodyFormat {
  const value = header(event, 'content-type');
  if (allowNdjson && isNdjson(value)) return 'ndjson';
  const format = requestBodyFormat(value);
  if (format === 'unsupported') {
    throw new HttpError(
      415,
      'UnsupportedMediaType',
      allowNdjson
        ? 'Content-Type must be application/json, application/xml or application/x-ndjson (UTF-8)'
        : 'Content-Type must be application/json or application/xml (UTF-8)',
    );
  }
  return format;
}

/** The body's text: refused when over `maxBytes` (413) or empty (400). */
function readBody(event: APIGatewayProxyEvent, maxBytes: number): string {
  const { text, bytes } = bodyText(event);
  if (bytes > maxBytes) {
    throw new HttpError(413, 'PayloadTooLarge', `Request body must not exceed ${maxBytes} bytes`);
  }
  if (text.trim() === '') throw new ValidationError('InvalidRequestBody', 'Request body must not be empty');
  return text;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ValidationError('InvalidRequestBody', 'Request body is not valid JSON', { cause: error });
  }
}

/** Reads an XML body with `read`; an unreadable one is a 400 that says where and why. */
function parseXml(text: string, read: (root: XmlElement) => unknown): unknown {
  try {
    return read(parseXmlDocument(text));
  } catch (error) {
    if (error instanceof XmlBodyError) {
      throw new ValidationError('InvalidRequestBody', error.message, { cause: error });
    }
    throw error;
  }
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** An id as a message shows it: a code quoted (its leading zeros matter), a number as it is. */
const shown = (value: unknown) => (typeof value === 'string' ? JSON.stringify(value) : String(value));

/**
 * A field the request names outside the record (the path's code or number, an operation's key or
 * Version): filled in when the record leaves it out, refused when the record says otherwise. A
 * value that breaks the field's own rule is left for the record's schema to refuse.
 */
export function fillField(
  record: unknown,
  field: string,
  value: unknown,
  rule: z.ZodType,
  where: string,
): { record: unknown } | { problem: string } {
  if (!isPlainObject(record)) return { record };
  const given = record[field];
  if (given === undefined) return { record: { ...record, [field]: value } };
  if (rule.safeParse(given).success && given !== value) {
    return { problem: `${field}: must be ${shown(value)} as in ${where}, or be left out` };
  }
  return { record };
}

/** A number in a path or query: digits become a number, anything else stays text for the rule to refuse. */
const numberFromText = (text: string): string | number => (/^\d{1,16}$/.test(text) ? Number(text) : text);

/** A record's code or number from the path, by its kind's rule; 400 naming the parameter. */
export function pathIdOf(event: APIGatewayProxyEvent, parameter: string, type: LedgerType): RecordId {
  const kind = LEDGER_KINDS[type];
  const text = pathParameter(event, parameter);
  const parsed = kind.idSchema.safeParse(kind.idField === 'Number' ? numberFromText(text) : text);
  if (!parsed.success) {
    throw new ValidationError(
      'InvalidParameter',
      `${parameter}: ${parsed.error.issues[0]?.message ?? 'is invalid'}`,
    );
  }
  return parsed.data;
}

/** A field of the record filled from the path, and the path parameter it comes from. */
export interface PathField {
  field: string;
  value: RecordId;
  rule: z.ZodType;
}

/**
 * The body of a single-record write (PUT, or POST of a payment), as JSON or XML, at most 1 MB,
 * with the fields the path names filled in or checked against it. The record is not judged here.
 */
export function parseRecordBody(
  event: APIGatewayProxyEvent,
  type: LedgerType,
  fromPath: readonly PathField[] = [],
): unknown {
  const format = bodyFormatOf(event, false);
  const text = readBody(event, MAX_RECORD_BODY_BYTES);
  let record = format === 'xml' ? parseXml(text, (root) => recordFromXml(root, type)) : parseJson(text);
  for (const { field, value, rule } of fromPath) {
    const filled = fillField(record, field, value, rule, 'the path');
    if ('problem' in filled) throw new ValidationError('InvalidRequestBody', filled.problem);
    record = filled.record;
  }
  return record;
}

/** `?version=` of a DELETE: the source's Version of the delete (digits are a number); absent when not given. */
export function deleteVersionOf(event: APIGatewayProxyEvent): z.infer<typeof VersionSchema> | undefined {
  const text = singleQueryValue(queryValues(event), 'version');
  if (text === undefined || text === '') return undefined;
  const parsed = VersionSchema.safeParse(numberFromText(text));
  if (!parsed.success) {
    throw new ValidationError(
      'InvalidParameter',
      `version: ${parsed.error.issues[0]?.message ?? 'is invalid'}`,
    );
  }
  return parsed.data;
}

/** The customer list's query: the page size and where the page starts. */
export interface CustomerListQuery {
  perPage: number;
  /** The sort key to continue after (from `cursor`). */
  after?: string;
}

/** `?perpage=` (1 to 1000, default 100) and `?cursor=` (one this list gave) of `GET /v2/customers`. */
export function customerListQueryOf(event: APIGatewayProxyEvent): CustomerListQuery {
  const values = queryValues(event);
  const perPageText = singleQueryValue(values, 'perpage');
  let perPage = DEFAULT_PER_PAGE;
  if (perPageText !== undefined && perPageText !== '') {
    perPage = /^\d{1,4}$/.test(perPageText) ? Number(perPageText) : 0;
    if (perPage < 1 || perPage > MAX_PER_PAGE) {
      throw new ValidationError(
        'InvalidParameter',
        `perpage: must be a whole number from 1 to ${MAX_PER_PAGE}`,
      );
    }
  }
  const cursor = singleQueryValue(values, 'cursor');
  if (cursor === undefined || cursor === '') return { perPage };
  const after = decodeCursor(cursor, CUSTOMER_LIST_PREFIX);
  if (after === undefined) {
    throw new ValidationError(
      'InvalidParameter',
      "cursor: must be the cursor of a page of this list (from the previous page's NextPageUrl)",
    );
  }
  return { perPage, after };
}

/** One operation of a bulk body: ready for the write path, or refused before it (with why). */
export type BatchEntry = { operation: LedgerOperation } | { invalid: { message: string; type?: LedgerType } };

/** The fields an operation may have. */
const OPERATION_FIELDS = ['Action', 'Type', 'Code', 'Number', 'Version', 'Record'];

const TOO_MANY_OPERATIONS = `Operations: must have at most ${MAX_BATCH_OPERATIONS} operations in one batch`;

/** The bulk body's envelope: `{"Operations": [...]}` and nothing else. */
const BatchEnvelopeSchema = z.strictObject(
  {
    Operations: z
      .array(z.unknown(), { message: 'must be a list of operations' })
      .max(MAX_BATCH_OPERATIONS, { message: TOO_MANY_OPERATIONS }),
  },
  { message: 'Request body must be an object with Operations' },
);

function envelopeOperations(document: unknown): unknown[] {
  const parsed = BatchEnvelopeSchema.safeParse(document);
  if (parsed.success) return parsed.data.Operations;
  const { issues } = parsed.error;
  if (issues.some((issue) => issue.code === 'too_big')) {
    throw new ValidationError('TooManyOperations', TOO_MANY_OPERATIONS);
  }
  const messages = issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return `${issue.keys.join(', ')}: is not a field of a ledger batch (Operations is its only field)`;
    }
    const path = issue.path.join('.');
    return path === '' ? issue.message : `${path}: ${issue.message}`;
  });
  throw new ValidationError('InvalidRequestBody', messages.join('; '));
}

/**
 * One operation of the bulk body as the write path takes it. The record's key (`Code` or `Number`)
 * and `Version` may be given beside an Upsert's Record (then they must agree with it); a Delete
 * names its record by its key and may carry its Version. `label` starts every message (`line 3: `
 * in NDJSON). Action and Type are judged by the write path, which names them.
 */
function toBatchEntry(value: unknown, label: string): BatchEntry {
  const invalid = (message: string, type?: LedgerType): BatchEntry => ({
    invalid: { message: `${label}${message}`, ...(type === undefined ? {} : { type }) },
  });
  if (!isPlainObject(value)) return invalid('must be an operation object with Action and Type');
  const known = (LEDGER_TYPES as readonly unknown[]).includes(value.Type);
  const type = known ? (value.Type as LedgerType) : undefined;
  const unknownFields = Object.keys(value).filter((field) => !OPERATION_FIELDS.includes(field));
  if (unknownFields.length > 0) {
    return invalid(
      `${unknownFields.join(', ')}: is not a field of an operation (${OPERATION_FIELDS.join(', ')})`,
      type,
    );
  }
  if (type === undefined || (value.Action !== 'Upsert' && value.Action !== 'Delete')) {
    return { operation: { action: value.Action, type: value.Type, record: value.Record } };
  }
  const kind = LEDGER_KINDS[type];
  const otherKey = (['Code', 'Number'] as const).find(
    (field) => field !== kind.idField && value[field] !== undefined,
  );
  if (otherKey !== undefined) {
    const keyField = kind.idField === undefined ? 'it has no key' : `${kind.idField} is`;
    const article = /^[AEIOU]/.test(type) ? 'an' : 'a';
    return invalid(`${otherKey}: is not the key of ${article} ${type} (${keyField})`, type);
  }
  if (value.Action === 'Delete') {
    if (value.Record !== undefined) return invalid('Record: must be left out of a Delete', type);
    return {
      operation: {
        action: 'Delete',
        type,
        ...(kind.idField === undefined ? {} : { id: value[kind.idField] }),
        ...(value.Version === undefined ? {} : { version: value.Version }),
      },
    };
  }
  if (value.Record === undefined) return invalid('Record: is required for an Upsert', type);
  let record: unknown = value.Record;
  const outside: [string, z.ZodType][] = [
    ...(kind.idField === undefined ? [] : [[kind.idField, kind.idSchema] as [string, z.ZodType]]),
    ['Version', VersionSchema],
  ];
  for (const [field, rule] of outside) {
    if (value[field] === undefined) continue;
    const filled = fillField(record, field, value[field], rule, 'the operation');
    if ('problem' in filled) return invalid(`Record.${filled.problem}`, type);
    record = filled.record;
  }
  return { operation: { action: 'Upsert', type, record } };
}

/** NDJSON: one operation object a line, blank lines ignored; a line that is not JSON is that operation's Invalid. */
function ndjsonEntries(text: string): BatchEntry[] {
  const lines = text
    .split('\n')
    .flatMap((line, index) => (line.trim() === '' ? [] : [{ line, number: index + 1 }]));
  if (lines.length > MAX_BATCH_OPERATIONS)
    throw new ValidationError('TooManyOperations', TOO_MANY_OPERATIONS);
  return lines.map(({ line, number }) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return { invalid: { message: `line ${number}: is not valid JSON` } };
    }
    return toBatchEntry(value, `line ${number}: `);
  });
}

/**
 * `POST /v2/ledger/batch`'s body, at most 3 MB and 1,000 operations (else nothing is applied):
 * `{"Operations":[…]}` in JSON, `<LedgerBatch>` in XML, or NDJSON (one operation a line). Each
 * operation comes back in request order, ready for the write path or already Invalid.
 */
export function parseBatchBody(event: APIGatewayProxyEvent): BatchEntry[] {
  const format = bodyFormatOf(event, true);
  const text = readBody(event, MAX_BATCH_BODY_BYTES);
  if (format === 'ndjson') return ndjsonEntries(text);
  const document = format === 'xml' ? parseXml(text, ledgerBatchFromXml) : parseJson(text);
  return envelopeOperations(document).map((value) => toBatchEntry(value, ''));
}
