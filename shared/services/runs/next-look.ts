/**
 * When the run feeder looks at a run again (docs/runs.md, Admission). A run may have at most the
 * admission cap of its jobs `Queued`; a waiting step does not look again after a fixed delay but
 * when the run's `Queued` should have drained to the step's target: the refill point while
 * selecting, none while draining. How fast it drains is measured between two looks: each feed
 * message carries what the step that sent it left queued, when, and the drain rate it estimated.
 */

/**
 * What one step left: the run's `Queued` after it (jobs it fed included), when (epoch ms), and the
 * drain rate it estimated (jobs a second), if it had one.
 */
export interface FeedLook {
  queued: number;
  at: number;
  rate?: number;
}

/** How much of the previous estimate a look keeps when it measures a slower drain. */
export const RATE_MEMORY = 0.75;

/** The refill point of a run's cap: a quarter of it drained (a full refill of 10 jobs for 40). */
export function refillPoint(cap: number): number {
  return cap - Math.max(1, Math.floor(cap / 4));
}

/** What `nextLook` judges from: the run's Queued after this step, what it fed, its target, the last look, the clock. */
export interface NextLookInput {
  /** The run's `Queued` as this step read it. */
  queued: number;
  /** Jobs this step queued (counted `Queued` since the read); 0 when it only looked. */
  fed?: number;
  /** Look again once `Queued` is at most this. */
  target: number;
  /** The look the message being handled carried, if any. */
  previous: FeedLook | undefined;
  now: Date;
  /** The longest wait (RUN_FEED_DELAY_SECONDS); SQS allows 0 to 900. */
  maxSeconds: number;
}

/** The next look: its delay (whole seconds, as SQS takes it) and the drain rate estimated. */
export interface NextLook {
  seconds: number;
  rate?: number;
}

/**
 * Jobs of the run that left `Queued` per second between the previous look and now; undefined when
 * there is no previous look or nothing drained (nothing to extrapolate from).
 */
export function drainPerSecond(
  queued: number,
  previous: FeedLook | undefined,
  now: Date,
): number | undefined {
  if (previous === undefined) return undefined;
  const seconds = (now.getTime() - previous.at) / 1000;
  const drained = previous.queued - queued;
  return seconds > 0 && drained > 0 ? drained / seconds : undefined;
}

/**
 * The drain rate to plan with: the one measured since the previous look, but not below most of
 * the previous estimate (RATE_MEMORY), and not below all of it when the run ran dry (then the
 * measure is only a lower bound: it drained faster and waited). A drain slowed for a while (the
 * workers on another tenant's jobs) so does not make the next look late when it speeds up again;
 * one that stays slow is followed within a few looks. Undefined when nothing drained.
 */
export function estimatedRate(queued: number, previous: FeedLook | undefined, now: Date): number | undefined {
  const measured = drainPerSecond(queued, previous, now);
  if (measured === undefined) return undefined;
  const kept = (previous?.rate ?? 0) * (queued === 0 ? 1 : RATE_MEMORY);
  return Math.max(measured, kept);
}

/**
 * The next look: at once when `Queued` is at the target already; else when it should have drained
 * to it at the estimated rate, rounded down when refilling (a look a little early feeds a little
 * less; a late one leaves the workers without jobs) and up when waiting for none left (a look too
 * early is a step for nothing); with nothing drained (the first look, or none since the last:
 * workers busy elsewhere, SES slow, a job stuck) twice the time since the last look, so a stalled
 * run is looked at less and less often. Always between 1 s and `maxSeconds`.
 */
export function nextLook({ queued, fed = 0, target, previous, now, maxSeconds }: NextLookInput): NextLook {
  const rate = estimatedRate(queued, previous, now);
  const after = queued + fed;
  const round = target > 0 ? Math.floor : Math.ceil;
  const wanted =
    after <= target
      ? 0
      : rate !== undefined
        ? round((after - target) / rate)
        : previous === undefined
          ? 1
          : Math.ceil((2 * (now.getTime() - previous.at)) / 1000);
  const seconds = after <= target ? 0 : Math.min(maxSeconds, Math.max(1, wanted));
  return { seconds, ...(rate === undefined ? {} : { rate }) };
}
