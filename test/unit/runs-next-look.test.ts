/**
 * When the run feeder looks at a run again (shared/services/runs/next-look.ts): when the run's
 * Queued should have drained to the target at the rate estimated between two looks, not after a
 * fixed delay; between 1 s and the longest wait.
 */
import { describe, expect, it } from 'vitest';
import { RunFeedMessageSchema } from '#shared/services/runs/feed-message.ts';
import {
  drainPerSecond,
  estimatedRate,
  type NextLookInput,
  nextLook,
  refillPoint,
} from '#shared/services/runs/next-look.ts';

const now = new Date('2026-11-25T10:00:10.000Z');
const secondsAgo = (seconds: number) => now.getTime() - seconds * 1000;
/** The delay of the next look, the longest wait 15 s unless given. */
const seconds = (input: Omit<NextLookInput, 'now' | 'maxSeconds'> & { maxSeconds?: number }) =>
  nextLook({ now, maxSeconds: 15, ...input }).seconds;

describe('the run feeder’s next look', () => {
  it('measures the drain between the previous look and now', () => {
    expect(drainPerSecond(20, { queued: 40, at: secondsAgo(2) }, now)).toBe(10);
    // Nothing to extrapolate from: no previous look, nothing drained, or no time passed.
    expect(drainPerSecond(20, undefined, now)).toBeUndefined();
    expect(drainPerSecond(40, { queued: 40, at: secondsAgo(2) }, now)).toBeUndefined();
    expect(drainPerSecond(45, { queued: 40, at: secondsAgo(2) }, now)).toBeUndefined();
    expect(drainPerSecond(20, { queued: 40, at: now.getTime() }, now)).toBeUndefined();
  });

  it('refills a run when a quarter of its cap has drained', () => {
    expect(refillPoint(40)).toBe(30);
    expect(refillPoint(400)).toBe(300);
    expect(refillPoint(10)).toBe(8);
    expect(refillPoint(2)).toBe(1);
    expect(refillPoint(1)).toBe(0);
  });

  it('looks again when the run should have drained to the target at the measured rate', () => {
    // 10 a second drained; 40 queued now (10 of them fed by this step), refilled at 20: in 2 s.
    const look = { queued: 40, at: secondsAgo(1) };
    expect(seconds({ queued: 30, fed: 10, target: 20, previous: look })).toBe(2);
    expect(nextLook({ queued: 30, fed: 10, target: 20, previous: look, now, maxSeconds: 15 }).rate).toBe(10);
    // Draining to none: 30 at 10 a second, 3 s (not the longest wait).
    expect(seconds({ queued: 30, target: 0, previous: { queued: 50, at: secondsAgo(2) } })).toBe(3);
  });

  it('rounds a refill down and the end up, to whole seconds as SQS delays are', () => {
    // 1.5 s to the refill point is 1 (no later); 1.5 s to none left is 2 (no earlier).
    expect(seconds({ queued: 35, target: 20, previous: { queued: 55, at: secondsAgo(2) } })).toBe(1);
    expect(seconds({ queued: 15, target: 0, previous: { queued: 35, at: secondsAgo(2) } })).toBe(2);
  });

  it('looks at once when the run is at its target already', () => {
    expect(seconds({ queued: 20, target: 20, previous: undefined })).toBe(0);
    expect(seconds({ queued: 0, target: 0, previous: { queued: 3, at: secondsAgo(1) } })).toBe(0);
  });

  it('waits at least 1 s and at most the longest wait', () => {
    // Fast drain: 100 a second would reach the target in 0.2 s.
    expect(seconds({ queued: 40, target: 20, previous: { queued: 240, at: secondsAgo(2) } })).toBe(1);
    // Slow drain: 1 in 10 s would take 200 s.
    expect(seconds({ queued: 39, target: 19, previous: { queued: 40, at: secondsAgo(10) } })).toBe(15);
    // A longest wait of 0 (tests stepping the feeder by hand) is kept.
    expect(seconds({ queued: 40, target: 20, previous: undefined, maxSeconds: 0 })).toBe(0);
  });

  it('looks after 1 s the first time, then twice as long each time nothing drains', () => {
    expect(seconds({ queued: 40, target: 20, previous: undefined })).toBe(1);
    expect(seconds({ queued: 40, target: 20, previous: { queued: 40, at: secondsAgo(1) } })).toBe(2);
    expect(seconds({ queued: 40, target: 20, previous: { queued: 40, at: secondsAgo(4) } })).toBe(8);
    expect(seconds({ queued: 40, target: 20, previous: { queued: 40, at: secondsAgo(8) } })).toBe(15);
    // Nothing drained: no rate to pass on, whatever the previous one was.
    const stalled = { queued: 40, at: secondsAgo(1), rate: 10 };
    expect(nextLook({ queued: 40, target: 30, previous: stalled, now, maxSeconds: 15 }).rate).toBeUndefined();
  });

  it('keeps most of the previous rate when the drain slowed, all of it when the run ran dry', () => {
    // 2 a second measured after 10 a second: planned with 7.5 (a slowdown is followed in a few looks).
    expect(estimatedRate(36, { queued: 40, at: secondsAgo(2), rate: 10 }, now)).toBe(7.5);
    expect(
      seconds({ queued: 36, fed: 4, target: 30, previous: { queued: 40, at: secondsAgo(2), rate: 10 } }),
    ).toBe(1);
    // Ran dry: 40 in 8 s is only a lower bound (it drained faster, then waited): 10 kept.
    expect(estimatedRate(0, { queued: 40, at: secondsAgo(8), rate: 10 }, now)).toBe(10);
    // A faster drain is taken as measured.
    expect(estimatedRate(20, { queued: 40, at: secondsAgo(1), rate: 10 }, now)).toBe(20);
  });

  it('reads a feed message with its look, and one without (the first, or an older feeder’s)', () => {
    const base = { version: 1, tenantId: 't1', runId: '5f0c3c1e-8f7a-4a53-9d53-0a8f2f5b9a11' };
    expect(RunFeedMessageSchema.parse(base)).toEqual(base);
    const look = { queued: 40, at: secondsAgo(2), rate: 9.5 };
    expect(RunFeedMessageSchema.parse({ ...base, look }).look).toEqual(look);
    expect(RunFeedMessageSchema.safeParse({ ...base, look: { queued: -1, at: secondsAgo(2) } }).success).toBe(
      false,
    );
  });
});
