/**
 * The answers API Gateway gives itself (infra/gateway-errors.ts, the table the stack's gateway
 * responses are made from), as OpenAPI responses: JSON only, as gateway responses cannot negotiate.
 */
import { GATEWAY_ERRORS } from '../gateway-errors.ts';
import { errorResponse } from './media.ts';
import type { Response } from './types.ts';

/** A gateway error in the body its gateway response writes. */
const body = (error: { code: string; message?: string }, message?: string) => ({
  Error: error.code,
  Message: error.message ?? message ?? '',
});

/** Each status API Gateway itself can answer a route with, and the response it documents. */
export interface GatewayAnswer {
  status: string;
  /** Only on routes behind the token authorizer. */
  authorizedOnly?: boolean;
  /** Only on routes that take a request body. */
  bodyOnly?: boolean;
  response: Response;
}

export const GATEWAY_ANSWERS: GatewayAnswer[] = [
  {
    status: '400',
    response: errorResponse(
      "The request's path or query string is not valid percent-encoded UTF-8: refused by API Gateway before routing (the message quotes at most 100 characters of it).",
      {
        badEncoding: body(
          GATEWAY_ERRORS.default4xx,
          'The request path /v2/customers/%FF/notes is not valid percent-encoded UTF-8.',
        ),
      },
      { xml: false },
    ),
  },
  {
    status: '401',
    authorizedOnly: true,
    response: errorResponse(
      'No `Authorization` header, or one the authorizer refuses (missing, malformed, unknown, revoked or expired token).',
      { unauthorized: body(GATEWAY_ERRORS.unauthorized) },
      { xml: false },
    ),
  },
  {
    status: '403',
    response: errorResponse(
      "Refused by API Gateway: the authorizer's policy denies the request (`AccessDenied`), or the web application firewall filtered it (`Forbidden`: rate or size rules).",
      { accessDenied: body(GATEWAY_ERRORS.accessDenied), wafFiltered: body(GATEWAY_ERRORS.wafFiltered) },
      { xml: false },
    ),
  },
  {
    status: '413',
    bodyOnly: true,
    response: errorResponse(
      "The body is over API Gateway's 10 MB limit.",
      { tooLarge: body(GATEWAY_ERRORS.tooLarge) },
      { xml: false },
    ),
  },
  {
    status: '429',
    response: errorResponse(
      "Throttled by the stage's rate or burst limit; retry later with backoff.",
      { throttled: body(GATEWAY_ERRORS.throttled) },
      { xml: false },
    ),
  },
  {
    status: '500',
    response: errorResponse(
      'The authorizer failed (`Authorization failed; please retry.`), or the function could not be invoked.',
      {
        authorizer: body(GATEWAY_ERRORS.authorizerFailure),
        gateway: body(GATEWAY_ERRORS.default5xx, 'Internal server error'),
      },
      { xml: false },
    ),
  },
  {
    status: '502',
    response: errorResponse(
      'The function failed without an answer (a crash or an invalid answer); its error is in its log.',
      { badGateway: body(GATEWAY_ERRORS.default5xx, 'Internal server error') },
      { xml: false },
    ),
  },
  {
    status: '504',
    response: errorResponse(
      "The function did not answer within API Gateway's 29 s integration timeout.",
      { timeout: body(GATEWAY_ERRORS.default5xx, 'Endpoint request timed out') },
      { xml: false },
    ),
  },
];
