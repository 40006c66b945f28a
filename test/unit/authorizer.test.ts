import { createHash } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler } from '#functions/authorizer/handler.ts';
import { documentClient } from '#shared/aws/dynamodb.ts';
import { tokenFromAuthorization } from '#shared/services/authorize-token.ts';
import { lambdaContext } from '../../infra/local/lambda-context.ts';

const dynamo = mockClient(documentClient());
const METHOD_ARN =
  'arn:aws:execute-api:eu-west-2:123456789012:abc123/prod/POST/v2/customerstatements/bulk/email';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const authorize = (authorizationToken: string) =>
  handler({ type: 'TOKEN', authorizationToken, methodArn: METHOD_ARN }, lambdaContext('authorizer'));

describe('tokenFromAuthorization', () => {
  it.each([
    ['KfToken abc123', 'abc123'],
    ['kftoken abc123', 'abc123'],
    ['Bearer abc123', 'abc123'],
    ['BEARER   abc123  ', 'abc123'],
  ])('reads %j', (header, token) => {
    expect(tokenFromAuthorization(header)).toBe(token);
  });

  it.each([
    undefined,
    '',
    'abc123',
    'Basic YWJjOmRlZg==',
    'KfToken',
    'KfToken a b',
    'Bearer tök',
    `Bearer ${'a'.repeat(513)}`,
  ])('refuses %j', (header) => {
    expect(tokenFromAuthorization(header)).toBeUndefined();
  });
});

describe('authorizer handler', () => {
  beforeEach(() => {
    dynamo.reset();
  });

  it('looks the token up by its SHA-256 hash and allows the whole stage for its tenant', async () => {
    dynamo.on(GetCommand).resolves({ Item: { tenantId: 'demo' } });

    const result = await authorize('KfToken local-dev-token');

    expect(dynamo.commandCalls(GetCommand)[0]?.args[0].input.Key).toEqual({
      PK: `TOKEN#${sha256('local-dev-token')}`,
      SK: 'TOKEN',
    });
    expect(result).toEqual({
      principalId: 'demo',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Action: 'execute-api:Invoke',
            Effect: 'Allow',
            Resource: 'arn:aws:execute-api:eu-west-2:123456789012:abc123/prod/*',
          },
        ],
      },
      context: { tenantId: 'demo' },
    });
  });

  it('refuses an unknown token with Unauthorized (401 from API Gateway)', async () => {
    dynamo.on(GetCommand).resolves({});
    await expect(authorize('Bearer nope-nope')).rejects.toThrow('Unauthorized');
  });

  it('refuses a malformed header without reading the table', async () => {
    await expect(authorize('Basic abc')).rejects.toThrow('Unauthorized');
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('refuses revoked and expired tokens', async () => {
    dynamo.on(GetCommand).resolves({ Item: { tenantId: 'demo', revoked: true } });
    await expect(authorize('KfToken revoked-token')).rejects.toThrow('Unauthorized');
    dynamo
      .on(GetCommand)
      .resolves({ Item: { tenantId: 'demo', expiresAt: Math.floor(Date.now() / 1000) - 1 } });
    await expect(authorize('KfToken expired-token')).rejects.toThrow('Unauthorized');
    dynamo
      .on(GetCommand)
      .resolves({ Item: { tenantId: 'demo', expiresAt: Math.floor(Date.now() / 1000) + 3600 } });
    await expect(authorize('KfToken live-token')).resolves.toMatchObject({ principalId: 'demo' });
  });
});
