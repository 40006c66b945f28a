/**
 * Exponential backoff with full jitter (the AWS Architecture Blog's recommendation), for retries
 * that the SDK does not do itself: `UnprocessedKeys`, `UnprocessedItems`, failed batch entries,
 * SES throttling (its client makes one attempt only) and the sent marker.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** How often and how long to retry. */
export interface BackoffOptions {
  /** Attempts in all, the first included. */
  attempts: number;
  baseMs: number;
  capMs: number;
}

/** The batch APIs' retries of what AWS left undone: about 1.5 s at the most. */
export const DEFAULT_BACKOFF: BackoffOptions = { attempts: 6, baseMs: 25, capMs: 1_000 };

/** The wait before retry number `retry` (1 for the first retry): random, up to the capped exponential. */
export function backoffDelay(retry: number, { baseMs, capMs }: BackoffOptions): number {
  return Math.random() * Math.min(capMs, baseMs * 2 ** retry);
}

/** `retry`'s options: the backoff, and which failures are worth another attempt (default: all). */
export interface RetryOptions extends BackoffOptions {
  retryIf?: (error: unknown) => boolean;
}

/**
 * Runs `operation` until it succeeds, a failure is not worth retrying or the attempts run out,
 * waiting with backoff between attempts; throws the last failure.
 */
export async function retry<T>(operation: () => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    if (attempt > 0) await sleep(backoffDelay(attempt, options));
    try {
      return await operation();
    } catch (error) {
      const worthRetrying = options.retryIf?.(error) ?? true;
      if (!worthRetrying || attempt + 1 >= options.attempts) throw error;
    }
  }
}

/**
 * Runs `attempt` with what is left to do until nothing is left or the attempts run out, and
 * returns what is still left then (empty when all of it was done): the shrinking set of a batch
 * call's `UnprocessedKeys`, `UnprocessedItems` or failed entries.
 */
export async function retryRemaining<T>(
  work: T[],
  attempt: (remaining: T[]) => Promise<T[]>,
  options: BackoffOptions = DEFAULT_BACKOFF,
): Promise<T[]> {
  let remaining = work;
  for (let tried = 0; remaining.length > 0 && tried < options.attempts; tried += 1) {
    if (tried > 0) await sleep(backoffDelay(tried, options));
    remaining = await attempt(remaining);
  }
  return remaining;
}

/** Splits a list into chunks of at most `size` (the AWS batch APIs' per-call limits). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}
