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
  const [{ handler: authorizer }, { handler: bulkEmail }, { handler: worker }] = await Promise.all([
    import('#functions/authorizer/handler.ts'),
    import('#functions/bulk-email-api/handler.ts'),
    import('#functions/statement-worker/handler.ts'),
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
    ],
  };
}
