/**
 * TransactWriteItems and TransactGetItems for the embedded dynalite, which has neither (4.0.0).
 * They are served in front of dynalite, on dynalite's own store, so that a transaction and the
 * ordinary calls (PutItem, UpdateItem, BatchWriteItem, Query...) see one database; and they reuse
 * dynalite's own code wherever it has some: request validation and expression parsing, the
 * per-item locks, condition evaluation, the single-item actions that compute each write, and the
 * index bookkeeping. What is and is not supported: docs/architecture.md, "The local stack".
 * One file, longer than most, because it is one piece: the validation, the engine and the HTTP
 * front share dynalite's internals and nothing else in the project uses any of them.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { crc32 } from 'node:zlib';
import type { DynaliteOptions } from 'dynalite';
import type {
  Action,
  ActionStore,
  BatchOperation,
  DynaliteError,
  Item,
  Store,
  Table,
} from 'dynalite/db/index.js';
import type { Custom, Types } from 'dynalite/validations/index.js';

// dynalite is CommonJS; its store is reachable only through the module object of dynalite/db.
const require = createRequire(import.meta.url);
const dynalite: typeof import('dynalite').default = require('dynalite');
const db: typeof import('dynalite/db/index.js') = require('dynalite/db/index.js');
const validations: typeof import('dynalite/validations/index.js') = require('dynalite/validations/index.js');
const putItemRules: typeof import('dynalite/validations/putItem.js') = require('dynalite/validations/putItem.js');
const deleteItemRules: typeof import('dynalite/validations/deleteItem.js') = require('dynalite/validations/deleteItem.js');
const updateItemRules: typeof import('dynalite/validations/updateItem.js') = require('dynalite/validations/updateItem.js');
const getItemRules: typeof import('dynalite/validations/getItem.js') = require('dynalite/validations/getItem.js');

/** AWS: a transaction holds at most 100 actions. */
const MAX_TRANSACTION_ITEMS = 100;
/** AWS: the aggregate size of the items in a transaction cannot exceed 4 MB. */
const MAX_TRANSACTION_BYTES = 4 * 1024 * 1024;
/** AWS: a ClientRequestToken is valid for 10 minutes after the first request using it completes. */
const CLIENT_REQUEST_TOKEN_MS = 10 * 60 * 1000;
/** dynalite's own limit on a request body. */
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;
/** AWS charges a transaction two units per item: 2 WCU per KB written, 2 RCU per 4 KB read. */
const TRANSACTION_UNIT_FACTOR = 2;

const DYNAMODB = 'com.amazonaws.dynamodb.v20120810';

type WriteAction = 'ConditionCheck' | 'Put' | 'Delete' | 'Update';

/** One action of a request, as dynalite's validation leaves it (`_condition`, `_updates`...). */
interface ActionData extends Record<string, unknown> {
  TableName: string;
  Key?: Item;
  Item?: Item;
  ReturnValuesOnConditionCheckFailure?: 'ALL_OLD' | 'NONE';
  _projection?: { paths: unknown[] };
}

interface TransactWriteRequest {
  ClientRequestToken?: string;
  ReturnConsumedCapacity?: 'INDEXES' | 'TOTAL' | 'NONE';
  TransactItems: Partial<Record<WriteAction, ActionData>>[];
}

interface TransactGetRequest {
  ReturnConsumedCapacity?: 'INDEXES' | 'TOTAL' | 'NONE';
  TransactItems: { Get: ActionData }[];
}

/** An action resolved against its table: the item it targets, as dynalite keys it. */
interface Target {
  data: ActionData;
  table: Table;
  key: string;
}

interface WriteTarget extends Target {
  action: WriteAction;
}

interface CancellationReason {
  Code: string;
  Message?: string;
  Item?: Item;
}

/** What an action would do, evaluated under the locks: a write (null deletes), none, or a reason to cancel. */
type Evaluation = { write: Item | null | undefined } | { reason: CancellationReason };

interface ClientRequestTokenEntry {
  fingerprint: string;
  completedAt?: number;
  /** Items a replay reads, by table, for its consumed capacity. */
  itemsByTable?: Map<string, number>;
}

type Operation = (
  store: Store,
  request: Record<string, unknown>,
  tokens: ClientRequestTokens,
) => Promise<object>;
type ClientRequestTokens = Map<string, ClientRequestTokenEntry>;

// --- validation: dynalite's own single-item rules, under AWS's transaction shape ---

function pick(types: Types, names: string[], overrides: Types = {}): Types {
  return { ...Object.fromEntries(names.map((name) => [name, types[name]])), ...overrides };
}

const required = (type: unknown): unknown => ({ ...(type as object), notNull: true });

const CONDITION_MEMBERS = [
  'TableName',
  'ConditionExpression',
  'ExpressionAttributeNames',
  'ExpressionAttributeValues',
];
const ON_CONDITION_CHECK_FAILURE = {
  ReturnValuesOnConditionCheckFailure: { type: 'String', enum: ['ALL_OLD', 'NONE'] },
};

const WRITE_ACTIONS: Record<WriteAction, { types: Types; custom: Custom; run?: Action }> = {
  ConditionCheck: {
    types: pick(deleteItemRules.types, ['Key', ...CONDITION_MEMBERS], {
      ConditionExpression: required(deleteItemRules.types.ConditionExpression),
      ...ON_CONDITION_CHECK_FAILURE,
    }),
    custom: deleteItemRules.custom,
  },
  Put: {
    types: pick(putItemRules.types, ['Item', ...CONDITION_MEMBERS], ON_CONDITION_CHECK_FAILURE),
    custom: putItemRules.custom,
    run: require('dynalite/actions/putItem.js'),
  },
  Delete: {
    types: pick(deleteItemRules.types, ['Key', ...CONDITION_MEMBERS], ON_CONDITION_CHECK_FAILURE),
    custom: deleteItemRules.custom,
    run: require('dynalite/actions/deleteItem.js'),
  },
  Update: {
    types: pick(updateItemRules.types, ['Key', 'UpdateExpression', ...CONDITION_MEMBERS], {
      UpdateExpression: required(updateItemRules.types.UpdateExpression),
      ...ON_CONDITION_CHECK_FAILURE,
    }),
    custom: updateItemRules.custom,
    run: require('dynalite/actions/updateItem.js'),
  },
};

const transactItems = (name: string, children: Types): Types[string] => ({
  type: 'List',
  notNull: true,
  lengthGreaterThanOrEqual: 1,
  lengthLessThanOrEqual: MAX_TRANSACTION_ITEMS,
  children: { type: `ValueStruct<${name}>`, children },
});

const TRANSACT_WRITE_TYPES: Types = {
  ClientRequestToken: { type: 'String', lengthGreaterThanOrEqual: 1, lengthLessThanOrEqual: 36 },
  ReturnConsumedCapacity: putItemRules.types.ReturnConsumedCapacity,
  ReturnItemCollectionMetrics: putItemRules.types.ReturnItemCollectionMetrics,
  TransactItems: transactItems(
    'TransactWriteItem',
    Object.fromEntries(
      Object.entries(WRITE_ACTIONS).map(([name, { types }]) => [
        name,
        { type: `FieldStruct<${name}>`, children: types },
      ]),
    ),
  ),
};

const TRANSACT_GET_TYPES: Types = {
  ReturnConsumedCapacity: putItemRules.types.ReturnConsumedCapacity,
  TransactItems: transactItems('TransactGetItem', {
    Get: {
      type: 'FieldStruct<Get>',
      notNull: true,
      children: pick(getItemRules.types, [
        'Key',
        'TableName',
        'ProjectionExpression',
        'ExpressionAttributeNames',
      ]),
    },
  }),
};

const validateWriteActions: Custom = (data, store) => {
  for (const item of data.TransactItems as Record<string, ActionData>[]) {
    const actions = Object.entries(item);
    const [entry] = actions;
    if (actions.length !== 1 || entry === undefined)
      return 'TransactItems can only contain one of Check, Put, Update or Delete';
    const message = WRITE_ACTIONS[entry[0] as WriteAction].custom(entry[1], store);
    if (message) return message;
  }
};

const validateGets: Custom = (data, store) => {
  for (const { Get } of data.TransactItems as { Get: ActionData }[]) {
    const message = getItemRules.custom(Get, store);
    if (message) return message;
  }
};

/** The request checked as dynalite checks its own: types, constraints, then the custom rules. */
function validated<T>(store: Store, body: Record<string, unknown>, types: Types, custom: Custom): T {
  const data = validations.checkTypes(body, types);
  validations.checkValidations(data, types, custom, store);
  return data as T;
}

// --- errors, in AWS's shapes ---

function fault(type: string, message: string, members: Record<string, unknown> = {}): DynaliteError {
  const error: DynaliteError = new Error(message);
  error.statusCode = 400;
  error.body = { __type: `${DYNAMODB}#${type}`, message, ...members };
  return error;
}

function transactionCanceled(reasons: CancellationReason[]): DynaliteError {
  const codes = reasons.map((reason) => reason.Code).join(', ');
  return fault(
    'TransactionCanceledException',
    `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes}]`,
    { CancellationReasons: reasons },
  );
}

// --- the store: tables, locks, reads, one atomic write ---

const callback =
  <T>(resolve: (value: T) => void, reject: (error: unknown) => void) =>
  (error?: DynaliteError | null, value?: T) =>
    error ? reject(error) : resolve(value as T);

const getTable = (store: Store, name: string) =>
  new Promise<Table>((resolve, reject) => store.getTable(name, callback(resolve, reject)));

const readItem = (store: Store, { data, key }: Target) =>
  new Promise<Item | undefined>((resolve, reject) =>
    store.getItemDb(data.TableName).get(key, callback(resolve, reject)),
  );

const writeBatch = (store: Store, operations: BatchOperation[]) =>
  new Promise<void>((resolve, reject) => store.db.batch(operations, callback(resolve, reject)));

/**
 * Resolves each action's table (ResourceNotFoundException when it is missing), checks its key
 * or item against the table as the single-item calls do, and refuses two actions on one item.
 */
async function resolveTargets<T extends Target>(
  store: Store,
  actions: Omit<T, 'table' | 'key'>[],
  keyOf: (action: Omit<T, 'table' | 'key'>, table: Table) => Item,
  check: (action: Omit<T, 'table' | 'key'>, table: Table) => DynaliteError | null | undefined,
): Promise<T[]> {
  const tables = new Map<string, Table>();
  for (const { data } of actions)
    if (!tables.has(data.TableName)) tables.set(data.TableName, await getTable(store, data.TableName));
  const seen = new Set<string>();
  return actions.map((action) => {
    const table = tables.get(action.data.TableName) as Table;
    const invalid = check(action, table);
    if (invalid) throw invalid;
    const key = db.createKey(keyOf(action, table), table);
    const item = `${action.data.TableName}\u0000${key}`;
    if (seen.has(item))
      throw db.validationError('Transaction request cannot include multiple operations on one item');
    seen.add(item);
    return { ...action, table, key } as T;
  });
}

/**
 * Takes dynalite's own per-item locks (the ones PutItem, UpdateItem and DeleteItem take), one
 * item after the other in one fixed order, so that two transactions never wait on each other in
 * a cycle; the single-item calls hold one lock at a time, so they cannot close a cycle either.
 */
async function lockAll(store: Store, targets: Target[]): Promise<() => void> {
  const order = (target: Target) => [target.data.TableName, target.key] as const;
  const sorted = [...targets].sort((a, b) => {
    const [[tableA, keyA], [tableB, keyB]] = [order(a), order(b)];
    return tableA === tableB ? (keyA < keyB ? -1 : 1) : tableA < tableB ? -1 : 1;
  });
  const releases: (() => void)[] = [];
  for (const { data, key } of sorted)
    releases.push(
      await new Promise<() => void>((resolve) =>
        store.getItemDb(data.TableName).lock(key, (release) => resolve(release(() => undefined))),
      ),
    );
  return () => {
    for (const release of releases.reverse()) release();
  };
}

// dynalite's sub-databases are key prefixes in one LevelDB (db/index.js, getSubDb): a single
// batch over the prefixed keys makes the whole transaction visible at once, indexes included.
const itemKey = (table: string, key: string) => `item-${table}~${key}`;
const indexKey = (type: 'Local' | 'Global', table: string, index: string, key: string) =>
  `index-${type.toLowerCase()}~${table}~${index}~${key}`;

/** The batch that writes each item and keeps its indexes right, as db.updateIndexes would. */
function batchOf(writes: { target: Target; old: Item | undefined; item: Item | null }[]): BatchOperation[] {
  const operations: BatchOperation[] = [];
  for (const { target, old, item } of writes) {
    const { table, key } = target;
    for (const type of ['Local', 'Global'] as const) {
      const indexes = table[`${type}SecondaryIndexes`] ?? [];
      const { puts, deletes } = db.getIndexActions(indexes, old, item ?? undefined, table);
      for (const entry of deletes)
        operations.push({ type: 'del', key: indexKey(type, table.TableName, entry.index, entry.key) });
      for (const entry of puts)
        operations.push({
          type: 'put',
          key: indexKey(type, table.TableName, entry.index, entry.key),
          value: entry.item,
        });
    }
    operations.push(
      item === null
        ? { type: 'del', key: itemKey(table.TableName, key) }
        : { type: 'put', key: itemKey(table.TableName, key), value: item },
    );
  }
  return operations;
}

// --- evaluating each action with dynalite's single-item code ---

/**
 * A store for one run of a single-item action (putItem.js, deleteItem.js, updateItem.js): it
 * sees the item already read under the transaction's lock, and its write is kept, not applied,
 * so that nothing is written unless every action of the transaction succeeds.
 */
function stagingStore(
  store: Store,
  table: Table,
  old: Item | undefined,
  staged: { item?: Item | null },
): ActionStore {
  const unindexed = {
    put: (_key: string, _value: Item, done: () => void) => done(),
    del: (_key: string, done: () => void) => done(),
  };
  return {
    options: store.options,
    getTable: (_name, done) => done(null, table),
    getItemDb: () => ({
      lock: (_key, exec) => exec((done) => done),
      get: (_key, done) => done(null, old),
      put: (_key, item, done) => {
        staged.item = item;
        done();
      },
      del: (_key, done) => {
        staged.item = null;
        done();
      },
    }),
    getIndexDb: () => unindexed,
  };
}

function reasonFor({ data }: Target, old: Item | undefined, error: DynaliteError): CancellationReason {
  const type = error.body?.__type ?? '';
  if (type.endsWith('#ConditionalCheckFailedException'))
    return {
      Code: 'ConditionalCheckFailed',
      Message: error.body?.message ?? 'The conditional request failed',
      ...(old && data.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' ? { Item: old } : {}),
    };
  // An update that cannot apply to the stored item (a type mismatch, an item over 400 KB).
  if (type.endsWith('#ValidationException')) return { Code: 'ValidationError', Message: error.body?.message };
  throw error;
}

async function evaluate(store: Store, target: WriteTarget, old: Item | undefined): Promise<Evaluation> {
  const run = WRITE_ACTIONS[target.action].run;
  if (run === undefined) {
    const failed = db.checkConditional(target.data, old);
    return failed ? { reason: reasonFor(target, old, failed) } : { write: undefined };
  }
  const staged: { item?: Item | null } = {};
  const failed = await new Promise<DynaliteError | null | undefined>((resolve) =>
    run(stagingStore(store, target.table, old, staged), target.data, resolve),
  );
  return failed ? { reason: reasonFor(target, old, failed) } : { write: staged.item };
}

// --- the operations ---

function consumedCapacity(
  mode: string | undefined,
  unitsByTable: Map<string, number>,
  kind: 'Read' | 'Write',
) {
  if (mode !== 'TOTAL' && mode !== 'INDEXES') return {};
  return {
    ConsumedCapacity: [...unitsByTable].map(([TableName, units]) => {
      const capacity = { CapacityUnits: units, [`${kind}CapacityUnits`]: units };
      return { TableName, ...capacity, ...(mode === 'INDEXES' ? { Table: capacity } : {}) };
    }),
  };
}

function addUnits(unitsByTable: Map<string, number>, table: string, units: number): Map<string, number> {
  return unitsByTable.set(table, (unitsByTable.get(table) ?? 0) + units);
}

async function transactWrite(store: Store, request: TransactWriteRequest): Promise<object> {
  const targets = await resolveTargets<WriteTarget>(
    store,
    request.TransactItems.map((item) => {
      const [action, data] = Object.entries(item)[0] as [WriteAction, ActionData];
      return { action, data };
    }),
    ({ data }) => (data.Item ?? data.Key) as Item,
    ({ action, data }, table) =>
      action === 'Put'
        ? db.validateItem(data.Item as Item, table)
        : db.validateKey(data.Key as Item, table) ||
          (action === 'Update' ? db.validateUpdates(undefined, data._updates, table) : undefined),
  );
  const size = targets.reduce((sum, { data }) => sum + db.itemSize((data.Item ?? data.Key) as Item), 0);
  if (size > MAX_TRANSACTION_BYTES)
    throw db.validationError('The aggregate size of the items in the transaction cannot exceed 4 MB');

  const release = await lockAll(store, targets);
  try {
    const olds = await Promise.all(targets.map((target) => readItem(store, target)));
    const evaluations = await Promise.all(targets.map((target, i) => evaluate(store, target, olds[i])));
    if (evaluations.some((evaluation) => 'reason' in evaluation))
      throw transactionCanceled(
        evaluations.map((evaluation) => ('reason' in evaluation ? evaluation.reason : { Code: 'None' })),
      );
    const writes = targets.flatMap((target, i) => {
      const evaluation = evaluations[i];
      const write = evaluation && 'write' in evaluation ? evaluation.write : undefined;
      return write === undefined ? [] : [{ target, old: olds[i], item: write }];
    });
    await writeBatch(store, batchOf(writes));

    const units = new Map<string, number>();
    targets.forEach((target, i) => {
      const written = writes.find((write) => write.target === target)?.item ?? undefined;
      const perItem = Math.max(db.capacityUnits(olds[i]), db.capacityUnits(written));
      addUnits(units, target.data.TableName, TRANSACTION_UNIT_FACTOR * perItem);
    });
    return consumedCapacity(request.ReturnConsumedCapacity, units, 'Write');
  } finally {
    release();
  }
}

async function transactGet(store: Store, request: TransactGetRequest): Promise<object> {
  const targets = await resolveTargets<Target>(
    store,
    request.TransactItems.map(({ Get }) => ({ data: Get })),
    ({ data }) => data.Key as Item,
    ({ data }, table) => db.validateKey(data.Key as Item, table),
  );
  // Under the locks no write lands between two reads: the items are read as of one moment.
  const release = await lockAll(store, targets);
  let items: (Item | undefined)[];
  try {
    items = await Promise.all(targets.map((target) => readItem(store, target)));
  } finally {
    release();
  }
  const units = new Map<string, number>();
  const Responses = targets.map(({ data }, i) => {
    const item = items[i];
    addUnits(units, data.TableName, TRANSACTION_UNIT_FACTOR * db.capacityUnits(item, true, true));
    if (item === undefined) return {};
    return { Item: data._projection ? db.mapPaths(data._projection.paths, item) : item };
  });
  return { Responses, ...consumedCapacity(request.ReturnConsumedCapacity, units, 'Read') };
}

/**
 * ClientRequestToken: the same token and request within 10 minutes of the first success applies
 * nothing again and answers success; the same token with other parameters is refused; a token
 * whose request still runs is refused as in progress. A refused or cancelled request leaves the
 * token free (it changed nothing).
 */
async function withClientRequestToken(
  tokens: ClientRequestTokens,
  body: Record<string, unknown>,
  request: TransactWriteRequest,
  transact: () => Promise<object>,
): Promise<object> {
  const token = request.ClientRequestToken;
  if (token === undefined) return transact();
  // Completed tokens are kept in the order they completed (re-inserted on completion), so the
  // expired ones are at the front: stop at the first live one instead of visiting them all.
  const now = Date.now();
  for (const [known, entry] of tokens) {
    if (entry.completedAt === undefined) continue;
    if (entry.completedAt + CLIENT_REQUEST_TOKEN_MS >= now) break;
    tokens.delete(known);
  }

  const fingerprint = createHash('sha256')
    .update(JSON.stringify([body.TransactItems, body.ReturnItemCollectionMetrics]))
    .digest('hex');
  const entry = tokens.get(token);
  if (entry !== undefined) {
    if (entry.fingerprint !== fingerprint)
      throw fault(
        'IdempotentParameterMismatchException',
        'The request uses the same client token as a previous, but non-identical request.',
      );
    if (entry.completedAt === undefined)
      throw fault(
        'TransactionInProgressException',
        'The transaction with the given request token is already in progress.',
      );
    return consumedCapacity(request.ReturnConsumedCapacity, entry.itemsByTable ?? new Map(), 'Read');
  }
  tokens.set(token, { fingerprint });
  try {
    const answer = await transact();
    const itemsByTable = new Map<string, number>();
    for (const item of request.TransactItems)
      for (const data of Object.values(item)) addUnits(itemsByTable, data.TableName, 1);
    tokens.delete(token);
    tokens.set(token, { fingerprint, completedAt: Date.now(), itemsByTable });
    return answer;
  } catch (error) {
    tokens.delete(token);
    throw error;
  }
}

const OPERATIONS: Record<string, Operation> = {
  'DynamoDB_20120810.TransactWriteItems': (store, body, tokens) => {
    const request = validated<TransactWriteRequest>(store, body, TRANSACT_WRITE_TYPES, validateWriteActions);
    return withClientRequestToken(tokens, body, request, () => transactWrite(store, request));
  },
  'DynamoDB_20120810.TransactGetItems': (store, body) =>
    transactGet(store, validated<TransactGetRequest>(store, body, TRANSACT_GET_TYPES, validateGets)),
};

// --- HTTP, as dynalite answers ---

const JSON_CONTENT_TYPES = ['application/json', 'application/x-amz-json-1.0'];

const contentTypeOf = (request: IncomingMessage) =>
  (request.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';

/** The operation this module serves for a request, or undefined to leave the request to dynalite. */
function operationOf(request: IncomingMessage): Operation | undefined {
  if (request.method !== 'POST' || !JSON_CONTENT_TYPES.includes(contentTypeOf(request))) return undefined;
  return OPERATIONS[String(request.headers['x-amz-target'])];
}

/** The body, or undefined when it is over dynalite's limit. */
function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    request.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length > MAX_REQUEST_BYTES) {
        request.removeAllListeners('data');
        request.resume();
        resolve(undefined);
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString()));
    request.on('error', reject);
  });
}

/** The JSON body, refused as dynalite refuses it: not JSON, unsigned, or empty. */
function parseBody(request: IncomingMessage, text: string): Record<string, unknown> {
  const serialization = () =>
    Object.assign(new Error('SerializationException'), {
      statusCode: 400,
      body: { __type: 'com.amazon.coral.service#SerializationException' },
    });
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    throw serialization();
  }
  if (request.headers.authorization === undefined && !(request.url ?? '').includes('X-Amz-Algorithm'))
    throw Object.assign(new Error('Request is missing Authentication Token'), {
      statusCode: 400,
      body: {
        __type: 'com.amazon.coral.service#MissingAuthenticationTokenException',
        message: 'Request is missing Authentication Token',
      },
    });
  if (body === undefined) throw serialization();
  return body as Record<string, unknown>;
}

function send(response: ServerResponse, contentType: string, status: number, body: object): void {
  const text = JSON.stringify(body);
  response.statusCode = status;
  // dynalite's request ids: 52 characters of upper-case base64.
  response.setHeader(
    'x-amzn-RequestId',
    randomBytes(39).toString('base64').toUpperCase().replace(/\+|\//g, '0'),
  );
  response.setHeader('x-amz-crc32', crc32(text));
  response.setHeader('Content-Type', contentType);
  response.setHeader('Content-Length', Buffer.byteLength(text));
  response.end(text);
}

async function serve(
  store: Store,
  tokens: ClientRequestTokens,
  operation: Operation,
  request: IncomingMessage,
  response: ServerResponse,
) {
  const contentType =
    contentTypeOf(request) === 'application/x-amz-json-1.0'
      ? 'application/x-amz-json-1.0'
      : 'application/json';
  try {
    const text = await readBody(request);
    if (text === undefined) {
      response.statusCode = 413;
      response.end();
      return;
    }
    send(response, contentType, 200, await operation(store, parseBody(request, text), tokens));
  } catch (error) {
    const { statusCode, body } = error as DynaliteError;
    if (statusCode !== undefined && body !== undefined) return send(response, contentType, statusCode, body);
    console.error('dynalite transactions: internal error', error);
    send(response, contentType, 500, {
      __type: `${DYNAMODB}#InternalServerError`,
      message: 'Internal server error',
    });
  }
}

/** dynalite's server and the store it created, caught as dynalite asks dynalite/db for it. */
function startDynalite(options: DynaliteOptions): { server: Server; store: Store } {
  const dbModule = db as { create: typeof db.create };
  const create = dbModule.create;
  let store: Store | undefined;
  dbModule.create = (storeOptions) => {
    store = create(storeOptions);
    return store;
  };
  let server: Server;
  try {
    server = dynalite(options);
  } finally {
    dbModule.create = create;
  }
  if (store === undefined) throw new Error('dynalite no longer creates its store through dynalite/db');
  return { server, store };
}

/**
 * dynalite's HTTP server, with TransactWriteItems and TransactGetItems served in front of it on
 * its store; every other request goes to dynalite unchanged.
 */
export function createDynaliteServer(options: DynaliteOptions = {}): Server {
  const { server, store } = startDynalite(options);
  const [dynaliteListener] = server.listeners('request') as RequestListener[];
  if (dynaliteListener === undefined)
    throw new Error('dynalite has no request listener to stand in front of');
  const tokens: ClientRequestTokens = new Map();
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const operation = operationOf(request);
    if (operation === undefined) dynaliteListener.call(server, request, response);
    else void serve(store, tokens, operation, request, response);
  });
  return server;
}
