/**
 * The document's reusable parts: each schema and response is written once under
 * `#/components/…` and referred to wherever an operation uses it.
 */
import { isDeepStrictEqual } from 'node:util';
import type { JsonSchema } from './json-schema.ts';
import type { Response } from './types.ts';

const schemas = new Map<string, JsonSchema>();
const responses = new Map<string, Response>();

function put<T>(registry: Map<string, T>, name: string, value: T): void {
  const existing = registry.get(name);
  if (existing !== undefined && !isDeepStrictEqual(existing, value))
    throw new Error(`Two different components named ${name}`);
  registry.set(name, value);
}

/** The schema as `#/components/schemas/<name>`. */
export function schemaComponent(name: string, schema: JsonSchema): { $ref: string } {
  put(schemas, name, schema);
  return { $ref: `#/components/schemas/${name}` };
}

/** The response as `#/components/responses/<name>`. */
export function responseComponent(name: string, response: Response): { $ref: string } {
  put(responses, name, response);
  return { $ref: `#/components/responses/${name}` };
}

const sorted = <T>(registry: Map<string, T>) =>
  Object.fromEntries([...registry].sort(([a], [b]) => a.localeCompare(b)));

/** Every component registered so far. */
export const registeredComponents = () => ({ schemas: sorted(schemas), responses: sorted(responses) });
