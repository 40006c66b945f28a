import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { StatementEmailOutcome } from '../services/email-customer-statements.ts';
import type { ResponseFormat } from './negotiation.ts';
import { toHttpResponse, type XmlShape } from './responses.ts';

export const STATUS_LIST_XML: XmlShape = {
  root: 'ArrayOfCustomerStatementEmailStatus',
  items: { ArrayOfCustomerStatementEmailStatus: 'CustomerStatementEmailStatus' },
};

/** The batch status resource of a bulk email request, relative to the API's own base path. */
export function batchLocation(event: APIGatewayProxyEvent, batchId: string): string {
  // requestContext.path carries the stage (or custom domain base path); event.path does not.
  const path = event.requestContext?.path ?? event.path;
  return `${path.replace(/\/+$/, '')}/${encodeURIComponent(batchId)}`;
}

/** 200 with one status per code in request order, plus the batch id and where to follow it. */
export function toBulkEmailResponse(
  event: APIGatewayProxyEvent,
  outcome: StatementEmailOutcome,
  format: ResponseFormat,
): APIGatewayProxyResult {
  return toHttpResponse(200, outcome.statuses, format, STATUS_LIST_XML, {
    'X-Batch-Id': outcome.batchId,
    Location: batchLocation(event, outcome.batchId),
  });
}
