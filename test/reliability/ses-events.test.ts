/**
 * SES events against the job records: events that arrive before the worker has written the sent
 * marker (and while the message-id index answers nothing), and soft bounces around a delivery.
 * Events go through the real ses-events handler as SNS invokes it, asynchronously: a failed
 * invocation is retried twice (in AWS about one and two minutes later, here once the worker is
 * done), then kept in the function's dead-letter queue. No event of ours may be dropped.
 */
import { randomUUID } from 'node:crypto';
import type { Context, SNSEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { handler as sesEventsHandler } from '#functions/ses-events/handler.ts';
import { handler as worker } from '#functions/statement-worker/handler.ts';
import { dynamoDbClient } from '#shared/aws/dynamodb.ts';
import { claimJob, getJob, type JobRef, markJobSending } from '#shared/aws/dynamodb-jobs.ts';
import { sesClient } from '#shared/aws/ses.ts';
import { jobMessageTags } from '#shared/aws/ses-message-tags.ts';
import { lambdaContext } from '../../infra/local/lambda-context.ts';
import { eventTags, type SesEventOptions, sesEvent, snsEnvelope } from '../../infra/local/ses-event.ts';
import { type AcceptedSend, lagSesMessageIndex, type SendWatch, watchSends } from '../support/ses.ts';
import { runJobs } from './harness.ts';
import { recordFigure } from './report.ts';

const runWorker = (event: SQSEvent, context: Context) =>
  (worker as unknown as (e: SQSEvent, c: Context) => Promise<SQSBatchResponse>)(event, context);
const handleEvent = (event: SNSEvent) =>
  (sesEventsHandler as unknown as (e: SNSEvent, c: Context) => Promise<string[]>)(
    event,
    lambdaContext('ses-events'),
  );

/** Lambda's retries of a failed asynchronous invocation, before the event goes to the DLQ. */
const LAMBDA_ASYNC_RETRIES = 2;

/** What became of each event: its last outcome, or the dead-letter queue. */
interface Delivery {
  name: string;
  event: SNSEvent;
  attempts: number;
  outcome?: string;
  deadLettered?: boolean;
}

/** SNS → Lambda, asynchronously: the first attempt now, the retries when `retry` is called. */
class AsyncInvoker {
  readonly deliveries: Delivery[] = [];
  private readonly failed: Delivery[] = [];

  async publish(name: string, event: SNSEvent): Promise<void> {
    const delivery: Delivery = { name, event, attempts: 0 };
    this.deliveries.push(delivery);
    await this.attempt(delivery, this.failed);
  }

  /** Lambda's two retries (a minute or two later in AWS); what still fails is dead-lettered. */
  async retry(): Promise<void> {
    for (let retry = 1; retry <= LAMBDA_ASYNC_RETRIES; retry += 1) {
      const due = this.failed.splice(0);
      for (const delivery of due) await this.attempt(delivery, this.failed);
    }
    for (const delivery of this.failed.splice(0)) delivery.deadLettered = true;
  }

  private async attempt(delivery: Delivery, failed: Delivery[]): Promise<void> {
    delivery.attempts += 1;
    try {
      [delivery.outcome] = await handleEvent(delivery.event);
    } catch {
      failed.push(delivery);
    }
  }

  get deadLettered() {
    return this.deliveries.filter((delivery) => delivery.deadLettered).length;
  }
  /** Events neither acknowledged as recorded nor kept in the DLQ: dropped. */
  get lost() {
    return this.deliveries.filter(
      (delivery) =>
        !delivery.deadLettered && !['applied', 'stale', 'noted'].includes(String(delivery.outcome)),
    ).length;
  }
}

const eventFor = (type: string, send: AcceptedSend, options: SesEventOptions = {}) =>
  snsEnvelope(sesEvent(type, send.messageId, { tags: send.tags, ...options })) as unknown as SNSEvent;

let watch: SendWatch | undefined;
let restoreIndex: (() => void) | undefined;

describe('SES events', () => {
  afterEach(() => {
    watch?.detach();
    restoreIndex?.();
    watch = undefined;
    restoreIndex = undefined;
  });

  it('keeps events that arrive before the sent marker (index not caught up): retried, all applied, 0 lost', async () => {
    const invoker = new AsyncInvoker();
    const count = 40;
    // SES publishes the event as soon as it has the email (a suppression-list bounce comes in
    // milliseconds): here before the worker gets SES's answer, so before the sent marker.
    const expected = new Map<string, string>();
    watch = watchSends(sesClient(), async (send) => {
      const bounce = expected.size % 2 === 1;
      expected.set(send.messageId, bounce ? 'Bounced' : 'Delivered');
      await invoker.publish(send.messageId, eventFor(bounce ? 'Bounce' : 'Delivery', send));
    });
    restoreIndex = lagSesMessageIndex(dynamoDbClient());

    // The events' first attempts run inside the worker's deliveries: a worker timeout that covers
    // them, and a visibility timeout 6x that, as the stack sets it.
    const { jobs, outcome } = await runJobs('early-events', count, runWorker, {
      workerTimeoutMs: 1_000,
      visibilitySeconds: 6,
    });
    watch.detach();
    expect(outcome).toMatchObject({ sent: count, failed: 0, deadLettered: 0, duplicates: 0 });
    expect(invoker.deliveries).toHaveLength(count);
    const refusedFirst = invoker.deliveries.filter((delivery) => delivery.outcome === undefined).length;

    await invoker.retry();

    const states = await Promise.all(jobs.map((job) => getJob(job)));
    const wrong = states.filter((record) => expected.get(String(record?.sesMessageId)) !== record?.state);
    expect(invoker.lost).toBe(0);
    expect(wrong).toHaveLength(0);
    expect(invoker.deadLettered).toBe(0);
    expect(invoker.deliveries.every((delivery) => delivery.outcome === 'applied')).toBe(true);
    expect(refusedFirst).toBe(count);
    recordFigure(
      'ses_events.before_sent_marker',
      refusedFirst,
      `events (Delivery, Bounce) that came before the sent marker, with the index answering nothing, refused and retried: ${count} applied, ${invoker.lost} lost, ${wrong.length} wrong states`,
    );
  });

  it('dead-letters, never drops, an event whose job is never marked sent (the worker died after SES accepted)', async () => {
    const invoker = new AsyncInvoker();
    const job: JobRef = { tenantId: 'ses-events-orphan', batchId: randomUUID(), customerCode: 'C0' };
    const now = new Date();
    await claimJob(job, 'worker-that-dies', now.getTime() + 60_000, now);
    await markJobSending(job, 'worker-that-dies', now);
    const send = { messageId: `ses-orphan-${job.batchId}`, tags: eventTags(jobMessageTags(job)) };

    await invoker.publish(send.messageId, eventFor('Delivery', send));
    await invoker.retry();

    expect(invoker.lost).toBe(0);
    expect(invoker.deliveries[0]).toMatchObject({ attempts: 1 + LAMBDA_ASYNC_RETRIES, deadLettered: true });
    expect((await getJob(job))?.state).toBe('Sending');
    recordFigure(
      'ses_events.never_marked_sent',
      invoker.deadLettered,
      `event of a job never marked sent: tried ${1 + LAMBDA_ASYNC_RETRIES} times, then in the function's DLQ (0 lost)`,
    );
  });

  it('keeps Delivered through soft bounces after delivery; a permanent bounce after delivery is Bounced', async () => {
    const invoker = new AsyncInvoker();
    const count = 30;
    watch = watchSends(sesClient());
    const { jobs, outcome } = await runJobs('soft-bounce', count, runWorker);
    watch.detach();
    expect(outcome).toMatchObject({ sent: count, failed: 0, deadLettered: 0, duplicates: 0 });

    // A third each: delivery then a soft bounce; a soft bounce then delivery; delivery then a
    // permanent bounce (the control: that one must still end Bounced).
    const expected = new Map<string, string>();
    for (const [index, send] of watch.sends.entries()) {
      const soft: SesEventOptions = { bounceType: index % 2 === 0 ? 'Transient' : 'Undetermined' };
      const order = index % 3;
      if (order === 0) {
        await invoker.publish(send.messageId, eventFor('Delivery', send));
        await invoker.publish(send.messageId, eventFor('Bounce', send, soft));
      } else if (order === 1) {
        await invoker.publish(send.messageId, eventFor('Bounce', send, soft));
        await invoker.publish(send.messageId, eventFor('Delivery', send));
      } else {
        await invoker.publish(send.messageId, eventFor('Delivery', send));
        await invoker.publish(send.messageId, eventFor('Bounce', send, { bounceType: 'Permanent' }));
      }
      expected.set(send.messageId, order === 2 ? 'Bounced' : 'Delivered');
    }
    await invoker.retry();

    const states = await Promise.all(jobs.map((job) => getJob(job)));
    const wrongBounced = states.filter(
      (record) => record?.state === 'Bounced' && expected.get(String(record.sesMessageId)) !== 'Bounced',
    ).length;
    const wrong = states.filter((record) => expected.get(String(record?.sesMessageId)) !== record?.state);
    const bounced = states.filter((record) => record?.state === 'Bounced').length;
    expect(wrongBounced).toBe(0);
    expect(invoker.lost).toBe(0);
    expect(wrong).toHaveLength(0);
    expect(bounced).toBe(count / 3);
    recordFigure(
      'ses_events.soft_bounce_after_delivery',
      wrongBounced,
      `jobs wrongly Bounced by a soft bounce (Transient or Undetermined) before or after delivery, of ${(count * 2) / 3}; ${bounced} of ${count / 3} Bounced by a permanent bounce after delivery`,
    );
  });
});
