/**
 * A small stand-in for API Gateway's REST API: it runs the real TOKEN authorizer (with a result
 * cache keyed by the token, for the stack's TTL) and the real handlers with REST proxy events, and
 * answers what API Gateway itself answers (400, 401, 403, 404, 413, 5xx) in KashFlow's error shape,
 * from the table the CDK stack's gateway responses come from (infra/gateway-errors.ts). Lambda's
 * own request limit applies too: an event over 6 MB is answered as API Gateway answers it.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { GATEWAY_ERRORS } from '../gateway-errors.ts';
import { cachedAuthorizer, type TokenAuthorizer } from './authorizer.ts';
import { GatewayResponseError } from './gateway-response-error.ts';
import { checkPathEncoding, headerPairs, matchRoute, queryOf, readBody } from './http-request.ts';
import { lambdaContext } from './lambda-context.ts';
import { ACCOUNT_ID, proxyEvent } from './proxy-event.ts';

export type { TokenAuthorizer } from './authorizer.ts';
export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export interface Route {
  method: string;
  /** API Gateway's resource path, e.g. `/v2/customerstatements/bulk/email/{batchId}`. */
  resource: string;
  functionName: string;
  handler: ProxyHandler;
  /** Served without a token, as a method with no authorizer (infra/api-routes.ts `public`). */
  public?: boolean;
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
  /**
   * The local stack's own pages (the API reference at /docs, infra/local/docs-page.ts), served
   * without a token before any route; `undefined` for a request that is not one of them.
   */
  pages?: (method: string, path: string) => Promise<APIGatewayProxyResult | undefined>;
}

export interface LocalGateway {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const API_ID = 'local';
/**
 * Lambda's limit on a synchronous invocation's request (6 MB): the whole proxy event as JSON, so
 * the body once JSON-escaped (each quote, backslash and newline takes two bytes) plus its headers.
 */
export const LAMBDA_MAX_REQUEST_BYTES = 6 * 1024 * 1024;

function send(response: ServerResponse, result: APIGatewayProxyResult, requestId: string) {
  const headers: Record<string, string | string[]> = { 'x-amzn-RequestId': requestId };
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {}))
    headers[name] = values.map(String);
  response.writeHead(result.statusCode, headers);
  response.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
}

/** Starts the local gateway; port 0 lets the OS pick one. */
export async function startLocalGateway(options: GatewayOptions): Promise<LocalGateway> {
  const { routes, stage = 'local', host = '127.0.0.1' } = options;
  const region = process.env.AWS_REGION ?? 'eu-west-2';
  const authorize = cachedAuthorizer(options.authorizer, {
    ttlSeconds: options.authorizerCacheTtlSeconds,
    now: options.now,
  });

  /** What the authorizer passes on for the request's token; refused as API Gateway refuses it. */
  async function authorizeRequest(request: IncomingMessage, method: string, url: URL) {
    const token = request.headers.authorization;
    if (token === undefined || token === '') throw new GatewayResponseError(GATEWAY_ERRORS.unauthorized);
    const methodArn = `arn:aws:execute-api:${region}:${ACCOUNT_ID}:${API_ID}/${stage}/${method}${url.pathname}`;
    const policy = await authorize(token, methodArn);
    const allowed = policy.policyDocument.Statement.some((statement) => statement.Effect === 'Allow');
    if (!allowed) throw new GatewayResponseError(GATEWAY_ERRORS.accessDenied);
    return { ...policy.context, principalId: policy.principalId };
  }

  async function handle(request: IncomingMessage): Promise<APIGatewayProxyResult> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';
    checkPathEncoding(url.pathname);
    const page = await options.pages?.(method, url.pathname);
    if (page !== undefined) return page;
    const query = queryOf(url.search);
    const matched = matchRoute(routes, method, url.pathname);
    if (matched === undefined) throw new GatewayResponseError(GATEWAY_ERRORS.notFound);
    const body = await readBody(request);
    // A method with no authorizer ignores the Authorization header; its event has no authorizer.
    const authorizer = matched.route.public === true ? null : await authorizeRequest(request, method, url);
    const event = proxyEvent({
      method,
      path: url.pathname,
      resource: matched.route.resource,
      headers: headerPairs(request),
      query,
      pathParameters: Object.keys(matched.pathParameters).length > 0 ? matched.pathParameters : null,
      body: body.byteLength > 0 ? body.toString('utf8') : null,
      authorizer,
      apiId: API_ID,
      stage,
      // As through a custom domain: no stage in the URL.
      stageInUrl: false,
      requestId: randomUUID(),
      sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
      protocol: `HTTP/${request.httpVersion}`,
    });
    // Lambda refuses a larger invocation before the function runs; API Gateway then answers 500.
    if (Buffer.byteLength(JSON.stringify(event)) > LAMBDA_MAX_REQUEST_BYTES) {
      throw new GatewayResponseError(GATEWAY_ERRORS.default5xx, 500, 'Internal server error');
    }
    try {
      return await matched.route.handler(event, lambdaContext(matched.route.functionName));
    } catch {
      // API Gateway answers 502 when the integration fails; the function's error stays in its log.
      throw new GatewayResponseError(GATEWAY_ERRORS.default5xx, 502, 'Internal server error');
    }
  }

  const server: Server = createServer((request, response) => {
    const requestId = randomUUID();
    handle(request)
      .then((result) => send(response, result, requestId))
      .catch((error: unknown) => {
        const failure =
          error instanceof GatewayResponseError
            ? error
            : new GatewayResponseError(GATEWAY_ERRORS.default5xx, 500, 'Internal server error');
        if (failure.statusCode === 413) response.setHeader('Connection', 'close');
        send(response, failure.toResult(), requestId);
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
