import type { APIGatewayProxyResult } from 'aws-lambda';
import { CONTENT_TYPES, type ResponseFormat } from './negotiation.ts';
import { toXml, type XmlItemNames } from './xml.ts';

/** How one resource is written as XML: its root element and the names of its list items. */
export interface XmlShape {
  root: string;
  items?: XmlItemNames;
}

/** KashFlow's error body: `{"Error": "<Code>", "Message": "<human text>"}`. */
export interface ErrorBody {
  Error: string;
  Message: string;
}

/** KashFlow's XML error root, so an XML client gets the same Error and Message in `<ErrorResponse>`. */
export const ERROR_XML: XmlShape = { root: 'ErrorResponse' };

/** Renders a body in the negotiated format with the headers every response carries. */
export function toHttpResponse(
  statusCode: number,
  body: unknown,
  format: ResponseFormat,
  xml: XmlShape,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return {
    statusCode,
    headers: {
      'Content-Type': CONTENT_TYPES[format],
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      Vary: 'Accept',
      ...headers,
    },
    body: format === 'xml' ? toXml(xml.root, body, xml.items) : JSON.stringify(body),
  };
}

/** The one writer of error bodies: every error leaves in KashFlow's `{Error, Message}` shape. */
export function toErrorResponse(
  statusCode: number,
  error: ErrorBody,
  format: ResponseFormat,
): APIGatewayProxyResult {
  return toHttpResponse(statusCode, error, format, ERROR_XML);
}
