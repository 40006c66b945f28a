/**
 * SES faults through a fault server that speaks SES's own XML errors, so that the SDK's
 * deserializer and the adapter's retry rules run for real; accepted sends go on to the embedded
 * SES. Every job must still end sent once, failed with its reason, or dead-lettered, and the one
 * duplicate window (a response lost after SES accepted) is counted.
 */
import type { Context, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { handler } from '#functions/statement-worker/handler.ts';
import { type SesAnswer, type SesFaultServer, startSesFaultServer } from '../support/ses-fault-server.ts';
import { type RunOptions, runJobs } from './harness.ts';
import { recordFigure } from './report.ts';

let server: SesFaultServer;
let policy: (index: number) => SesAnswer = () => 'ok';
const runWorker = handler as unknown as (event: unknown, context: unknown) => Promise<unknown>;

/**
 * `workerTimeoutMs` must cover a delivery's slowest path (in-place throttling retries take seconds),
 * with the visibility timeout 6x that, as the stack sets it: a lease that lapses while its
 * delivery still runs would let a redelivery send again.
 */
async function scenario(
  name: string,
  jobs: number,
  decide: (index: number) => SesAnswer,
  options: RunOptions = {},
) {
  const start = server.requests.length;
  policy = (index) => decide(index - start);
  const run = await runJobs(
    name,
    jobs,
    (event: SQSEvent, context: Context) => runWorker(event, context) as never,
    options,
  );
  policy = () => 'ok';
  return { ...run, answers: server.requests.slice(start) };
}

const count = (answers: SesAnswer[], answer: SesAnswer) => answers.filter((given) => given === answer).length;

describe('SES faults', () => {
  beforeAll(async () => {
    server = await startSesFaultServer({
      forwardTo: inject('endpoints').ses,
      decide: (index) => policy(index),
    });
    // Read when the worker's SES client is made, at its first send: after this.
    process.env.AWS_ENDPOINT_URL_SES = server.endpoint;
  });

  afterAll(async () => {
    await server.stop();
  });

  it('absorbs Throttling (the sending rate) on 10% of sends: all sent once', async () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const { outcome, answers } = await scenario('throttle', 100, () => (random() < 0.1 ? 'throttle' : 'ok'), {
      workerTimeoutMs: 3_000,
      visibilitySeconds: 18,
    });
    expect(outcome).toMatchObject({ sent: 100, failed: 0, deadLettered: 0, duplicates: 0 });
    expect(count(answers, 'throttle')).toBeGreaterThan(0);
    recordFigure(
      'ses.throttling_10pct',
      count(answers, 'throttle'),
      'Throttling answers absorbed over 100 jobs: 100 sent, 0 duplicates',
    );
  });

  it('defers sends refused for the daily quota and sends them on redelivery', async () => {
    const { outcome, answers } = await scenario('quota', 10, (index) => (index < 15 ? 'daily-quota' : 'ok'));
    expect(outcome).toMatchObject({ sent: 10, failed: 0, deadLettered: 0, duplicates: 0 });
    recordFigure(
      'ses.daily_quota',
      count(answers, 'daily-quota'),
      'daily-quota refusals, each job deferred and sent on redelivery: 10 sent',
    );
  });

  it('fails a job SES rejects (MessageRejected), with the reason, and sends the others', async () => {
    const { outcome } = await scenario('rejected', 10, (index) => (index === 0 ? 'reject' : 'ok'));
    expect(outcome).toMatchObject({ sent: 9, failed: 1, deadLettered: 0, duplicates: 0 });
    const [reason] = [...outcome.failures.values()];
    expect(reason).toBe(
      'SES rejected the message: MessageRejected: Email address is not verified: <address>',
    );
    recordFigure(
      'ses.message_rejected',
      1,
      'rejected job marked Failed with the reason (address redacted); 9 others sent',
    );
  });

  it('waits out a paused account (AccountSendingPausedException) and sends everything', async () => {
    const { outcome, answers } = await scenario('paused', 10, (index) => (index < 10 ? 'paused' : 'ok'));
    expect(outcome).toMatchObject({ sent: 10, failed: 0, deadLettered: 0, duplicates: 0 });
    recordFigure(
      'ses.account_paused',
      count(answers, 'paused'),
      'sends refused while the account was paused; all 10 sent after',
    );
  });

  it('counts the one duplicate window: a response lost after SES accepted the email', async () => {
    const drops = 3;
    const { outcome, answers } = await scenario('dropped', 10, (index) =>
      index < drops ? 'accept-then-drop' : 'ok',
    );
    // Each lost response leaves the job Sending; the redelivery takes over and sends again.
    expect(outcome).toMatchObject({ sent: 10, failed: 0, deadLettered: 0 });
    expect(count(answers, 'accept-then-drop')).toBe(drops);
    expect(outcome.duplicates).toBe(drops);
    recordFigure(
      'ses.lost_response_window',
      outcome.duplicates,
      `duplicate emails from ${drops} responses lost after SES accepted (the documented window, each counted as PossibleDuplicateEmail)`,
    );
  });
});
