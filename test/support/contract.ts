/**
 * The contract tests: every HTTP answer the integration and reliability tests get is checked
 * against docs/openapi.json, the document the service publishes. An undocumented status, content
 * type, header or body field fails the test that got it, so the document cannot promise what the
 * handlers do not answer, nor the handlers answer what it does not promise.
 *
 * Hooked in centrally: `invoke` (test/support/api-events.ts) checks each proxy handler's answer,
 * `contractFetch` each answer through the local gateway (the typed client of api-client.ts uses it).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { matchRoute } from '../../infra/local/http-request.ts';

/** docs/openapi.json, as committed. */
export const OPENAPI_DOCUMENT_FILE = path.resolve(import.meta.dirname, '../../docs/openapi.json');

type JsonObject = Record<string, unknown>;

interface ResponseObject {
  description?: string;
  headers?: Record<string, { required?: boolean; schema?: JsonObject } | { $ref: string }>;
  content?: Record<string, { schema?: JsonObject }>;
}

interface OperationObject {
  responses: Record<string, ResponseObject | { $ref: string }>;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, OperationObject>>;
  components?: { schemas?: Record<string, JsonObject>; responses?: Record<string, ResponseObject> };
}

/** One HTTP answer, as a proxy handler returns it or as the gateway sent it. */
export interface ContractResponse {
  method: string;
  /** API Gateway's resource (`/v2/customers/{code}`), when known (a proxy event's `resource`). */
  resource?: string;
  /** The request's path, used when the resource is not one of the document's paths. */
  path: string;
  status: number;
  headers: Record<string, string | undefined>;
  body: string;
  isBase64Encoded?: boolean;
}

/**
 * Headers HTTP, API Gateway or the browser own, which an OpenAPI document does not list:
 * the body's framing and caching, CORS, and API Gateway's request id. Every other header an answer
 * carries must be documented on its status.
 */
const PROTOCOL_HEADERS = new Set([
  'content-type',
  'content-length',
  'content-encoding',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'date',
  'cache-control',
  'vary',
  'x-content-type-options',
  'x-amzn-requestid',
  'x-amz-apigw-id',
  'x-amzn-trace-id',
]);
const isProtocolHeader = (name: string) => PROTOCOL_HEADERS.has(name) || name.startsWith('access-control-');

const SCHEMAS_ID = 'urn:statement-mailer:openapi';

/** The document's `#/components/schemas/…` references, pointed at the schemas as ajv holds them. */
function withAjvReferences(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withAjvReferences);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => [
      key,
      key === '$ref' && typeof child === 'string' && child.startsWith('#/components/schemas/')
        ? `${SCHEMAS_ID}#/$defs/${child.slice('#/components/schemas/'.length)}`
        : withAjvReferences(child),
    ]),
  );
}

// ajv-formats is CommonJS: under NodeNext its default export is the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/** A compiled validator of the document: built once per document, then per schema on first use. */
export class ContractValidator {
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<JsonObject, ValidateFunction>();
  private readonly routes: { method: string; resource: string }[];
  /** The statuses every operation documents: API Gateway's own answers, which come before routing. */
  private readonly everyRouteStatuses: Set<string>;

  constructor(private readonly document: OpenApiDocument) {
    // OpenAPI's own keywords beside JSON Schema's: `xml` names, `example`.
    this.ajv = new Ajv2020({
      allErrors: true,
      strictTypes: false,
      strictTuples: false,
      strictRequired: false,
    });
    this.ajv.addVocabulary(['xml', 'example', 'externalDocs', 'discriminator']);
    addFormats(this.ajv);
    this.ajv.addSchema({
      $id: SCHEMAS_ID,
      $defs: withAjvReferences(document.components?.schemas ?? {}) as JsonObject,
    });
    this.routes = Object.entries(document.paths).flatMap(([resource, operations]) =>
      Object.keys(operations).map((method) => ({ method: method.toUpperCase(), resource })),
    );
    const statusSets = Object.values(document.paths)
      .flatMap((operations) => Object.values(operations))
      .map((operation) => new Set(Object.keys(operation.responses)));
    this.everyRouteStatuses = new Set(
      [...(statusSets[0] ?? [])].filter((status) => statusSets.every((set) => set.has(status))),
    );
  }

  private validator(schema: JsonObject): ValidateFunction {
    let validate = this.compiled.get(schema);
    if (validate === undefined) {
      validate = this.ajv.compile(withAjvReferences(schema) as JsonObject);
      this.compiled.set(schema, validate);
    }
    return validate;
  }

  private resolveResponse(response: ResponseObject | { $ref: string }): ResponseObject {
    if (!('$ref' in response)) return response;
    const name = response.$ref.replace('#/components/responses/', '');
    const resolved = this.document.components?.responses?.[name];
    if (resolved === undefined) throw new Error(`The document has no response ${response.$ref}`);
    return resolved;
  }

  /** The document's operation for the request: by its resource, else by matching its path. */
  private operation(
    method: string,
    resource: string | undefined,
    requestPath: string,
  ): { resource: string; operation: OperationObject } | undefined {
    const lower = method.toLowerCase();
    if (resource !== undefined) {
      const operation = this.document.paths[resource]?.[lower];
      if (operation !== undefined) return { resource, operation };
    }
    const matched = matchRoute(this.routes, method.toUpperCase(), requestPath);
    if (matched === undefined) return undefined;
    const operation = this.document.paths[matched.route.resource]?.[lower];
    return operation === undefined ? undefined : { resource: matched.route.resource, operation };
  }

  /** What in the answer the document does not allow; empty when it conforms. */
  violations(answer: ContractResponse): string[] {
    const found = this.operation(answer.method, answer.resource, answer.path);
    const where = `${answer.method.toUpperCase()} ${found?.resource ?? answer.path} ${answer.status}`;
    if (found === undefined) {
      // The document: "A path or method that is not listed here is 404 NotFound from API Gateway";
      // the gateway's answers before routing (on every operation) can come too.
      const status = String(answer.status);
      if (status !== '404' && !this.everyRouteStatuses.has(status)) {
        return [`${where}: no such operation in the document, and not a 404 or an answer every route has`];
      }
      return this.checkBody(where, answer, 'application/json', this.schemaNamed('Error'));
    }
    const { responses } = found.operation;
    const status = String(answer.status);
    const documented = responses[status] ?? responses[`${status[0]}XX`] ?? responses.default;
    if (documented === undefined) {
      return [`${where}: status not documented (documented: ${Object.keys(responses).join(', ')})`];
    }
    const response = this.resolveResponse(documented);
    const problems = this.checkHeaders(where, answer, response);
    const mediaType = headerOf(answer.headers, 'content-type')?.split(';')[0]?.trim().toLowerCase();
    if (response.content === undefined || Object.keys(response.content).length === 0) {
      if (answer.body !== '') problems.push(`${where}: a body where the document has none`);
      return problems;
    }
    if (mediaType === undefined) return [...problems, `${where}: no Content-Type`];
    const content = response.content[mediaType];
    if (content === undefined) {
      return [
        ...problems,
        `${where}: Content-Type ${mediaType} not documented (documented: ${Object.keys(response.content).join(', ')})`,
      ];
    }
    return [...problems, ...this.checkBody(where, answer, mediaType, content.schema)];
  }

  private schemaNamed(name: string): JsonObject {
    return { $ref: `#/components/schemas/${name}` };
  }

  private checkHeaders(where: string, answer: ContractResponse, response: ResponseObject): string[] {
    const problems: string[] = [];
    const documented = new Map(
      Object.entries(response.headers ?? {}).map(([name, header]) => [name.toLowerCase(), header]),
    );
    for (const [name, header] of documented) {
      if ('$ref' in header) throw new Error(`${where}: header references are not supported (${name})`);
      const value = headerOf(answer.headers, name);
      if (value === undefined) {
        if (header.required === true) problems.push(`${where}: the required header ${name} is missing`);
        continue;
      }
      if (header.schema !== undefined) {
        const validate = this.validator(header.schema);
        if (!validate(value))
          problems.push(`${where}: header ${name}: ${this.ajv.errorsText(validate.errors)}`);
      }
    }
    for (const name of Object.keys(answer.headers)) {
      const lower = name.toLowerCase();
      if (answer.headers[name] !== undefined && !documented.has(lower) && !isProtocolHeader(lower)) {
        problems.push(`${where}: header ${name} not documented`);
      }
    }
    return problems;
  }

  private checkBody(
    where: string,
    answer: ContractResponse,
    mediaType: string,
    schema: JsonObject | undefined,
  ): string[] {
    // XML: the status and media type are documented; its elements are the JSON schema's `xml` names.
    if (!mediaType.endsWith('json')) return [];
    const text = answer.isBase64Encoded ? Buffer.from(answer.body, 'base64').toString('utf8') : answer.body;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return [`${where}: the ${mediaType} body is not JSON`];
    }
    if (schema === undefined) return [];
    const validate = this.validator(schema);
    if (validate(body)) return [];
    return (validate.errors ?? []).map(
      (error) =>
        `${where}: body${error.instancePath} ${error.message ?? 'is invalid'}${
          error.keyword === 'additionalProperties'
            ? ` (${String((error.params as { additionalProperty?: string }).additionalProperty)})`
            : ''
        }`,
    );
  }
}

function headerOf(headers: Record<string, string | undefined>, name: string): string | undefined {
  const lower = name.toLowerCase();
  return Object.entries(headers).find(([key]) => key.toLowerCase() === lower)?.[1];
}

let shared: ContractValidator | undefined;

/** The validator of the committed docs/openapi.json, built on first use. */
export function contract(): ContractValidator {
  shared ??= new ContractValidator(
    JSON.parse(readFileSync(OPENAPI_DOCUMENT_FILE, 'utf8')) as OpenApiDocument,
  );
  return shared;
}

/** An answer the document does not allow. */
export class ContractViolationError extends Error {
  constructor(readonly violations: string[]) {
    super(`The answer breaks docs/openapi.json:\n  ${violations.join('\n  ')}`);
    this.name = 'ContractViolationError';
  }
}

/** Throws ContractViolationError when the answer breaks the document. */
export function assertContract(answer: ContractResponse, validator: ContractValidator = contract()): void {
  const violations = validator.violations(answer);
  if (violations.length > 0) throw new ContractViolationError(violations);
}

/** `fetch` that checks each answer of the API against the document before handing it back. */
export async function contractFetch(input: Request | string | URL, init?: RequestInit): Promise<Response> {
  const request = new Request(input, init);
  const response = await fetch(request);
  const url = new URL(request.url);
  assertContract({
    method: request.method,
    path: url.pathname,
    status: response.status,
    headers: Object.fromEntries(response.headers),
    body: await response.clone().text(),
  });
  return response;
}
