import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeItems } from '#shared/aws/dynamodb.ts';
import { hashToken } from '#shared/aws/dynamodb-tokens.ts';
import { tokenKey } from '#shared/aws/table-keys.ts';
import { AUTHORIZER_CACHE_TTL_SECONDS } from '../../infra/authorizer-cache.ts';
import { GATEWAY_ERRORS, type GatewayErrorResponse } from '../../infra/gateway-errors.ts';
import {
  LAMBDA_MAX_REQUEST_BYTES,
  type LocalGateway,
  type ProxyHandler,
  startLocalGateway,
  type TokenAuthorizer,
} from '../../infra/local/gateway.ts';
import { localRoutes } from '../../infra/local/routes.ts';
import { apiClient } from '../support/api-client.ts';
import { contractFetch } from '../support/contract.ts';
import { jobQueueUrl, receiveAll } from '../support/queues.ts';
import { exampleTenant, seedTenants } from '../support/tenants.ts';

const tenantA = exampleTenant();
const tenantB = exampleTenant({
  Customers: [{ Code: 'B1', Name: 'B one', Email: 'b1@b.example' }],
  Invoices: [],
});
const EXAMPLE_URL =
  '/v2/customerstatements/bulk/email?startdate=20130101&enddate=20131010&excludepaidinvoices=1&filterby=all';
const EXAMPLE_QUERY = {
  startdate: '20130101',
  enddate: '20131010',
  excludepaidinvoices: '1',
  filterby: 'all',
} as const;

let gateway: LocalGateway;

/** The typed client as the tenant's token: the requests a well-behaved integrator sends. */
const clientOf = (token: string | undefined, scheme?: 'KfToken' | 'Bearer') =>
  apiClient({ baseUrl: gateway.url, token, ...(scheme === undefined ? {} : { scheme }) });

/** A request built by hand (a bad token, body or encoding), its answer checked against the document. */
async function post(
  path: string,
  authorization: string | undefined,
  body: string,
  headers: Record<string, string> = {},
) {
  const response = await contractFetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(authorization === undefined ? {} : { Authorization: authorization }),
      ...headers,
    },
    body,
  });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

const INVALID_TOKEN = { Error: 'InvalidSessionToken', Message: 'Session token provided is invalid.' };

describe('the API through the local gateway, with the real authorizer', () => {
  beforeAll(async () => {
    await seedTenants(tenantA, tenantB);
    const { routes, authorizer } = await localRoutes();
    // The stack's cache TTL (the default here too), so that cross-token leaks would show.
    gateway = await startLocalGateway({ port: 0, routes, authorizer });
  });

  afterAll(async () => {
    await gateway.stop();
  });

  it("answers the API page's example request with the example response", async () => {
    const { data, response } = await clientOf(tenantA.ApiTokens[0]).POST(
      '/v2/customerstatements/bulk/email',
      { params: { query: EXAMPLE_QUERY }, body: ['101', 'CUST123', 'CUST2345', '0065'] },
    );

    expect(response.status).toBe(200);
    expect(data).toEqual([
      { CustomerCode: '101', Sent: true, Message: 'Marked to send' },
      { CustomerCode: 'CUST123', Sent: false, Message: 'Invalid customer code' },
      { CustomerCode: 'CUST2345', Sent: false, Message: 'Invalid customer email address' },
      { CustomerCode: '0065', Sent: true, Message: 'Marked to send' },
    ]);
    expect(response.headers.get('location')).toBe(
      `/v2/customerstatements/bulk/email/${response.headers.get('x-batch-id')}`,
    );
  });

  it.each([
    ['no Authorization header', undefined],
    ['an unknown token', 'KfToken not-a-real-token'],
    ['a malformed header', 'Token abc'],
    ['a scheme with no token', 'Bearer'],
  ])('answers 401 in KashFlow shape for %s', async (_, authorization) => {
    const response = await post(EXAMPLE_URL, authorization, '["101"]');

    expect(response.status).toBe(401);
    expect(JSON.parse(response.body)).toEqual(INVALID_TOKEN);
  });

  it('accepts the Bearer scheme too', async () => {
    const { data } = await clientOf(tenantA.ApiTokens[0], 'Bearer').POST(
      '/v2/customerstatements/bulk/email',
      {
        body: ['0065'],
      },
    );
    expect(data).toEqual([{ CustomerCode: '0065', Sent: true, Message: 'Marked to send' }]);
  });

  it("keeps tenants apart, and never serves one token's cached decision to another", async () => {
    const asA = await clientOf(tenantA.ApiTokens[0]).POST('/v2/customerstatements/bulk/email', {
      body: ['B1', '101'],
    });
    const asB = await clientOf(tenantB.ApiTokens[0]).POST('/v2/customerstatements/bulk/email', {
      body: ['B1', '101'],
    });

    expect(asA.data).toEqual([
      { CustomerCode: 'B1', Sent: false, Message: 'Invalid customer code' },
      { CustomerCode: '101', Sent: true, Message: 'Marked to send' },
    ]);
    expect(asB.data).toEqual([
      { CustomerCode: 'B1', Sent: true, Message: 'Marked to send' },
      { CustomerCode: '101', Sent: false, Message: 'Invalid customer code' },
    ]);
    const jobs = (await receiveAll(jobQueueUrl())).map((message) => JSON.parse(message.Body ?? '{}'));
    expect(jobs.filter((job) => job.customerCode === 'B1').every((job) => job.tenantId === tenantB.Id)).toBe(
      true,
    );
    expect(jobs.filter((job) => job.customerCode === '101').every((job) => job.tenantId === tenantA.Id)).toBe(
      true,
    );
  });

  it('refuses revoked and expired tokens', async () => {
    const now = Math.floor(Date.now() / 1000);
    await writeItems({
      puts: [
        { ...tokenKey(hashToken('revoked-token-1')), type: 'Token', tenantId: tenantA.Id, revoked: true },
        {
          ...tokenKey(hashToken('expired-token-1')),
          type: 'Token',
          tenantId: tenantA.Id,
          expiresAt: now - 60,
        },
      ],
      deletes: [],
    });

    const send = (token: string) =>
      clientOf(token).POST('/v2/customerstatements/bulk/email', {
        params: { query: EXAMPLE_QUERY },
        body: ['101'],
      });
    expect((await send('revoked-token-1')).response.status).toBe(401);
    expect((await send('expired-token-1')).response.status).toBe(401);
  });

  it('answers 404 in KashFlow shape for a route that does not exist', async () => {
    const response = await contractFetch(`${gateway.url}/v2/suppliers`, {
      headers: { Authorization: `KfToken ${tenantA.ApiTokens[0]}` },
    });

    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ Error: 'NotFound' });
  });

  it('answers 413 for a body over the API limit and for one over the gateway limit', async () => {
    const token = `KfToken ${tenantA.ApiTokens[0]}`;
    const overApi = await post(
      '/v2/customerstatements/bulk/email',
      token,
      JSON.stringify(Array(5_000).fill('123456789')),
    );
    const overGateway = await post(
      '/v2/customerstatements/bulk/email',
      token,
      'x'.repeat(10 * 1024 * 1024 + 1),
    );

    expect(overApi.status).toBe(413);
    expect(JSON.parse(overApi.body)).toEqual({
      Error: 'PayloadTooLarge',
      Message: 'Request body must not exceed 32768 bytes',
    });
    expect(overGateway.status).toBe(413);
  });

  it('answers in XML, errors included, when the client asks for XML', async () => {
    const response = await post(
      '/v2/customerstatements/bulk/email?startdate=20130230',
      `KfToken ${tenantA.ApiTokens[0]}`,
      '["101"]',
      {
        Accept: 'application/xml',
      },
    );

    expect(response.status).toBe(400);
    expect(response.body).toBe(
      '<?xml version="1.0" encoding="utf-8"?><ErrorResponse><Error>InvalidParameter</Error><Message>startdate must be a real calendar date in yyyymmdd format</Message></ErrorResponse>',
    );
  });

  it.each([
    ['GET', '/v2/customers/%E0%A4%A/notes', 'The request path /v2/customers/%E0%A4%A/notes'],
    ['GET', '/v2/customers/%FF/notes', 'The request path /v2/customers/%FF/notes'],
    ['GET', '/v2/customers/100%/notes', 'The request path /v2/customers/100%/notes'],
    ['GET', '/v2/%E0%A4%A/nothing-here', 'The request path /v2/%E0%A4%A/nothing-here'],
    ['POST', '/v2/customerstatements/bulk/email?startdate=%E0%A4%A', 'The query string parameter startdate'],
    [
      'POST',
      '/v2/customerstatements/bulk/email?filterby=all&enddate=2013%1',
      'The query string parameter enddate',
    ],
    ['POST', '/v2/customerstatements/bulk/email?%E0=1', 'The query string parameter name %E0'],
  ])('answers 400 naming it for malformed percent-encoding: %s %s', async (method, path, what) => {
    const tenant = exampleTenant();
    await seedTenants(tenant);
    for (const authorization of [`KfToken ${tenant.ApiTokens[0]}`, undefined]) {
      const response = await contractFetch(`${gateway.url}${path}`, {
        method,
        headers: {
          'Content-Type': 'application/json',
          ...(authorization === undefined ? {} : { Authorization: authorization }),
        },
        ...(method === 'POST' ? { body: '["101"]' } : {}),
      });

      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        Error: 'BadRequest',
        Message: `${what} is not valid percent-encoded UTF-8.`,
      });
    }
    const jobs = (await receiveAll(jobQueueUrl())).map((message) => JSON.parse(message.Body ?? '{}'));
    expect(jobs.filter((job) => job.tenantId === tenant.Id)).toEqual([]);
  });

  it('quotes at most 100 characters of a malformed path back to the client', async () => {
    const path = `/v2/customers/${'a'.repeat(5_000)}%E0%A4%A/notes`;
    const response = await contractFetch(`${gateway.url}${path}`);
    const body = (await response.json()) as { Error: string; Message: string };

    expect(response.status).toBe(400);
    expect(body.Message).toBe(`The request path ${path.slice(0, 100)}… is not valid percent-encoded UTF-8.`);
  });

  it("serves the ledger API's PUT and DELETE, and its default template before {number}", async () => {
    const tenant = exampleTenant();
    await seedTenants(tenant);
    const client = clientOf(tenant.ApiTokens[0]);
    const seven = { params: { path: { number: 7 } } };
    const template = { Name: 'Reminder', Subject: 'Your statement', Body: 'Dear customer' };

    const created = await client.PUT('/v2/emailtemplates/{number}', { ...seven, body: template });
    const read = await client.GET('/v2/emailtemplates/{number}', seven);
    // The literal resource has GET only: a PUT to it is no route, not template number "defaultStatementTemplate"
    // (built by hand: the typed client does not let a word be a template's number).
    const putDefault = await contractFetch(`${gateway.url}/v2/emailtemplates/defaultStatementTemplate`, {
      method: 'PUT',
      headers: { Authorization: `KfToken ${tenant.ApiTokens[0]}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(template),
    });
    const getDefault = await client.GET('/v2/emailtemplates/defaultStatementTemplate');
    const deleted = await client.DELETE('/v2/emailtemplates/{number}', seven);
    const gone = await client.GET('/v2/emailtemplates/{number}', seven);

    expect(created.response.status).toBe(201);
    expect(read.data).toMatchObject({ Number: 7, Name: 'Reminder', Subject: 'Your statement' });
    expect(putDefault.status).toBe(404);
    expect(await putDefault.json()).toEqual({ Error: 'NotFound', Message: 'No such resource.' });
    expect(getDefault.response.status).toBe(200);
    expect({ status: deleted.response.status, body: await deleted.response.text() }).toEqual({
      status: 204,
      body: '',
    });
    expect(gone.response.status).toBe(404);
    const templates = (await client.GET('/v2/emailtemplates')).data;
    expect(JSON.stringify(templates)).not.toContain('defaultStatementTemplate');
  });

  it('still decodes well-formed percent-encoding in the path and the query', async () => {
    const token = `KfToken ${tenantA.ApiTokens[0]}`;
    const notes = await contractFetch(`${gateway.url}/v2/customers/%31%30%31/notes`, {
      headers: { Authorization: token },
    });
    const dryRun = await post(
      '/v2/customerstatements/bulk/email?startdate=2013%30101&enddate=20131010&filterby=%41ll&dryrun=1',
      token,
      '["101"]',
    );

    expect(notes.status).toBe(200);
    expect(dryRun.status).toBe(200);
  });
});

describe('the authorizer cache', () => {
  it(`refuses a revoked token ${AUTHORIZER_CACHE_TTL_SECONDS} s after its revocation at the latest`, async () => {
    const tenant = exampleTenant();
    await seedTenants(tenant);
    const token = `revocable-${randomUUID()}`;
    const record = { ...tokenKey(hashToken(token)), type: 'Token', tenantId: tenant.Id };
    await writeItems({ puts: [record], deletes: [] });
    let now = Date.parse('2026-11-24T12:00:00Z');
    const { routes, authorizer } = await localRoutes();
    // The stack's TTL (the gateway's default) on a clock the test moves: no waiting.
    const clocked = await startLocalGateway({ port: 0, routes, authorizer, now: () => now });
    const client = apiClient({ baseUrl: clocked.url, token });
    const notes = () => client.GET('/v2/customers/{code}/notes', { params: { path: { code: '101' } } });
    try {
      expect((await notes()).response.status).toBe(200);
      await writeItems({ puts: [{ ...record, revoked: true }], deletes: [] });

      now += AUTHORIZER_CACHE_TTL_SECONDS * 1000 - 1;
      const withinBound = await notes();
      now += 1;
      const afterBound = await notes();

      // Within the bound the cached decision may still be served; at the bound it never is.
      expect(withinBound.response.status).toBe(200);
      expect(afterBound.response.status).toBe(401);
      expect(afterBound.error).toEqual(INVALID_TOKEN);
    } finally {
      await clocked.stop();
    }
  });
});

// The gateway's own mechanics, with stub routes that are not the API's: no document to check them against.
describe("the gateway's own answers", () => {
  it("are the CDK stack's gateway responses, from one table: 403, 404, 413, authorizer failure, failed integration", async () => {
    const failing: ProxyHandler = async () => {
      throw new Error('the function failed');
    };
    const policy = (effect: 'Allow' | 'Deny') => ({
      principalId: 'tenant',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: '*' }],
      },
    });
    const authorizer: TokenAuthorizer = async ({ authorizationToken }) => {
      if (authorizationToken === 'broken') throw new Error('the table is unreachable');
      return policy(authorizationToken === 'deny' ? 'Deny' : 'Allow');
    };
    const stub = await startLocalGateway({
      port: 0,
      routes: [{ method: 'POST', resource: '/v2/things/{id}', functionName: 'failing', handler: failing }],
      authorizer,
    });
    const answer = async (path: string, authorization: string, body = '{}') => {
      const response = await fetch(`${stub.url}${path}`, {
        method: 'POST',
        headers: { Authorization: authorization },
        body,
      });
      return { status: response.status, body: await response.json() };
    };
    const stackAnswer = (error: GatewayErrorResponse) => ({
      status: error.statusCode,
      body: { Error: error.code, Message: error.message },
    });
    try {
      expect(await answer('/v2/things/1', 'deny')).toEqual(stackAnswer(GATEWAY_ERRORS.accessDenied));
      expect(await answer('/v2/things/1', 'broken')).toEqual(stackAnswer(GATEWAY_ERRORS.authorizerFailure));
      expect(await answer('/v2/nothing', 'allow')).toEqual(stackAnswer(GATEWAY_ERRORS.notFound));
      expect(await answer('/v2/things/1', 'allow', 'x'.repeat(10 * 1024 * 1024 + 1))).toEqual(
        stackAnswer(GATEWAY_ERRORS.tooLarge),
      );
      // DEFAULT_5XX keeps API Gateway's own status and message for a failed Lambda integration.
      expect(await answer('/v2/things/1', 'allow')).toEqual({
        status: 502,
        body: { Error: GATEWAY_ERRORS.default5xx.code, Message: 'Internal server error' },
      });
    } finally {
      await stub.stop();
    }
  });
});

describe('routing PUT and DELETE, and what the function may be sent', () => {
  const allow: TokenAuthorizer = async () => ({
    principalId: 'tenant',
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: '*' }],
    },
  });
  const received: { route: string; method: string; path: string; parameters: unknown; body: unknown }[] = [];
  const route = (method: string, resource: string, statusCode: number) => ({
    method,
    resource,
    functionName: 'things',
    handler: (async (event) => {
      received.push({
        route: `${method} ${resource}`,
        method: event.httpMethod,
        path: event.path,
        parameters: event.pathParameters,
        body: event.body,
      });
      return statusCode === 204
        ? { statusCode, body: '' }
        : { statusCode, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(resource) };
    }) satisfies ProxyHandler,
  });
  let stub: LocalGateway;

  beforeAll(async () => {
    stub = await startLocalGateway({
      port: 0,
      // The {id} routes come first: the literal resource must win by being more specific, not by
      // its place in the table.
      routes: [
        route('GET', '/v2/things/{id}', 200),
        route('PUT', '/v2/things/{id}', 204),
        route('DELETE', '/v2/things/{id}', 204),
        route('GET', '/v2/things/special', 200),
        route('POST', '/v2/things/batch', 200),
      ],
      authorizer: allow,
    });
  });

  afterAll(async () => {
    await stub.stop();
  });

  const call = async (method: string, path: string, body?: string) => {
    received.length = 0;
    const response = await fetch(`${stub.url}${path}`, {
      method,
      headers: { Authorization: 'KfToken any' },
      ...(body === undefined ? {} : { body }),
    });
    return { status: response.status, body: await response.text(), received: [...received] };
  };

  it('answers a PUT and a DELETE through their function, a 204 with an empty body', async () => {
    const put = await call('PUT', '/v2/things/a%201', '{"Name":"A"}');
    const remove = await call('DELETE', '/v2/things/a%201');

    expect(put).toEqual({
      status: 204,
      body: '',
      received: [
        {
          route: 'PUT /v2/things/{id}',
          method: 'PUT',
          path: '/v2/things/a%201',
          parameters: { id: 'a 1' },
          body: '{"Name":"A"}',
        },
      ],
    });
    expect(remove).toEqual({
      status: 204,
      body: '',
      received: [
        {
          route: 'DELETE /v2/things/{id}',
          method: 'DELETE',
          path: '/v2/things/a%201',
          parameters: { id: 'a 1' },
          body: null,
        },
      ],
    });
  });

  it('routes a literal resource before a {parameter} beside it, and never to a method it lacks', async () => {
    const special = await call('GET', '/v2/things/special');
    const other = await call('GET', '/v2/things/ordinary');
    // API Gateway matches the resource first: the literal one has no PUT, so there is no route.
    const putSpecial = await call('PUT', '/v2/things/special', '{}');

    expect(special.body).toBe(JSON.stringify('/v2/things/special'));
    expect(other.body).toBe(JSON.stringify('/v2/things/{id}'));
    expect(putSpecial).toEqual({
      status: GATEWAY_ERRORS.notFound.statusCode,
      body: JSON.stringify({ Error: GATEWAY_ERRORS.notFound.code, Message: GATEWAY_ERRORS.notFound.message }),
      received: [],
    });
  });

  it("answers 500 without calling the function when the event passes Lambda's 6 MB request limit", async () => {
    // 3.75 MiB of JSON whose quotes JSON-escaping doubles: under API Gateway's 10 MB, over Lambda's 6 MB.
    const quoted = JSON.stringify(Array.from({ length: (5 * 1024 * 1024) / 4 }, () => ''));
    const plain = 'x'.repeat(5 * 1024 * 1024);
    expect(Buffer.byteLength(quoted)).toBeLessThan(LAMBDA_MAX_REQUEST_BYTES);
    expect(Buffer.byteLength(JSON.stringify(quoted))).toBeGreaterThan(LAMBDA_MAX_REQUEST_BYTES);

    const tooLarge = await call('POST', '/v2/things/batch', quoted);
    const fits = await call('POST', '/v2/things/batch', plain);

    expect(tooLarge).toEqual({
      status: 500,
      body: JSON.stringify({ Error: GATEWAY_ERRORS.default5xx.code, Message: 'Internal server error' }),
      received: [],
    });
    expect(fits.status).toBe(200);
    expect(fits.received).toHaveLength(1);
  });
});
