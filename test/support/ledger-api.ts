/**
 * Calls the ledger API's real handler as API Gateway would (a resource path with its parameters
 * filled in), and reads a tenant's items straight from the table, so a test can prove what a
 * request wrote, or that it wrote nothing.
 */
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { handler } from '#functions/ledger-api/handler.ts';
import { documentClient } from '#shared/aws/dynamodb.ts';
import { customerPartition } from '#shared/aws/table-keys.ts';
import { apiEvent, invoke } from './api-events.ts';
import { exampleTenant, seedTenants } from './tenants.ts';

export const JSON_HEADERS = { 'Content-Type': 'application/json' };
export const XML_HEADERS = { 'Content-Type': 'application/xml', Accept: 'application/xml' };

export interface LedgerCall {
  /** The path parameters of the resource (`{ code: '101' }`). */
  params?: Record<string, string>;
  /** A string is sent as it is; anything else as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string | string[]>;
}

/** One tenant's view of the API: every call carries the tenant the authorizer would have resolved. */
export function ledgerClient(tenantId: string) {
  const call = (method: string, resource: string, { params = {}, body, headers, query }: LedgerCall = {}) =>
    invoke(
      handler,
      apiEvent({
        method,
        resource,
        path: resource.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? ''),
        ...(Object.keys(params).length === 0 ? {} : { pathParameters: params }),
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
        ...(headers === undefined ? {} : { headers }),
        ...(query === undefined ? {} : { query }),
        tenantId,
      }),
    );
  return {
    call,
    get: (resource: string, options?: LedgerCall) => call('GET', resource, options),
    put: (resource: string, options?: LedgerCall) => call('PUT', resource, options),
    post: (resource: string, options?: LedgerCall) => call('POST', resource, options),
    delete: (resource: string, options?: LedgerCall) => call('DELETE', resource, options),
  };
}

/** A response's JSON body. */
export const bodyOf = <T = Record<string, unknown>>(response: APIGatewayProxyResult): T =>
  JSON.parse(response.body) as T;

/** Every item of a tenant, in every partition, sorted by key: a snapshot to compare before and after. */
export async function tenantItems(tenantId: string): Promise<Record<string, unknown>[]> {
  const tenantPartition = `TENANT#${tenantId}`;
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new ScanCommand({
        TableName: process.env.TABLE_NAME,
        FilterExpression: 'begins_with(PK, :tenant)',
        ExpressionAttributeValues: { ':tenant': tenantPartition },
        ExclusiveStartKey: start,
        ConsistentRead: true,
      }),
    );
    items.push(
      ...(page.Items ?? []).filter(
        (item) => item.PK === tenantPartition || String(item.PK).startsWith(`${tenantPartition}#`),
      ),
    );
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return items.sort((a, b) => `${a.PK}|${a.SK}`.localeCompare(`${b.PK}|${b.SK}`));
}

/** The sort keys of a customer's partition that start with `prefix` (`INVOICE#`, `PAYMENT#`). */
export async function customerPartitionKeys(
  tenantId: string,
  code: string,
  prefix: string,
): Promise<string[]> {
  const { Items = [] } = await documentClient().send(
    new QueryCommand({
      TableName: process.env.TABLE_NAME,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': customerPartition(tenantId, code), ':prefix': prefix },
      ConsistentRead: true,
    }),
  );
  return Items.map((item) => String(item.SK));
}

/** A customer as `PUT /v2/customers/{code}` takes it: a name and one primary contact. */
export const customerRecord = (code: string, overrides: Record<string, unknown> = {}) => ({
  Code: code,
  Name: `Customer ${code}`,
  Contacts: [{ Name: 'Ann Smith', Email: `ann.${code.toLowerCase()}@example.example`, IsPrimary: true }],
  ...overrides,
});

/** An invoice as `PUT /v2/invoices/{number}` takes it: £120.00 issued 2026-01-01, due a month later. */
export const invoiceRecord = (
  number: number,
  customerCode: string,
  overrides: Record<string, unknown> = {},
) => ({
  Number: number,
  CustomerCode: customerCode,
  IssuedDate: '2026-01-01',
  DueDate: '2026-01-31',
  Total: '120.00',
  ...overrides,
});

/** A seeded tenant with no customers or invoices of its own, and its client: every record comes through the API. */
export async function emptyLedgerTenant() {
  const tenant = exampleTenant({ Customers: [], Invoices: [] });
  await seedTenants(tenant);
  return { tenant, tenantId: tenant.Id, api: ledgerClient(tenant.Id) };
}
