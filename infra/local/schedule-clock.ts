/**
 * The local stack's scheduler (`npm start`): the hourly trigger of AWS (EventBridge Scheduler →
 * schedule-trigger) run on this machine's clock, once at start and then every minute, so that a
 * schedule due today starts its run within a minute of being saved. The same service as in AWS;
 * a second trigger of the same issue finds its run started, so the shorter period changes nothing
 * but the wait.
 */
import { type TriggerReport, triggerDueSchedules } from '#shared/services/schedules/trigger-due-schedules.ts';

/** How often the local clock triggers: AWS's hourly rate would make a demo wait. */
export const LOCAL_TRIGGER_INTERVAL_MS = 60_000;

export interface ScheduleClock {
  /** Stops the clock after the trigger in flight, if any. */
  stop(): Promise<void>;
}

/**
 * Starts the clock: a trigger now, then every `intervalMs`, never two at once. `onReport` is given
 * each trigger's report (the runs it started and its failures); a trigger that throws is passed to
 * `onError` and the clock goes on.
 */
export function startScheduleClock(options: {
  intervalMs?: number;
  onReport: (report: TriggerReport) => void;
  onError: (error: unknown) => void;
  /** The trigger (default: every tenant judged at the clock's time); a test gives its own. */
  trigger?: () => Promise<TriggerReport>;
}): ScheduleClock {
  const trigger = options.trigger ?? (() => triggerDueSchedules({ now: () => new Date() }));
  let inFlight: Promise<void> = Promise.resolve();
  let running = false;
  const tick = () => {
    if (running) return;
    running = true;
    inFlight = trigger()
      .then(options.onReport, options.onError)
      .finally(() => {
        running = false;
      });
  };
  tick();
  const timer = setInterval(tick, options.intervalMs ?? LOCAL_TRIGGER_INTERVAL_MS);
  return {
    async stop() {
      clearInterval(timer);
      await inFlight;
    },
  };
}
