import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { pathParameter, tenantIdOf } from '#shared/http/api-gateway.ts';
import { responseFormatOf } from '#shared/http/bulk-email-request.ts';
import { kashflowErrorHandler } from '#shared/http/error-handler.ts';
import { NOTES_XML, notFound } from '#shared/http/resource-responses.ts';
import { toHttpResponse } from '#shared/http/responses.ts';
import { logger, metrics } from '#shared/observability/powertools.ts';
import { getCustomerNotes } from '#shared/services/customer-notes.ts';

/** GET /v2/customers/{code}/notes: KashFlow's note list, newest first. */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .use(kashflowErrorHandler())
  .handler(async (event) => {
    const tenantId = tenantIdOf(event);
    const format = responseFormatOf(event);
    const notes = await getCustomerNotes(tenantId, pathParameter(event, 'code'));
    if (notes === undefined) throw notFound('Invalid customer code');
    return toHttpResponse(200, notes, format, NOTES_XML);
  });
