/**
 * The local stack's API reference at /docs: Swagger UI (swagger-ui-dist, a dev dependency: the
 * deployed API publishes its spec at /v2/openapi.json but serves no page) with its assets served
 * from node_modules. It loads the spec from the same origin and is preauthorized with the demo
 * token, so a new user can send the API page's example from the page. Nothing is fetched from
 * anywhere else: the page's CSP allows this origin only, and Swagger UI's online validator is off.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { APIGatewayProxyResult } from 'aws-lambda';

export const DOCS_PATH = '/docs';
/** Where the API serves its OpenAPI document, without a token. */
export const SPEC_PATH = '/v2/openapi.json';

export interface DocsPageOptions {
  /** The token the page is preauthorized with (the demo tenant's); none leaves the user to type one. */
  demoToken?: string;
}

/** Answers a request for one of the page's own resources, or `undefined` for any other request. */
export type DocsPages = (method: string, path: string) => Promise<APIGatewayProxyResult | undefined>;

/** The files of swagger-ui-dist the page uses, and their types. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const SWAGGER_UI_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/**
 * This origin only; styles may be inline because Swagger UI sets some as attributes, and images
 * may be data: URLs because its stylesheet draws its icons with them.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  // The page and the package may change between two runs of the stack; both are local and cheap.
  'Cache-Control': 'no-cache',
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>statement mailer API reference</title>
<link rel="icon" type="image/png" href="${DOCS_PATH}/assets/favicon-32x32.png">
<link rel="stylesheet" href="${DOCS_PATH}/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${DOCS_PATH}/assets/swagger-ui-bundle.js"></script>
<script src="${DOCS_PATH}/boot.js"></script>
</body>
</html>
`;

/**
 * Starts Swagger UI on the spec, with two changes that hold only for this page:
 * - The spec's servers become this page's origin: the page may connect to it alone (its CSP), and
 *   the local stack's port is not always the spec's 3000 (API_PORT, or an OS-picked one in tests).
 * - Once the spec has loaded, the first security scheme that carries the Authorization header is
 *   given the demo token in its own form: an apiKey scheme `KfToken <token>` (KashFlow's), an http
 *   bearer scheme the token (Swagger UI adds `Bearer `). One scheme, so the header is never set twice.
 */
const bootScript = (demoToken: string | undefined) => `'use strict';
(() => {
  const demoToken = ${JSON.stringify(demoToken ?? null)};
  const thisOrigin = () => ({
    statePlugins: {
      spec: {
        wrapActions: {
          updateSpec: (updateSpec) => (text) => {
            try {
              const spec = JSON.parse(text);
              spec.servers = [{ url: window.location.origin, description: 'This local stack' }];
              return updateSpec(JSON.stringify(spec));
            } catch {
              return updateSpec(text);
            }
          },
        },
      },
    },
  });
  const tokenFor = (scheme) => {
    const type = scheme.get('type');
    if (type === 'apiKey' && scheme.get('in') === 'header' && String(scheme.get('name')).toLowerCase() === 'authorization')
      return 'KfToken ' + demoToken;
    if (type === 'http' && String(scheme.get('scheme')).toLowerCase() === 'bearer') return demoToken;
    return undefined;
  };
  const ui = SwaggerUIBundle({
    url: ${JSON.stringify(SPEC_PATH)},
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    plugins: [thisOrigin],
    layout: 'BaseLayout',
    validatorUrl: 'none',
    displayRequestDuration: true,
    onComplete: () => {
      if (demoToken === null) return;
      const schemes = ui.specSelectors.specJson().getIn(['components', 'securitySchemes']);
      const name = schemes && schemes.findKey((scheme) => tokenFor(scheme) !== undefined);
      if (name !== undefined) ui.preauthorizeApiKey(name, tokenFor(schemes.get(name)));
    },
  });
  window.ui = ui;
})();
`;

const text = (contentType: string, body: string): APIGatewayProxyResult => ({
  statusCode: 200,
  headers: { 'Content-Type': contentType, ...PAGE_HEADERS },
  body,
});

/** The page, its boot script and its assets, each read once from node_modules. */
export function docsPages(options: DocsPageOptions = {}): DocsPages {
  const boot = bootScript(options.demoToken);
  const assets = new Map<string, Promise<APIGatewayProxyResult>>();
  const asset = (name: string, contentType: string) => {
    let result = assets.get(name);
    if (result === undefined) {
      result = readFile(join(SWAGGER_UI_DIR, name)).then((bytes) => ({
        statusCode: 200,
        headers: { 'Content-Type': contentType, ...PAGE_HEADERS },
        body: bytes.toString('base64'),
        isBase64Encoded: true,
      }));
      assets.set(name, result);
    }
    return result;
  };

  return async (method, path) => {
    if (method !== 'GET') return undefined;
    if (path === DOCS_PATH || path === `${DOCS_PATH}/`) return text('text/html; charset=utf-8', PAGE);
    if (path === `${DOCS_PATH}/boot.js`) return text('text/javascript; charset=utf-8', boot);
    const name = path.startsWith(`${DOCS_PATH}/assets/`) ? path.slice(`${DOCS_PATH}/assets/`.length) : '';
    const contentType = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    return contentType === undefined ? undefined : asset(name, contentType);
  };
}
