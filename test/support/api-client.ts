/**
 * The API's typed client: openapi-fetch over the types openapi-typescript generates from
 * docs/openapi.json (api-types.ts, `npm run openapi`). A path, method, parameter or body the
 * document does not have fails typecheck. The end-to-end tests and the benchmarks call the HTTP
 * API through it instead of building requests by hand.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './api-types.ts';
import { contractFetch } from './contract.ts';

export type { paths } from './api-types.ts';

/** A client of the API at `baseUrl`. */
export type ApiClient = Client<paths>;

export interface ApiClientOptions {
  /** The API's base URL: the local gateway's, or a stage's. */
  baseUrl: string;
  /** The tenant's token, sent as `Authorization: <scheme> <token>`; none for a request without one. */
  token?: string;
  /** KashFlow's `KfToken` by default; `Bearer` is accepted too. */
  scheme?: 'KfToken' | 'Bearer';
  /**
   * Check every answer against docs/openapi.json (test/support/contract.ts), so that an answer the
   * document does not allow fails the test that got it. On by default; off in the benchmarks,
   * whose timings should not include it.
   */
  checkContract?: boolean;
}

/** The typed client, with the tenant's token on every request. */
export function apiClient({
  baseUrl,
  token,
  scheme = 'KfToken',
  checkContract = true,
}: ApiClientOptions): ApiClient {
  return createClient<paths>({
    baseUrl,
    headers: token === undefined ? {} : { Authorization: `${scheme} ${token}` },
    ...(checkContract ? { fetch: contractFetch } : {}),
  });
}

/** A successful answer's body; else an error naming the URL, the status and the error body. */
export function dataOf<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data === undefined) {
    throw new Error(`${result.response.url}: ${result.response.status} ${JSON.stringify(result.error)}`);
  }
  return result.data;
}
