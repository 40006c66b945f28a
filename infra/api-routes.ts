/**
 * The API's routes: method, API Gateway resource path and the function behind it. The CDK stack
 * and the local gateway both build their routes from this table, so they cannot differ.
 */
import type { FunctionName } from './bundling.ts';

export interface ApiRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway's resource path, e.g. `/v2/customerstatements/bulk/email/{batchId}`. */
  resource: string;
  functionName: FunctionName;
  /** Served without a token (no authorizer): only the API's own description. */
  public?: true;
}

export const API_ROUTES = [
  { method: 'POST', resource: '/v2/customerstatements/bulk/email', functionName: 'bulk-email-api' },
  { method: 'GET', resource: '/v2/customerstatements/bulk/email/{batchId}', functionName: 'batch-status' },
  { method: 'GET', resource: '/v2/customers/{code}/notes', functionName: 'customer-notes' },
  // The ledger API (docs/api.md "The ledger API"): one function behind every record route.
  { method: 'GET', resource: '/v2/customers', functionName: 'ledger-api' },
  { method: 'GET', resource: '/v2/customers/{code}', functionName: 'ledger-api' },
  { method: 'PUT', resource: '/v2/customers/{code}', functionName: 'ledger-api' },
  { method: 'DELETE', resource: '/v2/customers/{code}', functionName: 'ledger-api' },
  { method: 'GET', resource: '/v2/invoices/{number}', functionName: 'ledger-api' },
  { method: 'PUT', resource: '/v2/invoices/{number}', functionName: 'ledger-api' },
  { method: 'DELETE', resource: '/v2/invoices/{number}', functionName: 'ledger-api' },
  { method: 'GET', resource: '/v2/invoices/{number}/payments', functionName: 'ledger-api' },
  { method: 'POST', resource: '/v2/invoices/{number}/payments', functionName: 'ledger-api' },
  {
    method: 'DELETE',
    resource: '/v2/invoices/{number}/payments/{paymentNumber}',
    functionName: 'ledger-api',
  },
  { method: 'GET', resource: '/v2/creditnotes/{number}', functionName: 'ledger-api' },
  { method: 'PUT', resource: '/v2/creditnotes/{number}', functionName: 'ledger-api' },
  { method: 'DELETE', resource: '/v2/creditnotes/{number}', functionName: 'ledger-api' },
  { method: 'GET', resource: '/v2/payments/{number}', functionName: 'ledger-api' },
  { method: 'PUT', resource: '/v2/payments/{number}', functionName: 'ledger-api' },
  { method: 'DELETE', resource: '/v2/payments/{number}', functionName: 'ledger-api' },
  { method: 'GET', resource: '/v2/emailtemplates', functionName: 'ledger-api' },
  { method: 'GET', resource: '/v2/emailtemplates/defaultStatementTemplate', functionName: 'ledger-api' },
  { method: 'GET', resource: '/v2/emailtemplates/{number}', functionName: 'ledger-api' },
  { method: 'PUT', resource: '/v2/emailtemplates/{number}', functionName: 'ledger-api' },
  { method: 'DELETE', resource: '/v2/emailtemplates/{number}', functionName: 'ledger-api' },
  { method: 'GET', resource: '/v2/settings/statements', functionName: 'ledger-api' },
  { method: 'PUT', resource: '/v2/settings/statements', functionName: 'ledger-api' },
  { method: 'POST', resource: '/v2/ledger/batch', functionName: 'ledger-api' },
  // Statement runs (docs/runs.md): start, follow and cancel a run of any number of customers.
  { method: 'POST', resource: '/v2/customerstatements/runs', functionName: 'statement-runs-api' },
  { method: 'GET', resource: '/v2/customerstatements/runs/{runId}', functionName: 'statement-runs-api' },
  { method: 'DELETE', resource: '/v2/customerstatements/runs/{runId}', functionName: 'statement-runs-api' },
  // KashFlow's statement schedules (docs/schedules.md): the tenant-wide one and each customer's.
  { method: 'GET', resource: '/v2/customers/schedule-statement', functionName: 'statement-schedules-api' },
  { method: 'POST', resource: '/v2/customers/schedule-statement', functionName: 'statement-schedules-api' },
  { method: 'DELETE', resource: '/v2/customers/schedule-statement', functionName: 'statement-schedules-api' },
  {
    method: 'GET',
    resource: '/v2/customers/schedule-statement/{customerCode}',
    functionName: 'statement-schedules-api',
  },
  {
    method: 'POST',
    resource: '/v2/customers/schedule-statement/{customerCode}',
    functionName: 'statement-schedules-api',
  },
  {
    method: 'DELETE',
    resource: '/v2/customers/schedule-statement/{customerCode}',
    functionName: 'statement-schedules-api',
  },
  // The API's own description (docs/api.md "OpenAPI"): public, for discovery and client generators.
  { method: 'GET', resource: '/v2/openapi.json', functionName: 'openapi', public: true },
] as const satisfies readonly ApiRoute[];

/** The functions behind the routes. */
export type RouteFunctionName = (typeof API_ROUTES)[number]['functionName'];
