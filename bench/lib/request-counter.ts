import type { MiddlewareStack } from '@smithy/types';

// biome-ignore lint/suspicious/noExplicitAny: each client's stack has its own input and output types
type AnyClient = { middlewareStack: MiddlewareStack<any, any> };

/** Counts the HTTP requests a client sends (retries included), by command. */
export function countRequests(...clients: AnyClient[]) {
  const counts = new Map<string, number>();
  const name = `bench-counter-${Math.random()}`;
  for (const client of clients) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = String(context.commandName ?? '?').replace(/Command$/, '');
        counts.set(command, (counts.get(command) ?? 0) + 1);
        return next(args);
      },
      { step: 'finalizeRequest', name },
    );
  }
  return {
    total: () => [...counts.values()].reduce((sum, count) => sum + count, 0),
    describe: () => [...counts.entries()].map(([command, count]) => `${count} ${command}`).join(' + '),
    reset: () => counts.clear(),
    detach: () => {
      for (const client of clients) client.middlewareStack.remove(name);
    },
  };
}
