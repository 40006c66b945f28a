/**
 * zod 4's own JSON Schema output (`z.toJSONSchema`, draft 2020-12: OpenAPI 3.1's dialect) of the
 * schemas the handlers parse and answer with. Descriptions, examples and the rules a refinement
 * holds (which JSON Schema cannot read from a function) come from `API_DOCS`, a registry kept here
 * in the generator, never as `.meta()` on the schemas the Lambda bundles load.
 */
import * as z from 'zod';

/** Documentation of one schema: any JSON Schema keywords, merged into its output. */
export type SchemaDoc = Record<string, unknown> & { description?: string };

/** The generator's metadata registry: what is written about each handler schema. */
export const API_DOCS = z.registry<SchemaDoc>();

/** Attaches documentation to a schema the handlers use, without touching the schema itself. */
export function document<T extends z.core.$ZodType>(schema: T, doc: SchemaDoc): T {
  API_DOCS.remove(schema);
  API_DOCS.add(schema, doc);
  return schema;
}

/** A JSON Schema (2020-12) object. */
export type JsonSchema = Record<string, unknown>;

/**
 * The JSON Schema of a zod schema: `input` for what a client sends (before transforms and
 * defaults), `output` for what a handler answers. Refinements and transforms have no JSON Schema;
 * their rules are written in API_DOCS instead.
 */
export function toJsonSchema(schema: z.core.$ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...jsonSchema } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    metadata: API_DOCS,
    unrepresentable: 'any',
    reused: 'inline',
    cycles: 'throw',
    // zod bounds every integer by JavaScript's safe range; that says nothing to a client.
    override: ({ jsonSchema }) => {
      const schema = jsonSchema as JsonSchema;
      if (schema.maximum === Number.MAX_SAFE_INTEGER) delete schema.maximum;
      if (schema.minimum === Number.MIN_SAFE_INTEGER) delete schema.minimum;
    },
  }) as JsonSchema;
  return jsonSchema;
}

/**
 * The query parameters of a handler's query schema (a `z.object` of optional strings), each with
 * its documentation (registered on the schema's own field, so a renamed or removed field fails
 * here), in the schema's order.
 */
export function queryParameters<Shape extends Record<string, z.core.$ZodType>>(
  schema: z.ZodObject<Shape>,
  docs: { [Name in keyof Shape]?: SchemaDoc & { description: string; example?: string } },
  options: { omit?: (keyof Shape)[] } = {},
): {
  name: string;
  in: 'query';
  description: string;
  required: false;
  schema: JsonSchema;
  example?: string;
}[] {
  for (const [name, doc] of Object.entries(docs)) {
    const field = schema.shape[name];
    if (field === undefined || doc === undefined) throw new Error(`The query schema has no field ${name}`);
    const { example: _example, ...keywords } = doc;
    document(field, keywords);
  }
  const properties = (toJsonSchema(schema, 'input').properties ?? {}) as Record<string, JsonSchema>;
  return Object.entries(properties)
    .filter(([name]) => !(options.omit ?? []).includes(name))
    .map(([name, property]) => {
      const { description, ...propertySchema } = property;
      const example = docs[name]?.example;
      return {
        name,
        in: 'query' as const,
        description: String(description ?? ''),
        required: false as const,
        schema: propertySchema,
        ...(example === undefined ? {} : { example }),
      };
    });
}
