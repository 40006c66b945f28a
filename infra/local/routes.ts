/**
 * The API's routes for the local gateway, the same as the CDK stack's. Imports the handlers, so it
 * must be imported after the local environment is configured.
 */
import type { Route, TokenAuthorizer } from './gateway.ts';
import type { SqsHandler } from './poller.ts';

export interface LocalFunctions {
  routes: Route[];
  authorizer: TokenAuthorizer;
  /** The statement worker, fed by the local poller. */
  worker: SqsHandler;
}

export async function localRoutes(): Promise<LocalFunctions> {
  const [authorizer, bulkEmail, batchStatus, customerNotes, worker] = await Promise.all([
    import('#functions/authorizer/handler.ts').then((module) => module.handler),
    import('#functions/bulk-email-api/handler.ts').then((module) => module.handler),
    import('#functions/batch-status/handler.ts').then((module) => module.handler),
    import('#functions/customer-notes/handler.ts').then((module) => module.handler),
    import('#functions/statement-worker/handler.ts').then((module) => module.handler),
  ]);
  return {
    authorizer,
    worker,
    routes: [
      {
        method: 'POST',
        resource: '/v2/customerstatements/bulk/email',
        functionName: 'bulk-email-api',
        handler: bulkEmail,
      },
      {
        method: 'GET',
        resource: '/v2/customerstatements/bulk/email/{batchId}',
        functionName: 'batch-status',
        handler: batchStatus,
      },
      {
        method: 'GET',
        resource: '/v2/customers/{code}/notes',
        functionName: 'customer-notes',
        handler: customerNotes,
      },
    ],
  };
}
