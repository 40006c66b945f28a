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

/** A resource's path as a pattern, and the names of its parameters in order. */
function resourcePattern(resource: string): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  // Literal text matches only itself (`.` in `/v2/openapi.json` is no wildcard), as in API Gateway.
  const source = resource
    .split(/(\{\w+\})/)
    .map((part) => {
      const parameter = /^\{(\w+)\}$/.exec(part);
      if (parameter === null) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(parameter[1] as string);
      return '([^/]+)';
    })
    .join('');
  return { pattern: new RegExp(`^${source}/?$`), names };
}

/**
 * How specific a resource is, segment by segment: a literal segment (`1`) outranks a parameter
 * (`0`). Resources that match one path have as many segments, so these compare as strings.
 */
const specificity = (resource: string) =>
  resource
    .split('/')
    .map((segment) => (/^\{\w+\}$/.test(segment) ? '0' : '1'))
    .join('');

/**
 * The route for a method and path, with its path parameters decoded, as API Gateway's REST API
 * routes: first the resource, the most specific one whose path matches (a literal segment wins
 * over a `{parameter}` beside it, whatever the order of the routes), then the method on that
 * resource. A method that resource lacks is no route, even if a less specific resource has it:
 * `PUT /v2/emailtemplates/defaultStatementTemplate` never reaches `PUT /v2/emailtemplates/{number}`.
 */
export function matchRoute<R extends { method: string; resource: string }>(
  routes: readonly R[],
  method: string,
  path: string,
): { route: R; pathParameters: Record<string, string> } | undefined {
  let best: { resource: string; rank: string; match: RegExpExecArray; names: string[] } | undefined;
  for (const resource of new Set(routes.map((route) => route.resource))) {
    const { pattern, names } = resourcePattern(resource);
    const match = pattern.exec(path);
    if (match === null) continue;
    const rank = specificity(resource);
    if (best === undefined || rank > best.rank) best = { resource, rank, match, names };
  }
  if (best === undefined) return undefined;
  const { resource, match, names } = best;
  const route = routes.find((candidate) => candidate.resource === resource && candidate.method === method);
  if (route === undefined) return undefined;
  const pathParameters = Object.fromEntries(
    names.map((name, index) => [name, decodeComponent(match[index + 1] ?? '') ?? '']),
  );
  return { route, pathParameters };
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
