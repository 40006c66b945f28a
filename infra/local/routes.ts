/**
 * The API's routes for the local gateway: the CDK stack's (infra/api-routes.ts) with the real
 * handlers. Imports the handlers, so it must be imported after the local environment is configured.
 */
import { API_ROUTES, type RouteFunctionName } from '../api-routes.ts';
import type { ProxyHandler, Route, TokenAuthorizer } from './gateway.ts';
import type { SqsHandler } from './poller.ts';

export interface LocalFunctions {
  routes: Route[];
  authorizer: TokenAuthorizer;
  /** The statement worker, fed by the local poller. */
  worker: SqsHandler;
  /** The run feeder, fed by its own local poller (docs/runs.md). */
  runFeeder: SqsHandler;
}

export async function localRoutes(): Promise<LocalFunctions> {
  const [
    authorizer,
    bulkEmail,
    batchStatus,
    customerNotes,
    ledger,
    schedules,
    runs,
    worker,
    runFeeder,
    openApi,
  ] = await Promise.all([
    import('#functions/authorizer/handler.ts').then((module) => module.handler),
    import('#functions/bulk-email-api/handler.ts').then((module) => module.handler),
    import('#functions/batch-status/handler.ts').then((module) => module.handler),
    import('#functions/customer-notes/handler.ts').then((module) => module.handler),
    import('#functions/ledger-api/handler.ts').then((module) => module.handler),
    import('#functions/statement-schedules-api/handler.ts').then((module) => module.handler),
    import('#functions/statement-runs-api/handler.ts').then((module) => module.handler),
    import('#functions/statement-worker/handler.ts').then((module) => module.handler),
    import('#functions/run-feeder/handler.ts').then((module) => module.handler),
    import('#functions/openapi/handler.ts').then((module) => module.handler),
  ]);
  const handlers: Record<RouteFunctionName, ProxyHandler> = {
    'bulk-email-api': bulkEmail,
    'batch-status': batchStatus,
    'customer-notes': customerNotes,
    'ledger-api': ledger,
    'statement-schedules-api': schedules,
    'statement-runs-api': runs,
    openapi: openApi,
  };
  return {
    authorizer,
    worker,
    runFeeder,
    routes: API_ROUTES.map((route) => ({ ...route, handler: handlers[route.functionName] })),
  };
}
