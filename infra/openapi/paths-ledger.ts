/**
 * The ledger API (docs/api.md "The ledger API"): customers, invoices, credit notes, payments,
 * email templates, statement settings and the bulk `POST /v2/ledger/batch`, all behind the
 * ledger-api function.
 *
 * A STUB, minimally described so that every route has an operation: its bodies and answers are
 * open schemas. To be filled in from the ledger's own schemas (shared/schemas/ledger-records.ts,
 * shared/http/parse-ledger-request.ts, the XmlShapes of shared/http/ledger-xml.ts), in this module.
 */
import { MAX_BATCH_BODY_BYTES, MAX_RECORD_BODY_BYTES } from '#shared/http/parse-ledger-request.ts';
import { API_ROUTES } from '../api-routes.ts';
import {
  INTERNAL_ERROR,
  NOT_ACCEPTABLE,
  payloadTooLarge,
  SERVICE_UNAVAILABLE,
  UNAUTHORIZED,
  UNSUPPORTED_MEDIA_TYPE,
} from './common.ts';
import { errorResponse, JSON_TYPE, XML_TYPE } from './media.ts';
import type { Operation, Operations, Parameter, Response } from './types.ts';

const OPEN = { description: 'See docs/api.md, "The ledger API".' };
const open = (description: string): Response => ({
  description,
  content: { [JSON_TYPE]: { schema: OPEN }, [XML_TYPE]: { schema: OPEN } },
});

const pathParameters = (resource: string): Parameter[] =>
  [...resource.matchAll(/\{(\w+)\}/g)].map(([, name = '']) => ({
    name,
    in: 'path' as const,
    required: true,
    description: `The record's ${name}.`,
    schema: { type: 'string' },
  }));

const operationId = (method: string, resource: string) =>
  `${method.toLowerCase()}${resource
    .replace('/v2/', '')
    .split('/')
    .map((part) => part.replace(/[{}]/g, ''))
    .map((part) => `${part.charAt(0).toUpperCase()}${part.slice(1)}`)
    .join('')}`;

const ERRORS: Operation['responses'] = {
  '400': errorResponse('A parameter or the body breaks its rule; the message names it.', {
    body: { Error: 'InvalidRequestBody', Message: 'Request body must not be empty' },
  }),
  '401': UNAUTHORIZED,
  '404': errorResponse('No such record.', { none: { Error: 'NotFound', Message: 'No such customer' } }),
  '406': NOT_ACCEPTABLE,
  '409': errorResponse('The write was refused (`Stale`, `Conflict`, …).', {
    stale: { Error: 'Stale', Message: 'The write was Stale' },
  }),
  '500': INTERNAL_ERROR,
  '503': SERVICE_UNAVAILABLE,
};

function stub(method: string, resource: string): Operation {
  const write = method === 'PUT' || method === 'POST';
  return {
    operationId: operationId(method, resource),
    summary: `${method} ${resource}`,
    tags: ['Ledger'],
    parameters: pathParameters(resource),
    ...(write
      ? {
          requestBody: {
            description: "The record in KashFlow's shape.",
            required: true,
            content: { [JSON_TYPE]: { schema: OPEN }, [XML_TYPE]: { schema: OPEN } },
          },
        }
      : {}),
    responses: {
      ...(method === 'DELETE'
        ? { '204': { description: 'Deleted (now or already).' } }
        : { '200': open('The record(s).') }),
      ...(method === 'PUT' || (method === 'POST' && resource.endsWith('/payments'))
        ? { '201': open('Created.') }
        : {}),
      ...ERRORS,
      ...(write
        ? {
            '413': payloadTooLarge(
              resource === '/v2/ledger/batch' ? MAX_BATCH_BODY_BYTES : MAX_RECORD_BODY_BYTES,
            ),
            '415': UNSUPPORTED_MEDIA_TYPE,
          }
        : {}),
    },
  };
}

export const LEDGER_OPERATIONS: Operations = Object.fromEntries(
  API_ROUTES.filter((route) => route.functionName === 'ledger-api').map((route) => [
    `${route.method} ${route.resource}`,
    stub(route.method, route.resource),
  ]),
) as Operations;
