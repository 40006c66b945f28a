/**
 * A worker thread that runs one `POST /v2/ledger/batch` through the real ledger handler and dies
 * once DynamoDB has answered its Nth request, as a Lambda that crashes or times out midway: the
 * transactions already answered are written, those in flight may or may not be, the client never
 * gets an answer.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { APIGatewayProxyEvent } from 'aws-lambda';

const { event, killAfter } = workerData as { event: APIGatewayProxyEvent; killAfter: number };
const [{ handler }, { dynamoDbClient }, { lambdaContext }] = await Promise.all([
  import('#functions/ledger-api/handler.ts'),
  import('#shared/aws/dynamodb.ts'),
  import('../../infra/local/lambda-context.ts'),
]);

let answered = 0;
dynamoDbClient().middlewareStack.add(
  (next) => async (args) => {
    const result = await next(args);
    answered += 1;
    if (answered === killAfter) {
      // In a worker thread, process.exit ends this thread only.
      parentPort?.postMessage({ outcome: 'killed', answered });
      process.exit(0);
    }
    return result;
  },
  { step: 'initialize', name: 'kill-after-requests' },
);

const response = await (
  handler as unknown as (event: unknown, context: unknown) => Promise<{ statusCode: number }>
)(event, lambdaContext('ledger-api', 30_000));
parentPort?.postMessage({ outcome: 'finished', answered, status: response.statusCode });
