/**
 * The API's routes for the local gateway, the same as the CDK stack's. Imports the handlers, so it
 * must be imported after the local environment is configured.
 */
import type { Route, TokenAuthorizer } from './gateway.ts';

export async function localRoutes(): Promise<{ routes: Route[]; authorizer: TokenAuthorizer }> {
  const [{ handler: authorizer }, { handler: bulkEmail }] = await Promise.all([
    import('#functions/authorizer/handler.ts'),
    import('#functions/bulk-email-api/handler.ts'),
  ]);
  return {
    authorizer,
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
