/**
 * Address suppressions: a customer's address that bounced (permanently) or complained is not
 * emailed again; the request path reads them with the customers (dynamodb-tenants.ts).
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { tableConfig } from '../config.ts';
import { documentClient } from './dynamodb.ts';
import type { JobRef } from './dynamodb-jobs.ts';
import { suppressionKey } from './table-keys.ts';

/** Remembers that a customer's address bounced or complained; the latest event wins. */
export async function suppressAddress(
  job: JobRef,
  address: string,
  reason: 'Bounced' | 'Complained',
  at: string,
): Promise<void> {
  const { TABLE_NAME } = tableConfig();
  await documentClient().send(
    new PutCommand({
      TableName: TABLE_NAME,
      Item: {
        ...suppressionKey(job.tenantId, job.customerCode),
        type: 'Suppression',
        code: job.customerCode,
        address,
        reason,
        at,
      },
    }),
  );
}
