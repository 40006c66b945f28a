/**
 * The API's routes: method, API Gateway resource path and the function behind it. The CDK stack
 * and the local gateway both build their routes from this table, so they cannot differ.
 */
import type { FunctionName } from './bundling.ts';

export interface ApiRoute {
  method: 'GET' | 'POST';
  /** API Gateway's resource path, e.g. `/v2/customerstatements/bulk/email/{batchId}`. */
  resource: string;
  functionName: FunctionName;
}

export const API_ROUTES = [
  { method: 'POST', resource: '/v2/customerstatements/bulk/email', functionName: 'bulk-email-api' },
  { method: 'GET', resource: '/v2/customerstatements/bulk/email/{batchId}', functionName: 'batch-status' },
  { method: 'GET', resource: '/v2/customers/{code}/notes', functionName: 'customer-notes' },
] as const satisfies readonly ApiRoute[];

/** The functions behind the routes. */
export type RouteFunctionName = (typeof API_ROUTES)[number]['functionName'];
