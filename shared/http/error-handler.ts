import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ApiError } from '../errors.ts';
import { METRIC } from '../observability/metric-names.ts';
import { logger, metrics } from '../observability/powertools.ts';
import { header } from './api-gateway.ts';
import { negotiateFormat } from './negotiation.ts';
import { toErrorResponse } from './responses.ts';

/**
 * Maps any error to KashFlow's `{"Error","Message"}` shape, in XML when the client asked for XML.
 * Client errors (< 500) say what was wrong; server errors say only that something failed and give
 * the request id, so no stack trace, SDK message or data ever reaches the caller. Use it last, so
 * that it sees the errors of every other middleware.
 */
export function kashflowErrorHandler(): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    onError: async (request) => {
      const { error, event, context } = request;
      const format = negotiateFormat(header(event, 'accept')) ?? 'json';
      const statusCode = error instanceof ApiError ? error.statusCode : 500;
      metrics.addMetric(statusCode < 500 ? METRIC.RequestsRefused : METRIC.RequestsFailed, 'Count', 1);
      if (error instanceof ApiError && error.expose) {
        // A refused request's cause may quote the body it refused, so only a 5xx logs its cause.
        if (error.statusCode < 500)
          logger.info('Request refused', { statusCode: error.statusCode, errorCode: error.code });
        else logger.error('Request failed', { statusCode: error.statusCode, errorCode: error.code, error });
        request.response = toErrorResponse(
          error.statusCode,
          { Error: error.code, Message: error.message },
          format,
        );
        return;
      }
      logger.error('Request failed', { error });
      request.response = toErrorResponse(
        statusCode,
        {
          Error: error instanceof ApiError ? error.code : 'InternalError',
          Message: `An unexpected error occurred. Reference: ${context.awsRequestId}`,
        },
        format,
      );
    },
  };
}
