/**
 * The benchmarks' DynamoDB: the same embedded emulator as everywhere (dynalite with its
 * transactions), in a thread of its own, as DynamoDB is a service of its own in AWS and takes none
 * of the function's CPU. Started by startBenchStack; posts its endpoint, stops when told.
 */
import { parentPort } from 'node:worker_threads';
import { startEmulators } from '../../infra/local/emulators.ts';

// Only DynamoDB here, always the embedded one: the other services are "configured" elsewhere, so
// none of them starts.
delete process.env.AWS_ENDPOINT_URL;
delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
process.env.AWS_ENDPOINT_URL_SQS = 'http://127.0.0.1:1';
process.env.AWS_ENDPOINT_URL_SES = 'http://127.0.0.1:1';
const emulators = await startEmulators({ dynamodb: 0, sqs: 0, ses: 0 }, { useConfiguredEndpoints: true });
parentPort?.postMessage(emulators.endpoints.dynamodb);
parentPort?.on('message', async () => {
  await emulators.stop();
  process.exit(0);
});
