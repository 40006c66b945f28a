import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { lambdaContext } from '../../infra/local/lambda-context.ts';
import { proxyEvent } from '../../infra/local/proxy-event.ts';
import { assertContract } from './contract.ts';

export const BULK_EMAIL_PATH = '/v2/customerstatements/bulk/email';

export interface ApiEventInput {
  method?: string;
  path?: string;
  resource?: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: string | unknown[] | null;
  tenantId?: string | null;
  pathParameters?: Record<string, string>;
  isBase64Encoded?: boolean;
}

/** An API Gateway REST proxy event as the authorizer-protected API receives it. */
export function apiEvent(input: ApiEventInput = {}): APIGatewayProxyEvent {
  const { method = 'POST', path = BULK_EMAIL_PATH, query, tenantId = 'tenant-a' } = input;
  return proxyEvent({
    method,
    path,
    resource: input.resource ?? path,
    headers: Object.entries({ 'Content-Type': 'application/json', ...input.headers }),
    query:
      query === undefined
        ? null
        : Object.fromEntries(
            Object.entries(query).map(([name, value]) => [name, Array.isArray(value) ? value : [value]]),
          ),
    pathParameters: input.pathParameters ?? null,
    body:
      input.body === undefined
        ? null
        : typeof input.body === 'string' || input.body === null
          ? input.body
          : JSON.stringify(input.body),
    isBase64Encoded: input.isBase64Encoded ?? false,
    authorizer: tenantId === null ? null : { tenantId, principalId: tenantId },
    apiId: 'test',
    stage: 'prod',
    stageInUrl: true,
    requestId: 'test-request',
    sourceIp: '127.0.0.1',
    protocol: 'HTTP/1.1',
  });
}

type ProxyHandler = (
  event: APIGatewayProxyEvent,
  context: ReturnType<typeof lambdaContext>,
) => Promise<APIGatewayProxyResult>;

/**
 * Invokes a proxy handler as Lambda would, with a fresh context, and checks its answer against
 * docs/openapi.json (test/support/contract.ts): an answer the document does not allow fails the test.
 */
export async function invoke(
  handler: ProxyHandler,
  event: APIGatewayProxyEvent,
): Promise<APIGatewayProxyResult> {
  const result = await handler(event, lambdaContext('test-function'));
  assertContract({
    method: event.httpMethod,
    resource: event.resource,
    path: event.path,
    status: result.statusCode,
    headers: Object.fromEntries(
      Object.entries(result.headers ?? {}).map(([name, value]) => [name, String(value)]),
    ),
    body: result.body,
    isBase64Encoded: result.isBase64Encoded ?? false,
  });
  return result;
}

export function jsonBody<T = unknown>(result: APIGatewayProxyResult): T {
  return JSON.parse(result.body) as T;
}
