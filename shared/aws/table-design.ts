/**
 * The table's physical design, shared by the CDK stack and the local stack so that both build
 * the same table (docs/data-model.md).
 */
export const TABLE_DESIGN = {
  partitionKey: 'PK',
  sortKey: 'SK',
  /** Epoch seconds; DynamoDB's TTL deletes batches and idempotency records after it. */
  timeToLiveAttribute: 'expiresAt',
} as const;

/** Receives of a job before SQS moves it to the dead-letter queue. */
export const JOB_MAX_RECEIVE_COUNT = 5;
