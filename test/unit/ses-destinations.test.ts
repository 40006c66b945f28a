import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SendPacer } from '#shared/aws/send-pacer.ts';
import { SesRejectedError, sendRawEmail } from '#shared/aws/ses.ts';

const ses = mockClient(SESClient);
const RAW = new TextEncoder().encode('From: a@b.example\r\n\r\nbody');

describe('sendRawEmail destinations', () => {
  beforeAll(() => {
    // A rate, so that the module's pacer paces; its waits are stubbed below (no timing in unit tests).
    process.env.SES_SEND_RATE_PER_WORKER = '1000';
  });

  afterEach(() => {
    ses.reset();
    vi.restoreAllMocks();
  });

  it('sends the envelope as Destinations (the Bcc copy included) and takes one pacing slot per recipient', async () => {
    const take = vi.spyOn(SendPacer.prototype, 'take').mockResolvedValue(undefined);
    ses.on(SendRawEmailCommand).resolves({ MessageId: 'ses-1' });
    const destinations = ['ann@acme.example', 'carol@acme.example', 'copies@demo.example'];

    const id = await sendRawEmail(RAW, { destinations });

    expect(id).toBe('ses-1');
    expect(ses.commandCalls(SendRawEmailCommand)[0]?.args[0].input.Destinations).toEqual(destinations);
    expect(take).toHaveBeenCalledTimes(3);
  });

  it('leaves Destinations out when none are given (SES reads the To and Cc headers)', async () => {
    vi.spyOn(SendPacer.prototype, 'take').mockResolvedValue(undefined);
    ses.on(SendRawEmailCommand).resolves({ MessageId: 'ses-2' });

    await sendRawEmail(RAW);

    expect(ses.commandCalls(SendRawEmailCommand)[0]?.args[0].input).not.toHaveProperty('Destinations');
  });

  it("refuses no destinations or more than SES's 50 without calling SES", async () => {
    const many = Array.from({ length: 51 }, (_, index) => `c${index}@acme.example`);

    await expect(sendRawEmail(RAW, { destinations: [] })).rejects.toThrow(SesRejectedError);
    await expect(sendRawEmail(RAW, { destinations: many })).rejects.toThrow(SesRejectedError);
    expect(ses.commandCalls(SendRawEmailCommand)).toHaveLength(0);
  });
});
