/**
 * SES's maximum send rate in front of the embedded SES: a token bucket of `rate` sends a second
 * (bucket of `rate`) that forwards a send to the emulator or answers SES's own Throttling XML. It
 * records when each send was accepted and the tenant it was for (the part of the benchmark
 * fixtures' address `<code>.<tenant>@bench.example` between the first dot and the @); addresses
 * are never kept or printed.
 */
import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AcceptedSend {
  /** performance.now() when the send was let through. */
  at: number;
  /** The recipient's tenant (benchmark fixtures only); '' when the send named no recipient. */
  tenantId: string;
  /** The recipient's customer code, lower case. */
  code: string;
}

export interface SesLimiter {
  endpoint: string;
  accepted: AcceptedSend[];
  throttled: number;
  stop(): Promise<void>;
}

/** The tenant and code of a benchmark fixture's address, from SendRawEmail's form body. */
function recipientOf(body: Buffer): { tenantId: string; code: string } {
  const address = new URLSearchParams(body.toString('utf8')).get('Destinations.member.1') ?? '';
  const local = address.slice(0, address.indexOf('@'));
  const dot = local.indexOf('.');
  return dot < 0 ? { tenantId: '', code: '' } : { tenantId: local.slice(dot + 1), code: local.slice(0, dot) };
}

/** An SES endpoint that lets `rate` sends a second through to `target` (the embedded SES). */
export async function startSesLimiter(target: string, rate: number): Promise<SesLimiter> {
  const state = {
    tokens: Math.max(1, rate),
    last: performance.now(),
    accepted: [] as AcceptedSend[],
    throttled: 0,
  };
  const targetUrl = new URL(target);
  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const now = performance.now();
      state.tokens = Math.min(Math.max(1, rate), state.tokens + ((now - state.last) / 1000) * rate);
      state.last = now;
      if (state.tokens < 1) {
        state.throttled += 1;
        response.writeHead(400, { 'Content-Type': 'text/xml' });
        response.end(
          `<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Maximum sending rate exceeded.</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
        );
        return;
      }
      state.tokens -= 1;
      const body = Buffer.concat(chunks);
      state.accepted.push({ at: now, ...recipientOf(body) });
      const forward = httpRequest(
        {
          host: targetUrl.hostname,
          port: targetUrl.port,
          path: incoming.url,
          method: incoming.method,
          headers: incoming.headers,
        },
        (answer) => {
          response.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(response);
        },
      );
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get accepted() {
      return state.accepted;
    },
    get throttled() {
      return state.throttled;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
