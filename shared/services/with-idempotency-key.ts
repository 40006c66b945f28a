import { randomUUID } from 'node:crypto';
import { getBatch } from '../aws/dynamodb-batches.ts';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  fingerprintOf,
  forgetIdempotencyKey,
  releaseIdempotencyLock,
  type StoredOutcome,
} from '../aws/dynamodb-idempotency.ts';
import { toStorableStatuses } from '../domain/customer-status.ts';
import { IdempotencyKeyInProgressError, IdempotencyKeyReusedError } from '../errors.ts';
import { METRIC } from '../observability/metric-names.ts';
import { logger, metrics } from '../observability/powertools.ts';

/** The work's answer, and whether it is the first answer replayed (the response then says so). */
export interface IdempotentResult<T> {
  outcome: T;
  /** True when this is the stored first response to an earlier request with the same key. */
  replayed: boolean;
}

/**
 * The batch a request works on: a fresh id, or (`resumed`) the id of an earlier request with the
 * same Idempotency-Key that stopped before it recorded its answer. Work that resumes a batch must
 * finish that batch, never start another: its jobs may be on the queue already.
 */
export interface BatchAssignment {
  batchId: string;
  resumed: boolean;
}

/**
 * Runs `work` at most once per tenant and Idempotency-Key within 24 hours: the same key with the
 * same request answers the first response and does nothing again; with a different request it
 * is refused (422); while the first is still running, a second waits its turn (409).
 *
 * Whatever fails, a retry never queues a statement twice: the work's batch id is chosen when the
 * key is claimed and kept with it. If the answer cannot be recorded after the jobs were queued,
 * the caller still gets it, and a retry after the lock lapses resumes that same batch (whose jobs
 * the worker sends at most once) instead of starting a second one.
 */
export async function withIdempotencyKey<T extends StoredOutcome>(
  tenantId: string,
  key: string | undefined,
  request: unknown,
  work: (batch: BatchAssignment) => Promise<T>,
  now = new Date(),
): Promise<IdempotentResult<T | StoredOutcome>> {
  if (key === undefined)
    return { outcome: await work({ batchId: randomUUID(), resumed: false }), replayed: false };
  const claim = await claimIdempotencyKey(tenantId, key, fingerprintOf(request), now, randomUUID());
  if (claim.kind === 'replay') return { outcome: claim.outcome, replayed: true };
  if (claim.kind === 'mismatch') {
    throw new IdempotencyKeyReusedError();
  }
  if (claim.kind === 'in-progress') {
    throw new IdempotencyKeyInProgressError();
  }
  if (claim.resumed) metrics.addMetric(METRIC.IdempotentRequestsResumed, 'Count', 1);
  let outcome: T;
  try {
    outcome = await work({ batchId: claim.batchId, resumed: claim.resumed });
  } catch (error) {
    await letGoOfKey(tenantId, key, claim.batchId).catch((releaseError: unknown) =>
      logger.warn('Could not release the Idempotency-Key; its lock lapses after a minute', {
        error: releaseError,
      }),
    );
    throw error;
  }
  try {
    await completeIdempotencyKey(tenantId, key, {
      batchId: outcome.batchId,
      period: outcome.period,
      statuses: toStorableStatuses(outcome.statuses),
    });
  } catch (error) {
    // The jobs are queued: the answer is true and the client gets it. The key stays in progress;
    // a retry after the lock lapses resumes this batch and records the answer then.
    metrics.addMetric(METRIC.IdempotencyKeyNotCompleted, 'Count', 1);
    logger.error('The Idempotency-Key answer could not be recorded; a retry will resume the batch', {
      batchId: outcome.batchId,
      error,
    });
  }
  return { outcome, replayed: false };
}

/**
 * After a failed request: if its batch was never recorded, no job can be on the queue and the key
 * is forgotten (a corrected request may use it); otherwise the lock lapses now and the batch id
 * stays, so the client's retry resumes that batch instead of queueing a second one.
 */
async function letGoOfKey(tenantId: string, key: string, batchId: string): Promise<void> {
  if ((await getBatch(tenantId, batchId)) === undefined) await forgetIdempotencyKey(tenantId, key, batchId);
  else await releaseIdempotencyLock(tenantId, key);
}
