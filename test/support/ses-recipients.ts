import type { MiddlewareStack } from '@smithy/types';

/**
 * An SES event (infra/local/ses-event.ts `sesEvent`) naming these addresses, as SES names the
 * addresses an email went to: the mail's destination, and the delivered, bounced or complained
 * recipients of its kind.
 */
export function namingRecipients<E extends Record<string, unknown>>(
  event: E,
  addresses: readonly string[],
): E {
  const named = structuredClone(event) as Record<string, Record<string, unknown> | undefined>;
  const mail = named.mail;
  if (mail !== undefined) mail.destination = [...addresses];
  if (named.delivery !== undefined) named.delivery.recipients = [...addresses];
  if (named.bounce !== undefined) {
    const status = named.bounce.bounceType === 'Permanent' ? '5.1.1' : '4.2.2';
    named.bounce.bouncedRecipients = addresses.map((emailAddress) => ({
      emailAddress,
      action: 'failed',
      status,
    }));
  }
  if (named.complaint !== undefined) {
    named.complaint.complainedRecipients = addresses.map((emailAddress) => ({ emailAddress }));
  }
  return named as E;
}

/** What the worker asked SES to send: the envelope's destinations and the raw message. */
export interface RawSend {
  destinations: string[] | undefined;
  raw: string;
}

// biome-ignore lint/suspicious/noExplicitAny: each client's stack has its own input and output types
type AwsClient = { middlewareStack: MiddlewareStack<any, any> };

/** Records every SendRawEmail request of the client (its Destinations and raw message); returns the undo. */
export function recordRawSends(client: AwsClient): { sends: RawSend[]; detach(): void } {
  const name = `raw-sends-${Math.random()}`;
  const sends: RawSend[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'SendRawEmailCommand') {
        const input = args.input as { Destinations?: string[]; RawMessage?: { Data?: Uint8Array } };
        sends.push({
          destinations: input.Destinations,
          raw: Buffer.from(input.RawMessage?.Data ?? []).toString('latin1'),
        });
      }
      return next(args);
    },
    { step: 'initialize', name },
  );
  return { sends, detach: () => client.middlewareStack.remove(name) };
}
