/**
 * Starts the embedded emulators once for the integration tests, on ports the OS picks, and
 * creates the table. Configured AWS_ENDPOINT_URL* are ignored: tests never touch anything else.
 */
import type { TestProject } from 'vitest/node';
import type { Service } from '../../infra/local/emulators.ts';
import { startEmulators } from '../../infra/local/emulators.ts';
import { configureLocalEnvironment } from '../../infra/local/environment.ts';
import { ensureTable } from '../../infra/local/resources.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    endpoints: Record<Service, string>;
    tableName: string;
  }
}

export default async function setup(project: TestProject) {
  const emulators = await startEmulators({ dynamodb: 0, sqs: 0, ses: 0 }, { useConfiguredEndpoints: false });
  configureLocalEnvironment(emulators.endpoints);
  const tableName = 'statement-mailer-test';
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  await ensureTable(tableName, new DynamoDBClient({ endpoint: emulators.endpoints.dynamodb }));
  project.provide('endpoints', emulators.endpoints);
  project.provide('tableName', tableName);
  return () => emulators.stop();
}
