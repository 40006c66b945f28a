/** `GET /v2/openapi.json`: this document, public (no token), for discovery and client generators. */
import { JSON_TYPE } from './media.ts';
import type { Operations } from './types.ts';

export const OPENAPI_OPERATIONS: Operations = {
  'GET /v2/openapi.json': {
    operationId: 'getOpenApiDocument',
    summary: 'This API description (OpenAPI 3.1)',
    description:
      "The document generated from the handlers' own schemas (`npm run openapi`, committed as docs/openapi.json), served as built: no token needed.",
    tags: ['Discovery'],
    security: [],
    responses: {
      '200': {
        description: 'The OpenAPI 3.1 document.',
        content: {
          [JSON_TYPE]: {
            schema: {
              type: 'object',
              properties: {
                openapi: { type: 'string', pattern: '^3\\.1\\.\\d+$' },
                info: { type: 'object' },
                paths: { type: 'object' },
              },
              required: ['openapi', 'info', 'paths'],
            },
          },
        },
      },
    },
  },
};
