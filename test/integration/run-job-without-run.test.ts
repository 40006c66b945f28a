/**
 * A run's job whose run item is gone (expired past its retention, or never written) is never sent:
 * the claim reads the run after its write and refuses, as the run check in its transaction did.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { claimJob, getJob } from '#shared/aws/dynamodb-jobs.ts';
import { uniqueTenantId } from '../support/tenants.ts';

describe("a run job's claim without its run", () => {
  it('is refused: nothing is sent, and the job is not taken up again', async () => {
    const job = {
      tenantId: uniqueTenantId(),
      batchId: randomUUID(),
      customerCode: 'C1',
      run: { selection: 'All' },
    };
    const claim = await claimJob(job, 'worker-1', Date.now() + 60_000, new Date());
    expect(claim).toMatchObject({ claimed: false, runCancelled: true });
    // No run to count it in: the job keeps this claim, so another delivery finds it busy.
    expect(await getJob(job)).toMatchObject({ state: 'Claimed', owner: 'worker-1' });
    expect((await claimJob(job, 'worker-2', Date.now() + 60_000, new Date())).claimed).toBe(false);
  });
});
