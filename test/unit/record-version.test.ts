import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { judgeDelete, judgeUpsert, type StoredHead, versionValue } from '#shared/domain/record-version.ts';

const live = (version?: number, hash = 'a'): StoredHead => ({
  deleted: false,
  hash,
  ...(version === undefined ? {} : { version }),
});
const tombstone = (version?: number): StoredHead => ({
  deleted: true,
  ...(version === undefined ? {} : { version }),
});

describe('judgeUpsert', () => {
  it.each([
    ['nothing stored', undefined, { version: 1, hash: 'a' }, 'Created'],
    ['an older version', live(5), { version: 4, hash: 'b' }, 'Stale'],
    ['the same version and content', live(5), { version: 5, hash: 'a' }, 'Unchanged'],
    ['the same version with other content', live(5), { version: 5, hash: 'b' }, 'Stale'],
    ['a newer version', live(5), { version: 6, hash: 'b' }, 'Updated'],
    ['a newer version of the same content', live(5), { version: 6, hash: 'a' }, 'Updated'],
    ['no version, same content', live(5), { hash: 'a' }, 'Unchanged'],
    ['no version, other content', live(5), { hash: 'b' }, 'Updated'],
    ['a version onto an unversioned record', live(undefined), { version: 1, hash: 'b' }, 'Updated'],
    ['an older version after a delete', tombstone(7), { version: 6, hash: 'a' }, 'Stale'],
    ['the delete’s own version', tombstone(7), { version: 7, hash: 'a' }, 'Stale'],
    ['a newer version after a delete', tombstone(7), { version: 8, hash: 'a' }, 'Created'],
    ['no version after a delete', tombstone(7), { hash: 'a' }, 'Created'],
  ] as const)('%s: %s', (_, stored, incoming, outcome) => {
    expect(judgeUpsert(stored, incoming)).toBe(outcome);
  });
});

describe('judgeDelete', () => {
  it.each([
    ['nothing stored', undefined, {}, 'NotFound'],
    ['a live record', live(5), { version: 6 }, 'Deleted'],
    ['a live record, no version', live(5), {}, 'Deleted'],
    ['an older delete', live(5), { version: 4 }, 'Stale'],
    ['a delete at the stored version', live(5), { version: 5 }, 'Stale'],
    ['a deleted record again', tombstone(5), { version: 5 }, 'Unchanged'],
    ['a deleted record, newer', tombstone(5), { version: 9 }, 'Unchanged'],
    ['a deleted record, older', tombstone(5), { version: 3 }, 'Stale'],
  ] as const)('%s', (_, stored, incoming, outcome) => {
    expect(judgeDelete(stored, incoming)).toBe(outcome);
  });
});

describe('versionValue', () => {
  it('orders timestamps by instant, whatever their offset', () => {
    expect(versionValue('2026-11-24T10:00:00+01:00')).toBeLessThan(versionValue('2026-11-24T09:30:00Z'));
    expect(versionValue(42)).toBe(42);
  });
});

describe('versions, not arrival order', () => {
  it('ends at the newest version whatever order the writes arrive in, with repeats', () => {
    const writes = fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(writes, (versions) => {
        let stored: StoredHead | undefined;
        for (const version of versions) {
          // The content is a function of the version, as a source system's record is.
          const outcome = judgeUpsert(stored, { version, hash: `h${version}` });
          if (outcome === 'Created' || outcome === 'Updated') stored = live(version, `h${version}`);
        }
        expect(stored?.version).toBe(Math.max(...versions));
      }),
      { numRuns: 500 },
    );
  });
});
