import type { MiddlewareStack } from '@smithy/types';

/** The names of the commands a client sent, counted by an SDK middleware on the real client. */
export interface RequestLog {
  count(command: string): number;
  total(): number;
  reset(): void;
  detach(): void;
}

// biome-ignore lint/suspicious/noExplicitAny: each client's stack has its own input and output types
type AnyClient = { middlewareStack: MiddlewareStack<any, any> };

/** Counts every request a client sends over the wire, retries included. */
export function recordRequests(client: AnyClient): RequestLog {
  const name = `request-log-${Math.random()}`;
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName ?? 'unknown').replace(/Command$/, '');
      counts.set(command, (counts.get(command) ?? 0) + 1);
      return next(args);
    },
    { step: 'finalizeRequest', name },
  );
  return {
    count: (command) => counts.get(command) ?? 0,
    total: () => [...counts.values()].reduce((sum, value) => sum + value, 0),
    reset: () => counts.clear(),
    detach: () => client.middlewareStack.remove(name),
  };
}
