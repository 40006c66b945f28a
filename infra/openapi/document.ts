/**
 * The API's OpenAPI 3.1 document, built from the route table (infra/api-routes.ts) and the
 * operations each paths module writes from the handlers' own zod schemas. Every route must have
 * an operation and every operation a route, or the build fails. `npm run openapi` writes it to
 * docs/openapi.json; the openapi function serves that file as built.
 */
import { API_ROUTES } from '../api-routes.ts';
import { registeredComponents, responseComponent } from './components.ts';
import { GATEWAY_ANSWERS } from './gateway-responses.ts';
import { LEDGER_OPERATIONS } from './paths-ledger.ts';
import { OPENAPI_OPERATIONS } from './paths-openapi.ts';
import { RUN_OPERATIONS } from './paths-runs.ts';
import { SCHEDULE_OPERATIONS } from './paths-schedules.ts';
import { STATEMENT_OPERATIONS } from './paths-statements.ts';
import type { Operation, Operations, Response } from './types.ts';

/** The local stack's address (`npm start`). */
export const LOCAL_SERVER_URL = 'http://127.0.0.1:3000';

/** Every paths module's operations, by `METHOD /resource`. */
export function allOperations(): Operations {
  const modules = [
    STATEMENT_OPERATIONS,
    RUN_OPERATIONS,
    SCHEDULE_OPERATIONS,
    LEDGER_OPERATIONS,
    OPENAPI_OPERATIONS,
  ];
  const operations: Operations = {};
  for (const module of modules) {
    for (const [key, operation] of Object.entries(module) as [keyof Operations, Operation][]) {
      if (operations[key] !== undefined) throw new Error(`Two operations for ${key}`);
      operations[key] = operation;
    }
  }
  return operations;
}

const TAGS = [
  { name: 'Statements', description: "KashFlow's bulk customer statement email, and each batch's delivery." },
  { name: 'Customers', description: "A customer's notes." },
  {
    name: 'Runs',
    description: 'Statement runs for any number of customers chosen by a rule (docs/runs.md).',
  },
  {
    name: 'Schedules',
    description: "KashFlow's statement schedules, which start runs by themselves (docs/schedules.md).",
  },
  {
    name: 'Ledger',
    description: "Customers, invoices, credit notes, payments, templates and settings, in KashFlow's shapes.",
  },
  { name: 'Discovery', description: 'This description.' },
];

const DESCRIPTION = `KashFlow REST v2 compatible bulk customer statement email, on AWS Lambda.

Every answer is JSON by default, or XML when \`Accept\` asks for \`application/xml\` (or \`text/xml\`); an \`Accept\` that allows neither is 406. Request bodies may be JSON or XML (\`Content-Type\`), UTF-8. Every error, the handlers' and API Gateway's own, has KashFlow's shape \`{"Error": "<Code>", "Message": "<human text>"}\` (XML: \`<ErrorResponse>\`; API Gateway's own answers are JSON only). A path or method that is not listed here is 404 \`NotFound\` from API Gateway. A path or query string that is not valid percent-encoded UTF-8 is 400 \`BadRequest\`, on any path.

This document is generated from the handlers' own schemas (\`npm run openapi\`); docs/api.md explains each rule.`;

/** The gateway's own answers a route can get, beside its handler's. */
function withGatewayAnswers(
  responses: Operation['responses'],
  route: { public?: boolean; hasBody: boolean },
): Operation['responses'] {
  const merged: Record<string, Response | { $ref: string }> = { ...responses };
  for (const answer of GATEWAY_ANSWERS) {
    if (answer.authorizedOnly && route.public) continue;
    if (answer.bodyOnly && !route.hasBody) continue;
    merged[answer.status] ??= responseComponent(`Gateway${answer.status}`, answer.response);
  }
  return Object.fromEntries(Object.entries(merged).sort(([a], [b]) => a.localeCompare(b)));
}

/** The OpenAPI 3.1 document. */
export function buildOpenApiDocument(): Record<string, unknown> {
  const operations = allOperations();
  const paths: Record<string, Record<string, unknown>> = {};
  const covered = new Set<string>();
  for (const route of API_ROUTES) {
    const key = `${route.method} ${route.resource}` as keyof Operations;
    const operation = operations[key];
    if (operation === undefined) throw new Error(`No OpenAPI operation for the route ${key}`);
    covered.add(key);
    const isPublic = 'public' in route && route.public === true;
    const { security, ...rest } = operation;
    paths[route.resource] ??= {};
    (paths[route.resource] as Record<string, unknown>)[route.method.toLowerCase()] = {
      ...rest,
      ...(isPublic ? { security: [] } : security ? { security } : {}),
      responses: withGatewayAnswers(operation.responses, {
        public: isPublic,
        hasBody: operation.requestBody !== undefined,
      }),
    };
  }
  const extra = Object.keys(operations).filter((key) => !covered.has(key));
  if (extra.length > 0) throw new Error(`OpenAPI operations without a route: ${extra.join(', ')}`);

  return {
    openapi: '3.1.1',
    info: {
      title: 'Statement mailer API',
      version: '2.0.0',
      summary: "KashFlow-compatible bulk customer statement email (KashFlow's REST v2 and beyond)",
      description: DESCRIPTION,
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
    },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    servers: [
      { url: LOCAL_SERVER_URL, description: 'The local stack (`npm start`): demo token `local-dev-token`.' },
      {
        url: 'https://{restApiId}.execute-api.{region}.amazonaws.com/{stage}',
        description: "A deployed stage (the stack's `ApiUrl` output), or a custom domain without the stage.",
        variables: {
          restApiId: { default: 'abcdef1234', description: "The REST API's id." },
          region: { default: 'eu-west-2', description: 'The AWS Region.' },
          stage: { default: 'dev', description: 'The stage name.' },
        },
      },
    ],
    security: [{ KfToken: [] }, { Bearer: [] }],
    tags: TAGS,
    paths,
    components: {
      securitySchemes: {
        KfToken: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description:
            "KashFlow's scheme: `Authorization: KfToken <token>` (the scheme in any letter case; the token 1 to 512 visible ASCII characters). A token belongs to one tenant.",
        },
        Bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'The same token as `Authorization: Bearer <token>`.',
        },
      },
      ...registeredComponents(),
    },
  };
}
