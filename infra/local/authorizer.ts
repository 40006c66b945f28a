/**
 * The TOKEN authorizer run as API Gateway runs it: one decision per token value reused for the
 * cache TTL (the stack's AUTHORIZER_CACHE_TTL_SECONDS by default), `Unauthorized` thrown answered
 * 401, any other failure 500.
 */
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent, Context } from 'aws-lambda';
import { AUTHORIZER_CACHE_TTL_SECONDS } from '../authorizer-cache.ts';
import { GATEWAY_ERRORS } from '../gateway-errors.ts';
import { GatewayResponseError } from './gateway-response-error.ts';
import { lambdaContext } from './lambda-context.ts';

export type TokenAuthorizer = (
  event: APIGatewayTokenAuthorizerEvent,
  context: Context,
) => Promise<APIGatewayAuthorizerResult>;

export interface AuthorizerCacheOptions {
  /** How long a decision is reused for the same token; 0 disables the cache. */
  ttlSeconds?: number;
  /** The clock the cache runs on (epoch ms); tests move it instead of waiting. */
  now?: () => number;
}

/** `authorize(token, methodArn)`: the authorizer's policy for the token, from the cache if fresh. */
export function cachedAuthorizer(authorizer: TokenAuthorizer, options: AuthorizerCacheOptions = {}) {
  const { now = Date.now } = options;
  const ttlMs = (options.ttlSeconds ?? AUTHORIZER_CACHE_TTL_SECONDS) * 1000;
  const cache = new Map<string, { result: APIGatewayAuthorizerResult; expires: number }>();

  return async function authorize(token: string, methodArn: string): Promise<APIGatewayAuthorizerResult> {
    const cached = cache.get(token);
    if (cached !== undefined && cached.expires > now()) return cached.result;
    let result: APIGatewayAuthorizerResult;
    try {
      result = await authorizer(
        { type: 'TOKEN', authorizationToken: token, methodArn },
        lambdaContext('authorizer'),
      );
    } catch (error) {
      if (error instanceof Error && error.message === 'Unauthorized')
        throw new GatewayResponseError(GATEWAY_ERRORS.unauthorized);
      throw new GatewayResponseError(GATEWAY_ERRORS.authorizerFailure);
    }
    if (ttlMs > 0) cache.set(token, { result, expires: now() + ttlMs });
    return result;
  };
}
