import { randomUUID } from 'node:crypto';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { StatementJob } from '#shared/schemas/statement-job.ts';

/** An SQS record as the event source mapping delivers it. */
export function sqsRecord(
  body: string | StatementJob,
  receiveCount = 1,
  messageId: string = randomUUID(),
): SQSRecord {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: String(Date.now()),
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-2:000000000000:test',
    awsRegion: 'eu-west-2',
  };
}

export const sqsEvent = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

export function statementJob(
  tenantId: string,
  customerCode: string,
  changes: Partial<StatementJob> = {},
): StatementJob {
  return {
    version: 1,
    tenantId,
    batchId: randomUUID(),
    customerCode,
    period: { start: '2026-01-01', end: '2026-03-31', filterAll: false, excludePaid: false },
    requestedAt: new Date().toISOString(),
    ...changes,
  };
}
