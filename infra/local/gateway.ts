/**
 * A small stand-in for API Gateway's REST API: it runs the real TOKEN authorizer (with a result
 * cache keyed by the token, for the stack's TTL) and the real handlers with REST proxy events, and
 * answers what API Gateway itself answers (400, 401, 403, 404, 413) in KashFlow's error shape, as
 * the CDK stack's gateway responses do.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  APIGatewayTokenAuthorizerEvent,
  Context,
} from 'aws-lambda';
import { AUTHORIZER_CACHE_TTL_SECONDS } from '../authorizer-cache.ts';
import { lambdaContext } from './lambda-context.ts';

export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
export type TokenAuthorizer = (
  event: APIGatewayTokenAuthorizerEvent,
  context: Context,
) => Promise<APIGatewayAuthorizerResult>;

export interface Route {
  method: string;
  /** API Gateway's resource path, e.g. `/v2/customerstatements/bulk/email/{batchId}`. */
  resource: string;
  functionName: string;
  handler: ProxyHandler;
}

export interface GatewayOptions {
  port: number;
  host?: string;
  routes: Route[];
  authorizer: TokenAuthorizer;
  /** How long an authorizer's result is reused for the same token: the stack's TTL by default. */
  authorizerCacheTtlSeconds?: number;
  stage?: string;
  /** The clock the authorizer cache runs on (epoch ms); tests move it instead of waiting. */
  now?: () => number;
}

export interface LocalGateway {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** API Gateway's REST API payload limit. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
const API_ID = 'local';
const ACCOUNT_ID = '000000000000';

class GatewayAnswer extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

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

const malformed = (what: string) =>
  new GatewayAnswer(400, 'BadRequest', `${what} is not valid percent-encoded UTF-8.`);

function matchRoute(routes: Route[], method: string, path: string) {
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

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).byteLength;
    if (size > MAX_PAYLOAD_BYTES)
      throw new GatewayAnswer(413, 'PayloadTooLarge', 'Request body is too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function headersOf(request: IncomingMessage) {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let index = 0; index < request.rawHeaders.length; index += 2) {
    const name = request.rawHeaders[index] ?? '';
    const value = request.rawHeaders[index + 1] ?? '';
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  return { headers, multiValueHeaders };
}

/**
 * The query string as API Gateway's proxy event carries it: names and values decoded (`+` is a
 * space), the last value of a repeated name in `queryStringParameters`. Malformed percent-encoding
 * is refused, naming the parameter, rather than passed on as replacement characters.
 */
function queryOf(search: string) {
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const pair of search.replace(/^\?/, '').split('&')) {
    if (pair === '') continue;
    const split = pair.indexOf('=');
    const rawName = split === -1 ? pair : pair.slice(0, split);
    const rawValue = split === -1 ? '' : pair.slice(split + 1);
    const name = decodeComponent(rawName.replaceAll('+', ' '));
    if (name === undefined) throw malformed(`The query string parameter name ${rawName}`);
    const value = decodeComponent(rawValue.replaceAll('+', ' '));
    if (value === undefined) throw malformed(`The query string parameter ${name}`);
    single[name] = value;
    multi[name] = [...(multi[name] ?? []), value];
  }
  if (Object.keys(single).length === 0) {
    return { queryStringParameters: null, multiValueQueryStringParameters: null };
  }
  return { queryStringParameters: single, multiValueQueryStringParameters: multi };
}

function send(response: ServerResponse, result: APIGatewayProxyResult, requestId: string) {
  const headers: Record<string, string | string[]> = { 'x-amzn-RequestId': requestId };
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {}))
    headers[name] = values.map(String);
  response.writeHead(result.statusCode, headers);
  response.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
}

function answer(statusCode: number, code: string, message: string): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ Error: code, Message: message }),
  };
}

const UNAUTHORIZED = () =>
  new GatewayAnswer(401, 'InvalidSessionToken', 'Session token provided is invalid.');

/** Starts the local gateway; port 0 lets the OS pick one. */
export async function startLocalGateway(options: GatewayOptions): Promise<LocalGateway> {
  const { routes, authorizer, stage = 'local', host = '127.0.0.1', now = Date.now } = options;
  const cacheTtlMs = (options.authorizerCacheTtlSeconds ?? AUTHORIZER_CACHE_TTL_SECONDS) * 1000;
  const region = process.env.AWS_REGION ?? 'eu-west-2';
  const cache = new Map<string, { result: APIGatewayAuthorizerResult; expires: number }>();

  async function authorize(token: string, methodArn: string): Promise<APIGatewayAuthorizerResult> {
    const cached = cache.get(token);
    if (cached !== undefined && cached.expires > now()) return cached.result;
    let result: APIGatewayAuthorizerResult;
    try {
      result = await authorizer(
        { type: 'TOKEN', authorizationToken: token, methodArn },
        lambdaContext('authorizer'),
      );
    } catch (error) {
      if (error instanceof Error && error.message === 'Unauthorized') throw UNAUTHORIZED();
      throw new GatewayAnswer(500, 'InternalError', 'Authorizer error');
    }
    if (cacheTtlMs > 0) cache.set(token, { result, expires: now() + cacheTtlMs });
    return result;
  }

  async function handle(request: IncomingMessage): Promise<APIGatewayProxyResult> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';
    // As API Gateway: a URL that is not valid percent-encoding is refused before routing.
    if (decodeComponent(url.pathname) === undefined) throw malformed(`The request path ${url.pathname}`);
    const query = queryOf(url.search);
    const matched = matchRoute(routes, method, url.pathname);
    if (matched === undefined)
      throw new GatewayAnswer(404, 'NotFound', `No resource at ${method} ${url.pathname}`);
    const body = await readBody(request);
    const { headers, multiValueHeaders } = headersOf(request);
    const token = request.headers.authorization;
    if (token === undefined || token === '') throw UNAUTHORIZED();
    const methodArn = `arn:aws:execute-api:${region}:${ACCOUNT_ID}:${API_ID}/${stage}/${method}${url.pathname}`;
    const policy = await authorize(token, methodArn);
    const allowed = policy.policyDocument.Statement.some((statement) => statement.Effect === 'Allow');
    if (!allowed)
      throw new GatewayAnswer(403, 'AccessDenied', 'User is not authorized to access this resource');
    const event: APIGatewayProxyEvent = {
      resource: matched.route.resource,
      path: url.pathname,
      httpMethod: method,
      headers,
      multiValueHeaders,
      ...query,
      pathParameters: Object.keys(matched.pathParameters).length > 0 ? matched.pathParameters : null,
      stageVariables: null,
      body: body.byteLength > 0 ? body.toString('utf8') : null,
      isBase64Encoded: false,
      requestContext: {
        accountId: ACCOUNT_ID,
        apiId: API_ID,
        authorizer: { ...policy.context, principalId: policy.principalId },
        httpMethod: method,
        identity: {
          sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        } as APIGatewayProxyEvent['requestContext']['identity'],
        // With a custom domain (as here, no stage in the URL) requestContext.path is the URL path.
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        requestId: randomUUID(),
        requestTimeEpoch: Date.now(),
        resourceId: 'local',
        resourcePath: matched.route.resource,
        stage,
      },
    };
    try {
      return await matched.route.handler(event, lambdaContext(matched.route.functionName));
    } catch {
      // API Gateway answers 502 when the integration fails; the function's error stays in its log.
      throw new GatewayAnswer(502, 'InternalError', 'Internal server error');
    }
  }

  const server: Server = createServer((request, response) => {
    const requestId = randomUUID();
    handle(request)
      .then((result) => send(response, result, requestId))
      .catch((error: unknown) => {
        const failure =
          error instanceof GatewayAnswer
            ? error
            : new GatewayAnswer(500, 'InternalError', 'Internal server error');
        if (failure.statusCode === 413) response.setHeader('Connection', 'close');
        send(response, answer(failure.statusCode, failure.code, failure.message), requestId);
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
