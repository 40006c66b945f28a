import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  fingerprintOf,
  releaseIdempotencyKey,
  type StoredOutcome,
} from '../aws/dynamodb-idempotency.ts';
import { toStorableStatuses } from '../domain/customer-status.ts';
import { ApiError } from '../errors.ts';
import { logger } from '../observability/powertools.ts';

export interface IdempotentResult<T> {
  outcome: T;
  /** True when this is the stored first response to an earlier request with the same key. */
  replayed: boolean;
}

/**
 * Runs `work` at most once per tenant and Idempotency-Key within 24 hours: the same key with the
 * same request answers the first response and does nothing again; with a different request it
 * is refused (422); while the first is still running, a second waits its turn (409).
 */
export async function withIdempotencyKey<T extends StoredOutcome>(
  tenantId: string,
  key: string | undefined,
  request: unknown,
  work: () => Promise<T>,
  now = new Date(),
): Promise<IdempotentResult<T | StoredOutcome>> {
  if (key === undefined) return { outcome: await work(), replayed: false };
  const fingerprint = fingerprintOf(request);
  const claim = await claimIdempotencyKey(tenantId, key, fingerprint, now);
  if (claim.kind === 'replay') return { outcome: claim.outcome, replayed: true };
  if (claim.kind === 'mismatch') {
    throw new ApiError(
      422,
      'IdempotencyKeyReused',
      'Idempotency-Key was already used with a different request',
    );
  }
  if (claim.kind === 'in-progress') {
    throw new ApiError(
      409,
      'IdempotencyKeyInProgress',
      'A request with this Idempotency-Key is still in progress; retry shortly',
    );
  }
  let outcome: T;
  try {
    outcome = await work();
  } catch (error) {
    // Nothing was queued when the work fails, so the key is freed for the client's retry.
    await releaseIdempotencyKey(tenantId, key).catch((releaseError: unknown) =>
      logger.warn('Could not free the Idempotency-Key; it frees itself after a minute', {
        error: releaseError,
      }),
    );
    throw error;
  }
  await completeIdempotencyKey(tenantId, key, {
    batchId: outcome.batchId,
    period: outcome.period,
    statuses: toStorableStatuses(outcome.statuses),
  });
  return { outcome, replayed: false };
}
