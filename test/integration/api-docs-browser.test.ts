/**
 * The API reference at /docs in a real browser (Debian's Chromium driven by playwright-core, never
 * a browser download), served by the local gateway as `npm start` serves it, with the statement
 * worker fed from the queue: a new user's first minutes. The page sends the API page's example as
 * the demo tenant, the four statuses come back, and the SES viewer shows the two statements.
 * Screenshots are kept in test/artifacts/ (not committed).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { importFixture } from '#shared/seed/import-fixture.ts';
import { docsPages } from '../../infra/local/docs-page.ts';
import { type LocalGateway, startLocalGateway } from '../../infra/local/gateway.ts';
import { type Poller, startPoller } from '../../infra/local/poller.ts';
import { localRoutes } from '../../infra/local/routes.ts';
import { contractFetch } from '../support/contract.ts';
import { uniqueTenantId } from '../support/tenants.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = new URL('../artifacts/', import.meta.url).pathname;
const BULK_EMAIL_PATH = '/v2/customerstatements/bulk/email';

/** The API page's example response to its example request. */
const EXAMPLE_RESPONSE = [
  { CustomerCode: '101', Sent: true, Message: 'Marked to send' },
  { CustomerCode: 'CUST123', Sent: false, Message: 'Invalid customer code' },
  { CustomerCode: 'CUST2345', Sent: false, Message: 'Invalid customer email address' },
  { CustomerCode: '0065', Sent: true, Message: 'Marked to send' },
];

/**
 * The demo fixture `npm start` loads, as it is, under a tenant id and token of this test's own and
 * with its customers' valid addresses made unique, so that the SES viewer's emails from other
 * test files are never taken for this one's.
 */
function demoTenant() {
  const demo = JSON.parse(readFileSync(new URL('../../fixtures/demo.json', import.meta.url), 'utf8'));
  const tenant = demo.Tenants[0];
  tenant.Id = uniqueTenantId('docs');
  tenant.ApiTokens = [`token-${tenant.Id}`];
  for (const customer of tenant.Customers as { Email?: string }[])
    if (customer.Email?.includes('@')) customer.Email = customer.Email.replace('@', `.${tenant.Id}@`);
  return {
    fixture: demo,
    token: tenant.ApiTokens[0] as string,
    emailOf: (code: string) =>
      (tenant.Customers as { Code: string; Email: string }[]).find((customer) => customer.Code === code)
        ?.Email ?? '',
  };
}

const demo = demoTenant();
let gateway: LocalGateway;
let worker: Poller;
let browser: Browser;

beforeAll(async () => {
  await importFixture(demo.fixture, '2026-11-24');
  const functions = await localRoutes();
  gateway = await startLocalGateway({
    port: 0,
    routes: functions.routes,
    authorizer: functions.authorizer,
    pages: docsPages({ demoToken: demo.token }),
  });
  worker = await startPoller({
    queueUrl: process.env.JOB_QUEUE_URL ?? '',
    handler: functions.worker,
    batchSize: 10,
    concurrency: 2,
    functionTimeoutMs: 5_000,
  });
  browser = await chromium.launch({ executablePath: CHROMIUM });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
  await gateway?.stop();
});

/** A page that records every request it and its frames make, wherever they go. */
async function openPage(): Promise<{ context: BrowserContext; page: Page; requests: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const requests: string[] = [];
  context.on('request', (request) => requests.push(request.url()));
  const page = await context.newPage();
  // A missing element fails the test within seconds instead of playwright's 30 s.
  page.setDefaultTimeout(10_000);
  return { context, page, requests };
}

/** Clicks through Swagger UI: opens the bulk email operation, Try it out, Execute; returns its answer. */
async function sendExampleFromThePage(
  page: Page,
): Promise<{ status: string; body: string; operation: Locator }> {
  await page.goto(`${gateway.url}/docs`);
  const operation = page.locator('.opblock-post', {
    has: page.locator(`.opblock-summary-path[data-path="${BULK_EMAIL_PATH}"]`),
  });
  await operation.locator('.opblock-summary').click();
  await operation.getByRole('button', { name: 'Try it out' }).click();
  await operation.getByRole('button', { name: 'Execute' }).click();
  const answer = operation.locator('.live-responses-table .response');
  // The status cell's first line; "Undocumented" follows a status the spec lacks.
  const [status = ''] = (await answer.locator('.response-col_status').innerText()).trim().split('\n');
  const body = await answer.locator('.response-col_description .microlight').first().innerText();
  return { status, body, operation };
}

const isLocal = (url: string) => {
  const { protocol, hostname } = new URL(url);
  return !['http:', 'https:', 'ws:', 'wss:'].includes(protocol) || hostname === '127.0.0.1';
};

describe('the API reference at /docs, in Chromium', () => {
  it("sends the API page's example as the demo tenant, gets its four statuses, and the two statements reach the SES viewer, nothing leaving 127.0.0.1", async () => {
    const { context, page, requests } = await openPage();
    mkdirSync(ARTIFACTS, { recursive: true });

    const answer = await sendExampleFromThePage(page);
    await answer.operation.screenshot({ path: `${ARTIFACTS}api-docs-example.png` });

    expect(answer.status).toBe('200');
    expect(JSON.parse(answer.body)).toEqual(EXAMPLE_RESPONSE);

    await page.goto(`${inject('endpoints').ses}/`);
    for (const code of ['101', '0065']) {
      const email = page.locator('.email', { hasText: demo.emailOf(code) });
      // The viewer looks for new emails every second; the worker sends within a few.
      await email.waitFor({ timeout: 20_000 });
      expect(await email.count(), `statements for ${code}`).toBe(1);
      const shown = await email.innerText();
      expect(shown).toContain('Subject: Statement from Demo Trading Ltd');
      expect(shown).toMatch(new RegExp(`statement-${code}-\\d{4}-\\d{2}-\\d{2}\\.pdf`));
    }
    await page.screenshot({ path: `${ARTIFACTS}api-docs-ses-viewer.png`, fullPage: true });

    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((url) => !isLocal(url))).toEqual([]);
    await context.close();
  });

  it('is served without a token with a CSP of this origin only, with the spec it loads, and nothing else of the package', async () => {
    const page = await fetch(`${gateway.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.headers.get('content-security-policy')).toContain("connect-src 'self'");
    const html = await page.text();
    for (const [, source] of html.matchAll(/(?:src|href)="([^"]+)"/g)) {
      const asset = await fetch(`${gateway.url}${source}`);
      expect(asset.status, source).toBe(200);
    }

    // The spec the page loads is public, as the route has no authorizer in the stack.
    const spec = await contractFetch(`${gateway.url}/v2/openapi.json`);
    expect(spec.status).toBe(200);
    expect(await spec.json()).toMatchObject({ openapi: expect.stringMatching(/^3\.1\./) });

    const other = await fetch(`${gateway.url}/docs/assets/index.html`);
    expect(other.status).toBe(404);
    expect(await other.json()).toEqual({ Error: 'NotFound', Message: 'No such resource.' });
  });
});
