import { describe, expect, it } from 'vitest';
import { API_ROUTES } from '../../infra/api-routes.ts';
import { buildOpenApiDocument } from '../../infra/openapi/document.ts';
import { LEDGER_TYPES } from '../../shared/services/ledger/ledger-kinds.ts';

type Json = Record<string, unknown>;
interface Media {
  schema: Json;
  examples?: Record<string, { value: unknown }>;
}
interface ResponseDoc {
  headers?: Record<string, Json>;
  content?: Record<string, Media>;
}
interface OperationDoc {
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, ResponseDoc>;
  parameters?: { name: string; in: string; schema: Json }[];
}

const document = buildOpenApiDocument() as {
  paths: Record<string, Record<string, OperationDoc>>;
  components: { schemas: Record<string, Json> };
};

const ledgerRoutes = API_ROUTES.filter((route) => route.functionName === 'ledger-api');
const operationOf = (route: (typeof ledgerRoutes)[number]) => {
  const operation = document.paths[route.resource]?.[route.method.toLowerCase()];
  if (operation === undefined) throw new Error(`No operation for ${route.method} ${route.resource}`);
  return operation;
};
const schemaOf = (reference: Json): Json => {
  const name = String(reference.$ref ?? '').replace('#/components/schemas/', '');
  const schema = document.components.schemas[name];
  if (schema === undefined) throw new Error(`Unresolved ${String(reference.$ref)}`);
  return schema;
};

describe('the ledger routes in the OpenAPI document', () => {
  it('gives every success answer and request body a schema of its own, in JSON and XML (no open schema)', () => {
    for (const route of ledgerRoutes) {
      const operation = operationOf(route);
      const key = `${route.method} ${route.resource}`;
      const successes = Object.entries(operation.responses).filter(([status]) => Number(status) < 300);
      expect(successes.length, key).toBeGreaterThan(0);
      for (const [status, response] of successes) {
        if (status === '204') {
          expect(response.content, `${key} ${status}`).toBeUndefined();
          continue;
        }
        for (const type of ['application/json', 'application/xml']) {
          const schema = schemaOf(response.content?.[type]?.schema ?? {});
          expect(schema.type, `${key} ${status} ${type}`).toMatch(/^(object|array)$/);
        }
      }
      if (route.method === 'PUT' || route.method === 'POST') {
        const content = operation.requestBody?.content ?? {};
        expect(schemaOf(content['application/json']?.schema ?? {}).type, key).toBe('object');
        expect(content['application/xml']?.schema, key).toEqual(content['application/json']?.schema);
      }
    }
  });

  it("answers a write with Ledger-Result, a creation with Location, and the record's own schema", () => {
    for (const route of ledgerRoutes.filter((route) => route.resource !== '/v2/ledger/batch')) {
      const operation = operationOf(route);
      const key = `${route.method} ${route.resource}`;
      if (route.method === 'GET') continue;
      const written = route.method === 'DELETE' ? ['204'] : ['200', '201'];
      for (const status of written)
        expect(Object.keys(operation.responses[status]?.headers ?? {}), `${key} ${status}`).toContain(
          'Ledger-Result',
        );
      if (route.method !== 'DELETE')
        expect(Object.keys(operation.responses['201']?.headers ?? {}), key).toContain('Location');
    }
    const invoice = schemaOf(
      operationOf({ method: 'GET', resource: '/v2/invoices/{number}', functionName: 'ledger-api' }).responses[
        '200'
      ]?.content?.['application/json']?.schema ?? {},
    ) as { properties: Record<string, Json>; required: string[] };
    expect(invoice.properties.Total).toMatchObject({ type: 'string' });
    expect(invoice.required).toEqual(expect.arrayContaining(['Number', 'CustomerCode', 'Total']));
  });

  it('describes path ids by their key rule and the bulk in JSON, XML and NDJSON with an operation per action and type', () => {
    const customer = operationOf({
      method: 'GET',
      resource: '/v2/customers/{code}',
      functionName: 'ledger-api',
    });
    expect(customer.parameters?.[0]).toMatchObject({
      name: 'code',
      in: 'path',
      schema: { type: 'string', maxLength: 64 },
    });
    const invoice = operationOf({
      method: 'GET',
      resource: '/v2/invoices/{number}',
      functionName: 'ledger-api',
    });
    expect(invoice.parameters?.[0]).toMatchObject({
      name: 'number',
      schema: { type: 'integer', minimum: 1 },
    });

    const batch = operationOf({ method: 'POST', resource: '/v2/ledger/batch', functionName: 'ledger-api' });
    const content = batch.requestBody?.content ?? {};
    expect(Object.keys(content)).toEqual(['application/json', 'application/xml', 'application/x-ndjson']);
    const envelope = schemaOf(content['application/json']?.schema ?? {}) as {
      properties: { Operations: { maxItems: number; items: { anyOf: Json[] } } };
    };
    expect(envelope.properties.Operations.maxItems).toBe(1000);
    const shapes = envelope.properties.Operations.items.anyOf.map((reference) => {
      const { properties } = schemaOf(reference) as { properties: Record<string, { const: string }> };
      return `${properties.Action?.const} ${properties.Type?.const}`;
    });
    expect(shapes).toEqual([
      ...LEDGER_TYPES.map((type) => `Upsert ${type}`),
      ...LEDGER_TYPES.filter((type) => type !== 'StatementSettings').map((type) => `Delete ${type}`),
    ]);
  });
});
