/**
 * A worker thread that runs the real statement worker for one SQS record and dies at a chosen
 * step, as a Lambda that crashes or times out there: before reading, after rendering (just before
 * SES is called), after SES accepted the email, or after the note was written.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { SQSRecord } from 'aws-lambda';

export type KillPoint = 'before-read' | 'after-render' | 'after-ses-accepted' | 'after-note';

const { record, killAt } = workerData as { record: SQSRecord; killAt: KillPoint };
const [{ handler }, { dynamoDbClient }, { sesClient }, { lambdaContext }] = await Promise.all([
  import('#functions/statement-worker/handler.ts'),
  import('#shared/aws/dynamodb.ts'),
  import('#shared/aws/ses.ts'),
  import('../../infra/local/lambda-context.ts'),
]);

/** Ends this thread at once (in a worker thread, process.exit stops the thread only). */
const die = (): never => {
  parentPort?.postMessage('killed');
  process.exit(0);
};

dynamoDbClient().middlewareStack.add(
  (next, context) => async (args) => {
    if (killAt === 'before-read') die();
    const result = await next(args);
    const sortKey = String((args.input as { Item?: { SK?: unknown } }).Item?.SK ?? '');
    if (killAt === 'after-note' && context.commandName === 'PutItemCommand' && sortKey.startsWith('NOTE#'))
      die();
    return result;
  },
  { step: 'initialize', name: 'kill-dynamodb' },
);
sesClient().middlewareStack.add(
  (next, context) => async (args) => {
    if (context.commandName === 'SendRawEmailCommand' && killAt === 'after-render') die();
    const result = await next(args);
    if (context.commandName === 'SendRawEmailCommand' && killAt === 'after-ses-accepted') die();
    return result;
  },
  { step: 'initialize', name: 'kill-ses' },
);

await (handler as unknown as (event: unknown, context: unknown) => Promise<unknown>)(
  { Records: [record] },
  lambdaContext('worker', 150),
);
parentPort?.postMessage('finished');
