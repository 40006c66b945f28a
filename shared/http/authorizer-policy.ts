import type { APIGatewayAuthorizerResult } from 'aws-lambda';

/**
 * An Allow policy for the whole API stage. API Gateway caches the authorizer's result per token
 * and reuses it for every route, so the policy must cover all of them, and the tenant rides in the
 * context, which is all the handlers trust.
 */
export function toAuthorizerPolicy(tenantId: string, methodArn: string): APIGatewayAuthorizerResult {
  // methodArn: arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{method}/{path…}
  const [arnPrefix = methodArn, stage = '*'] = methodArn.split('/');
  return {
    principalId: tenantId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: `${arnPrefix}/${stage}/*` }],
    },
    context: { tenantId },
  };
}
