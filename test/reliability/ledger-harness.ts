/**
 * What the ledger scenarios share: a seeded random source (a failing run can be replayed), a
 * tenant with no ledger yet, the ledger API's handler called as API Gateway calls it, and the
 * tenant's whole part of the table, read raw, to compare two runs item by item.
 */
import { ScanCommand, type ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { dynamoDbClient } from '#shared/aws/dynamodb.ts';
import { importFixture } from '#shared/seed/import-fixture.ts';
import { apiEvent, invoke } from '../support/api-events.ts';

/** mulberry32: a small, fast, seedable generator of numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates, in place, with the given random source. */
export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let index = items.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [items[index], items[other]] = [items[other] as T, items[index] as T];
  }
  return items;
}

/** A tenant (GBP, no tokens: the handler is given the tenant as the authorizer would) with no records. */
export async function createEmptyTenant(tenantId: string): Promise<void> {
  await importFixture(
    {
      Tenants: [
        {
          Id: tenantId,
          Name: 'Ledger Reliability Ltd',
          FromEmail: 'accounts@ledger-reliability.example',
          TimeZone: 'Europe/London',
          Currency: 'GBP',
          ApiTokens: [],
        },
      ],
    },
    '2026-11-24',
  );
}

/** A bulk operation as `POST /v2/ledger/batch` takes it. */
export interface BatchOperation {
  Action: 'Upsert' | 'Delete';
  Type: string;
  Record?: Record<string, unknown>;
  Code?: string;
  Number?: number;
  Version?: number | string;
}

/** One result of the bulk's answer. */
export interface BatchResult {
  Index: number;
  Type?: string;
  Key?: string;
  Result: string;
  Message?: string;
}

type LedgerHandler = Parameters<typeof invoke>[0];

let ledgerHandler: LedgerHandler | undefined;

/** The real handler, imported after the setup configured the environment (Powertools reads it then). */
async function handler(): Promise<LedgerHandler> {
  ledgerHandler ??= (await import('#functions/ledger-api/handler.ts')).handler as unknown as LedgerHandler;
  return ledgerHandler;
}

/** `POST /v2/ledger/batch` through the real handler. */
export async function postBatch(
  tenantId: string,
  operations: readonly BatchOperation[],
): Promise<APIGatewayProxyResult> {
  const path = '/v2/ledger/batch';
  return invoke(
    await handler(),
    apiEvent({ method: 'POST', path, tenantId, body: JSON.stringify({ Operations: operations }) }),
  );
}

/** Where each record type is PUT, and the path parameter that names it. */
const RESOURCES: Record<string, { collection: string; parameter: string; key: 'Code' | 'Number' }> = {
  Customer: { collection: '/v2/customers', parameter: 'code', key: 'Code' },
  Invoice: { collection: '/v2/invoices', parameter: 'number', key: 'Number' },
  CreditNote: { collection: '/v2/creditnotes', parameter: 'number', key: 'Number' },
  Payment: { collection: '/v2/payments', parameter: 'number', key: 'Number' },
};

/** `PUT /v2/<records>/{id}` of one record through the real handler. */
export async function putRecord(
  tenantId: string,
  type: string,
  record: Record<string, unknown>,
): Promise<APIGatewayProxyResult> {
  const resource = RESOURCES[type];
  if (resource === undefined) throw new Error(`no PUT route for ${type}`);
  const id = String(record[resource.key]);
  return invoke(
    await handler(),
    apiEvent({
      method: 'PUT',
      path: `${resource.collection}/${encodeURIComponent(id)}`,
      resource: `${resource.collection}/{${resource.parameter}}`,
      pathParameters: { [resource.parameter]: id },
      tenantId,
      body: JSON.stringify(record),
    }),
  );
}

/**
 * A PUT's answer as the bulk's result word: 201 Created, 200 with its `Ledger-Result` header,
 * 409 with `Stale` or `Conflict` as its Error; anything else as `HTTP <status> <body>`.
 */
export function putResultWord(response: APIGatewayProxyResult): string {
  const header = (name: string) =>
    Object.entries(response.headers ?? {}).find(([key]) => key.toLowerCase() === name)?.[1];
  if (response.statusCode === 201) return 'Created';
  if (response.statusCode === 200) return String(header('ledger-result'));
  if (response.statusCode === 409) {
    const error = (JSON.parse(response.body) as { Error?: string }).Error;
    if (error === 'Stale' || error === 'Conflict') return error;
  }
  return `HTTP ${response.statusCode} ${response.body}`;
}

/**
 * Every item of a tenant (its own partition and every partition under it), raw as DynamoDB holds
 * them, by `PK|SK` with the tenant's id replaced, so that two tenants' items can be compared.
 */
export async function tenantItems(tenantId: string): Promise<Map<string, Record<string, unknown>>> {
  const items = new Map<string, Record<string, unknown>>();
  let start: ScanCommandOutput['LastEvaluatedKey'];
  do {
    const page: ScanCommandOutput = await dynamoDbClient().send(
      new ScanCommand({
        TableName: process.env.TABLE_NAME,
        FilterExpression: 'PK = :tenant OR begins_with(PK, :under)',
        ExpressionAttributeValues: {
          ':tenant': { S: `TENANT#${tenantId}` },
          ':under': { S: `TENANT#${tenantId}#` },
        },
        ...(start === undefined ? {} : { ExclusiveStartKey: start }),
      }),
    );
    for (const item of page.Items ?? []) {
      const key = `${item.PK?.S}|${item.SK?.S}`.replaceAll(tenantId, '<tenant>');
      items.set(key, item);
    }
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}

/** An item as comparable text: attributes sorted, `updatedAt` left out, the tenant's id replaced. */
export function comparableItem(item: Record<string, unknown>, tenantId: string): string {
  const sorted = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sorted);
    if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([key, child]) => [key, sorted(child)]),
      );
    }
    return value;
  };
  const { updatedAt: _updatedAt, ...rest } = item;
  return JSON.stringify(sorted(rest)).replaceAll(tenantId, '<tenant>');
}

/** The keys whose items differ between two tenants' tables (present in one only, or not equal). */
export function differingKeys(
  left: Map<string, Record<string, unknown>>,
  leftTenant: string,
  right: Map<string, Record<string, unknown>>,
  rightTenant: string,
): string[] {
  const keys = new Set([...left.keys(), ...right.keys()]);
  return [...keys].filter((key) => {
    const a = left.get(key);
    const b = right.get(key);
    if (a === undefined || b === undefined) return true;
    return comparableItem(a, leftTenant) !== comparableItem(b, rightTenant);
  });
}
