/**
 * The one write path of the ledger: `PUT`/`DELETE` of a single record, `POST /v2/ledger/batch` and
 * the fixture import all come here. For each operation: its own rules (zod), then its Version
 * against the stored record (record-version.ts: a replay or an older write is answered before
 * anything else is read into it), then the rules that need other records (read consistently),
 * then its items written all together, conditional on the stored record being the one judged. A
 * record that changed in between is judged again; nothing is ever half-written for a record.
 *
 * Many records share each read (BatchGetItem, 100 keys) and each write (TransactWriteItems, 100
 * items), so a bulk call of 1,000 records costs a few dozen requests (docs/performance.md).
 * Operations apply in dependency order (templates, settings, customers, invoices, credit notes,
 * payments; deletes after upserts, in the reverse order), the operations of one record in request
 * order; results are reported in request order.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type * as z from 'zod';
import { backoffDelay, DEFAULT_BACKOFF } from '../../aws/backoff.ts';
import type { Item } from '../../aws/dynamodb.ts';
import {
  keyId,
  readItems,
  type TableWrite,
  TRANSACTION_BYTE_LIMIT,
  TRANSACTION_ITEM_LIMIT,
  writeAtomically,
} from '../../aws/dynamodb-ledger-records.ts';
import type { TableKey } from '../../aws/table-keys.ts';
import { forEachConcurrently } from '../../concurrency.ts';
import {
  type DeleteOutcome,
  judgeDelete,
  judgeUpsert,
  type StoredHead,
  type UpsertOutcome,
  versionValue,
} from '../../domain/record-version.ts';
import { type Version, VersionSchema } from '../../schemas/ledger-records.ts';
import { sha256Hex } from '../../sha256.ts';
import {
  LEDGER_KINDS,
  LEDGER_TYPES,
  type LedgerKind,
  type LedgerType,
  type Problem,
  type ReadView,
  type RecordId,
} from './ledger-kinds.ts';
import { documentsAllocatedTo } from './read-ledger-records.ts';

/** An operation as a client sends it, not yet judged. */
export interface LedgerOperation {
  action: unknown;
  type: unknown;
  /** Upserts: the record, in the API's shape. */
  record?: unknown;
  /** Deletes: the record's code or number. */
  id?: unknown;
  /** Deletes: the source's Version of the delete. */
  version?: unknown;
}

/** What happened to one operation. */
export type LedgerResultWord = UpsertOutcome | DeleteOutcome | 'Invalid' | 'Conflict';

/** One operation's result, in the order the operations came. */
export interface LedgerResult {
  index: number;
  type?: LedgerType;
  id?: RecordId;
  result: LedgerResultWord;
  /** Invalid: each field and its rule; Stale and Conflict: why. */
  message?: string;
  /** The record as stored after the operation (upserts that were not refused). */
  record?: Record<string, unknown>;
}

/** An operation that passed its own rules. */
interface Prepared {
  index: number;
  kind: LedgerKind<never>;
  action: 'Upsert' | 'Delete';
  id: RecordId;
  record?: { Version?: Version };
  version?: number;
  versionText?: Version;
}

/** Field paths as the API's messages write them: `Contacts[1].Email`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
}

/** Problems as one message: `Total: must be …; DueDate: must not be before IssuedDate`. */
export function describeProblems(problems: readonly Problem[], fallback = 'record'): string {
  return problems.map((problem) => `${fieldPath(problem.path) || fallback}: ${problem.message}`).join('; ');
}

const zodProblems = (error: z.ZodError): Problem[] =>
  error.issues.map((issue) => ({
    path: issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part)),
    message: issue.message,
  }));

/** Checks an operation's own rules; an `Invalid` result when it breaks one. */
function prepare(operation: LedgerOperation, index: number): Prepared | LedgerResult {
  const invalid = (message: string, type?: LedgerType): LedgerResult => ({
    index,
    ...(type === undefined ? {} : { type }),
    result: 'Invalid',
    message,
  });
  if (!LEDGER_TYPES.includes(operation.type as LedgerType)) {
    return invalid(`Type: must be one of ${LEDGER_TYPES.join(', ')}`);
  }
  const type = operation.type as LedgerType;
  const kind = LEDGER_KINDS[type];
  if (operation.action === 'Upsert') {
    const parsed = kind.schema.safeParse(operation.record);
    if (!parsed.success) return invalid(describeProblems(zodProblems(parsed.error)), type);
    const record = parsed.data as { Version?: Version };
    const { Version: given } = record;
    return {
      index,
      kind,
      action: 'Upsert',
      id: kind.idOf(record as never),
      record,
      ...(given === undefined ? {} : { version: versionValue(given), versionText: given }),
    };
  }
  if (operation.action === 'Delete') {
    let id: RecordId = 'settings';
    if (kind.idField !== undefined) {
      const parsed = kind.idSchema.safeParse(operation.id);
      if (!parsed.success) {
        return invalid(`${kind.idField}: ${parsed.error.issues[0]?.message ?? 'is required'}`, type);
      }
      id = parsed.data;
    }
    if (operation.version === undefined) return { index, kind, action: 'Delete', id };
    const version = VersionSchema.safeParse(operation.version);
    if (!version.success) return invalid(`Version: ${version.error.issues[0]?.message}`, type);
    return {
      index,
      kind,
      action: 'Delete',
      id,
      version: versionValue(version.data),
      versionText: version.data,
    };
  }
  return invalid("Action: must be 'Upsert' or 'Delete'", type);
}

/** A stable text of a record: keys sorted at every level, so equal records hash alike. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, child]) => child !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, child]) => `${JSON.stringify(key)}:${stableJson(child)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A record's content as sent: its Version and absent fields left out. */
function contentOf(record: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(record).filter(([key, value]) => key !== 'Version' && value !== undefined),
  );
}

/** DynamoDB's item limit, 400 KB counted in UTF-8 bytes. */
const MAX_ITEM_BYTES = 400 * 1024;
/** What a delete or a tombstone adds to a transaction, at most (a key and a few attributes). */
const DELETE_BYTES = 2_000;

/**
 * An item's size in UTF-8 bytes, as DynamoDB counts it, over-estimated: its JSON text (names,
 * values and punctuation), a binary value by its length.
 */
function itemBytes(item: Item): number {
  return Buffer.byteLength(
    JSON.stringify(item, (_, value) =>
      value?.type === 'Buffer' && Array.isArray(value.data) ? 'x'.repeat(value.data.length) : value,
    ),
    'utf8',
  );
}

const headOf = (item: Item | undefined): StoredHead | undefined =>
  item === undefined
    ? undefined
    : {
        deleted: item.deleted === true,
        ...(typeof item.version === 'number' ? { version: item.version } : {}),
        ...(typeof item.hash === 'string' ? { hash: item.hash } : {}),
      };

/** Writes only if the canonical item is still the one judged: absent, or at the revision read. */
function unchangedSince(previous: Item | undefined): TableWrite['condition'] {
  if (previous === undefined) return { expression: 'attribute_not_exists(PK)' };
  if (typeof previous.revision !== 'number') {
    return { expression: 'attribute_exists(PK) AND attribute_not_exists(revision)' };
  }
  return { expression: 'revision = :revision', values: { ':revision': previous.revision } };
}

/** One judged operation: its result, and the writes that make it so (none when nothing changes). */
interface Judged {
  result: LedgerResult;
  writes: TableWrite[];
  /** The writes' size in UTF-8 bytes, measured once, for packing transactions. */
  bytes?: number;
}

function canonicalItem(
  operation: Prepared,
  tenantId: string,
  previous: Item | undefined,
  now: string,
  fields: Item,
): Item {
  return {
    ...operation.kind.canonicalKey(tenantId, operation.id),
    type: operation.kind.type,
    ...fields,
    ...(operation.version === undefined
      ? {}
      : { version: operation.version, versionText: operation.versionText }),
    revision: (typeof previous?.revision === 'number' ? previous.revision : 0) + 1,
    updatedAt: now,
  };
}

/** A write older than the record stored (or a changed record at its Version): nothing is written. */
function stale(operation: Prepared, previous: Item | undefined): Judged {
  return {
    result: {
      index: operation.index,
      type: operation.kind.type,
      id: operation.id,
      result: 'Stale',
      message: `Version: ${String(operation.versionText)} is not newer than the stored version ${String(previous?.versionText)}; nothing was changed`,
    },
    writes: [],
  };
}

function judge(operation: Prepared, view: ReadView, now: string, blocked?: string): Judged {
  const { kind, index, id } = operation;
  const base = { index, type: kind.type, id };
  const key = kind.canonicalKey(view.tenantId, id);
  const previous = view.get(key);
  const condition = unchangedSince(previous);
  if (operation.action === 'Upsert') {
    // The Version first, on the record as sent: a replay is Unchanged and an older write Stale
    // whatever has become of the records it names since (a payment's invoice deleted after).
    const hash = sha256Hex(stableJson(contentOf(operation.record ?? {})));
    const outcome = judgeUpsert(headOf(previous), {
      hash,
      ...(operation.version === undefined ? {} : { version: operation.version }),
    });
    if (outcome === 'Stale') {
      return stale(operation, previous);
    }
    if (outcome === 'Unchanged') {
      return { result: { ...base, result: 'Unchanged', record: kind.view(previous ?? {}) }, writes: [] };
    }
    if (blocked !== undefined) {
      return { result: { ...base, result: 'Invalid', message: blocked }, writes: [] };
    }
    const placed = kind.place(operation.record as never, view, previous);
    if (Array.isArray(placed)) {
      return { result: { ...base, result: 'Invalid', message: describeProblems(placed) }, writes: [] };
    }
    const item = canonicalItem(operation, view.tenantId, previous, now, {
      record: placed.record,
      hash,
      ...placed.attributes,
    });
    const writes: TableWrite[] = [{ put: item, condition }, ...placed.writes];
    const sizes = writes.map((write) => ('put' in write ? itemBytes(write.put) : DELETE_BYTES));
    const largest = Math.max(...sizes);
    if (largest > MAX_ITEM_BYTES) {
      return {
        result: {
          ...base,
          result: 'Invalid',
          message: `record: is too large to store (${largest} bytes as UTF-8; an item holds at most ${MAX_ITEM_BYTES})`,
        },
        writes: [],
      };
    }
    const bytes = sizes.reduce((sum, size) => sum + size, 0);
    return { result: { ...base, result: outcome, record: kind.view(item) }, writes, bytes };
  }
  const outcome = judgeDelete(
    headOf(previous),
    operation.version === undefined ? {} : { version: operation.version },
  );
  if (outcome === 'NotFound')
    return {
      result: { ...base, result: 'NotFound', message: `${kind.type} ${String(id)} does not exist` },
      writes: [],
    };
  if (outcome === 'Stale') {
    return stale(operation, previous);
  }
  const tombstoneFields = { deleted: true, ...pickDocumentFields(previous) };
  if (outcome === 'Unchanged') {
    // Deleted already. A newer Version moves the tombstone on, so older upserts stay Stale.
    const newer =
      operation.version !== undefined &&
      (typeof previous?.version !== 'number' || operation.version > previous.version);
    return {
      result: { ...base, result: 'Unchanged' },
      writes: newer
        ? [{ put: canonicalItem(operation, view.tenantId, previous, now, tombstoneFields), condition }]
        : [],
    };
  }
  const removal = kind.remove(previous ?? {}, view);
  if (removal.length > 0 && 'message' in (removal[0] as object)) {
    return {
      result: { ...base, result: 'Invalid', message: describeProblems(removal as Problem[]) },
      writes: [],
    };
  }
  return {
    result: { ...base, result: 'Deleted' },
    writes: [
      { put: canonicalItem(operation, view.tenantId, previous, now, tombstoneFields), condition },
      ...(removal as TableWrite[]),
    ],
  };
}

/** What a tombstone keeps: a document's number and customer, a customer's code and currency. */
function pickDocumentFields(previous: Item | undefined): Item {
  if (previous === undefined) return {};
  return Object.fromEntries(
    ['number', 'code', 'customerCode', 'currency'].flatMap((field) =>
      previous[field] === undefined ? [] : [[field, previous[field]]],
    ),
  );
}

/** The keys judging an operation reads. */
function readsOf(operation: Prepared, tenantId: string): TableKey[] {
  const { kind } = operation;
  return [
    kind.canonicalKey(tenantId, operation.id),
    ...(operation.action === 'Upsert'
      ? kind.upsertReads(tenantId, operation.record as never)
      : kind.deleteReads(tenantId, operation.id)),
  ];
}

/** Packs judged operations into transactions of at most 100 items and 3.5 MB, a record never split. */
function pack(judged: Judged[]): Judged[][] {
  const groups: Judged[][] = [];
  let current: Judged[] = [];
  let items = 0;
  let bytes = 0;
  for (const entry of judged) {
    const size = entry.bytes ?? entry.writes.length * DELETE_BYTES;
    if (
      current.length > 0 &&
      (items + entry.writes.length > TRANSACTION_ITEM_LIMIT || bytes + size > TRANSACTION_BYTE_LIMIT)
    ) {
      groups.push(current);
      current = [];
      items = 0;
      bytes = 0;
    }
    current.push(entry);
    items += entry.writes.length;
    bytes += size;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/**
 * Invoices that would move to another customer while payments or credit notes of the old one are
 * allocated to them, with why they may not: those documents are the old customer's (a payment's
 * customer is its invoice's), and moving them is the source system's to say. Rare, so the old
 * customer's documents are queried only for these.
 */
async function blockedMoves(
  tenantId: string,
  operations: Prepared[],
  view: ReadView,
): Promise<Map<Prepared, string>> {
  const blocked = new Map<Prepared, string>();
  for (const operation of operations) {
    if (operation.kind.type !== 'Invoice' || operation.action !== 'Upsert') continue;
    const previous = view.get(operation.kind.canonicalKey(tenantId, operation.id));
    const record = operation.record as { CustomerCode?: string };
    if (previous === undefined || previous.deleted === true || previous.customerCode === record.CustomerCode)
      continue;
    const left = await documentsAllocatedTo(tenantId, String(previous.customerCode), Number(operation.id));
    if (left.length > 0) {
      blocked.set(
        operation,
        `CustomerCode: cannot move the invoice from customer ${String(previous.customerCode)} while ${left.slice(0, 5).join(', ')}${left.length > 5 ? '…' : ''} ${left.length === 1 ? 'is' : 'are'} allocated to it; delete or reallocate ${left.length === 1 ? 'it' : 'them'} first`,
      );
    }
  }
  return blocked;
}

/** How often a round of operations is judged again when records change under it. */
const MAX_ATTEMPTS = 8;
/** Transactions a round sends at once. */
const WRITE_CONCURRENCY = 4;

/**
 * Applies operations on distinct records: reads, judges, writes; the records of a transaction that
 * did not go through (a record changed since it was read, or a conflict) are read and judged again.
 */
async function applyRound(
  tenantId: string,
  operations: Prepared[],
  now: () => string,
): Promise<LedgerResult[]> {
  const results: LedgerResult[] = [];
  let pending = operations;
  for (let attempt = 0; pending.length > 0; attempt += 1) {
    if (attempt === MAX_ATTEMPTS) {
      for (const operation of pending) {
        results.push({
          index: operation.index,
          type: operation.kind.type,
          id: operation.id,
          result: 'Conflict',
          message: 'the record kept changing while this write was judged; send it again',
        });
      }
      break;
    }
    if (attempt > 0) await sleep(backoffDelay(attempt, DEFAULT_BACKOFF));
    const items = await readItems(pending.flatMap((operation) => readsOf(operation, tenantId)));
    const view: ReadView = { tenantId, get: (key) => items.get(keyId(key)) };
    const blocked = await blockedMoves(tenantId, pending, view);
    const judged = pending.map((operation) => ({
      operation,
      ...judge(operation, view, now(), blocked.get(operation)),
    }));
    const toWrite = judged.filter((entry) => entry.writes.length > 0);
    for (const entry of judged) if (entry.writes.length === 0) results.push(entry.result);
    const retry: Prepared[] = [];
    await forEachConcurrently(pack(toWrite), WRITE_CONCURRENCY, async (group) => {
      const outcome = await writeAtomically(group.flatMap((entry) => entry.writes));
      if (outcome.written) for (const entry of group) results.push(entry.result);
      else for (const entry of group) retry.push((entry as (typeof judged)[number]).operation);
    });
    pending = retry;
  }
  return results;
}

/** The phase an operation's record is applied in: upserts by dependency, then deletes in reverse. */
function phaseOf(operation: Prepared): number {
  const order = LEDGER_TYPES.indexOf(operation.kind.type);
  return operation.action === 'Upsert' ? order : 2 * LEDGER_TYPES.length - 1 - order;
}

/** What `applyLedgerOperations` is given besides the operations. */
export interface ApplyOptions {
  /** The clock, for `updatedAt` (tests). */
  now?: () => string;
}

/**
 * Applies a tenant's ledger operations and answers one result per operation, in request order.
 * Never throws for a bad operation (that is its `Invalid` result); a table that does not answer is
 * a DependencyUnavailableError, after which a retry of the same operations is safe (each one is
 * judged against what is stored, so what was written comes back `Unchanged`).
 */
export async function applyLedgerOperations(
  tenantId: string,
  operations: readonly LedgerOperation[],
  { now = () => new Date().toISOString() }: ApplyOptions = {},
): Promise<LedgerResult[]> {
  const results: LedgerResult[] = [];
  const byRecord = new Map<string, Prepared[]>();
  operations.forEach((operation, index) => {
    const prepared = prepare(operation, index);
    if (!('kind' in prepared)) {
      results.push(prepared);
      return;
    }
    const recordKey = `${prepared.kind.type}|${String(prepared.id)}`;
    const list = byRecord.get(recordKey);
    if (list === undefined) byRecord.set(recordKey, [prepared]);
    else list.push(prepared);
  });
  // The operations of one record go in request order, all in the phase of its first upsert (so
  // that a record deleted and written again is there for the records that name it), else of its
  // first delete.
  const phases = new Map<number, Prepared[][]>();
  for (const list of byRecord.values()) {
    const first = list.find((operation) => operation.action === 'Upsert') ?? list[0];
    if (first === undefined) continue;
    const phase = phaseOf(first);
    const inPhase = phases.get(phase);
    if (inPhase === undefined) phases.set(phase, [list]);
    else inPhase.push(list);
  }
  for (const phase of [...phases.keys()].sort((a, b) => a - b)) {
    const lists = phases.get(phase) ?? [];
    const rounds = Math.max(...lists.map((list) => list.length));
    for (let round = 0; round < rounds; round += 1) {
      const batch = lists.flatMap((list) => (list[round] === undefined ? [] : [list[round] as Prepared]));
      results.push(...(await applyRound(tenantId, batch, now)));
    }
  }
  return results.sort((a, b) => a.index - b.index);
}
