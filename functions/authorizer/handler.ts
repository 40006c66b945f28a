import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { toAuthorizerPolicy } from '#shared/http/authorizer-policy.ts';
import { logger } from '#shared/observability/powertools.ts';
import { tenantForAuthorization } from '#shared/services/authorize-token.ts';

/**
 * API Gateway TOKEN authorizer: `KfToken <token>` or `Bearer <token>` to the tenant id. Throwing
 * `Unauthorized` is how API Gateway is told to answer 401 (its gateway response has KashFlow's body).
 */
export const handler = middy<APIGatewayTokenAuthorizerEvent, APIGatewayAuthorizerResult>()
  .use(injectLambdaContext(logger))
  .handler(async (event) => {
    const tenantId = await tenantForAuthorization(event.authorizationToken, new Date());
    if (tenantId === undefined) throw new Error('Unauthorized');
    return toAuthorizerPolicy(tenantId, event.methodArn);
  });
