/**
 * The answers API Gateway gives itself, before or instead of a function, in KashFlow's
 * `{"Error","Message"}` shape. The CDK stack's gateway responses and the local gateway's own
 * errors both come from this table, so the two cannot answer differently.
 */

export interface GatewayErrorResponse {
  /** The gateway response's construct id in the stack (its CloudFormation logical id). */
  id: string;
  /** API Gateway's gateway response type, e.g. `UNAUTHORIZED`. */
  responseType: string;
  /** Unset on the fallbacks: each answer keeps its own status (an integration timeout's 504…). */
  statusCode?: number;
  /** KashFlow's `Error` code. */
  code: string;
  /** Unset on the fallbacks: API Gateway's own message (`$context.error.messageString`). */
  message?: string;
}

export const GATEWAY_ERRORS = {
  unauthorized: {
    id: 'Unauthorized',
    responseType: 'UNAUTHORIZED',
    statusCode: 401,
    code: 'InvalidSessionToken',
    message: 'Session token provided is invalid.',
  },
  accessDenied: {
    id: 'AccessDenied',
    responseType: 'ACCESS_DENIED',
    statusCode: 403,
    code: 'AccessDenied',
    message: 'Access denied.',
  },
  // API Gateway answers a path or method it has no route for as a missing authentication token.
  notFound: {
    id: 'NotFound',
    responseType: 'MISSING_AUTHENTICATION_TOKEN',
    statusCode: 404,
    code: 'NotFound',
    message: 'No such resource.',
  },
  tooLarge: {
    id: 'TooLarge',
    responseType: 'REQUEST_TOO_LARGE',
    statusCode: 413,
    code: 'PayloadTooLarge',
    message: 'Request body is too large.',
  },
  throttled: {
    id: 'Throttled',
    responseType: 'THROTTLED',
    statusCode: 429,
    code: 'TooManyRequests',
    message: 'Too many requests; please retry later.',
  },
  wafFiltered: {
    id: 'WafFiltered',
    responseType: 'WAF_FILTERED',
    statusCode: 403,
    code: 'Forbidden',
    message: 'The request was refused.',
  },
  authorizerFailure: {
    id: 'AuthorizerFailure',
    responseType: 'AUTHORIZER_FAILURE',
    statusCode: 500,
    code: 'InternalError',
    message: 'Authorization failed; please retry.',
  },
  default4xx: { id: 'Default4xx', responseType: 'DEFAULT_4XX', code: 'BadRequest' },
  default5xx: { id: 'Default5xx', responseType: 'DEFAULT_5XX', code: 'InternalError' },
} as const satisfies Record<string, GatewayErrorResponse>;
