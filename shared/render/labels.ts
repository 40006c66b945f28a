/**
 * Every word a statement prints that is not the tenant's or the customer's own (headings, line
 * kinds, balances, ageing buckets, the PDF's page and date captions, the titles) in the languages
 * statements are written in, and how a statement's language is chosen: the customer's `Language`,
 * else the tenant's locale; a language not in the table is written in English.
 */
import type { StatementLine } from '../domain/statement.ts';

/** The languages statements are written in; any other falls back to English. */
export const STATEMENT_LANGUAGES = ['en', 'fr', 'de', 'es', 'nl'] as const;
/** A language a statement can be written in. */
export type StatementLanguage = (typeof STATEMENT_LANGUAGES)[number];

/** The table's column headings, keyed as the table's formatted rows. */
export interface HeadingLabels {
  date: string;
  type: string;
  reference: string;
  due: string;
  debit: string;
  credit: string;
  balance: string;
}

/** What one language calls each part of a statement. */
export interface StatementLabels {
  language: StatementLanguage;
  /** An activity statement's columns: each movement, and the balance after it. */
  activityHeadings: HeadingLabels;
  /** An outstanding statement's columns: each open item's own amount, what was paid on it, and what is open. */
  outstandingHeadings: HeadingLabels;
  lineKinds: Record<StatementLine['kind'], string>;
  openingBalance: string;
  closingBalance: string;
  /** The last row of an outstanding statement that is owed money. */
  totalOwed: string;
  /** A balance the customer is owed (the last row, or the last ageing line). */
  inCredit: string;
  ageing: {
    current: string;
    days1To30: string;
    days31To60: string;
    days61To90: string;
    over90: string;
    unappliedCredit: string;
    totalDue: string;
  };
  amountDueByAge: string;
  page: string;
  /** The PDF's caption of the statement date, e.g. `Statement date: 25 Nov 2026`. */
  statementDate(date: string): string;
  /** `#STARTDATE#` of a statement from the start of the ledger (`filter=all`). */
  beginning: string;
  activityTitle(name: string, code: string, start: string, end: string): string;
  outstandingTitle(name: string, code: string, end: string): string;
  /** The document's own words: its heading, captions, summary, paging, how to pay, the remittance slip. */
  document: DocumentLabels;
}

/** The words of the statement document around the table (statement-content.ts describes where each goes). */
export interface DocumentLabels {
  /** The document's heading: an activity statement's, an outstanding statement's. */
  activityHeading: string;
  outstandingHeading: string;
  account: string;
  statementDate: string;
  period: string;
  periodRange(start: string, end: string): string;
  vatNumber: string;
  companyNumber: string;
  phone: string;
  summary: string;
  invoiced: string;
  credits: string;
  payments: string;
  amountDue: string;
  overdue: string;
  broughtForward: string;
  carriedForward: string;
  pageOf(page: number, pages: number): string;
  howToPay: string;
  payNow: string;
  remittance: string;
  remittanceNote: string;
  customer: string;
  amountEnclosed: string;
}

const EN: StatementLabels = {
  language: 'en',
  activityHeadings: {
    date: 'Date',
    type: 'Type',
    reference: 'Invoice',
    due: 'Due',
    debit: 'Debit',
    credit: 'Credit',
    balance: 'Balance',
  },
  outstandingHeadings: {
    date: 'Date',
    type: 'Type',
    reference: 'Invoice',
    due: 'Due',
    debit: 'Original',
    credit: 'Paid/credited',
    balance: 'Open',
  },
  lineKinds: {
    invoice: 'Invoice',
    'credit-note': 'Credit note',
    payment: 'Payment',
    refund: 'Refund',
    'payment-on-account': 'Payment on account',
    'refund-on-account': 'Refund on account',
  },
  openingBalance: 'Opening balance',
  closingBalance: 'Closing balance',
  totalOwed: 'Total owed',
  inCredit: 'In credit',
  ageing: {
    current: 'Current',
    days1To30: '1–30 days',
    days31To60: '31–60 days',
    days61To90: '61–90 days',
    over90: 'Over 90 days',
    unappliedCredit: 'Less credit not yet applied',
    totalDue: 'Total due',
  },
  amountDueByAge: 'Amount due by age',
  page: 'Page',
  statementDate: (date) => `Statement date: ${date}`,
  beginning: 'the beginning',
  activityTitle: (name, code, start, end) => `Statement of account for ${name} (${code}), ${start} to ${end}`,
  outstandingTitle: (name, code, end) => `Statement of open items for ${name} (${code}) at ${end}`,
  document: {
    activityHeading: 'Statement',
    outstandingHeading: 'Statement of open items',
    account: 'Account',
    statementDate: 'Statement date',
    period: 'Period',
    periodRange: (start, end) => `${start} to ${end}`,
    vatNumber: 'VAT number',
    companyNumber: 'Company number',
    phone: 'Tel',
    summary: 'Account summary',
    invoiced: 'Invoiced',
    credits: 'Credit notes',
    payments: 'Payments received',
    amountDue: 'Amount due',
    overdue: 'Of which overdue',
    broughtForward: 'Brought forward',
    carriedForward: 'Carried forward',
    pageOf: (page, pages) => `Page ${page} of ${pages}`,
    howToPay: 'How to pay',
    payNow: 'Pay now',
    remittance: 'Remittance advice',
    remittanceNote: 'Please detach this slip and return it with your payment.',
    customer: 'Customer',
    amountEnclosed: 'Amount enclosed',
  },
};

const FR: StatementLabels = {
  language: 'fr',
  activityHeadings: {
    date: 'Date',
    type: 'Type',
    reference: 'Facture',
    due: 'Échéance',
    debit: 'Débit',
    credit: 'Crédit',
    balance: 'Solde',
  },
  outstandingHeadings: {
    date: 'Date',
    type: 'Type',
    reference: 'Facture',
    due: 'Échéance',
    debit: 'Montant',
    credit: 'Réglé',
    balance: 'Reste dû',
  },
  lineKinds: {
    invoice: 'Facture',
    'credit-note': 'Avoir',
    payment: 'Règlement',
    refund: 'Remboursement',
    'payment-on-account': 'Règlement non affecté',
    'refund-on-account': 'Remboursement non affecté',
  },
  openingBalance: "Solde d'ouverture",
  closingBalance: 'Solde de clôture',
  totalOwed: 'Total dû',
  inCredit: 'Solde créditeur',
  ageing: {
    current: 'Non échu',
    days1To30: '1 à 30 jours',
    days31To60: '31 à 60 jours',
    days61To90: '61 à 90 jours',
    over90: 'Plus de 90 jours',
    unappliedCredit: 'Moins crédit non affecté',
    totalDue: 'Total dû',
  },
  amountDueByAge: 'Balance âgée',
  page: 'Page',
  statementDate: (date) => `Date du relevé\u00a0: ${date}`,
  beginning: 'ouverture du compte',
  activityTitle: (name, code, start, end) => `Relevé de compte de ${name} (${code}), ${start} – ${end}`,
  outstandingTitle: (name, code, end) => `Relevé des factures ouvertes de ${name} (${code}) au ${end}`,
  document: {
    activityHeading: 'Relevé de compte',
    outstandingHeading: 'Relevé des factures ouvertes',
    account: 'Compte',
    statementDate: 'Date du relevé',
    period: 'Période',
    periodRange: (start, end) => `du ${start} au ${end}`,
    vatNumber: 'N° TVA',
    companyNumber: "N° d'immatriculation",
    phone: 'Tél.',
    summary: 'Récapitulatif du compte',
    invoiced: 'Facturé',
    credits: 'Avoirs',
    payments: 'Règlements reçus',
    amountDue: 'Montant dû',
    overdue: 'Dont échu',
    broughtForward: 'Report',
    carriedForward: 'À reporter',
    pageOf: (page, pages) => `Page ${page} sur ${pages}`,
    howToPay: 'Modalités de règlement',
    payNow: 'Payer maintenant',
    remittance: 'Avis de règlement',
    remittanceNote: 'Merci de détacher ce coupon et de le joindre à votre règlement.',
    customer: 'Client',
    amountEnclosed: 'Montant réglé',
  },
};

const DE: StatementLabels = {
  language: 'de',
  activityHeadings: {
    date: 'Datum',
    type: 'Art',
    reference: 'Rechnung',
    due: 'Fällig',
    debit: 'Soll',
    credit: 'Haben',
    balance: 'Saldo',
  },
  outstandingHeadings: {
    date: 'Datum',
    type: 'Art',
    reference: 'Rechnung',
    due: 'Fällig',
    debit: 'Betrag',
    credit: 'Beglichen',
    balance: 'Offen',
  },
  lineKinds: {
    invoice: 'Rechnung',
    'credit-note': 'Gutschrift',
    payment: 'Zahlung',
    refund: 'Erstattung',
    'payment-on-account': 'Akontozahlung',
    'refund-on-account': 'Akontoerstattung',
  },
  openingBalance: 'Anfangssaldo',
  closingBalance: 'Endsaldo',
  totalOwed: 'Offener Betrag',
  inCredit: 'Guthaben',
  ageing: {
    current: 'Nicht fällig',
    days1To30: '1–30 Tage',
    days31To60: '31–60 Tage',
    days61To90: '61–90 Tage',
    over90: 'Über 90 Tage',
    unappliedCredit: 'Abzüglich Guthaben',
    totalDue: 'Fälliger Gesamtbetrag',
  },
  amountDueByAge: 'Offener Betrag nach Fälligkeit',
  page: 'Seite',
  statementDate: (date) => `Auszugsdatum: ${date}`,
  beginning: 'Kontoeröffnung',
  activityTitle: (name, code, start, end) => `Kontoauszug für ${name} (${code}), ${start} – ${end}`,
  outstandingTitle: (name, code, end) => `Offene Posten von ${name} (${code}) zum ${end}`,
  document: {
    activityHeading: 'Kontoauszug',
    outstandingHeading: 'Aufstellung offener Posten',
    account: 'Kundennummer',
    statementDate: 'Auszugsdatum',
    period: 'Zeitraum',
    periodRange: (start, end) => `${start} bis ${end}`,
    vatNumber: 'USt-IdNr.',
    companyNumber: 'Registernummer',
    phone: 'Tel.',
    summary: 'Kontoübersicht',
    invoiced: 'Berechnet',
    credits: 'Gutschriften',
    payments: 'Zahlungseingänge',
    amountDue: 'Fälliger Betrag',
    overdue: 'Davon überfällig',
    broughtForward: 'Übertrag von Vorseite',
    carriedForward: 'Übertrag auf Folgeseite',
    pageOf: (page, pages) => `Seite ${page} von ${pages}`,
    howToPay: 'Zahlungshinweise',
    payNow: 'Jetzt bezahlen',
    remittance: 'Zahlungsavis',
    remittanceNote: 'Bitte abtrennen und mit Ihrer Zahlung zurücksenden.',
    customer: 'Kunde',
    amountEnclosed: 'Gezahlter Betrag',
  },
};

const ES: StatementLabels = {
  language: 'es',
  activityHeadings: {
    date: 'Fecha',
    type: 'Tipo',
    reference: 'Factura',
    due: 'Vencimiento',
    debit: 'Debe',
    credit: 'Haber',
    balance: 'Saldo',
  },
  outstandingHeadings: {
    date: 'Fecha',
    type: 'Tipo',
    reference: 'Factura',
    due: 'Vencimiento',
    debit: 'Importe',
    credit: 'Pagado',
    balance: 'Pendiente',
  },
  lineKinds: {
    invoice: 'Factura',
    'credit-note': 'Abono',
    payment: 'Pago',
    refund: 'Reembolso',
    'payment-on-account': 'Pago a cuenta',
    'refund-on-account': 'Reembolso a cuenta',
  },
  openingBalance: 'Saldo inicial',
  closingBalance: 'Saldo final',
  totalOwed: 'Total adeudado',
  inCredit: 'Saldo a su favor',
  ageing: {
    current: 'No vencido',
    days1To30: '1–30 días',
    days31To60: '31–60 días',
    days61To90: '61–90 días',
    over90: 'Más de 90 días',
    unappliedCredit: 'Menos crédito no aplicado',
    totalDue: 'Total pendiente',
  },
  amountDueByAge: 'Importe pendiente por antigüedad',
  page: 'Página',
  statementDate: (date) => `Fecha del extracto: ${date}`,
  beginning: 'apertura de la cuenta',
  activityTitle: (name, code, start, end) => `Extracto de cuenta de ${name} (${code}), ${start} – ${end}`,
  outstandingTitle: (name, code, end) => `Partidas pendientes de ${name} (${code}) a ${end}`,
  document: {
    activityHeading: 'Extracto de cuenta',
    outstandingHeading: 'Extracto de partidas pendientes',
    account: 'Cuenta',
    statementDate: 'Fecha del extracto',
    period: 'Periodo',
    periodRange: (start, end) => `del ${start} al ${end}`,
    vatNumber: 'NIF-IVA',
    companyNumber: 'N.º de registro',
    phone: 'Tel.',
    summary: 'Resumen de la cuenta',
    invoiced: 'Facturado',
    credits: 'Abonos',
    payments: 'Pagos recibidos',
    amountDue: 'Importe pendiente',
    overdue: 'Del cual vencido',
    broughtForward: 'Suma anterior',
    carriedForward: 'Suma y sigue',
    pageOf: (page, pages) => `Página ${page} de ${pages}`,
    howToPay: 'Cómo pagar',
    payNow: 'Pagar ahora',
    remittance: 'Aviso de pago',
    remittanceNote: 'Recorte este talón y devuélvalo con su pago.',
    customer: 'Cliente',
    amountEnclosed: 'Importe pagado',
  },
};

const NL: StatementLabels = {
  language: 'nl',
  activityHeadings: {
    date: 'Datum',
    type: 'Soort',
    reference: 'Factuur',
    due: 'Vervaldatum',
    debit: 'Debet',
    credit: 'Credit',
    balance: 'Saldo',
  },
  outstandingHeadings: {
    date: 'Datum',
    type: 'Soort',
    reference: 'Factuur',
    due: 'Vervaldatum',
    debit: 'Bedrag',
    credit: 'Voldaan',
    balance: 'Openstaand',
  },
  lineKinds: {
    invoice: 'Factuur',
    'credit-note': 'Creditnota',
    payment: 'Betaling',
    refund: 'Terugbetaling',
    'payment-on-account': 'Betaling op rekening',
    'refund-on-account': 'Terugbetaling op rekening',
  },
  openingBalance: 'Beginsaldo',
  closingBalance: 'Eindsaldo',
  totalOwed: 'Totaal verschuldigd',
  inCredit: 'Tegoed',
  ageing: {
    current: 'Niet vervallen',
    days1To30: '1–30 dagen',
    days31To60: '31–60 dagen',
    days61To90: '61–90 dagen',
    over90: 'Meer dan 90 dagen',
    unappliedCredit: 'Min niet verrekend tegoed',
    totalDue: 'Totaal verschuldigd',
  },
  amountDueByAge: 'Openstaand bedrag naar ouderdom',
  page: 'Pagina',
  statementDate: (date) => `Overzichtsdatum: ${date}`,
  beginning: 'opening van de rekening',
  activityTitle: (name, code, start, end) => `Rekeningoverzicht voor ${name} (${code}), ${start} – ${end}`,
  outstandingTitle: (name, code, end) => `Openstaande posten van ${name} (${code}) per ${end}`,
  document: {
    activityHeading: 'Rekeningoverzicht',
    outstandingHeading: 'Overzicht openstaande posten',
    account: 'Klantnummer',
    statementDate: 'Overzichtsdatum',
    period: 'Periode',
    periodRange: (start, end) => `${start} t/m ${end}`,
    vatNumber: 'Btw-nummer',
    companyNumber: 'KvK-nummer',
    phone: 'Tel.',
    summary: 'Samenvatting',
    invoiced: 'Gefactureerd',
    credits: 'Creditnota’s',
    payments: 'Ontvangen betalingen',
    amountDue: 'Te betalen',
    overdue: 'Waarvan vervallen',
    broughtForward: 'Van vorige pagina',
    carriedForward: 'Naar volgende pagina',
    pageOf: (page, pages) => `Pagina ${page} van ${pages}`,
    howToPay: 'Betaalinstructies',
    payNow: 'Nu betalen',
    remittance: 'Betaalstrook',
    remittanceNote: 'Knip deze strook af en stuur hem mee met uw betaling.',
    customer: 'Klant',
    amountEnclosed: 'Betaald bedrag',
  },
};

const LABELS: Record<StatementLanguage, StatementLabels> = { en: EN, fr: FR, de: DE, es: ES, nl: NL };

/** A BCP 47 tag's primary language subtag, lower-cased: `fr-BE` → `fr`. */
export function primaryLanguage(tag: string): string {
  return (tag.split('-')[0] ?? tag).toLowerCase();
}

/** The labels of a locale's language (by its primary subtag: `fr-BE` → French); English for any other. */
export function labelsFor(locale: string): StatementLabels {
  const primary = primaryLanguage(locale);
  return (STATEMENT_LANGUAGES as readonly string[]).includes(primary)
    ? LABELS[primary as StatementLanguage]
    : EN;
}

/**
 * The locale a customer's statement is written and formatted in: its `Language`, else the
 * tenant's locale (en-GB when it has none). A bare language the tenant's locale is a region of
 * (`en` for an en-GB tenant) keeps the tenant's region, so its dates and numbers stay as the
 * tenant writes them.
 */
export function statementLocale(
  tenantLocale: string | undefined,
  customerLanguage: string | undefined,
): string {
  const tenant = tenantLocale ?? 'en-GB';
  if (customerLanguage === undefined) return tenant;
  return customerLanguage === primaryLanguage(tenant) ? tenant : customerLanguage;
}

/** A template's text in one language. */
export interface TemplateText {
  language: string;
  subject: string;
  body: string;
}

/**
 * The translation of a template for a locale: the one with exactly its tag, else one in its
 * language (a bare `fr` before a `fr-CA`), else none (the template's own text is used).
 */
export function pickTranslation<T extends TemplateText>(
  translations: readonly T[] | undefined,
  locale: string,
): T | undefined {
  if (translations === undefined) return undefined;
  const wanted = locale.toLowerCase();
  const primary = primaryLanguage(locale);
  return (
    translations.find((translation) => translation.language.toLowerCase() === wanted) ??
    translations.find((translation) => translation.language.toLowerCase() === primary) ??
    translations.find((translation) => primaryLanguage(translation.language) === primary)
  );
}
