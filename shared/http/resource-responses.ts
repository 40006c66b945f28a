import type { APIGatewayProxyEvent } from 'aws-lambda';
import { HttpError } from './http-error.ts';
import type { XmlShape } from './responses.ts';

/** The batch status in XML, named in KashFlow's style, for clients that ask for XML. */
export const BATCH_XML: XmlShape = {
  root: 'CustomerStatementEmailBatch',
  items: { Customers: 'CustomerStatementEmailState', Recipients: 'Recipient' },
};

/** Customer notes in XML as KashFlow's REST v2 writes them: `ArrayOfNote` of `Note`. */
export const NOTES_XML: XmlShape = { root: 'ArrayOfNote', items: { ArrayOfNote: 'Note' } };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The batch id of the path; anything that cannot be one is simply not found. */
export function batchIdOf(event: APIGatewayProxyEvent): string {
  const batchId = event.pathParameters?.batchId ?? '';
  if (!UUID.test(batchId)) throw notFound('No such batch');
  return batchId.toLowerCase();
}

/** The read endpoints' 404: another tenant's batch or customer is answered as one that does not exist. */
export const notFound = (message: string) => new HttpError(404, 'NotFound', message);
