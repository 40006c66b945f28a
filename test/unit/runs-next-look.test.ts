/**
 * When the run feeder looks at a run again (shared/services/runs/next-look.ts): when the run's
 * Queued should have drained to the target at the rate measured between two looks, not after a
 * fixed delay; between 1 s and the longest wait.
 */
import { describe, expect, it } from 'vitest';
import { RunFeedMessageSchema } from '#shared/services/runs/feed-message.ts';
import { drainPerSecond, nextLookSeconds } from '#shared/services/runs/next-look.ts';

const now = new Date('2026-11-25T10:00:10.000Z');
const secondsAgo = (seconds: number) => now.getTime() - seconds * 1000;

describe('the run feeder’s next look', () => {
  it('measures the drain between the previous look and now', () => {
    expect(drainPerSecond(20, { queued: 40, at: secondsAgo(2) }, now)).toBe(10);
    // Nothing to extrapolate from: no previous look, nothing drained, or no time passed.
    expect(drainPerSecond(20, undefined, now)).toBeUndefined();
    expect(drainPerSecond(40, { queued: 40, at: secondsAgo(2) }, now)).toBeUndefined();
    expect(drainPerSecond(45, { queued: 40, at: secondsAgo(2) }, now)).toBeUndefined();
    expect(drainPerSecond(20, { queued: 40, at: now.getTime() }, now)).toBeUndefined();
  });

  it('looks again when the run should have drained to the target at the measured rate', () => {
    // 10 a second drained; 40 queued now (20 of them fed by this step), refilled at 20: in 2 s.
    const look = { queued: 40, at: secondsAgo(2) };
    expect(nextLookSeconds({ queued: 20, fed: 20, target: 20, previous: look, now, maxSeconds: 15 })).toBe(2);
    // Draining to none: 30 at 10 a second, 3 s (not the longest wait).
    expect(
      nextLookSeconds({
        queued: 30,
        target: 0,
        previous: { queued: 50, at: secondsAgo(2) },
        now,
        maxSeconds: 15,
      }),
    ).toBe(3);
    // Whole seconds, as SQS delays are: 1.5 s to refill is 1 (no later than the refill point),
    // 1.5 s to none left is 2 (no earlier than the end).
    const measured = { queued: 55, at: secondsAgo(2) };
    expect(nextLookSeconds({ queued: 35, target: 20, previous: measured, now, maxSeconds: 15 })).toBe(1);
    expect(
      nextLookSeconds({
        queued: 15,
        target: 0,
        previous: { queued: 35, at: secondsAgo(2) },
        now,
        maxSeconds: 15,
      }),
    ).toBe(2);
  });

  it('looks at once when the run is at its target already', () => {
    expect(nextLookSeconds({ queued: 20, target: 20, previous: undefined, now, maxSeconds: 15 })).toBe(0);
    expect(
      nextLookSeconds({
        queued: 0,
        target: 0,
        previous: { queued: 3, at: secondsAgo(1) },
        now,
        maxSeconds: 15,
      }),
    ).toBe(0);
  });

  it('waits at least 1 s and at most the longest wait', () => {
    // Fast drain: 100 a second would reach the target in 0.2 s.
    expect(
      nextLookSeconds({
        queued: 40,
        target: 20,
        previous: { queued: 240, at: secondsAgo(2) },
        now,
        maxSeconds: 15,
      }),
    ).toBe(1);
    // Slow drain: 1 in 10 s would take 200 s.
    expect(
      nextLookSeconds({
        queued: 39,
        target: 19,
        previous: { queued: 40, at: secondsAgo(10) },
        now,
        maxSeconds: 15,
      }),
    ).toBe(15);
    // A longest wait of 0 (tests stepping the feeder by hand) is kept.
    expect(nextLookSeconds({ queued: 40, target: 20, previous: undefined, now, maxSeconds: 0 })).toBe(0);
  });

  it('looks after 1 s the first time, then twice as long each time nothing drains', () => {
    expect(nextLookSeconds({ queued: 40, target: 20, previous: undefined, now, maxSeconds: 15 })).toBe(1);
    expect(
      nextLookSeconds({
        queued: 40,
        target: 20,
        previous: { queued: 40, at: secondsAgo(1) },
        now,
        maxSeconds: 15,
      }),
    ).toBe(2);
    expect(
      nextLookSeconds({
        queued: 40,
        target: 20,
        previous: { queued: 40, at: secondsAgo(4) },
        now,
        maxSeconds: 15,
      }),
    ).toBe(8);
    expect(
      nextLookSeconds({
        queued: 40,
        target: 20,
        previous: { queued: 40, at: secondsAgo(8) },
        now,
        maxSeconds: 15,
      }),
    ).toBe(15);
  });

  it('reads a feed message with its look, and one without (the first, or an older feeder’s)', () => {
    const base = { version: 1, tenantId: 't1', runId: '5f0c3c1e-8f7a-4a53-9d53-0a8f2f5b9a11' };
    expect(RunFeedMessageSchema.parse(base)).toEqual(base);
    expect(RunFeedMessageSchema.parse({ ...base, look: { queued: 40, at: secondsAgo(2) } }).look).toEqual({
      queued: 40,
      at: secondsAgo(2),
    });
    expect(RunFeedMessageSchema.safeParse({ ...base, look: { queued: -1, at: secondsAgo(2) } }).success).toBe(
      false,
    );
  });
});
