/** startRun, the contract the API and schedules share: one run per id, and its first feed message. */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { getRun, getRunListChunk } from '#shared/aws/dynamodb-runs.ts';
import { RUN_LIST_CHUNK_SIZE } from '#shared/domain/run.ts';
import type { StatementPeriod } from '#shared/domain/statement-period.ts';
import { RunFeedMessageSchema } from '#shared/services/runs/feed-message.ts';
import { deterministicRunId, startRun } from '#shared/services/runs/start-run.ts';
import { receiveAll } from '../support/queues.ts';
import { useRunFeedQueue } from '../support/run-queues.ts';
import { uniqueTenantId } from '../support/tenants.ts';

const period: StatementPeriod = {
  start: '2026-08-01',
  end: '2026-10-31',
  filterAll: false,
  excludePaid: false,
};
const now = new Date('2026-11-01T09:00:00Z');
let feedQueueUrl = '';

describe('startRun', () => {
  beforeAll(async () => {
    feedQueueUrl = (await useRunFeedQueue()).queueUrl;
  });

  it('records the run Feeding with zero counters and sends one feed message', async () => {
    const tenantId = uniqueTenantId();
    const runId = randomUUID();
    const result = await startRun({
      tenantId,
      runId,
      selection: { type: 'Owing' },
      period,
      origin: { type: 'Api' },
      now,
    });
    expect(result).toEqual({ runId, created: true });
    const run = await getRun(tenantId, runId);
    expect(run).toMatchObject({ state: 'Feeding', selection: { type: 'Owing' }, period, total: 0 });
    expect(Object.values(run?.counts ?? {}).every((count) => count === 0)).toBe(true);
    const messages = (await receiveAll(feedQueueUrl)).map((message) =>
      RunFeedMessageSchema.parse(JSON.parse(message.Body ?? '')),
    );
    expect(messages.filter((message) => message.runId === runId)).toEqual([{ version: 1, tenantId, runId }]);
  });

  it('changes nothing on a second call with the same run id once the run has been fed', async () => {
    const tenantId = uniqueTenantId();
    const runId = deterministicRunId(tenantId, 'schedule-1', '2026-11');
    const origin = { type: 'Schedule' as const, scheduleId: 'schedule-1' };
    expect(
      (await startRun({ tenantId, runId, selection: { type: 'All' }, period, origin, now })).created,
    ).toBe(true);
    const second = await startRun({ tenantId, runId, selection: { type: 'Overdue' }, period, origin, now });
    expect(second).toEqual({ runId, created: false });
    expect((await getRun(tenantId, runId))?.selection).toEqual({ type: 'All' });
  });

  it('stores a List run in chunks of at most 1,000 distinct codes, before the run', async () => {
    const tenantId = uniqueTenantId();
    const runId = randomUUID();
    const codes = Array.from({ length: 2_345 }, (_, index) => `C${String(index).padStart(5, '0')}`);
    await startRun({
      tenantId,
      runId,
      selection: { type: 'List', customerCodes: [...codes, codes[0] ?? ''] },
      period,
      origin: { type: 'Api' },
      now,
    });
    const run = await getRun(tenantId, runId);
    expect(run).toMatchObject({ listSize: 2_345, listChunks: 3 });
    const chunks = await Promise.all([0, 1, 2, 3].map((index) => getRunListChunk(tenantId, runId, index)));
    expect(chunks.map((chunk) => chunk.length)).toEqual([RUN_LIST_CHUNK_SIZE, RUN_LIST_CHUNK_SIZE, 345, 0]);
    expect(chunks.flat()).toEqual(codes);
  });

  it('makes the same UUID-shaped id from the same parts, another from others', () => {
    const id = deterministicRunId('t', 's', '2026-11');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deterministicRunId('t', 's', '2026-11')).toBe(id);
    expect(deterministicRunId('t', 's', '2026-12')).not.toBe(id);
  });
});
