import { responseFormatOf, tenantIdOf } from '#shared/http/api-gateway.ts';
import { apiHandler } from '#shared/http/api-handler.ts';
import { BATCH_XML, batchIdOf, notFound } from '#shared/http/resource-responses.ts';
import { toHttpResponse } from '#shared/http/responses.ts';
import { getBatchStatus, missingBatchMessage } from '#shared/services/get-batch-status.ts';

/** GET /v2/customerstatements/bulk/email/{batchId}: the batch and each customer's delivery state. */
export const handler = apiHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  const format = responseFormatOf(event);
  // Another tenant's batch is not found either: its key starts with the other tenant.
  const batchId = batchIdOf(event);
  const status = await getBatchStatus(tenantId, batchId);
  if (status === undefined) throw notFound(await missingBatchMessage(tenantId, batchId));
  return toHttpResponse(200, status, format, BATCH_XML);
});
