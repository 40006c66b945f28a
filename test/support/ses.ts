import { setTimeout as sleep } from 'node:timers/promises';
import type { MiddlewareStack } from '@smithy/types';
import { inject } from 'vitest';
import { TABLE_DESIGN } from '#shared/aws/table-design.ts';
import { eventTags } from '../../infra/local/ses-event.ts';

export interface StoredEmail {
  messageId: string;
  from: string;
  replyTo: string[];
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { text?: string; html?: string };
  attachments: { filename?: string; contentType: string; size: number /** base64 */; content: string }[];
}

/** The emails the embedded SES has accepted whose recipient contains `recipientPart`. */
export async function sentEmails(recipientPart: string): Promise<StoredEmail[]> {
  const response = await fetch(`${inject('endpoints').ses}/store`);
  const { emails } = (await response.json()) as { emails: StoredEmail[] };
  return emails.filter((email) => email.destination.to.some((to) => to.includes(recipientPart)));
}

export async function waitFor<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(100);
  }
}

/** One email SES accepted, with the message tags SES puts on each of its events (`mail.tags`). */
export interface AcceptedSend {
  messageId: string;
  tags: Record<string, string[]>;
}

export interface SendWatch {
  sends: AcceptedSend[];
  detach(): void;
}

// biome-ignore lint/suspicious/noExplicitAny: each client's stack has its own input and output types
type AwsClient = { middlewareStack: MiddlewareStack<any, any> };

/**
 * Watches the real SES client's SendRawEmail calls. `onAccepted` runs when SES has accepted an
 * email and before the worker sees the answer, which is when SES's own events may already be on
 * their way (the job's sent marker is not written yet).
 */
export function watchSends(
  client: AwsClient,
  onAccepted: (send: AcceptedSend) => Promise<void> | void = () => undefined,
): SendWatch {
  const name = `send-watch-${Math.random()}`;
  const sends: AcceptedSend[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName !== 'SendRawEmailCommand') return result;
      const input = args.input as {
        ConfigurationSetName?: string;
        Tags?: { Name?: string; Value?: string }[];
      };
      const output = result.output as { MessageId?: string };
      const send: AcceptedSend = {
        messageId: String(output.MessageId),
        tags: eventTags(input.Tags ?? [], input.ConfigurationSetName),
      };
      sends.push(send);
      await onAccepted(send);
      return result;
    },
    { step: 'initialize', name },
  );
  return { sends, detach: () => client.middlewareStack.remove(name) };
}

/**
 * Makes the `BySesMessageId` index answer nothing, as a global secondary index may just after a
 * write (it is only eventually consistent); every other request goes through. Returns the undo.
 */
export function lagSesMessageIndex(client: AwsClient): () => void {
  const name = `index-lag-${Math.random()}`;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { IndexName?: string };
      if (context.commandName === 'QueryCommand' && input.IndexName === TABLE_DESIGN.sesMessageIndex.name)
        return { output: { Items: [], Count: 0, ScannedCount: 0, $metadata: {} }, response: {} };
      return next(args);
    },
    { step: 'initialize', name },
  );
  return () => client.middlewareStack.remove(name);
}
