import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as ses from '#shared/aws/ses.ts';
import { type SesFaultServer, startSesFaultServer } from '../support/ses-fault-server.ts';

let server: SesFaultServer;
const RAW = Buffer.from('From: a@b.example\r\nTo: c@d.example\r\nSubject: s\r\n\r\nbody');

describe('sendRawEmail against SES error answers (the SDK deserializes them)', () => {
  beforeAll(async () => {
    server = await startSesFaultServer();
    // Read when the adapter makes its client, at the first send: after this.
    process.env.AWS_ENDPOINT_URL_SES = server.endpoint;
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

  it("tags the send with its job's key, in the only characters SES allows in a tag", async () => {
    server.script = ['ok'];
    const bodies: string[] = [];
    const name = 'capture-ses-request';
    ses.sesClient().middlewareStack.add(
      (next) => async (args) => {
        bodies.push(String((args.request as { body?: unknown }).body));
        return next(args);
      },
      { step: 'finalizeRequest', name },
    );
    const job = {
      tenantId: 'demo',
      batchId: '5a2f0c1e-0000-4000-8000-000000000001',
      customerCode: 'MÜLLER/😀 #1',
    };
    try {
      await ses.sendRawEmail(RAW, { job });
    } finally {
      ses.sesClient().middlewareStack.remove(name);
    }

    const form = new URLSearchParams(bodies[0]);
    const tags = new Map<string, string>();
    for (let index = 1; form.has(`Tags.member.${index}.Name`); index += 1)
      tags.set(String(form.get(`Tags.member.${index}.Name`)), String(form.get(`Tags.member.${index}.Value`)));
    const decoded = (value: string | undefined) => Buffer.from(String(value), 'base64url').toString('utf8');
    expect([...tags.keys()]).toEqual(['job-tenant', 'job-batch', 'job-customer']);
    expect(decoded(tags.get('job-tenant'))).toBe(job.tenantId);
    expect(decoded(tags.get('job-batch'))).toBe(job.batchId);
    expect(decoded(tags.get('job-customer'))).toBe(job.customerCode);
    for (const value of tags.values()) expect(value).toMatch(/^[A-Za-z0-9_-]{1,256}$/);
  });
});
