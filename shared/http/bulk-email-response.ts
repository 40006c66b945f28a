import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { BulkEmailResult } from '../services/handle-bulk-email-request.ts';
import type { ResponseFormat } from './negotiation.ts';
import { toHttpResponse, type XmlShape } from './responses.ts';

/** KashFlow's XML names for the POST's status list, so XML clients read what KashFlow would send. */
export const STATUS_LIST_XML: XmlShape = {
  root: 'ArrayOfCustomerStatementEmailStatus',
  items: { ArrayOfCustomerStatementEmailStatus: 'CustomerStatementEmailStatus', Recipients: 'Recipient' },
};

/** The batch status resource of a bulk email request, relative to the API's own base path. */
export function batchLocation(event: APIGatewayProxyEvent, batchId: string): string {
  // requestContext.path carries the stage (or custom domain base path); event.path does not.
  const path = event.requestContext?.path ?? event.path;
  return `${path.replace(/\/+$/, '')}/${encodeURIComponent(batchId)}`;
}

/**
 * 200 with one status per code in request order. A real run carries the batch id and where to
 * follow it (and says so when it replays the first answer to an Idempotency-Key); a dry run
 * carries what each email would be, and no batch, as nothing was recorded.
 */
export function toBulkEmailResponse(
  event: APIGatewayProxyEvent,
  result: BulkEmailResult,
  format: ResponseFormat,
): APIGatewayProxyResult {
  if (result.kind === 'dry-run') {
    return toHttpResponse(200, result.preview.statuses, format, STATUS_LIST_XML, { 'X-Dry-Run': 'true' });
  }
  const { outcome, replayed } = result;
  return toHttpResponse(200, outcome.statuses, format, STATUS_LIST_XML, {
    'X-Batch-Id': outcome.batchId,
    Location: batchLocation(event, outcome.batchId),
    ...(replayed ? { 'Idempotent-Replayed': 'true' } : {}),
  });
}
