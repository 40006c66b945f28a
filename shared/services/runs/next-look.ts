/**
 * When the run feeder looks at a run again (docs/runs.md, Admission). A run may have at most the
 * admission cap of its jobs `Queued`; a waiting step does not look again after a fixed delay but
 * when the run's `Queued` should have drained to the step's target: half the cap while selecting
 * (the refill point), none while draining. How fast it drains is measured between two looks: each
 * feed message carries what the step that sent it left queued, and when.
 */

/** What one step left: the run's `Queued` after it (jobs it fed included) and when (epoch ms). */
export interface FeedLook {
  queued: number;
  at: number;
}

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
 * The delay (whole seconds, as SQS takes it) before the next look: 0 when `Queued` is at the
 * target already; else the time to drain to it at the measured rate, rounded down when refilling
 * (a look a little early feeds a little less; a late one leaves the workers without jobs) and up
 * when waiting for none left (a look too early is a step for nothing); with no rate
 * measured (the first look, or nothing drained since the last: workers busy elsewhere, SES slow)
 * twice the time since the last look, so a stalled run is looked at less and less often. Always
 * between 1 s and `maxSeconds`.
 */
export function nextLookSeconds({
  queued,
  fed = 0,
  target,
  previous,
  now,
  maxSeconds,
}: NextLookInput): number {
  const after = queued + fed;
  if (after <= target) return 0;
  const rate = drainPerSecond(queued, previous, now);
  const round = target > 0 ? Math.floor : Math.ceil;
  const wanted =
    rate !== undefined
      ? round((after - target) / rate)
      : previous === undefined
        ? 1
        : (2 * (now.getTime() - previous.at)) / 1000;
  return Math.min(maxSeconds, Math.max(1, Math.ceil(wanted)));
}
