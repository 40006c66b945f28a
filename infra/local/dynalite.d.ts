/**
 * Types for dynalite and for the parts of its CommonJS internals that
 * infra/local/dynalite-transactions.ts builds on (the store, its per-item locks, key and
 * condition helpers, request validation and the single-item actions). Only what is used.
 */
declare module 'dynalite' {
  import type { Server } from 'node:http';

  export interface DynaliteOptions {
    /** Where to keep the data; in memory when absent. */
    path?: string;
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    maxItemSizeKb?: number;
  }
  export default function dynalite(options?: DynaliteOptions): Server;
}

declare module 'dynalite/db/index.js' {
  /** An attribute value on the wire: `{ S: 'x' }`, `{ N: '1' }`, `{ M: {...} }`... */
  export type AttributeValue = Record<string, unknown>;
  export type Item = Record<string, AttributeValue>;

  export interface KeySchemaElement {
    AttributeName: string;
    KeyType: 'HASH' | 'RANGE';
  }
  export interface SecondaryIndex {
    IndexName: string;
    KeySchema: KeySchemaElement[];
  }
  export interface Table {
    TableName: string;
    KeySchema: KeySchemaElement[];
    LocalSecondaryIndexes?: SecondaryIndex[];
    GlobalSecondaryIndexes?: SecondaryIndex[];
  }

  /** What dynalite answers an error with: the HTTP status and the JSON body. */
  export interface DynaliteError extends Error {
    statusCode?: number;
    body?: { __type: string; message?: string; Message?: string; [member: string]: unknown };
  }
  export type Callback<T> = (error?: DynaliteError | null, value?: T) => void;

  /** Returns `done` wrapped so that calling it releases the lock first. */
  export type Release = <F extends (...args: never[]) => void>(done: F) => F;
  /** One queue of waiters per key: `exec` runs when the key is free. */
  export type Lock = (key: string, exec: (release: Release) => void) => void;

  export interface SubDb {
    lock: Lock;
    get(key: string, callback: Callback<Item | undefined>): void;
    put(key: string, value: Item, callback: Callback<void>): void;
    del(key: string, callback: Callback<void>): void;
  }
  export interface BatchOperation {
    type: 'put' | 'del';
    key: string;
    value?: Item;
  }
  /** What the single-item actions (putItem.js...) use of the store. */
  export interface ActionStore {
    options: { maxItemSize: number };
    getTable(name: string, callback: Callback<Table>): void;
    getItemDb(name: string): SubDb;
    getIndexDb(type: 'Local' | 'Global', table: string, index: string): Pick<SubDb, 'put' | 'del'>;
  }
  export interface Store extends ActionStore {
    /** The one LevelDB under every table's items and indexes. */
    db: { batch(operations: BatchOperation[], callback: Callback<void>): void };
  }
  /** A single-item action (actions/putItem.js...): the validated request in, the answer out. */
  export type Action = (
    store: ActionStore,
    data: Record<string, unknown>,
    callback: Callback<Record<string, unknown>>,
  ) => void;
  export interface IndexActions {
    puts: { index: string; key: string; item: Item }[];
    deletes: { index: string; key: string }[];
  }

  export function create(options: object): Store;
  export function createKey(item: Item, table: Table): string;
  export function validateKey(key: Item, table: Table): DynaliteError | undefined;
  export function validateItem(item: Item, table: Table): DynaliteError | undefined;
  export function validateUpdates(
    attributeUpdates: unknown,
    expressionUpdates: unknown,
    table: Table,
  ): DynaliteError | undefined;
  export function checkConditional(
    data: object,
    existingItem: Item | undefined,
  ): DynaliteError | null | undefined;
  export function getIndexActions(
    indexes: SecondaryIndex[],
    existingItem: Item | undefined,
    item: Item | undefined,
    table: Table,
  ): IndexActions;
  export function itemSize(item: Item): number;
  export function capacityUnits(item: Item | undefined, isRead?: boolean, isConsistent?: boolean): number;
  export function mapPaths(paths: unknown[], item: Item): Item;
  export function validationError(message: string): DynaliteError;
}

declare module 'dynalite/validations/index.js' {
  import type { Store } from 'dynalite/db/index.js';

  /** dynalite's description of a request shape: types, constraints and children. */
  export type Types = Record<string, unknown>;
  /** A request's own rules after its shape: an error message, or nothing. */
  export type Custom = (data: Record<string, unknown>, store: Store) => string | undefined;

  /** The request with every value checked against its type; throws SerializationException. */
  export function checkTypes(data: unknown, types: Types): Record<string, unknown>;
  /** Constraints (AWS's "N validation errors detected"), then `custom`; throws ValidationException. */
  export function checkValidations(
    data: Record<string, unknown>,
    types: Types,
    custom: Custom | undefined,
    store: Store,
  ): void;
}

declare module 'dynalite/validations/putItem.js' {
  export const types: import('dynalite/validations/index.js').Types;
  export const custom: import('dynalite/validations/index.js').Custom;
}
declare module 'dynalite/validations/deleteItem.js' {
  export const types: import('dynalite/validations/index.js').Types;
  export const custom: import('dynalite/validations/index.js').Custom;
}
declare module 'dynalite/validations/updateItem.js' {
  export const types: import('dynalite/validations/index.js').Types;
  export const custom: import('dynalite/validations/index.js').Custom;
}
declare module 'dynalite/validations/getItem.js' {
  export const types: import('dynalite/validations/index.js').Types;
  export const custom: import('dynalite/validations/index.js').Custom;
}

declare module 'dynalite/actions/putItem.js' {
  const putItem: import('dynalite/db/index.js').Action;
  export = putItem;
}
declare module 'dynalite/actions/deleteItem.js' {
  const deleteItem: import('dynalite/db/index.js').Action;
  export = deleteItem;
}
declare module 'dynalite/actions/updateItem.js' {
  const updateItem: import('dynalite/db/index.js').Action;
  export = updateItem;
}
