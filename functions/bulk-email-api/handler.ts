import { tenantIdOf } from '#shared/http/api-gateway.ts';
import { apiHandler } from '#shared/http/api-handler.ts';
import { toBulkEmailResponse } from '#shared/http/bulk-email-response.ts';
import { parseBulkEmailRequest } from '#shared/http/parse-bulk-email-request.ts';
import { logger } from '#shared/observability/powertools.ts';
import { handleBulkEmailRequest } from '#shared/services/handle-bulk-email-request.ts';

/** POST /v2/customerstatements/bulk/email (KashFlow REST v2). */
export const handler = apiHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  const request = parseBulkEmailRequest(event);
  logger.appendKeys({ tenantId, customerCount: request.customerCodes.length, dryRun: request.dryRun });
  const result = await handleBulkEmailRequest(tenantId, request, new Date(), logger);
  if (result.kind === 'queued') {
    logger.info('Bulk statement email accepted', {
      batchId: result.outcome.batchId,
      replayed: result.replayed,
    });
  }
  return toBulkEmailResponse(event, result, request.format);
});
