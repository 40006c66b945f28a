/**
 * API Gateway's REST proxy event (the `AWS_PROXY` integration's payload, version 1.0), built the
 * one way for the local gateway (from an HTTP request) and for the tests (from what they state).
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';

/** The account id local and test events carry. */
export const ACCOUNT_ID = '000000000000';

export interface ProxyEventInput {
  method: string;
  /** The URL path, decoded as API Gateway passes it on. */
  path: string;
  /** API Gateway's resource path of the route, e.g. `/v2/customers/{code}/notes`. */
  resource: string;
  /** Header name and value pairs as the client sent them; a repeated name keeps every value. */
  headers: readonly (readonly [string, string])[];
  /** Every value of each query string parameter, in order; null when there is no query string. */
  query: Record<string, string[]> | null;
  pathParameters: Record<string, string> | null;
  body: string | null;
  isBase64Encoded?: boolean;
  /** What the authorizer passed on: its context and `principalId`. */
  authorizer: APIGatewayProxyEvent['requestContext']['authorizer'];
  /** The API's id, which names the resource too. */
  apiId: string;
  stage: string;
  /**
   * Whether the client called the API's own URL, whose path starts with the stage: then
   * `requestContext.path` holds the stage too. Through a custom domain it is the path alone.
   */
  stageInUrl: boolean;
  requestId: string;
  sourceIp: string;
  protocol: string;
}

/** The proxy event API Gateway hands the function for this request. */
export function proxyEvent(input: ProxyEventInput): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of input.headers) {
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  // A repeated query string parameter: its last value alone, and every value in the multi map.
  const queryStringParameters =
    input.query === null
      ? null
      : Object.fromEntries(Object.entries(input.query).map(([name, values]) => [name, values.at(-1) ?? '']));
  return {
    resource: input.resource,
    path: input.path,
    httpMethod: input.method,
    headers,
    multiValueHeaders,
    queryStringParameters,
    multiValueQueryStringParameters: input.query,
    pathParameters: input.pathParameters,
    stageVariables: null,
    body: input.body,
    isBase64Encoded: input.isBase64Encoded ?? false,
    requestContext: {
      accountId: ACCOUNT_ID,
      apiId: input.apiId,
      authorizer: input.authorizer,
      httpMethod: input.method,
      identity: { sourceIp: input.sourceIp } as APIGatewayProxyEvent['requestContext']['identity'],
      path: input.stageInUrl ? `/${input.stage}${input.path}` : input.path,
      protocol: input.protocol,
      requestId: input.requestId,
      requestTimeEpoch: Date.now(),
      resourceId: input.apiId,
      resourcePath: input.resource,
      stage: input.stage,
    },
  };
}
