/**
 * api.requests and api.latency: one 35-code POST through the real handler, against the naive
 * design (one GetItem and one SendMessage per customer, one customer after another).
 */
import { randomUUID } from 'node:crypto';
import { PurgeQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { documentClient, dynamoDbClient } from '#shared/aws/dynamodb.ts';
import { sqsClient } from '#shared/aws/sqs.ts';
import { customerKey } from '#shared/aws/table-keys.ts';
import { importFixture } from '#shared/seed/import-fixture.ts';
import { recordRequests } from '#test/support/sdk-requests.ts';
import { lambdaContext } from '../infra/local/lambda-context.ts';
import { benchTenant } from './lib/fixtures.ts';
import { type BenchStack, median, percentile, type Row, ratio } from './lib/setup.ts';

const CODES = Array.from({ length: 35 }, (_, index) => `C${String(index).padStart(3, '0')}`);
const ROUNDS = 200;

function postEvent(tenantId: string): APIGatewayProxyEvent {
  const body = JSON.stringify(CODES);
  return {
    resource: '/v2/customerstatements/bulk/email',
    path: '/v2/customerstatements/bulk/email',
    httpMethod: 'POST',
    headers: { 'Content-Type': 'application/json' },
    multiValueHeaders: { 'Content-Type': ['application/json'] },
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body,
    isBase64Encoded: false,
    requestContext: {
      authorizer: { tenantId },
      path: '/v2/customerstatements/bulk/email',
      requestId: randomUUID(),
    } as unknown as APIGatewayProxyEvent['requestContext'],
  };
}

export async function benchApi(stack: BenchStack): Promise<Row[]> {
  // The handler's Powertools logger reads its level when the module loads: after the bench stack set it.
  const { handler } = await import('#functions/bulk-email-api/handler.ts');
  const tenantId = 'bench-api';
  await importFixture({ Tenants: [benchTenant(tenantId, CODES)] }, new Date().toISOString().slice(0, 10));
  const queueUrl = stack.queues.queueUrl;
  const tableName = String(process.env.TABLE_NAME);

  const ours = async () => {
    const result = await handler(postEvent(tenantId), lambdaContext('bench'));
    if (result.statusCode !== 200 || !result.body.includes('Marked to send'))
      throw new Error(`POST failed: ${result.body}`);
  };
  /** The naive design: read each customer, then queue its job, one customer at a time. */
  const naive = async () => {
    for (const code of CODES) {
      const { Item } = await documentClient().send(
        new GetCommand({ TableName: tableName, Key: customerKey(tenantId, code) }),
      );
      if (Item === undefined) throw new Error(`no customer ${code}`);
      await sqsClient().send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify({ tenantId, code }) }),
      );
    }
  };

  // Requests: one call of each, counted on the wire.
  const counter = recordRequests(dynamoDbClient(), sqsClient());
  await ours();
  const oursRequests = counter.total();
  const oursDetail = counter.describe();
  counter.reset();
  await naive();
  const naiveRequests = counter.total();
  counter.detach();

  // Latency: interleaved rounds (alternating which goes first) after a warm-up of each.
  await ours();
  await naive();
  const oursTimes: number[] = [];
  const naiveTimes: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const pair: [number[], () => Promise<void>][] = [
      [oursTimes, ours],
      [naiveTimes, naive],
    ];
    if (round % 2 === 1) pair.reverse();
    for (const [times, run] of pair) {
      const started = performance.now();
      await run();
      times.push(performance.now() - started);
    }
    if (round % 25 === 24) await sqsClient().send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
  }
  const p50 = [median(oursTimes), median(naiveTimes)] as const;
  const p99 = [percentile(oursTimes, 0.99), percentile(naiveTimes, 0.99)] as const;
  return [
    {
      name: 'api.requests',
      measure: 'AWS requests, one 35-code POST',
      ours: `${oursRequests} (${oursDetail})`,
      baseline: String(naiveRequests),
      ratio: ratio(oursRequests, naiveRequests),
      goal: '<= 5 (0.08x)',
      met: oursRequests <= 5,
    },
    {
      name: 'api.latency',
      measure: `p50 ms, ${ROUNDS} interleaved rounds`,
      ours: p50[0].toFixed(1),
      baseline: p50[1].toFixed(1),
      ratio: ratio(p50[0], p50[1]),
      goal: '<= 0.15x',
      met: p50[0] / p50[1] <= 0.15,
    },
    {
      name: 'api.latency',
      measure: 'p99 ms',
      ours: p99[0].toFixed(1),
      baseline: p99[1].toFixed(1),
      ratio: ratio(p99[0], p99[1]),
      goal: '(reported)',
      met: undefined,
    },
  ];
}
