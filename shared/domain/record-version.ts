/**
 * Versions, not arrival order: how a write to a ledger record is judged against what is stored.
 * Pure, so the rules are tested on their own (test/unit/record-version.test.ts); the write path
 * makes the decision hold under concurrency by writing only if the stored record is still the one
 * judged (shared/services/ledger/apply-ledger-operations.ts).
 */

/** What an upsert did: KashFlow-style result words, as `POST /v2/ledger/batch` reports them. */
export type UpsertOutcome = 'Created' | 'Updated' | 'Unchanged' | 'Stale';
/** What a delete did; `NotFound` when there was never such a record. */
export type DeleteOutcome = 'Deleted' | 'Unchanged' | 'Stale' | 'NotFound';

/** The stored record as the rules see it: live or a tombstone, its version and content digest. */
export interface StoredHead {
  deleted: boolean;
  /** The Version as a number (a timestamp as epoch milliseconds); absent when written without one. */
  version?: number;
  /** A digest of the record's content, Version left out. */
  hash?: string;
}

/** A write as the rules see it. */
export interface IncomingWrite {
  version?: number;
  /** Upserts only. */
  hash?: string;
}

/** A Version as one comparable number: a counter as it is, a timestamp as epoch milliseconds. */
export function versionValue(version: number | string): number {
  return typeof version === 'number' ? version : Date.parse(version);
}

/** True when both carry a version and the write's is lower (or not higher, with `orEqual`). */
function older(incoming: IncomingWrite, stored: StoredHead, orEqual: boolean): boolean {
  if (incoming.version === undefined || stored.version === undefined) return false;
  return orEqual ? incoming.version <= stored.version : incoming.version < stored.version;
}

/**
 * Judges an upsert. Older than the stored Version: `Stale`. The same Version and content: `Unchanged`
 * (a retry or a replay); the same Version with other content: `Stale` too (a changed record needs a
 * newer Version). After a delete, only a newer Version brings the record back. A write without a
 * Version is judged by content alone (last write wins): mixing versioned and unversioned writes to
 * one record gives up the ordering, as docs/api.md says.
 */
export function judgeUpsert(stored: StoredHead | undefined, incoming: IncomingWrite): UpsertOutcome {
  if (stored === undefined) return 'Created';
  if (stored.deleted) return older(incoming, stored, true) ? 'Stale' : 'Created';
  if (older(incoming, stored, false)) return 'Stale';
  const sameContent = incoming.hash === stored.hash;
  if (incoming.version === undefined || incoming.version === stored.version) {
    if (sameContent) return 'Unchanged';
    if (incoming.version !== undefined) return 'Stale';
  }
  return 'Updated';
}

/**
 * Judges a delete. A record never written: `NotFound`. Deleting with a Version not newer than a live
 * record's: `Stale`. Deleting a deleted record again: `Unchanged` (the tombstone takes the newer
 * Version, so that an older upsert still arriving stays `Stale`).
 */
export function judgeDelete(stored: StoredHead | undefined, incoming: IncomingWrite): DeleteOutcome {
  if (stored === undefined) return 'NotFound';
  if (stored.deleted) return older(incoming, stored, false) ? 'Stale' : 'Unchanged';
  return older(incoming, stored, true) ? 'Stale' : 'Deleted';
}
