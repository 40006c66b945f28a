import { readFile } from 'node:fs/promises';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { API_ROUTES } from '../../infra/api-routes.ts';
import { buildApp } from '../../infra/app.ts';
import { buildOpenApiDocument } from '../../infra/openapi/document.ts';
import { OPENAPI_FILE, openApiText } from '../../infra/openapi/document-file.ts';
import { GATEWAY_ANSWERS } from '../../infra/openapi/gateway-responses.ts';
import { handlerStatuses } from '../../infra/openapi/handler-statuses.ts';

type Json = Record<string, unknown>;
interface OperationDoc {
  operationId: string;
  requestBody?: Json;
  responses: Record<string, Json>;
  security?: unknown[];
}

const document = buildOpenApiDocument() as {
  openapi: string;
  paths: Record<string, Record<string, OperationDoc>>;
  components: { responses: Record<string, Json>; schemas: Record<string, Json> };
};

const operations = Object.entries(document.paths).flatMap(([resource, methods]) =>
  Object.entries(methods).map(([method, operation]) => ({
    key: `${method.toUpperCase()} ${resource}`,
    operation,
  })),
);

/** A response object with its `$ref` followed. */
const resolve = (response: Json): Json => {
  const ref = response.$ref;
  if (typeof ref !== 'string') return response;
  const found = document.components.responses[ref.replace('#/components/responses/', '')];
  if (found === undefined) throw new Error(`Unresolved ${ref}`);
  return found;
};

const isPublic = (route: (typeof API_ROUTES)[number]) => 'public' in route && route.public === true;

/** The statuses API Gateway itself can answer this route with (infra/gateway-errors.ts). */
const gatewayStatuses = (route: (typeof API_ROUTES)[number], hasBody: boolean) =>
  GATEWAY_ANSWERS.filter(
    (answer) => !(answer.authorizedOnly && isPublic(route)) && !(answer.bodyOnly && !hasBody),
  ).map((answer) => Number(answer.status));

describe('the OpenAPI document (docs/openapi.json)', () => {
  it('is OpenAPI 3.1 with one operation per route of the route table and no other (100%)', () => {
    expect(document.openapi).toMatch(/^3\.1\.\d+$/);
    const routes = API_ROUTES.map((route) => `${route.method} ${route.resource}`).sort();
    expect(operations.map(({ key }) => key).sort()).toEqual(routes);
    const ids = operations.map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('is committed as the code generates it (npm run openapi)', async () => {
    expect(await readFile(OPENAPI_FILE, 'utf8')).toBe(openApiText());
  });

  it("documents, on each route, every status API Gateway can answer it with, in KashFlow's error shape", () => {
    for (const route of API_ROUTES) {
      const operation = document.paths[route.resource]?.[route.method.toLowerCase()];
      if (operation === undefined) throw new Error(`No operation for ${route.method} ${route.resource}`);
      const documented = Object.keys(operation.responses).map(Number);
      expect(documented, `${route.method} ${route.resource}`).toEqual(
        expect.arrayContaining(gatewayStatuses(route, operation.requestBody !== undefined)),
      );
    }
  });

  it('documents, on the routes of each function, every error status its handler can answer, and no other', () => {
    const functions = [...new Set(API_ROUTES.map((route) => route.functionName))];
    for (const functionName of functions) {
      const derived = handlerStatuses(functionName);
      const routes = API_ROUTES.filter((route) => route.functionName === functionName);
      const documentedByRoute = routes.map((route) => {
        const operation = document.paths[route.resource]?.[route.method.toLowerCase()];
        return { route, statuses: Object.keys(operation?.responses ?? {}).map(Number) };
      });
      // Every status the handler can answer is documented on the function's routes...
      const documented = new Set(documentedByRoute.flatMap(({ statuses }) => statuses));
      expect(
        [...derived].filter((status) => !documented.has(status)),
        functionName,
      ).toEqual([]);
      // ...and each route documents no error the handler or the gateway cannot answer.
      for (const { route, statuses } of documentedByRoute) {
        const operation = document.paths[route.resource]?.[route.method.toLowerCase()];
        const possible = new Set([
          ...derived,
          ...gatewayStatuses(route, operation?.requestBody !== undefined),
        ]);
        expect(
          statuses.filter((status) => status >= 400 && !possible.has(status)),
          `${route.method} ${route.resource}`,
        ).toEqual([]);
      }
    }
  });

  it("gives every error answer KashFlow's {Error, Message} schema, and every answer a description", () => {
    expect(document.components.schemas.Error).toMatchObject({
      type: 'object',
      properties: { Error: { type: 'string' }, Message: { type: 'string' } },
      required: ['Error', 'Message'],
      additionalProperties: false,
    });
    for (const { key, operation } of operations) {
      for (const [status, reference] of Object.entries(operation.responses)) {
        const response = resolve(reference);
        expect(response.description, `${key} ${status}`).toEqual(expect.any(String));
        if (Number(status) < 400) continue;
        const content = response.content as Record<string, { schema: Json }>;
        expect(Object.keys(content), `${key} ${status}`).toContain('application/json');
        for (const [type, media] of Object.entries(content)) {
          expect(media.schema, `${key} ${status} ${type}`).toEqual({ $ref: '#/components/schemas/Error' });
        }
      }
    }
  });

  it('asks for a token (KfToken or Bearer) on every route but the document itself', () => {
    expect((document as unknown as { security: unknown }).security).toEqual([
      { KfToken: [] },
      { Bearer: [] },
    ]);
    for (const route of API_ROUTES) {
      const operation = document.paths[route.resource]?.[route.method.toLowerCase()];
      if (isPublic(route)) expect(operation?.security, route.resource).toEqual([]);
      else expect(operation?.security, route.resource).toBeUndefined();
    }
    expect(API_ROUTES.filter(isPublic).map((route) => `${route.method} ${route.resource}`)).toEqual([
      'GET /v2/openapi.json',
    ]);
  });

  it("carries the API page's example: the request, its query and the four statuses", () => {
    const bulk = document.paths['/v2/customerstatements/bulk/email']?.post as unknown as {
      parameters: { name: string; example?: string }[];
      requestBody: { content: Record<string, { examples: Record<string, { value: unknown }> }> };
      responses: Record<
        string,
        { content: Record<string, { examples: Record<string, { value: unknown }> }> }
      >;
    };
    const query = Object.fromEntries(bulk.parameters.map(({ name, example }) => [name, example]));
    expect(query).toMatchObject({
      startdate: '20130101',
      enddate: '20131010',
      excludepaidinvoices: '1',
      filterby: 'all',
    });
    expect(bulk.requestBody.content['application/json']?.examples.apiPage?.value).toEqual([
      '101',
      'CUST123',
      'CUST2345',
      '0065',
    ]);
    expect(bulk.responses['200']?.content['application/json']?.examples.apiPage?.value).toEqual([
      { CustomerCode: '101', Sent: true, Message: 'Marked to send' },
      { CustomerCode: 'CUST123', Sent: false, Message: 'Invalid customer code' },
      { CustomerCode: 'CUST2345', Sent: false, Message: 'Invalid customer email address' },
      { CustomerCode: '0065', Sent: true, Message: 'Marked to send' },
    ]);
  });
});

describe('handlerStatuses (the statuses read from the code)', () => {
  it("finds the bulk email handler's refusals: body, query, Accept, size, type, Idempotency-Key, dependencies", () => {
    expect(handlerStatuses('bulk-email-api')).toEqual([400, 401, 406, 409, 413, 415, 422, 500, 503]);
  });

  it('finds only what a read handler can answer: no body statuses for the batch status', () => {
    // 503: the run lookup behind a 404 reports DynamoDB unavailable as such.
    expect(handlerStatuses('batch-status')).toEqual([401, 404, 406, 500, 503]);
  });
});

describe('GET /v2/openapi.json in the stack', () => {
  it('is the one method without the authorizer, served by the openapi function', () => {
    const { stack } = buildApp(new App({ context: { stage: 'dev' } }));
    const resources = Template.fromStack(stack).toJSON().Resources as Record<
      string,
      { Type: string; Properties: Record<string, unknown> }
    >;
    const methods = Object.values(resources).filter(
      (resource) => resource.Type === 'AWS::ApiGateway::Method',
    );
    const open = methods.filter((method) => method.Properties.AuthorizationType === 'NONE');
    expect(open).toHaveLength(1);
    expect(open[0]?.Properties.HttpMethod).toBe('GET');
    expect(JSON.stringify(open[0]?.Properties.Integration)).toContain('OpenApiFunction');
    expect(methods.filter((method) => method.Properties.AuthorizationType === 'CUSTOM')).toHaveLength(
      API_ROUTES.length - 1,
    );
  });
});
