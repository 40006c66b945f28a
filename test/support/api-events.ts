import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { lambdaContext } from '../../infra/local/lambda-context.ts';

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
  const headers = { 'Content-Type': 'application/json', ...input.headers };
  const multi =
    query === undefined
      ? null
      : Object.fromEntries(
          Object.entries(query).map(([name, value]) => [name, Array.isArray(value) ? value : [value]]),
        );
  const single =
    multi === null
      ? null
      : Object.fromEntries(Object.entries(multi).map(([name, values]) => [name, values.at(-1) ?? '']));
  const body =
    input.body === undefined
      ? null
      : typeof input.body === 'string' || input.body === null
        ? input.body
        : JSON.stringify(input.body);
  return {
    resource: input.resource ?? path,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: single,
    multiValueQueryStringParameters: multi,
    pathParameters: input.pathParameters ?? null,
    stageVariables: null,
    body,
    isBase64Encoded: input.isBase64Encoded ?? false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'test',
      authorizer: tenantId === null ? null : { tenantId, principalId: tenantId },
      httpMethod: method,
      identity: { sourceIp: '127.0.0.1' } as APIGatewayProxyEvent['requestContext']['identity'],
      path: `/prod${path}`,
      protocol: 'HTTP/1.1',
      requestId: 'test-request',
      requestTimeEpoch: Date.now(),
      resourceId: 'test',
      resourcePath: input.resource ?? path,
      stage: 'prod',
    },
  };
}

type ProxyHandler = (
  event: APIGatewayProxyEvent,
  context: ReturnType<typeof lambdaContext>,
) => Promise<APIGatewayProxyResult>;

/** Invokes a proxy handler as Lambda would, with a fresh context. */
export function invoke(handler: ProxyHandler, event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  return handler(event, lambdaContext('test-function'));
}

export function jsonBody<T = unknown>(result: APIGatewayProxyResult): T {
  return JSON.parse(result.body) as T;
}
