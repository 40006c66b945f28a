import type { APIGatewayProxyEvent } from 'aws-lambda';
import { HttpError, invalidSessionToken, ValidationError } from './http-error.ts';
import { negotiateFormat, type ResponseFormat, requestBodyFormat } from './negotiation.ts';

/** Reads a header case-insensitively, as HTTP header names are. */
export function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}

/**
 * The query string as lower-cased names with every value given. KashFlow's (.NET) API reads
 * parameter names case-insensitively, so `StartDate` and `startdate` are the same parameter.
 */
export function queryValues(event: APIGatewayProxyEvent): Map<string, string[]> {
  const values = new Map<string, string[]>();
  const multi = event.multiValueQueryStringParameters;
  const single = event.queryStringParameters;
  const source: Record<string, string[] | undefined> =
    multi ??
    Object.fromEntries(
      Object.entries(single ?? {}).map(([key, value]) => [key, value === undefined ? [] : [value]]),
    );
  for (const [name, given] of Object.entries(source)) {
    const key = name.toLowerCase();
    values.set(key, [...(values.get(key) ?? []), ...(given ?? [])]);
  }
  return values;
}

/** One value of a query parameter; a parameter given twice is ambiguous and refused. */
export function singleQueryValue(values: Map<string, string[]>, name: string): string | undefined {
  const given = values.get(name);
  if (given === undefined || given.length === 0) return undefined;
  if (given.length > 1) throw new ValidationError('InvalidParameter', `${name} must be given at most once`);
  return given[0];
}

/** A UTF-8 byte order mark, as Windows tools write it: not part of the document (RFC 8259 §8.1). */
const BYTE_ORDER_MARK = /^\uFEFF/;

/**
 * The raw request body as UTF-8 text, without a leading byte order mark whatever its format, and
 * its size in bytes as sent.
 */
export function bodyText(event: APIGatewayProxyEvent): { text: string; bytes: number } {
  if (event.body === null || event.body === undefined) return { text: '', bytes: 0 };
  if (event.isBase64Encoded) {
    const buffer = Buffer.from(event.body, 'base64');
    return { text: buffer.toString('utf8').replace(BYTE_ORDER_MARK, ''), bytes: buffer.byteLength };
  }
  return { text: event.body.replace(BYTE_ORDER_MARK, ''), bytes: Buffer.byteLength(event.body, 'utf8') };
}

/**
 * A JSON or XML request body of at most `maxBytes`: its format and text. 415 for another content
 * type, 413 for a larger body, both before the body is parsed.
 */
export function requestBody(
  event: APIGatewayProxyEvent,
  maxBytes: number,
): { format: ResponseFormat; text: string } {
  const format = requestBodyFormat(header(event, 'content-type'));
  if (format === 'unsupported') {
    throw new HttpError(
      415,
      'UnsupportedMediaType',
      'Content-Type must be application/json or application/xml (UTF-8)',
    );
  }
  const { text, bytes } = bodyText(event);
  if (bytes > maxBytes) {
    throw new HttpError(413, 'PayloadTooLarge', `Request body must not exceed ${maxBytes} bytes`);
  }
  return { format, text };
}

/** The tenant the authorizer resolved from the token; the only source of tenancy. */
export function tenantIdOf(event: APIGatewayProxyEvent): string {
  const tenantId: unknown = event.requestContext?.authorizer?.tenantId;
  if (typeof tenantId !== 'string' || tenantId === '') throw invalidSessionToken();
  return tenantId;
}

/** A path parameter that API Gateway guarantees by the route; its absence is a wiring fault. */
export function pathParameter(event: APIGatewayProxyEvent, name: string): string {
  const value = event.pathParameters?.[name];
  if (value === undefined || value === '')
    throw new HttpError(404, 'NotFound', `The ${name} is missing from the path`);
  return value;
}

/** Chooses the response format or refuses the request with 406 before any other check. */
export function responseFormatOf(event: APIGatewayProxyEvent): ResponseFormat {
  const format = negotiateFormat(header(event, 'accept'));
  if (format === undefined) {
    throw new HttpError(406, 'NotAcceptable', 'Accept must allow application/json or application/xml');
  }
  return format;
}
