/**
 * Reading an HTTP request as API Gateway's REST API does before it calls a function: routing,
 * percent-decoding of the path and the query string, headers and the payload limit.
 */
import type { IncomingMessage } from 'node:http';
import { GATEWAY_ERRORS } from '../gateway-errors.ts';
import { GatewayResponseError } from './gateway-response-error.ts';

/** API Gateway's REST API payload limit. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

/**
 * A percent-encoded URL component decoded as UTF-8, as API Gateway decodes paths and query
 * strings; `undefined` when it is not valid percent-encoding of UTF-8 (a lone `%`, `%` without two
 * hex digits, or bytes that are not UTF-8), which API Gateway refuses with 400 before routing.
 */
function decodeComponent(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/** How much of the client's own text a 400 quotes back: enough to find it, never a whole URL. */
const QUOTED_LENGTH = 100;
const quoted = (text: string) => (text.length > QUOTED_LENGTH ? `${text.slice(0, QUOTED_LENGTH)}…` : text);

const malformed = (what: string, text: string) =>
  new GatewayResponseError(
    GATEWAY_ERRORS.default4xx,
    400,
    `${what} ${quoted(text)} is not valid percent-encoded UTF-8.`,
  );

/** Refuses, as API Gateway does before routing, a URL path that is not valid percent-encoding. */
export function checkPathEncoding(path: string): void {
  if (decodeComponent(path) === undefined) throw malformed('The request path', path);
}

/** The route whose method and resource path match, with its path parameters decoded. */
export function matchRoute<R extends { method: string; resource: string }>(
  routes: readonly R[],
  method: string,
  path: string,
): { route: R; pathParameters: Record<string, string> } | undefined {
  for (const route of routes) {
    const names: string[] = [];
    const pattern = route.resource.replace(/\{(\w+)\}/g, (_, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    const match = new RegExp(`^${pattern}/?$`).exec(path);
    if (match && route.method === method) {
      const pathParameters = Object.fromEntries(
        names.map((name, index) => [name, decodeComponent(match[index + 1] ?? '') ?? '']),
      );
      return { route, pathParameters };
    }
  }
  return undefined;
}

/** The body, refused with API Gateway's 413 once it passes the payload limit. */
export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).byteLength;
    if (size > MAX_PAYLOAD_BYTES) throw new GatewayResponseError(GATEWAY_ERRORS.tooLarge);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The headers as name and value pairs, in the order and spelling the client sent them. */
export function headerPairs(request: IncomingMessage): [string, string][] {
  const pairs: [string, string][] = [];
  for (let index = 0; index < request.rawHeaders.length; index += 2) {
    pairs.push([request.rawHeaders[index] ?? '', request.rawHeaders[index + 1] ?? '']);
  }
  return pairs;
}

/**
 * The query string's parameters, every value of each in order, names and values decoded (`+` is
 * a space); null when there are none. Malformed percent-encoding is refused, naming the parameter,
 * rather than passed on as replacement characters.
 */
export function queryOf(search: string): Record<string, string[]> | null {
  const query: Record<string, string[]> = {};
  for (const pair of search.replace(/^\?/, '').split('&')) {
    if (pair === '') continue;
    const split = pair.indexOf('=');
    const rawName = split === -1 ? pair : pair.slice(0, split);
    const rawValue = split === -1 ? '' : pair.slice(split + 1);
    const name = decodeComponent(rawName.replaceAll('+', ' '));
    if (name === undefined) throw malformed('The query string parameter name', rawName);
    const value = decodeComponent(rawValue.replaceAll('+', ' '));
    if (value === undefined) throw malformed('The query string parameter', name);
    query[name] = [...(query[name] ?? []), value];
  }
  return Object.keys(query).length === 0 ? null : query;
}
