import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TriggerReport } from '#shared/services/schedules/trigger-due-schedules.ts';
import { LOCAL_TRIGGER_INTERVAL_MS, startScheduleClock } from '../../infra/local/schedule-clock.ts';

const REPORT: TriggerReport = { tenants: 1, runs: [], failures: [] };

describe('the local schedule clock', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('triggers at start and every interval, never two at once, and stops', async () => {
    const pending: ((report: TriggerReport) => void)[] = [];
    const trigger = vi.fn(() => new Promise<TriggerReport>((resolve) => pending.push(resolve)));
    const reports: TriggerReport[] = [];
    const clock = startScheduleClock({
      trigger,
      onReport: (report) => reports.push(report),
      onError: () => {},
    });
    expect(trigger).toHaveBeenCalledTimes(1);

    // The first trigger is still running when the interval passes: no second one starts.
    await vi.advanceTimersByTimeAsync(LOCAL_TRIGGER_INTERVAL_MS);
    expect(trigger).toHaveBeenCalledTimes(1);
    pending.shift()?.(REPORT);
    await vi.advanceTimersByTimeAsync(0);
    expect(reports).toEqual([REPORT]);

    await vi.advanceTimersByTimeAsync(LOCAL_TRIGGER_INTERVAL_MS);
    expect(trigger).toHaveBeenCalledTimes(2);
    pending.shift()?.(REPORT);
    await clock.stop();
    await vi.advanceTimersByTimeAsync(LOCAL_TRIGGER_INTERVAL_MS * 3);
    expect(trigger).toHaveBeenCalledTimes(2);
    expect(reports).toHaveLength(2);
  });

  it('passes a failed trigger to onError and goes on', async () => {
    const trigger = vi
      .fn()
      .mockRejectedValueOnce(new Error('DynamoDB did not answer'))
      .mockResolvedValue(REPORT);
    const errors: unknown[] = [];
    const clock = startScheduleClock({ trigger, onReport: () => {}, onError: (error) => errors.push(error) });
    await vi.advanceTimersByTimeAsync(0);
    expect(errors).toEqual([new Error('DynamoDB did not answer')]);
    await vi.advanceTimersByTimeAsync(LOCAL_TRIGGER_INTERVAL_MS);
    expect(trigger).toHaveBeenCalledTimes(2);
    await clock.stop();
  });
});
