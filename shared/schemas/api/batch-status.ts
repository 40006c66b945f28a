/**
 * The answer of `GET /v2/customerstatements/bulk/email/{batchId}`. Loaded by the OpenAPI generator
 * only; the service's view type is checked against it (Assert below), so the two cannot drift.
 */
import * as z from 'zod';
import { RECIPIENT_STATES } from '../../domain/recipient-state.ts';
import { StatementTypeSchema } from '../../domain/statement-period.ts';
import type { BatchStatusView } from '../../services/get-batch-status.ts';
import type { Assert, Exact } from './same-type.ts';

/** Every state a customer's statement is reported in. */
export const DELIVERY_STATES = [
  'Queued',
  'Sent',
  'Delivered',
  'Bounced',
  'Complained',
  'Failed',
  'Skipped',
] as const;

/** One address of a sent statement and where the email got to for it. */
export const RecipientStateBodySchema = z.strictObject({
  Email: z.string(),
  Type: z.enum(['To', 'Cc', 'Bcc']),
  Status: z.enum(RECIPIENT_STATES),
  Reason: z.string().optional(),
  UpdatedAt: z.string().optional(),
});

/** One customer of the batch: the POST's answer for its code, then where its email got to. */
export const CustomerDeliveryBodySchema = z.strictObject({
  CustomerCode: z.string(),
  Sent: z.boolean(),
  Message: z.string(),
  State: z.enum(DELIVERY_STATES),
  SesMessageId: z.string().optional(),
  Reason: z.string().optional(),
  UpdatedAt: z.string(),
  Recipients: z.array(RecipientStateBodySchema).optional(),
});

/** The batch: the request's period and options, and each customer in request order. */
export const BatchStatusBodySchema = z.strictObject({
  BatchId: z.string(),
  CreatedAt: z.string(),
  StartDate: z.string(),
  EndDate: z.string(),
  FilterBy: z.string(),
  ExcludePaidInvoices: z.boolean(),
  StatementType: StatementTypeSchema,
  SkipNothingOwed: z.boolean(),
  Customers: z.array(CustomerDeliveryBodySchema),
});

/** Compile-time check (BatchStatusMatches): the documented schema and the type the code answers with are the same. */
export type BatchStatusMatches = Assert<Exact<z.infer<typeof BatchStatusBodySchema>, BatchStatusView>>;
