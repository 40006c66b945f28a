/**
 * The answers of `POST /v2/customerstatements/bulk/email`: KashFlow's status list, and a dry run's
 * statuses with what each email would be. Loaded by the OpenAPI generator only; the handler's
 * types are checked against these (Assert below), so the two cannot drift.
 */
import * as z from 'zod';
import type { CustomerStatementEmailStatus } from '../../domain/customer-status.ts';
import type { DryRunRecipient, DryRunStatus } from '../../services/preview-statement-emails.ts';
import type { StatementEmailOutcome } from '../../services/queue-statement-emails.ts';
import type { Assert, Exact } from './same-type.ts';

const RECIPIENT_LINES = ['To', 'Cc', 'Bcc'] as const;

/** KashFlow's status object: one per distinct customer code, in request order. */
export const CustomerStatementEmailStatusBodySchema = z.strictObject({
  CustomerCode: z.string(),
  Sent: z.boolean(),
  Message: z.string(),
});

/** The POST's answer: one status per distinct code. */
export const StatusListBodySchema = z.array(CustomerStatementEmailStatusBodySchema);

/** One address a dry run's email would go to, or leave off. */
export const DryRunRecipientBodySchema = z.strictObject({
  Email: z.string(),
  Type: z.enum(RECIPIENT_LINES),
  Status: z.enum(['WouldSend', 'NotSent']),
  Reason: z.string().optional(),
});

/** A dry run's status: KashFlow's, never `Sent`, and what the email would be. */
export const DryRunStatusBodySchema = z.strictObject({
  CustomerCode: z.string(),
  Sent: z.boolean(),
  Message: z.string(),
  DryRun: z.literal(true),
  Recipient: z.string().optional(),
  Recipients: z.array(DryRunRecipientBodySchema).optional(),
  Subject: z.string().optional(),
  Template: z.string().optional(),
  Balance: z.string().optional(),
  Overdue: z.string().optional(),
  LineCount: z.number().int().optional(),
});

/** `dryrun=1`'s answer. */
export const DryRunListBodySchema = z.array(DryRunStatusBodySchema);

type Status = z.infer<typeof CustomerStatementEmailStatusBodySchema>;
/** Compile-time check (StatusMatches): the documented schema and the type the code answers with are the same. */
export type StatusMatches = Assert<Exact<Status, CustomerStatementEmailStatus>>;
/** Compile-time check (StatusListMatches): the documented schema and the type the code answers with are the same. */
export type StatusListMatches = Assert<Exact<Status[], StatementEmailOutcome['statuses']>>;
/** Compile-time check (DryRunRecipientMatches): the documented schema and the type the code answers with are the same. */
export type DryRunRecipientMatches = Assert<
  Exact<z.infer<typeof DryRunRecipientBodySchema>, DryRunRecipient>
>;
/** Compile-time check (DryRunStatusMatches): the documented schema and the type the code answers with are the same. */
export type DryRunStatusMatches = Assert<Exact<z.infer<typeof DryRunStatusBodySchema>, DryRunStatus>>;
