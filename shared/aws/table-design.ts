/**
 * The table's physical design, shared by the CDK stack and the local stack so that both build
 * the same table (docs/data-model.md).
 */
export const TABLE_DESIGN = {
  partitionKey: 'PK',
  sortKey: 'SK',
  /** Epoch seconds; DynamoDB's TTL deletes batches and idempotency records after it. */
  timeToLiveAttribute: 'expiresAt',
  /**
   * Sparse index from an SES message id to its job: only sent jobs carry `sesMessageId`, so SES
   * delivery, bounce and complaint events find their job with one key lookup.
   */
  sesMessageIndex: { name: 'BySesMessageId', partitionKey: 'sesMessageId' },
} as const;

/** Receives of a job before SQS moves it to the dead-letter queue. */
export const JOB_MAX_RECEIVE_COUNT = 5;

/** Batches and their job records are kept 400 days, then DynamoDB's TTL removes them. */
export const BATCH_RETENTION_SECONDS = 400 * 24 * 60 * 60;
