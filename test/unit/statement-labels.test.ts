import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { computeStatement } from '#shared/domain/statement.ts';
import { labelsFor, pickTranslation, statementLocale } from '#shared/render/labels.ts';
import { BUILT_IN_TEMPLATE, composeStatementEmail } from '#shared/render/statement-email.ts';
import { renderStatementPdf } from '#shared/render/statement-pdf.ts';
import type { CustomerRecord, TemplateRecord, TenantRecord } from '#shared/schemas/records.ts';
import { pdfText } from '../support/pdf-text.ts';

const tenant: TenantRecord = {
  tenantId: 't',
  name: 'Demo Trading Ltd',
  fromEmail: 'accounts@demo.example',
  timeZone: 'Europe/London',
  currency: 'GBP',
  locale: 'en-GB',
};
const customer: CustomerRecord = {
  code: '0065',
  name: 'Northwind',
  contactName: 'Oliver Brown',
  email: 'oliver@northwind.example',
};
const period = { start: '2026-11-01', end: '2026-11-30', filterAll: false, excludePaid: false };

/** An invoice of 12,345.67 on 25 November, a credit note and a payment on account: still owing. */
function statement() {
  return computeStatement(
    period,
    {
      invoices: [{ number: 1001, issuedDate: '2026-11-25', dueDate: '2026-12-25', totalMinor: 1_234_567 }],
      creditNotes: [{ number: 7, issuedDate: '2026-11-26', totalMinor: 10_000 }],
      payments: [{ number: 1, date: '2026-11-27', amountMinor: 5_000 }],
    },
    '2026-11-30',
  );
}

async function compose(language: string | undefined, template: TemplateRecord = BUILT_IN_TEMPLATE) {
  const email = await composeStatementEmail({
    tenant,
    customer: { ...customer, ...(language === undefined ? {} : { language }) },
    template,
    statement: await statement(),
    now: new Date('2026-11-30T09:00:00Z'),
    renderPdf: renderStatementPdf,
  });
  const parsed = await simpleParser(email.raw);
  const [attachment] = parsed.attachments;
  const pdf = await pdfText(attachment?.content ?? new Uint8Array());
  // Intl's narrow and no-break spaces (fr, es money) read as spaces; the PDF draws them so.
  const plain = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');
  const decodeEntities = (html: string) =>
    html
      .replace(/&#39;/g, "'")
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>');
  return {
    subject: parsed.subject ?? '',
    text: plain(parsed.text ?? ''),
    html: plain(decodeEntities(typeof parsed.html === 'string' ? parsed.html : '')),
    pdf: plain(pdf.text.join('\n')),
  };
}

/** What a native reader of each language expects to read, and its date and number formats. */
const LANGUAGES: {
  language: string;
  subject: string;
  greeting: string;
  labels: string[];
  page: string;
  date: string;
  money: string;
}[] = [
  {
    language: 'en',
    subject: 'Statement of account from Demo Trading Ltd',
    greeting: 'Dear Oliver Brown',
    labels: [
      'Statement of account for Northwind',
      'Opening balance',
      'Closing balance',
      'Due',
      'Debit',
      'Credit note 7',
      'Payment on account',
      'Amount due by age',
      'Over 90 days',
      'Total due',
    ],
    page: 'Page 1',
    // A bare `en` keeps the tenant's en-GB dates and numbers.
    date: '25 Nov 2026',
    money: '£12,345.67',
  },
  {
    language: 'fr',
    subject: 'Relevé de compte de Demo Trading Ltd',
    greeting: 'Bonjour Oliver Brown',
    labels: [
      'Relevé de compte de Northwind',
      "Solde d'ouverture",
      'Solde de clôture',
      'Échéance',
      'Débit',
      'Avoir 7',
      'Règlement non affecté',
      'Balance âgée',
      'Plus de 90 jours',
      'Total dû',
    ],
    page: 'Page 1',
    date: '25 nov. 2026',
    money: '12 345,67 £GB',
  },
  {
    language: 'de',
    subject: 'Kontoauszug von Demo Trading Ltd',
    greeting: 'Guten Tag Oliver Brown',
    labels: [
      'Kontoauszug für Northwind',
      'Anfangssaldo',
      'Endsaldo',
      'Fällig',
      'Soll',
      'Gutschrift 7',
      'Akontozahlung',
      'Offener Betrag nach Fälligkeit',
      'Über 90 Tage',
      'Fälliger Gesamtbetrag',
    ],
    page: 'Seite 1',
    date: '25. Nov. 2026',
    money: '12.345,67 £',
  },
  {
    language: 'es',
    subject: 'Extracto de cuenta de Demo Trading Ltd',
    greeting: 'Estimado/a Oliver Brown',
    labels: [
      'Extracto de cuenta de Northwind',
      'Saldo inicial',
      'Saldo final',
      'Vencimiento',
      'Debe',
      'Abono 7',
      'Pago a cuenta',
      'Importe pendiente por antigüedad',
      'Más de 90 días',
      'Total pendiente',
    ],
    page: 'Página 1',
    date: '25 nov 2026',
    money: '12.345,67 GBP',
  },
  {
    language: 'nl',
    subject: 'Rekeningoverzicht van Demo Trading Ltd',
    greeting: 'Beste Oliver Brown',
    labels: [
      'Rekeningoverzicht voor Northwind',
      'Beginsaldo',
      'Eindsaldo',
      'Vervaldatum',
      'Debet',
      'Creditnota 7',
      'Betaling op rekening',
      'Openstaand bedrag naar ouderdom',
      'Meer dan 90 dagen',
      'Totaal verschuldigd',
    ],
    page: 'Pagina 1',
    date: '25 nov 2026',
    money: '£ 12.345,67',
  },
];

describe('a statement in the customer language', () => {
  it.each(LANGUAGES)(
    'writes every label of the email, its HTML and its PDF in $language, its dates and numbers in its locale',
    async (expected) => {
      const { subject, text, html, pdf } = await compose(expected.language);

      expect(subject).toBe(expected.subject);
      for (const part of [text, html]) expect(part).toContain(expected.greeting);
      for (const part of [text, html, pdf]) {
        for (const label of [...expected.labels, expected.date, expected.money])
          expect(part).toContain(label);
      }
      expect(pdf).toContain(expected.page);
      expect(html).toContain(`<html lang="${expected.language === 'en' ? 'en-GB' : expected.language}">`);
    },
  );

  it('writes no English label in another language', async () => {
    const [english] = LANGUAGES;
    for (const { language } of LANGUAGES.slice(1)) {
      const { text, pdf } = await compose(language);
      for (const label of english?.labels ?? []) {
        expect(text).not.toContain(label);
        expect(pdf).not.toContain(label);
      }
    }
  });

  it('writes in the tenant locale for a customer without a Language', async () => {
    const { text } = await compose(undefined);

    expect(text).toContain('Opening balance');
    expect(text).toContain('25 Nov 2026');
  });

  it('reads a regional tag by its language (fr-BE in French)', async () => {
    const { subject, pdf } = await compose('fr-BE');

    expect(subject).toBe('Relevé de compte de Demo Trading Ltd');
    expect(pdf).toContain("Solde d'ouverture");
  });

  it('falls back to English words for a language it does not write (pt), in that locale', async () => {
    const { subject, text, pdf } = await compose('pt');

    expect(subject).toBe('Statement of account from Demo Trading Ltd');
    for (const part of [text, pdf]) {
      expect(part).toContain('Opening balance');
      expect(part).toContain('Amount due by age');
      expect(part).toContain('25 de nov. de 2026');
    }
  });
});

describe("a tenant's template with translations", () => {
  const template: TemplateRecord = {
    number: 3,
    name: 'Reminder',
    subject: 'Your statement, #NAME#',
    body: 'Hello #CONTACT#, you owe #BALANCE#.',
    isHtml: false,
    translations: [
      { language: 'fr', subject: 'Votre relevé, #NAME#', body: 'Bonjour #CONTACT#, vous devez #BALANCE#.' },
      { language: 'fr-CA', subject: 'Votre état de compte, #NAME#', body: 'Allô #CONTACT#.' },
    ],
  };

  it('uses the French translation for a fr customer', async () => {
    const { subject, text } = await compose('fr', template);

    expect(subject).toBe('Votre relevé, Northwind');
    expect(text).toContain('Bonjour Oliver Brown, vous devez 12 195,67 £GB.');
  });

  it('uses its own text for a de customer, the figures still in German', async () => {
    const { subject, text } = await compose('de', template);

    expect(subject).toBe('Your statement, Northwind');
    expect(text).toContain('Hello Oliver Brown, you owe 12.195,67 £.');
    expect(text).toContain('Anfangssaldo');
  });

  it('picks the exact tag first, then the bare language, then any of its regions', () => {
    const translations = [
      { language: 'fr-CA', subject: 'ca', body: '' },
      { language: 'fr', subject: 'fr', body: '' },
      { language: 'fr-BE', subject: 'be', body: '' },
      { language: 'de-AT', subject: 'at', body: '' },
    ];

    expect(pickTranslation(translations, 'fr-BE')?.subject).toBe('be');
    expect(pickTranslation(translations, 'fr-CH')?.subject).toBe('fr');
    expect(pickTranslation(translations, 'de')?.subject).toBe('at');
    expect(pickTranslation(translations, 'es')).toBeUndefined();
    expect(pickTranslation(undefined, 'fr')).toBeUndefined();
  });
});

describe('statementLocale and labelsFor', () => {
  it("chooses the customer's language, else the tenant's locale, keeping the tenant's region for its own language", () => {
    expect(statementLocale('en-GB', undefined)).toBe('en-GB');
    expect(statementLocale(undefined, undefined)).toBe('en-GB');
    expect(statementLocale('en-GB', 'en')).toBe('en-GB');
    expect(statementLocale('en-GB', 'fr')).toBe('fr');
    expect(statementLocale('fr-FR', 'fr-BE')).toBe('fr-BE');
  });

  it('reads every language by its primary subtag, English for any other', () => {
    expect(labelsFor('de-AT').language).toBe('de');
    expect(labelsFor('nl-BE').language).toBe('nl');
    expect(labelsFor('pt-BR').language).toBe('en');
    expect(labelsFor('ja').language).toBe('en');
  });

  it('translates the built-in template with the same tokens in every language', () => {
    const tokens = (text: string) => [...text.matchAll(/#[A-Z]+#/g)].map(([token]) => token).sort();
    expect(BUILT_IN_TEMPLATE.translations?.map(({ language }) => language)).toEqual(['fr', 'de', 'es', 'nl']);
    for (const translation of BUILT_IN_TEMPLATE.translations ?? []) {
      expect(tokens(translation.subject)).toEqual(tokens(BUILT_IN_TEMPLATE.subject));
      expect(tokens(translation.body)).toEqual(tokens(BUILT_IN_TEMPLATE.body));
    }
  });
});
