/**
 * Paces sends to a steady rate (a token bucket of one): each send may start only 1/rate seconds
 * after the previous one in this process. With the worker mapping's maximum concurrency, the
 * workers together stay within SES's maximum send rate instead of finding it by throttling.
 */
export class SendPacer {
  private nextSlot = 0;

  constructor(
    /** Sends per second; undefined or 0: no pacing. */
    private readonly ratePerSecond: number | undefined,
    private readonly clock: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  /** Waits for this send's slot. Concurrent callers get consecutive slots. */
  async take(): Promise<void> {
    if (this.ratePerSecond === undefined || this.ratePerSecond <= 0) return;
    const interval = 1000 / this.ratePerSecond;
    const now = this.clock();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + interval;
    if (slot > now) await this.sleep(slot - now);
  }
}
