import { describe, expect, it } from 'vitest';
import { PACING_HEADROOM, SendPacer } from '#shared/aws/send-pacer.ts';

/** A fake clock: sleeping advances it, so the test sees exactly which slots the pacer hands out. */
function fakeTime() {
  let now = 1_000_000;
  const slept: number[] = [];
  return {
    clock: () => now,
    sleep: async (ms: number) => {
      slept.push(ms);
    },
    advance: (ms: number) => {
      now += ms;
    },
    slept,
  };
}

describe('SendPacer', () => {
  it('spaces concurrent sends 1/rate apart, less the headroom', async () => {
    const time = fakeTime();
    const pacer = new SendPacer(4, time.clock, time.sleep);

    await Promise.all([pacer.take(), pacer.take(), pacer.take(), pacer.take()]);

    const interval = 1000 / (4 * PACING_HEADROOM);
    expect(time.slept).toHaveLength(3);
    for (const [index, slept] of time.slept.entries()) expect(slept).toBeCloseTo((index + 1) * interval, 6);
  });

  it('does not wait when sends are already slower than the rate', async () => {
    const time = fakeTime();
    const pacer = new SendPacer(2, time.clock, time.sleep);

    await pacer.take();
    time.advance(600);
    await pacer.take();

    expect(time.slept).toEqual([]);
  });

  it('does not pace without a rate', async () => {
    const time = fakeTime();
    const pacer = new SendPacer(undefined, time.clock, time.sleep);
    await Promise.all([pacer.take(), pacer.take()]);
    expect(time.slept).toEqual([]);
  });
});
