import { describe, expect, it } from 'vitest';
import { handler as bulkEmailHandler } from '#functions/bulk-email-api/handler.ts';
import { apiEvent, invoke, jsonBody } from '../support/api-events.ts';
import {
  bodyOf,
  customerRecord as customer,
  emptyLedgerTenant as emptyTenant,
  invoiceRecord as invoice,
  JSON_HEADERS,
  tenantItems,
} from '../support/ledger-api.ts';

const CUSTOMER = '/v2/customers/{code}';
const INVOICE = '/v2/invoices/{number}';
const TEMPLATE = '/v2/emailtemplates/{number}';

/** What a bulk email dry run says it would send to these customers. */
async function dryRun(tenantId: string, codes: string[]) {
  return jsonBody<{ CustomerCode: string; Message: string; Subject?: string; Balance?: string }[]>(
    await invoke(
      bulkEmailHandler,
      apiEvent({ tenantId, query: { dryrun: '1', filterby: 'all' }, body: codes, headers: JSON_HEADERS }),
    ),
  );
}

const template = {
  Number: 4,
  Name: 'Reminder',
  Subject: 'Your statement from #COMPANY#',
  Body: '<p>Dear #CONTACT#, you owe #BALANCE#.</p>',
  Translations: [
    {
      Language: 'fr',
      Subject: 'Votre relevé de #COMPANY#',
      Body: '<p>Bonjour #CONTACT#, vous devez #BALANCE#.</p>',
    },
  ],
};

describe("statements in the customer's Language, through the ledger API", () => {
  it('writes a fr customer its statement in French (built-in template, money in fr), an en customer in the tenant locale', async () => {
    const { tenant, api } = await emptyTenant();
    await api.put(CUSTOMER, { params: { code: 'F1' }, body: customer('F1', { Language: 'fr' }) });
    await api.put(CUSTOMER, { params: { code: 'E1' }, body: customer('E1') });
    await api.put(INVOICE, { params: { number: '1' }, body: invoice(1, 'F1', { Total: '1730.50' }) });
    await api.put(INVOICE, { params: { number: '2' }, body: invoice(2, 'E1', { Total: '1730.50' }) });

    const [french, english] = await dryRun(tenant.Id, ['F1', 'E1']);

    expect(french).toMatchObject({
      Message: 'Would be sent',
      Subject: expect.stringMatching(/^Relevé de compte de /),
    });
    expect(french?.Balance?.replace(/\s/g, ' ')).toBe('1 730,50 £GB');
    expect(english).toMatchObject({
      Subject: expect.stringMatching(/^Statement of account from /),
      Balance: '£1,730.50',
    });
    expect(bodyOf(await api.get(CUSTOMER, { params: { code: 'F1' } }))).toMatchObject({ Language: 'fr' });
  });

  it("uses a template's French translation for a fr customer and its own text for a de one", async () => {
    const { tenant, api } = await emptyTenant();
    expect((await api.put(TEMPLATE, { params: { number: '4' }, body: template })).statusCode).toBe(201);
    for (const [code, Language] of [
      ['T1', 'fr'],
      ['T2', 'de'],
    ] as const) {
      await api.put(CUSTOMER, {
        params: { code },
        body: customer(code, { Language, EmailTemplateNumber: 4 }),
      });
      await api.put(INVOICE, {
        params: { number: code === 'T1' ? '11' : '12' },
        body: invoice(code === 'T1' ? 11 : 12, code),
      });
    }

    const [french, german] = await dryRun(tenant.Id, ['T1', 'T2']);

    expect(french?.Subject).toMatch(/^Votre relevé de /);
    expect(german?.Subject).toMatch(/^Your statement from /);
    expect(german?.Balance?.replace(/\s/g, ' ')).toBe('120,00 £');
    expect(bodyOf(await api.get(TEMPLATE, { params: { number: '4' } }))).toMatchObject({
      Translations: template.Translations,
    });
  });

  it('refuses a translation with an unknown token, naming Translations[0].Body, and writes nothing', async () => {
    const { tenant, api } = await emptyTenant();
    const before = await tenantItems(tenant.Id);

    const response = await api.put(TEMPLATE, {
      params: { number: '5' },
      body: {
        ...template,
        Number: 5,
        Translations: [{ Language: 'fr', Subject: 'Relevé', Body: 'Bonjour #CONTACTNAME#' }],
      },
    });

    expect(response.statusCode).toBe(400);
    expect(bodyOf(response)).toEqual({
      Error: 'InvalidRequestBody',
      Message: expect.stringMatching(/^Translations\[0\]\.Body: .*#CONTACTNAME#/),
    });
    expect(await tenantItems(tenant.Id)).toEqual(before);
  });

  it('refuses two translations in one language, and an unknown language tag, by name', async () => {
    const { api } = await emptyTenant();
    const put = (Translations: unknown[]) =>
      api.put(TEMPLATE, { params: { number: '6' }, body: { ...template, Number: 6, Translations } });
    const twice = template.Translations[0];

    expect(bodyOf(await put([twice, twice]))).toEqual({
      Error: 'InvalidRequestBody',
      Message: expect.stringMatching(/^Translations\[1\]\.Language: must not repeat/),
    });
    expect(bodyOf(await put([{ ...twice, Language: 'french' }]))).toEqual({
      Error: 'InvalidRequestBody',
      Message: expect.stringMatching(/^Translations\[0\]\.Language: /),
    });
    expect(bodyOf(await put(Array.from({ length: 11 }, () => twice)))).toEqual({
      Error: 'InvalidRequestBody',
      Message: 'Translations: must have at most 10 translations',
    });
    // The template and its translations are one item: their bodies share the body's limit.
    const half = { ...twice, Body: 'x'.repeat(60_000) };
    const response = await api.put(TEMPLATE, {
      params: { number: '6' },
      body: { ...template, Number: 6, Body: 'y'.repeat(60_000), Translations: [half] },
    });
    expect(response.statusCode).toBe(400);
    expect(bodyOf(response).Message).toMatch(
      /^Translations: must hold, with Body, at most 100000 characters/,
    );
  });
});
