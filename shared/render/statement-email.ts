/**
 * Composes a statement email: the template (the customer's, else the tenant's default, else the
 * built-in one) with its tokens filled, an HTML part with the statement table, a plain-text part
 * with the same lines, and the statement as a PDF attachment (rendered by the injected renderer).
 */
import type { Statement } from '../domain/statement.ts';
import {
  type StatementRecipients,
  statementRecipients,
  statementSender,
} from '../domain/statement-recipients.ts';
import { escapeHtml, renderTemplate } from '../domain/template.ts';
import type { CustomerRecord, TemplateRecord, TenantRecord } from '../schemas/records.ts';
import { pickTranslation, statementLocale } from './labels.ts';
import { buildRawMessage } from './mime.ts';
import { describeStatement, type StatementContent, type StatementLogo } from './statement-content.ts';
import { statementEmailHtml, statementEmailText } from './statement-html.ts';

/**
 * Used when neither the customer nor the tenant names a template; in English, and translated into
 * every language statements are written in (labels.ts), with the same tokens.
 */
export const BUILT_IN_TEMPLATE: TemplateRecord = {
  number: 0,
  name: 'Built-in statement',
  subject: 'Statement of account from #COMPANY#',
  body:
    '<p>Dear #CONTACT#,</p><p>Please find attached your statement of account for #STARTDATE# to #ENDDATE#.</p>' +
    '<p>Your balance is <strong>#BALANCE#</strong>, of which #OVERDUE# is overdue.</p><p>Kind regards,<br>#COMPANY#</p>',
  isHtml: true,
  translations: [
    {
      language: 'fr',
      subject: 'Relevé de compte de #COMPANY#',
      body:
        '<p>Bonjour #CONTACT#,</p><p>Veuillez trouver ci-joint votre relevé de compte pour la période #STARTDATE# – #ENDDATE#.</p>' +
        "<p>Votre solde s'élève à <strong>#BALANCE#</strong>, dont #OVERDUE# échu.</p><p>Cordialement,<br>#COMPANY#</p>",
    },
    {
      language: 'de',
      subject: 'Kontoauszug von #COMPANY#',
      body:
        '<p>Guten Tag #CONTACT#,</p><p>anbei erhalten Sie Ihren Kontoauszug für den Zeitraum #STARTDATE# – #ENDDATE#.</p>' +
        '<p>Ihr Saldo beträgt <strong>#BALANCE#</strong>, davon sind #OVERDUE# überfällig.</p><p>Mit freundlichen Grüßen<br>#COMPANY#</p>',
    },
    {
      language: 'es',
      subject: 'Extracto de cuenta de #COMPANY#',
      body:
        '<p>Estimado/a #CONTACT#:</p><p>Le adjuntamos su extracto de cuenta del periodo #STARTDATE# – #ENDDATE#.</p>' +
        '<p>Su saldo es de <strong>#BALANCE#</strong>, del cual #OVERDUE# está vencido.</p><p>Atentamente,<br>#COMPANY#</p>',
    },
    {
      language: 'nl',
      subject: 'Rekeningoverzicht van #COMPANY#',
      body:
        '<p>Beste #CONTACT#,</p><p>In de bijlage vindt u uw rekeningoverzicht over de periode #STARTDATE# – #ENDDATE#.</p>' +
        '<p>Uw saldo bedraagt <strong>#BALANCE#</strong>, waarvan #OVERDUE# vervallen is.</p><p>Met vriendelijke groet,<br>#COMPANY#</p>',
    },
  ],
};

/** The Content-ID the HTML shows the tenant's logo by. */
const LOGO_CONTENT_ID = 'logo@statement.invalid';

/** The statement cannot be emailed as it is: the job fails with this reason, nothing is sent. */
export class StatementEmailError extends Error {
  override readonly name = 'StatementEmailError';
}

/** The raw message and what the worker and the dry run report of it (recipient, template, figures, size). */
export interface ComposedEmail {
  raw: Buffer;
  subject: string;
  /** The first To address. */
  recipient: string;
  /** Every address the message goes to by line (Bcc only in the envelope), and those left off. */
  recipients: StatementRecipients;
  templateName: string;
  lineCount: number;
  /** The closing balance and the amount past due, formatted as in the email. */
  balance: string;
  overdue: string;
  /** The raw message's size; with `hasPdf` false it lacks the attachment. */
  bytes: number;
  hasPdf: boolean;
}

/** Renders the PDF attachment; injected so that code which only previews never loads pdf-lib. */
export type PdfRenderer = (
  content: StatementContent,
  meta: { company: string; subtitle: string },
) => Promise<Uint8Array>;

/** Everything one statement email is made from, read by the caller, so that composing does no I/O. */
export interface ComposeInput {
  tenant: TenantRecord;
  customer: CustomerRecord;
  template: TemplateRecord;
  statement: Statement;
  now: Date;
  /** The tenant's logo (its `LOGO` item), read by the caller when the tenant has one. */
  logo?: StatementLogo | undefined;
  /** Omitted: the message has no attachment (a dry run). */
  renderPdf?: PdfRenderer;
}

/** Plain text of an HTML template body: paragraphs and breaks as new lines, tags dropped. */
function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|h[1-6]|li|tr)>/gi, '\n\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function textToHtml(text: string): string {
  return text
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\n/g, '<br>')}</p>`)
    .join('');
}

/**
 * Builds the raw MIME message. Throws TemplateError for a template with unknown tokens and
 * StatementEmailError for an address that cannot be mailed.
 */
export async function composeStatementEmail(input: ComposeInput): Promise<ComposedEmail> {
  const { tenant, customer, template, statement, now, renderPdf, logo } = input;
  // Who it goes to (statement-recipients.ts); no valid address left for To cannot be mailed.
  const recipients = statementRecipients(customer, { bcc: tenant.bcc });
  const [addressee] = recipients.to;
  if (addressee === undefined) throw new StatementEmailError('Invalid customer email address');
  const locale = statementLocale(tenant.locale, customer.language);
  const content = describeStatement(statement, {
    company: tenant.name,
    customerCode: customer.code,
    customerName: customer.name,
    contactName: customer.contactName,
    currency: customer.currency ?? tenant.currency,
    locale,
    tenant: {
      address: tenant.address,
      vatNumber: tenant.vatNumber,
      companyNumber: tenant.companyNumber,
      phone: tenant.phone,
      website: tenant.website,
      email: tenant.replyTo,
      paymentInstructions: tenant.paymentInstructions,
      paymentLink: tenant.paymentLink,
      logo,
    },
    billingAddress: customer.addresses?.[0],
  });
  // The template's translation into the statement's language, else its own text.
  const { subject: subjectText, body } = pickTranslation(template.translations, locale) ?? template;
  const subject = renderTemplate(subjectText, content.tokens, 'header');
  const textBody = renderTemplate(template.isHtml ? htmlToText(body) : body, content.tokens, 'text');
  const htmlBody = template.isHtml ? renderTemplate(body, content.tokens, 'html') : textToHtml(textBody);
  // The logo travels with the HTML as an inline part (cid:), never as a URL to load.
  const inline =
    logo === undefined
      ? []
      : [
          {
            contentId: LOGO_CONTENT_ID,
            contentType: logo.contentType,
            filename: logo.contentType === 'image/png' ? 'logo.png' : 'logo.jpg',
            content: logo.bytes,
          },
        ];
  const html = statementEmailHtml(content, {
    subject,
    locale,
    html: htmlBody,
    logoSrc: logo === undefined ? undefined : `cid:${LOGO_CONTENT_ID}`,
  });
  const text = statementEmailText(content, { text: textBody });
  const pdf =
    renderPdf === undefined
      ? undefined
      : await renderPdf(content, {
          company: tenant.name,
          subtitle: content.labels.statementDate(content.tokens.STATEMENTDATE),
        });
  const raw = buildRawMessage({
    ...statementSender(tenant),
    to: recipients.to,
    cc: recipients.cc,
    subject,
    text,
    html,
    inline,
    attachments:
      pdf === undefined
        ? []
        : [
            {
              filename: `statement-${customer.code}-${statement.asOf}.pdf`,
              contentType: 'application/pdf',
              content: pdf,
            },
          ],
    date: now,
  });
  return {
    raw,
    subject,
    recipient: addressee.address,
    recipients,
    templateName: template.name,
    lineCount: statement.openItems?.length ?? statement.lines.length,
    balance: content.tokens.BALANCE,
    overdue: content.tokens.OVERDUE,
    bytes: raw.byteLength,
    hasPdf: pdf !== undefined,
  };
}
