import { pathParameter, responseFormatOf, tenantIdOf } from '#shared/http/api-gateway.ts';
import { apiHandler } from '#shared/http/api-handler.ts';
import { NOTES_XML, notFound } from '#shared/http/resource-responses.ts';
import { toHttpResponse } from '#shared/http/responses.ts';
import { getCustomerNotes } from '#shared/services/get-customer-notes.ts';

/** GET /v2/customers/{code}/notes: KashFlow's note list, newest first. */
export const handler = apiHandler(async (event) => {
  const tenantId = tenantIdOf(event);
  const format = responseFormatOf(event);
  const notes = await getCustomerNotes(tenantId, pathParameter(event, 'code'));
  if (notes === undefined) throw notFound('Invalid customer code');
  return toHttpResponse(200, notes, format, NOTES_XML);
});
