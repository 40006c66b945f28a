/**
 * Errors by what went wrong, never by HTTP status. Adapters and services throw these, each keeping
 * its `cause` (Powertools' idempotency errors are the model), and each edge maps them once:
 * `shared/http/error-handler.ts` to KashFlow's `{"Error","Message"}` and a status, the statement
 * worker (`shared/services/consume-statement-jobs.ts` and `process-statement-job.ts`, through `job-errors.ts`) to retry, fail or dead-letter.
 */

/** A dependency (DynamoDB, SQS, SES) did not answer after the SDK's and our own retries. */
export class DependencyUnavailableError extends Error {
  override readonly name = 'DependencyUnavailableError';
  constructor(options?: ErrorOptions & { dependency?: string }) {
    super(`${options?.dependency ?? 'DynamoDB'} did not answer after retries`, options);
  }
}

/** The tenant a valid token names no longer exists: as good as no token. */
export class UnknownTenantError extends Error {
  override readonly name = 'UnknownTenantError';
  constructor(options?: ErrorOptions) {
    super('The tenant of this token no longer exists', options);
  }
}

/** An Idempotency-Key was used before with a different request. */
export class IdempotencyKeyReusedError extends Error {
  override readonly name = 'IdempotencyKeyReusedError';
  constructor(options?: ErrorOptions) {
    super('Idempotency-Key was already used with a different request', options);
  }
}

/** The first request with this Idempotency-Key still holds it. */
export class IdempotencyKeyInProgressError extends Error {
  override readonly name = 'IdempotencyKeyInProgressError';
  constructor(options?: ErrorOptions) {
    super('A request with this Idempotency-Key is still in progress; retry shortly', options);
  }
}

/** A record read from the table breaks its schema: it was changed behind the importer's back. */
export class StoredRecordInvalidError extends Error {
  override readonly name = 'StoredRecordInvalidError';
}

/** The statement cannot be sent as the data stands (no such customer, a bad template, …): no retry mends it. */
export class StatementNotSendableError extends Error {
  override readonly name = 'StatementNotSendableError';
}
