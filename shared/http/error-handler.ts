import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { PeriodError } from '../domain/statement-period.ts';
import {
  DependencyUnavailableError,
  IdempotencyKeyInProgressError,
  IdempotencyKeyReusedError,
  UnknownTenantError,
} from '../errors.ts';
import { METRIC } from '../observability/metric-names.ts';
import { logger, metrics } from '../observability/powertools.ts';
import { header } from './api-gateway.ts';
import { HttpError, invalidSessionToken } from './http-error.ts';
import { negotiateFormat } from './negotiation.ts';
import { toErrorResponse } from './responses.ts';

/**
 * The one place a domain error becomes an HTTP answer: its status, KashFlow's error code and the
 * message the caller sees. Anything not listed is a fault of ours (500).
 */
export function toHttpError(error: unknown): HttpError | undefined {
  const options = { cause: error };
  if (error instanceof HttpError) return error;
  if (error instanceof PeriodError) return new HttpError(400, 'InvalidParameter', error.message, options);
  if (error instanceof UnknownTenantError) return invalidSessionToken(options);
  if (error instanceof IdempotencyKeyReusedError)
    return new HttpError(422, 'IdempotencyKeyReused', error.message, options);
  if (error instanceof IdempotencyKeyInProgressError)
    return new HttpError(409, 'IdempotencyKeyInProgress', error.message, options);
  if (error instanceof DependencyUnavailableError) {
    return new HttpError(
      503,
      'ServiceUnavailable',
      'The service is temporarily unavailable; nothing was queued, please retry',
      { ...options, expose: true },
    );
  }
  return undefined;
}

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
      const mapped = toHttpError(error);
      const statusCode = mapped?.statusCode ?? 500;
      metrics.addMetric(statusCode < 500 ? METRIC.RequestsRefused : METRIC.RequestsFailed, 'Count', 1);
      if (mapped?.expose) {
        // A refused request's cause may quote the body it refused, so only a 5xx logs its cause.
        if (statusCode < 500) logger.info('Request refused', { statusCode, errorCode: mapped.code });
        else logger.error('Request failed', { statusCode, errorCode: mapped.code, error });
        request.response = toErrorResponse(
          statusCode,
          { Error: mapped.code, Message: mapped.message },
          format,
        );
        return;
      }
      logger.error('Request failed', { error });
      request.response = toErrorResponse(
        statusCode,
        {
          Error: mapped?.code ?? 'InternalError',
          Message: `An unexpected error occurred. Reference: ${context.awsRequestId}`,
        },
        format,
      );
    },
  };
}
