/**
 * The parts of an OpenAPI 3.1 document the generator writes (a subset of the specification's
 * objects, https://spec.openapis.org/oas/v3.1.1).
 */
import type { JsonSchema } from './json-schema.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface Example {
  summary?: string;
  description?: string;
  value: unknown;
}

export interface MediaType {
  schema: JsonSchema;
  examples?: Record<string, Example>;
}

export interface Header {
  description: string;
  required?: boolean;
  schema: JsonSchema;
}

export interface Response {
  description: string;
  headers?: Record<string, Header | { $ref: string }>;
  content?: Record<string, MediaType>;
}

export interface Parameter {
  name: string;
  in: 'query' | 'path' | 'header';
  description: string;
  required?: boolean;
  schema: JsonSchema;
  example?: unknown;
}

export interface RequestBody {
  description: string;
  required: boolean;
  content: Record<string, MediaType>;
}

/** One operation as a paths module writes it; the document adds security and the gateway's answers. */
export interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  parameters?: (Parameter | { $ref: string })[];
  requestBody?: RequestBody;
  /** The handler's answers by status, its errors included. */
  responses: Record<string, Response | { $ref: string }>;
  security?: Record<string, string[]>[];
}

/** A paths module's operations, by `METHOD /resource` as in infra/api-routes.ts. */
export type Operations = Record<`${HttpMethod} /${string}`, Operation>;
