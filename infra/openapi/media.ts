/**
 * Response and request content in the API's two formats: JSON, and XML with KashFlow's element
 * names (the same XmlShape tables the handlers write XML with, so the two cannot differ). One
 * schema serves both: its `xml` names matter only to XML.
 */
import type * as z from 'zod';
import { ERROR_XML, type ErrorBody, type XmlShape } from '#shared/http/responses.ts';
import { ErrorBodySchema } from '#shared/schemas/api/errors.ts';
import { schemaComponent } from './components.ts';
import { type JsonSchema, toJsonSchema } from './json-schema.ts';
import type { Example, Header, MediaType, Response } from './types.ts';

export const JSON_TYPE = 'application/json';
export const XML_TYPE = 'application/xml';

const isObject = (value: unknown): value is JsonSchema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The schema with OpenAPI `xml` names as shared/http/xml.ts writes the document: the root element,
 * and each list as a wrapper of items named by `items` (else `Item`).
 */
export function withXmlNames(schema: JsonSchema, shape: XmlShape): JsonSchema {
  const items = shape.items ?? {};
  const name = (element: string, node: JsonSchema): JsonSchema => {
    const next: JsonSchema = { ...node };
    if (next.type === 'array' && isObject(next.items)) {
      next.xml = { name: element, wrapped: true };
      next.items = name(items[element] ?? 'Item', next.items);
      return next;
    }
    if (isObject(next.properties)) {
      next.properties = Object.fromEntries(
        Object.entries(next.properties).map(([key, child]) => [
          key,
          isObject(child) ? name(key, child) : child,
        ]),
      );
    }
    if (next.type !== undefined || next.properties !== undefined) next.xml = { name: element };
    return next;
  };
  return name(shape.root, schema);
}

/** A zod schema as a component, with its XML names: `output` for answers, `input` for bodies. */
export function bodySchema(
  name: string,
  schema: z.core.$ZodType,
  xml: XmlShape,
  io: 'input' | 'output' = 'output',
): { $ref: string } {
  return schemaComponent(name, withXmlNames(toJsonSchema(schema, io), xml));
}

/**
 * The same schema in JSON and XML. Examples are JSON values, so only the JSON form has them (an
 * XML document is a string, which no object schema accepts); descriptions show the XML.
 */
export function jsonAndXml(
  schema: JsonSchema | { $ref: string },
  examples: { json?: Record<string, Example> } = {},
): Record<string, MediaType> {
  return {
    [JSON_TYPE]: { schema, ...(examples.json ? { examples: examples.json } : {}) },
    [XML_TYPE]: { schema },
  };
}

/** KashFlow's error body, as a component. */
export const errorSchema = () =>
  schemaComponent('Error', withXmlNames(toJsonSchema(ErrorBodySchema, 'output'), ERROR_XML));

/**
 * An error answer in KashFlow's `{Error, Message}` shape: JSON and XML when a handler writes it
 * (it follows Accept), JSON only when only API Gateway does (its gateway responses cannot negotiate).
 */
export function errorResponse(
  description: string,
  errors: Record<string, ErrorBody>,
  options: { xml?: boolean; headers?: Record<string, Header | { $ref: string }> } = {},
): Response {
  const schema = errorSchema();
  const json = Object.fromEntries(Object.entries(errors).map(([key, value]) => [key, { value }]));
  return {
    description,
    ...(options.headers ? { headers: options.headers } : {}),
    content:
      options.xml === false ? { [JSON_TYPE]: { schema, examples: json } } : jsonAndXml(schema, { json }),
  };
}

/** A success answer: the component's body in JSON and XML. */
export function answer(
  description: string,
  schema: { $ref: string } | JsonSchema,
  options: {
    headers?: Record<string, Header | { $ref: string }>;
    examples?: { json?: Record<string, Example> };
  } = {},
): Response {
  return {
    description,
    ...(options.headers ? { headers: options.headers } : {}),
    content: jsonAndXml(schema, options.examples),
  };
}
