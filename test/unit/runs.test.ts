import { describe, expect, it } from 'vitest';
import { batchKey, jobKey, runKey, runListChunkKey } from '#shared/aws/table-keys.ts';
import { RUN_CANCELLED_REASON, runJobStateOf } from '#shared/domain/run.ts';
import { StartRunBodySchema } from '#shared/http/parse-runs-request.ts';
import { StatementJobSchema } from '#shared/schemas/statement-job.ts';

describe('statement runs (unit)', () => {
  it("keeps a run's items in its batch partition, apart from the batch record and the job items", () => {
    expect(runKey('t1', 'r1')).toEqual({ PK: 'TENANT#t1#BATCH#r1', SK: 'RUN' });
    expect(runListChunkKey('t1', 'r1', 12)).toEqual({ PK: 'TENANT#t1#BATCH#r1', SK: 'RUNLIST#000012' });
    // A job's items are read by begins_with(SK, 'ITEM#'): neither run item is in that range.
    for (const key of [runKey('t1', 'r1'), runListChunkKey('t1', 'r1', 0), batchKey('t1', 'r1')]) {
      expect(key.SK.startsWith('ITEM#')).toBe(false);
    }
    expect(jobKey('t1', 'r1', 'RUN').SK).toBe('ITEM#RUN');
  });

  it('reports each stored job state as the run counts it', () => {
    expect(runJobStateOf(undefined)).toBe('Queued');
    for (const state of ['Claimed', 'Sending', 'Retrying']) expect(runJobStateOf(state)).toBe('Queued');
    expect(runJobStateOf('DeadLettered', 'In the dead-letter queue')).toBe('Failed');
    expect(runJobStateOf('Skipped', 'Nothing owed')).toBe('Skipped');
    expect(runJobStateOf('Skipped', RUN_CANCELLED_REASON)).toBe('Cancelled');
    for (const state of ['Sent', 'Delivered', 'Bounced', 'Complained', 'Failed'])
      expect(runJobStateOf(state)).toBe(state);
  });

  it('refuses a run job that is not version 3, and a version 3 job without its run', () => {
    const job = {
      tenantId: 't1',
      batchId: 'r1',
      customerCode: '101',
      period: { start: '2026-01-01', end: '2026-01-31', filterAll: false, excludePaid: false },
      requestedAt: '2026-02-01T00:00:00.000Z',
    };
    expect(StatementJobSchema.safeParse({ ...job, version: 3, run: { selection: 'Overdue' } }).success).toBe(
      true,
    );
    expect(StatementJobSchema.safeParse({ ...job, version: 2, run: { selection: 'Overdue' } }).success).toBe(
      false,
    );
    expect(StatementJobSchema.safeParse({ ...job, version: 3 }).success).toBe(false);
    expect(StatementJobSchema.safeParse({ ...job, version: 1 }).success).toBe(true);
  });

  it('names the field and the rule of a bad run body', () => {
    const message = (body: unknown) => StartRunBodySchema.safeParse(body).error?.issues[0]?.message;
    expect(message({ Selection: 'List', CustomerCodes: ['1', '2', 3] })).toBe(
      'CustomerCodes[2] must be a string',
    );
    expect(message({ Selection: 'List', CustomerCodes: ['ok', 'bad\u0007'] })).toBe(
      'CustomerCodes[1] must be 1 to 64 characters with no control characters',
    );
    expect(message({ Selection: 'Owing', CustomerCodes: [] })).toBe(
      'CustomerCodes is only allowed when Selection is List',
    );
    expect(StartRunBodySchema.safeParse({ Selection: 'Overdue' }).success).toBe(true);
  });
});
