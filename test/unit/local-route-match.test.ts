/**
 * The local gateway's route matching (infra/local/http-request.ts): literal text of a resource
 * matches only itself, as in API Gateway, so no path reaches a public route by a wildcard.
 */
import { describe, expect, it } from 'vitest';
import { API_ROUTES } from '../../infra/api-routes.ts';
import { matchRoute } from '../../infra/local/http-request.ts';

describe('matchRoute', () => {
  it('matches the public OpenAPI document by its literal path only', () => {
    expect(matchRoute(API_ROUTES, 'GET', '/v2/openapi.json')?.route.functionName).toBe('openapi');
    for (const path of [
      '/v2/openapiXjson',
      '/v2/openapi-json',
      '/v2/openapi.jsonx',
      '/v2/openapi.json.map',
    ]) {
      expect(matchRoute(API_ROUTES, 'GET', path), path).toBeUndefined();
    }
  });

  it('takes a parameter segment as one segment, and decodes it', () => {
    const found = matchRoute(API_ROUTES, 'GET', '/v2/customers/A%2FB.1/notes');
    expect(found?.route.functionName).toBe('customer-notes');
    expect(found?.pathParameters).toEqual({ code: 'A/B.1' });
    expect(matchRoute(API_ROUTES, 'GET', '/v2/customers/A/B/notes')).toBeUndefined();
  });
});
