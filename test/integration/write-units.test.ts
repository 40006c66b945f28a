/**
 * What a run's statement costs in DynamoDB writes (issue 14's cost goal): the write units the
 * worker and the ses-events function consume for one customer, as the table reports them
 * (ReturnConsumedCapacity; the emulator bills 1 WRU per KB, a transaction's items twice and a
 * refused conditional write 1). The guarantees stay those of docs/exactly-once.md: the other
 * integration and reliability tests check them; this one checks that they are kept cheaply.
 */
import { randomUUID } from 'node:crypto';
import type { MiddlewareStack } from '@smithy/types';
import type { Context, SNSEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as runFeeder } from '#functions/run-feeder/handler.ts';
import { handler as sesEvents } from '#functions/ses-events/handler.ts';
import { handler as worker } from '#functions/statement-worker/handler.ts';
import { dynamoDbClient } from '#shared/aws/dynamodb.ts';
import type { StatementPeriod } from '#shared/domain/statement-period.ts';
import { startRun } from '#shared/services/runs/start-run.ts';
import { lambdaContext } from '../../infra/local/lambda-context.ts';
import { type Poller, startPoller } from '../../infra/local/poller.ts';
import { sesEvent, snsEnvelope, tagsOfSend } from '../../infra/local/ses-event.ts';
import { jobQueueUrl, receiveAll } from '../support/queues.ts';
import { useRunFeedQueue } from '../support/run-queues.ts';
import { countRunJobs, manyCustomersTenant, waitForRun } from '../support/runs.ts';
import { sentEmails } from '../support/ses.ts';
import { sqsEvent, sqsRecord } from '../support/sqs-events.ts';
import { seedTenants } from '../support/tenants.ts';

// Read once per file: the whole run fed at once, so that the worker's writes are measured alone.
process.env.RUN_QUEUED_CAP = '50';
process.env.RUN_FEED_DELAY_SECONDS = '1';

const CUSTOMERS = 4;
const period: StatementPeriod = {
  start: '2026-08-01',
  end: '2026-10-31',
  filterAll: false,
  excludePaid: false,
};

// biome-ignore lint/suspicious/noExplicitAny: the client's stack has its own input and output types
type AnyClient = { middlewareStack: MiddlewareStack<any, any> };
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

/** The write units the table reports for every write the handlers' client makes, summed. */
function countWriteUnits(): { units: () => number; reset: () => void } {
  let units = 0;
  (dynamoDbClient() as AnyClient).middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName ?? '').replace(/Command$/, '');
      if (!WRITES.has(command)) return next(args);
      const input = args.input as { ReturnConsumedCapacity?: string; TransactItems?: unknown[] };
      input.ReturnConsumedCapacity = 'TOTAL';
      try {
        const result = await next(args);
        const consumed = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
        for (const entry of Array.isArray(consumed) ? consumed : [consumed])
          units += (entry as { CapacityUnits?: number } | undefined)?.CapacityUnits ?? 0;
        return result;
      } catch (error) {
        // A refused write is billed: a conditional write 1 unit, a transaction 2 per item.
        const name = (error as Error).name;
        if (name === 'ConditionalCheckFailedException') units += 1;
        if (name === 'TransactionCanceledException') units += 2 * (input.TransactItems?.length ?? 1);
        throw error;
      }
    },
    { step: 'initialize', name: `write-units-${Math.random()}` },
  );
  return { units: () => units, reset: () => (units = 0) };
}

describe('the write units of a run statement', () => {
  let feeder: Poller | undefined;
  beforeAll(async () => {
    await useRunFeedQueue();
  });
  afterAll(async () => {
    await feeder?.stop();
  });

  it('costs the worker at most 8 WRU, its Delivery event at most 4 and a repeated event none', async () => {
    const { tenant } = manyCustomersTenant(CUSTOMERS);
    await seedTenants(tenant);
    const runId = randomUUID();
    await startRun({
      tenantId: tenant.Id,
      runId,
      selection: { type: 'Owing' },
      period,
      origin: { type: 'Api' },
      now: new Date(),
    });
    feeder = await startPoller({
      queueUrl: process.env.RUN_FEED_QUEUE_URL ?? '',
      handler: runFeeder as never,
      functionName: 'run-feeder',
      functionTimeoutMs: 5_000,
      waitTimeSeconds: 0,
      onError: () => undefined,
    });
    const fed = await waitForRun(
      tenant.Id,
      runId,
      (run) => run.total === CUSTOMERS && run.counts.Queued === CUSTOMERS,
    );
    expect(fed?.counts.Queued).toBe(CUSTOMERS);
    await feeder.stop();
    const writes = countWriteUnits();

    // Prepare: the run's job messages, as the feeder queued them. Act: the worker sends them.
    const messages = (await receiveAll(jobQueueUrl())).filter((message) =>
      (message.Body ?? '').includes(runId),
    );
    expect(messages).toHaveLength(CUSTOMERS);
    writes.reset();
    const response = await (worker as unknown as (e: SQSEvent, c: Context) => Promise<SQSBatchResponse>)(
      sqsEvent(...messages.map((message) => sqsRecord(message.Body ?? '', 1, message.MessageId))),
      lambdaContext('worker'),
    );
    const workerUnits = writes.units();

    // Act: SES's Delivery event of each email, as SNS invokes the events function.
    const sent = await sentEmails(`.${tenant.Id}@run.example`);
    writes.reset();
    for (const email of sent) {
      const outcome = await (sesEvents as unknown as (e: SNSEvent, c: Context) => Promise<string[]>)(
        snsEnvelope(
          sesEvent('Delivery', email.messageId, { tags: await tagsOfSend(email.messageId) }),
        ) as unknown as SNSEvent,
        lambdaContext('ses-events'),
      );
      expect(outcome).toEqual(['applied']);
    }
    const eventUnits = writes.units();

    // Act: the same events again (SNS delivers at least once): nothing changes, nothing is written.
    writes.reset();
    for (const email of sent) {
      const outcome = await (sesEvents as unknown as (e: SNSEvent, c: Context) => Promise<string[]>)(
        snsEnvelope(
          sesEvent('Delivery', email.messageId, { tags: await tagsOfSend(email.messageId) }),
        ) as unknown as SNSEvent,
        lambdaContext('ses-events'),
      );
      expect(outcome).toEqual(['stale']);
    }
    const repeatUnits = writes.units();

    // Assess: every guarantee's outcome, then what it cost a statement.
    expect(response.batchItemFailures).toEqual([]);
    expect(sent).toHaveLength(CUSTOMERS);
    const run = await waitForRun(tenant.Id, runId, (r) => r.counts.Delivered === CUSTOMERS, 5_000);
    expect(run?.counts).toEqual((await countRunJobs(tenant.Id, runId)).counts);
    expect(run?.counts.Delivered).toBe(CUSTOMERS);
    expect(workerUnits / CUSTOMERS).toBeLessThanOrEqual(8);
    expect(eventUnits / CUSTOMERS).toBeLessThanOrEqual(4);
    expect(repeatUnits).toBe(0);
  });
});
