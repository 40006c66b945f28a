import type { MiddlewareStack } from '@smithy/types';

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
