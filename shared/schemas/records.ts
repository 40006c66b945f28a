/**
 * Records as stored in the table. Parsed whenever they are read, because a request's outcome
 * depends on them (a trust boundary like any other).
 */
import * as z from 'zod';
import { IsoDateSchema } from '../domain/calendar-date.ts';
import { StatementPeriodSchema } from '../domain/statement-period.ts';

export const TenantRecordSchema = z.object({
  tenantId: z.string(),
  name: z.string(),
  fromEmail: z.string(),
  timeZone: z.string(),
  currency: z.string().length(3),
  locale: z.string().optional(),
  defaultStatementTemplateNumber: z.number().int().optional(),
});
export type TenantRecord = z.infer<typeof TenantRecordSchema>;

export const TemplateRecordSchema = z.object({
  number: z.number().int(),
  name: z.string(),
  subject: z.string(),
  body: z.string(),
  isHtml: z.boolean(),
});
export type TemplateRecord = z.infer<typeof TemplateRecordSchema>;

export const CustomerRecordSchema = z.object({
  code: z.string(),
  name: z.string(),
  contactName: z.string().optional(),
  email: z.string().optional(),
  emailTemplateNumber: z.number().int().optional(),
});
export type CustomerRecord = z.infer<typeof CustomerRecordSchema>;

/** Money is held in integer minor units (pence, cents), never in floating point. */
/** Set when an address bounced (permanently) or complained; cleared in effect when the address changes. */
export const SuppressionRecordSchema = z.object({
  code: z.string(),
  address: z.string(),
  reason: z.enum(['Bounced', 'Complained']),
  at: z.string(),
});
export type SuppressionRecord = z.infer<typeof SuppressionRecordSchema>;

export const InvoiceRecordSchema = z.object({
  number: z.number().int(),
  customerCode: z.string(),
  issuedDate: IsoDateSchema,
  dueDate: IsoDateSchema,
  totalMinor: z.number().int(),
});
export type InvoiceRecord = z.infer<typeof InvoiceRecordSchema>;

export const PaymentRecordSchema = z.object({
  invoiceNumber: z.number().int(),
  customerCode: z.string(),
  date: IsoDateSchema,
  amountMinor: z.number().int(),
});
export type PaymentRecord = z.infer<typeof PaymentRecordSchema>;

export const TokenRecordSchema = z.object({
  tenantId: z.string(),
  /** Epoch seconds after which the token is refused; absent: it does not expire. */
  expiresAt: z.number().int().optional(),
  revoked: z.boolean().optional(),
});
export type TokenRecord = z.infer<typeof TokenRecordSchema>;

export const CustomerStatementEmailStatusSchema = z.object({
  CustomerCode: z.string(),
  Sent: z.boolean(),
  Message: z.string(),
});
/** KashFlow's status object, one per customer code of a bulk email request. */
export type CustomerStatementEmailStatus = z.infer<typeof CustomerStatementEmailStatusSchema>;

export const BatchRecordSchema = z.object({
  tenantId: z.string(),
  batchId: z.string(),
  createdAt: z.iso.datetime(),
  period: StatementPeriodSchema,
  statuses: z.array(CustomerStatementEmailStatusSchema),
});
export type BatchRecord = z.infer<typeof BatchRecordSchema>;
