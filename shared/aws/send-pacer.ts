/**
 * Paces sends to a steady rate (a token bucket of one): each send may start only 1/rate seconds
 * after the previous one in this process. With the worker mapping's maximum concurrency, the
 * workers together stay within SES's maximum send rate instead of finding it by throttling.
 */
import { setTimeout as wait } from 'node:timers/promises';

/**
 * Sends are paced to 95% of the rate: clocks on both sides jitter, and a pacer that runs exactly at
 * SES's limit turns every millisecond of jitter into a throttled send (measured: 0.61x of the rate
 * at 1/s without headroom, 0 throttles with it; docs/performance.md).
 */
export const PACING_HEADROOM = 0.95;

/** Keeps each worker to its share of SES's send rate, rather than finding the limit by Throttling. */
export class SendPacer {
  private nextSlot = 0;

  constructor(
    /** Sends per second; undefined or 0: no pacing. */
    private readonly ratePerSecond: number | undefined,
    private readonly clock: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => wait(ms),
  ) {}

  /** Waits for this send's slot. Concurrent callers get consecutive slots. */
  async take(): Promise<void> {
    if (this.ratePerSecond === undefined || this.ratePerSecond <= 0) return;
    const interval = 1000 / (this.ratePerSecond * PACING_HEADROOM);
    const now = this.clock();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + interval;
    if (slot > now) await this.sleep(slot - now);
  }
}
