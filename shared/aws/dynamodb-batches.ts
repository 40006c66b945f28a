/**
 * Batch records: one per POST, holding its answer (the statuses in request order), and the batch
 * with its job records for the batch status resource. A batch's jobs share its partition, so one
 * Query reads them all.
 */
import { GetCommand, type GetCommandOutput, PutCommand } from '@aws-sdk/lib-dynamodb';
import { tableConfig } from '../config.ts';
import { DependencyUnavailableError } from '../errors.ts';
import {
  type BatchRecord,
  BatchRecordSchema,
  type CustomerStatementEmailStatus,
  type JobRecord,
  JobRecordSchema,
} from '../schemas/records.ts';
import { documentClient, expiresAfter, queryItems, updateCommand } from './dynamodb.ts';
import { BATCH_RETENTION_SECONDS } from './table-design.ts';
import { batchKey, batchPartition, runKey } from './table-keys.ts';

/** Records a new batch; its id is fresh, so an existing one is a fault, never overwritten. */
export async function putBatch(batch: BatchRecord): Promise<void> {
  const { TABLE_NAME } = tableConfig();
  const expiresAt = expiresAfter(new Date(batch.createdAt), BATCH_RETENTION_SECONDS);
  try {
    await documentClient().send(
      new PutCommand({
        TableName: TABLE_NAME,
        Item: { ...batchKey(batch.tenantId, batch.batchId), type: 'Batch', ...batch, expiresAt },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  } catch (error) {
    throw new DependencyUnavailableError({ cause: error });
  }
}

/** A batch record, read consistently (a retry decides from it whether the batch was recorded). */
export async function getBatch(tenantId: string, batchId: string): Promise<BatchRecord | undefined> {
  const { TABLE_NAME } = tableConfig();
  let output: GetCommandOutput;
  try {
    output = await documentClient().send(
      new GetCommand({ TableName: TABLE_NAME, Key: batchKey(tenantId, batchId), ConsistentRead: true }),
    );
  } catch (error) {
    throw new DependencyUnavailableError({ cause: error });
  }
  return output.Item === undefined ? undefined : BatchRecordSchema.parse(output.Item);
}

/** Replaces a batch's statuses after queueing (used only when some jobs could not be queued). */
export async function updateBatchStatuses(
  tenantId: string,
  batchId: string,
  statuses: CustomerStatementEmailStatus[],
): Promise<void> {
  await documentClient().send(
    updateCommand(batchKey(tenantId, batchId), {
      update: 'SET statuses = :statuses',
      condition: 'attribute_exists(PK)',
      values: { ':statuses': statuses },
    }),
  );
}

/** A batch with the worker's records of its jobs. */
export interface BatchWithJobs {
  batch: BatchRecord;
  /** The worker's records, by customer code; a code with none has not been picked up yet. */
  jobs: Map<string, JobRecord>;
}

/**
 * A batch and all its job records: one Query on the batch's partition (paged; a bulk batch has at
 * most 35 jobs). The batch item sorts first (`BATCH` < `ITEM#…`): a partition whose first item is
 * not it is no bulk batch (a run's partition holds up to 50,000 jobs) and is read no further.
 */
export async function getBatchWithJobs(
  tenantId: string,
  batchId: string,
): Promise<BatchWithJobs | undefined> {
  let batch: BatchRecord | undefined;
  const jobs = new Map<string, JobRecord>();
  for await (const item of queryItems({ partition: batchPartition(tenantId, batchId), consistent: true })) {
    if (item.SK === 'BATCH') batch = BatchRecordSchema.parse(item);
    else if (batch === undefined) break;
    else if (typeof item.SK === 'string' && item.SK.startsWith('ITEM#')) {
      jobs.set(item.SK.slice('ITEM#'.length), JobRecordSchema.parse(item));
    }
  }
  return batch === undefined ? undefined : { batch, jobs };
}

/** Whether the tenant has a statement run of this id (its run item; one item read, its key only). */
export async function runExists(tenantId: string, runId: string): Promise<boolean> {
  const { TABLE_NAME } = tableConfig();
  let output: GetCommandOutput;
  try {
    output = await documentClient().send(
      new GetCommand({ TableName: TABLE_NAME, Key: runKey(tenantId, runId), ProjectionExpression: 'PK' }),
    );
  } catch (error) {
    throw new DependencyUnavailableError({ cause: error });
  }
  return output.Item !== undefined;
}
