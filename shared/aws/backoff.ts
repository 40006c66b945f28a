/**
 * Exponential backoff with full jitter (the AWS Architecture Blog's recommendation), for retries
 * that the SDK does not do itself: `UnprocessedKeys`, `UnprocessedItems`, failed batch entries.
 */
export interface BackoffOptions {
  /** Attempts in all, the first included. */
  attempts: number;
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { attempts: 6, baseMs: 25, capMs: 1_000 };

export function backoffDelay(retry: number, { baseMs, capMs }: BackoffOptions): number {
  return Math.random() * Math.min(capMs, baseMs * 2 ** retry);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` with what is left to do until nothing is left or the attempts run out, and
 * returns what is still left then (empty when all of it was done).
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
