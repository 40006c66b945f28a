import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type SesFaultServer, startSesFaultServer } from '../support/ses-fault-server.ts';

let server: SesFaultServer;
let ses: typeof import('#shared/aws/ses.ts');
const RAW = Buffer.from('From: a@b.example\r\nTo: c@d.example\r\nSubject: s\r\n\r\nbody');

describe('sendRawEmail against SES error answers (the SDK deserializes them)', () => {
  beforeAll(async () => {
    server = await startSesFaultServer();
    process.env.AWS_ENDPOINT_URL_SES = server.endpoint;
    // Imported only now, so that its module-scope client uses the fault server.
    ses = await import('#shared/aws/ses.ts');
  });

  afterAll(async () => {
    await server.stop();
  });

  beforeEach(() => {
    server.requests.length = 0;
  });

  it('returns the message id SES gives', async () => {
    server.script = ['ok'];
    await expect(ses.sendRawEmail(RAW)).resolves.toMatch(/^fault-/);
  });

  it('retries Throttling for the sending rate until SES accepts', async () => {
    server.script = ['throttle', 'throttle', 'ok'];
    await expect(ses.sendRawEmail(RAW)).resolves.toMatch(/^fault-/);
    expect(server.requests).toEqual(['throttle', 'throttle', 'ok']);
  });

  it('does not retry the daily quota: the job waits for SQS to deliver it again', async () => {
    server.script = ['daily-quota'];
    await expect(ses.sendRawEmail(RAW)).rejects.toBeInstanceOf(ses.SesUnavailableError);
    expect(server.requests).toEqual(['daily-quota']);
  });

  it('does not retry MessageRejected: the message is refused for good', async () => {
    server.script = ['reject'];
    await expect(ses.sendRawEmail(RAW)).rejects.toBeInstanceOf(ses.SesRejectedError);
    expect(server.requests).toEqual(['reject']);
  });

  it('treats a paused account and a 5xx answer as not sent, without retrying in place', async () => {
    server.script = ['paused'];
    await expect(ses.sendRawEmail(RAW)).rejects.toBeInstanceOf(ses.SesUnavailableError);
    server.script = ['server-error'];
    await expect(ses.sendRawEmail(RAW)).rejects.toBeInstanceOf(ses.SesUnavailableError);
    expect(server.requests).toEqual(['paused', 'server-error']);
  });

  it('never lets the SDK resend after a lost response: one request, outcome unknown', async () => {
    server.script = ['drop', 'ok'];
    await expect(ses.sendRawEmail(RAW)).rejects.toBeInstanceOf(ses.SesOutcomeUnknownError);
    expect(server.requests).toEqual(['drop']);
  });

  it('gives up on a sending rate that stays exceeded, as not sent', async () => {
    server.script = Array(10).fill('throttle');
    await expect(ses.sendRawEmail(RAW)).rejects.toBeInstanceOf(ses.SesUnavailableError);
    expect(server.requests).toHaveLength(6);
  });
});
