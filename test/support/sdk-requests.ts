/**
 * Counts the requests SDK clients send over the wire, by command, with a middleware on the real
 * clients: the tests' request-count assertions and the API benchmark's request figure.
 */
import type { MiddlewareStack } from '@smithy/types';

/** The names of the commands the clients sent, counted by an SDK middleware on the real clients. */
export interface RequestLog {
  count(command: string): number;
  total(): number;
  /** `2 BatchGetItem + 4 SendMessageBatch`, in the order first sent. */
  describe(): string;
  reset(): void;
  detach(): void;
}

// biome-ignore lint/suspicious/noExplicitAny: each client's stack has its own input and output types
type AnyClient = { middlewareStack: MiddlewareStack<any, any> };

/** Counts every request the clients send over the wire, retries included. */
export function recordRequests(...clients: AnyClient[]): RequestLog {
  const name = `request-log-${Math.random()}`;
  const counts = new Map<string, number>();
  for (const client of clients) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = String(context.commandName ?? 'unknown').replace(/Command$/, '');
        counts.set(command, (counts.get(command) ?? 0) + 1);
        return next(args);
      },
      { step: 'finalizeRequest', name },
    );
  }
  return {
    count: (command) => counts.get(command) ?? 0,
    total: () => [...counts.values()].reduce((sum, value) => sum + value, 0),
    describe: () => [...counts.entries()].map(([command, count]) => `${count} ${command}`).join(' + '),
    reset: () => counts.clear(),
    detach: () => {
      for (const client of clients) client.middlewareStack.remove(name);
    },
  };
}
