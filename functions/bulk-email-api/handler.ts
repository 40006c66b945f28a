import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ApiError } from '#shared/errors.ts';
import { tenantIdOf } from '#shared/http/api-gateway.ts';
import { parseBulkEmailRequest } from '#shared/http/bulk-email-request.ts';
import { toBulkEmailResponse } from '#shared/http/bulk-email-response.ts';
import { kashflowErrorHandler } from '#shared/http/error-handler.ts';
import { logger, metrics } from '#shared/observability/powertools.ts';
import { emailCustomerStatements } from '#shared/services/email-customer-statements.ts';

/** POST /v2/customerstatements/bulk/email (KashFlow REST v2). */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .use(kashflowErrorHandler())
  .handler(async (event) => {
    const tenantId = tenantIdOf(event);
    const request = parseBulkEmailRequest(event);
    // A dry run must never send; until it exists (issue 5) it is refused rather than ignored.
    if (request.dryRun)
      throw new ApiError(501, 'NotImplemented', 'dryrun is not available yet', { expose: true });
    logger.appendKeys({ tenantId, customerCount: request.customerCodes.length });
    const outcome = await emailCustomerStatements({ tenantId, ...request, now: new Date() });
    logger.info('Bulk statement email accepted', { batchId: outcome.batchId });
    return toBulkEmailResponse(event, outcome, request.format);
  });
