/**
 * The statement runs resource as an HTTP answer (docs/api.md, "Statement runs"): JSON by default,
 * XML in KashFlow's naming style when asked for; the cursor of the next page and where the run is.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { RunView } from '../services/runs/run-requests.ts';
import type { ResponseFormat } from './negotiation.ts';
import { toRunCursor } from './parse-runs-request.ts';
import { toHttpResponse, type XmlShape } from './responses.ts';

/** The run in XML: `<CustomerStatementRun>` with `<Customers><CustomerStatementRunCustomer>…`. */
export const RUN_XML: XmlShape = {
  root: 'CustomerStatementRun',
  items: { Customers: 'CustomerStatementRunCustomer', SkippedReasons: 'SkippedReason' },
};

/** The run resource's path, relative to the API's own base path (stage or custom domain). */
export function runLocation(event: APIGatewayProxyEvent, runId: string): string {
  const path = (event.requestContext?.path ?? event.path).replace(/\/+$/, '');
  const base = path.endsWith(`/${runId}`) ? path.slice(0, -runId.length - 1) : path;
  return `${base}/${encodeURIComponent(runId)}`;
}

/**
 * The run with its page of customers. `SkippedReasons` is `{reason: count}` in JSON; XML element
 * names cannot be free text, so there it is a list of `<SkippedReason><Reason/><Count/></SkippedReason>`.
 */
export function toRunResponse(
  event: APIGatewayProxyEvent,
  statusCode: 200 | 202,
  view: RunView,
  format: ResponseFormat,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  const { nextAfter, ...run } = view;
  const body = {
    ...run,
    ...(format === 'xml'
      ? { SkippedReasons: Object.entries(run.SkippedReasons).map(([Reason, Count]) => ({ Reason, Count })) }
      : {}),
    ...(nextAfter === undefined ? {} : { NextCursor: toRunCursor(nextAfter) }),
  };
  return toHttpResponse(statusCode, body, format, RUN_XML, {
    Location: runLocation(event, view.RunId),
    'X-Run-Id': view.RunId,
    ...headers,
  });
}
