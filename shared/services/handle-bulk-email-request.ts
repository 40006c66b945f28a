import type { Logger } from '@aws-lambda-powertools/logger';
import type { PeriodRequest } from '../domain/statement-period.ts';
import { type DryRunOutcome, previewStatementEmails } from './preview-statement-emails.ts';
import { queueStatementEmails, type StatementEmailOutcome } from './queue-statement-emails.ts';
import { withIdempotencyKey } from './with-idempotency-key.ts';

/** What a client asks of POST /v2/customerstatements/bulk/email, validated. */
export interface BulkEmailRequest {
  period: PeriodRequest;
  /** `dryrun=1`: validate and render, queue and send nothing. */
  dryRun: boolean;
  /** Distinct codes in first-seen order, exactly as sent (leading zeros and case kept). */
  customerCodes: string[];
  idempotencyKey: string | undefined;
}

/** The POST's two answers: a dry run's preview, or the queued batch (`replayed` for a repeated key). */
export type BulkEmailResult =
  | { kind: 'dry-run'; preview: DryRunOutcome }
  | { kind: 'queued'; outcome: StatementEmailOutcome; replayed: boolean };

/**
 * A validated POST /v2/customerstatements/bulk/email: a dry run previews and writes nothing;
 * otherwise the statements are queued, at most once per Idempotency-Key.
 */
export async function handleBulkEmailRequest(
  tenantId: string,
  request: BulkEmailRequest,
  now: Date,
  log: Logger,
): Promise<BulkEmailResult> {
  const { customerCodes, period, dryRun, idempotencyKey } = request;
  if (dryRun)
    return {
      kind: 'dry-run',
      preview: await previewStatementEmails({ tenantId, customerCodes, period, now }, log),
    };
  // "The same request": the same codes in the same order and the same query; not the format asked for.
  const { outcome, replayed } = await withIdempotencyKey(
    tenantId,
    idempotencyKey,
    { customerCodes, period },
    (batch) => queueStatementEmails({ tenantId, customerCodes, period, now }, batch),
    now,
  );
  return { kind: 'queued', outcome, replayed };
}
