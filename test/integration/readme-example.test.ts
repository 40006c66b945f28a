import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalGateway, startLocalGateway } from '../../infra/local/gateway.ts';
import { localRoutes } from '../../infra/local/routes.ts';
import { emailExampleStatements } from '../support/readme-example.ts';
import { exampleTenant, seedTenants } from '../support/tenants.ts';

const README = new URL('../../README.md', import.meta.url);
const EXAMPLE = new URL('../support/readme-example.ts', import.meta.url);

/** The TypeScript block of the README's "Calling it from TypeScript" section. */
function readmeSnippet(): string | undefined {
  const readme = readFileSync(README, 'utf8');
  const section = readme.split('### Calling it from TypeScript')[1]?.split('\n### ')[0] ?? '';
  return /```ts\n([\s\S]*?)```/.exec(section)?.[1];
}

const tenant = exampleTenant();
let gateway: LocalGateway;

describe("the README's TypeScript example", () => {
  beforeAll(async () => {
    await seedTenants(tenant);
    const { routes, authorizer } = await localRoutes();
    gateway = await startLocalGateway({ port: 0, routes, authorizer });
  });

  afterAll(async () => {
    await gateway.stop();
  });

  it('is test/support/readme-example.ts word for word, so the snippet typechecks', () => {
    expect(readmeSnippet()).toBe(readFileSync(EXAMPLE, 'utf8'));
  });

  it("gets the API page's example response and the batch's status URL through the local gateway", async () => {
    const { statuses, batch } = await emailExampleStatements(gateway.url, tenant.ApiTokens[0]);

    expect(statuses).toEqual([
      { CustomerCode: '101', Sent: true, Message: 'Marked to send' },
      { CustomerCode: 'CUST123', Sent: false, Message: 'Invalid customer code' },
      { CustomerCode: 'CUST2345', Sent: false, Message: 'Invalid customer email address' },
      { CustomerCode: '0065', Sent: true, Message: 'Marked to send' },
    ]);
    expect(batch).toMatch(/^\/v2\/customerstatements\/bulk\/email\/[0-9a-f-]{36}$/);
  });

  it("throws KashFlow's error, with its status, for a refused request", async () => {
    await expect(emailExampleStatements(gateway.url, 'not-a-real-token')).rejects.toThrow(
      '401 InvalidSessionToken: Session token provided is invalid.',
    );
  });
});
