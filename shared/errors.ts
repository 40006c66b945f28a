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

/**
 * A domain error whose message is always the same: what happened, whatever the cause. Each class
 * it makes has its own name for `instanceof` and for the logs.
 */
function fixedMessageError(name: string, message: string) {
  return class extends Error {
    override readonly name = name;
    constructor(options?: ErrorOptions) {
      super(message, options);
    }
  };
}

/** The tenant a valid token names no longer exists: as good as no token. */
export const UnknownTenantError = fixedMessageError(
  'UnknownTenantError',
  'The tenant of this token no longer exists',
);
/** An UnknownTenantError thrown. */
export type UnknownTenantError = InstanceType<typeof UnknownTenantError>;

/** An Idempotency-Key was used before with a different request. */
export const IdempotencyKeyReusedError = fixedMessageError(
  'IdempotencyKeyReusedError',
  'Idempotency-Key was already used with a different request',
);
/** An IdempotencyKeyReusedError thrown. */
export type IdempotencyKeyReusedError = InstanceType<typeof IdempotencyKeyReusedError>;

/** The first request with this Idempotency-Key still holds it. */
export const IdempotencyKeyInProgressError = fixedMessageError(
  'IdempotencyKeyInProgressError',
  'A request with this Idempotency-Key is still in progress; retry shortly',
);
/** An IdempotencyKeyInProgressError thrown. */
export type IdempotencyKeyInProgressError = InstanceType<typeof IdempotencyKeyInProgressError>;

/** The statement cannot be sent as the data stands (no such customer, a bad template, …): no retry mends it. */
export class StatementNotSendableError extends Error {
  override readonly name = 'StatementNotSendableError';
}
