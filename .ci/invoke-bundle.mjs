// Runs one built Lambda bundle's handler with an event file, as the Lambda runtime would, and
// prints {"node": version, "result": …}. Plain JavaScript: it runs under the Lambda runtime's
// Node.js binary (infra/lambda-node.ts) with nothing but the bundle itself.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

const [bundle, eventFile, functionName = 'bundle'] = process.argv.slice(2);
const { handler } = await import(pathToFileURL(bundle).href);
const event = JSON.parse(await readFile(eventFile, 'utf8'));
const deadline = Date.now() + 60_000;
const context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:eu-west-2:000000000000:function:${functionName}`,
  memoryLimitInMB: '512',
  awsRequestId: randomUUID(),
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: 'check',
  getRemainingTimeInMillis: () => deadline - Date.now(),
};
const result = await handler(event, context);
process.stdout.write(JSON.stringify({ node: process.version, result }));
