/**
 * A run's admission cap in the stack (docs/runs.md, Admission): two worker batches for each worker
 * of the stage, and the local stack's setting the same as the stages' (2 workers of 10).
 */
import { Duration } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { STAGES, stageConfig } from '../../infra/config.ts';
import { RUN_FEEDER_SETTINGS, runQueuedCap } from '../../infra/constructs/run-feeds.ts';

describe("a run's admission cap", () => {
  it('is two batches for each worker of the stage', () => {
    expect(runQueuedCap(stageConfig('prod'))).toBe(40);
    expect(runQueuedCap(stageConfig('dev'))).toBe(40);
    // A stage at SES's 200 a second runs 20 workers: 400.
    const fast = { ...stageConfig('prod'), sesMaxSendRate: 200 };
    expect(runQueuedCap(fast)).toBe(400);
    const smallBatches = {
      ...stageConfig('prod'),
      worker: { timeout: Duration.seconds(60), memoryMb: 1024, batchSize: 5 },
    };
    expect(runQueuedCap(smallBatches)).toBe(20);
  });

  it('is the one the local stack runs with, for every stage there is', () => {
    for (const name of Object.keys(STAGES)) {
      expect(String(runQueuedCap(stageConfig(name)))).toBe(RUN_FEEDER_SETTINGS.RUN_QUEUED_CAP);
    }
  });
});
