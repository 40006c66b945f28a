/**
 * A stand-in SES endpoint that answers each SendRawEmail from a script, with SES's own query
 * protocol XML, so that the SDK's real deserializer and retry decisions run. `drop` reads the
 * request and closes the connection without answering: the lost response after a send.
 */
import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type SesAnswer =
  | 'ok'
  | 'throttle'
  | 'daily-quota'
  | 'reject'
  | 'paused'
  | 'server-error'
  | 'drop'
  /** Forwards the send (SES accepts it) and then drops the connection: the lost response. */
  | 'accept-then-drop';

const ERRORS: Record<
  Exclude<SesAnswer, 'ok' | 'drop' | 'accept-then-drop'>,
  { status: number; type: string; code: string; message: string }
> = {
  throttle: { status: 400, type: 'Sender', code: 'Throttling', message: 'Maximum sending rate exceeded.' },
  'daily-quota': {
    status: 400,
    type: 'Sender',
    code: 'Throttling',
    message: 'Daily message quota exceeded.',
  },
  reject: {
    status: 400,
    type: 'Sender',
    code: 'MessageRejected',
    message: 'Email address is not verified: ann@acme.example',
  },
  paused: {
    status: 400,
    type: 'Sender',
    code: 'AccountSendingPausedException',
    message: 'Account sending paused.',
  },
  'server-error': { status: 500, type: 'Receiver', code: 'InternalFailure', message: 'Internal failure.' },
};

export interface SesFaultServer {
  endpoint: string;
  /** Requests received, in order, with the answer given. */
  requests: SesAnswer[];
  /** Answers for the next requests; when empty, 'ok'. */
  script: SesAnswer[];
  stop(): Promise<void>;
}

export interface SesFaultOptions {
  /** Where accepted sends go (the embedded SES); without it, 'ok' answers a made-up message id. */
  forwardTo?: string;
  /** The answer to the n-th request (0-based) when the script is empty. */
  decide?: (index: number) => SesAnswer;
}

function forward(
  target: string,
  method: string,
  path: string,
  headers: Record<string, unknown>,
  body: Buffer,
) {
  const url = new URL(target);
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>(
    (resolve, reject) => {
      const outgoing = httpRequest(
        { host: url.hostname, port: url.port, path, method, headers: headers as Record<string, string> },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('end', () =>
            resolve({
              status: answer.statusCode ?? 500,
              headers: answer.headers,
              body: Buffer.concat(chunks),
            }),
          );
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    },
  );
}

export async function startSesFaultServer(options: SesFaultOptions = {}): Promise<SesFaultServer> {
  const state = { requests: [] as SesAnswer[], script: [] as SesAnswer[] };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const answer = state.script.shift() ?? options.decide?.(state.requests.length) ?? 'ok';
      state.requests.push(answer);
      if (answer === 'drop') {
        request.socket.destroy();
        return;
      }
      const requestId = randomUUID();
      if ((answer === 'ok' || answer === 'accept-then-drop') && options.forwardTo !== undefined) {
        forward(
          options.forwardTo,
          request.method ?? 'POST',
          request.url ?? '/',
          request.headers,
          Buffer.concat(chunks),
        ).then(
          (accepted) => {
            if (answer === 'accept-then-drop') {
              request.socket.destroy();
              return;
            }
            response.writeHead(accepted.status, accepted.headers as Record<string, string>);
            response.end(accepted.body);
          },
          () => request.socket.destroy(),
        );
        return;
      }
      if (answer === 'ok' || answer === 'accept-then-drop') {
        response.writeHead(200, { 'Content-Type': 'text/xml' });
        response.end(
          `<SendRawEmailResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><SendRawEmailResult><MessageId>fault-${requestId}</MessageId></SendRawEmailResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></SendRawEmailResponse>`,
        );
        return;
      }
      const error = ERRORS[answer];
      response.writeHead(error.status, { 'Content-Type': 'text/xml' });
      response.end(
        `<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>${error.type}</Type><Code>${error.code}</Code><Message>${error.message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get requests() {
      return state.requests;
    },
    get script() {
      return state.script;
    },
    set script(answers: SesAnswer[]) {
      state.script = answers;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
