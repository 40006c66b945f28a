/**
 * A stand-in SES endpoint that answers each SendRawEmail from a script, with SES's own query
 * protocol XML, so that the SDK's real deserializer and retry decisions run. `drop` reads the
 * request and closes the connection without answering: the lost response after a send.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type SesAnswer = 'ok' | 'throttle' | 'daily-quota' | 'reject' | 'paused' | 'server-error' | 'drop';

const ERRORS: Record<
  Exclude<SesAnswer, 'ok' | 'drop'>,
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

export async function startSesFaultServer(): Promise<SesFaultServer> {
  const state = { requests: [] as SesAnswer[], script: [] as SesAnswer[] };
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const answer = state.script.shift() ?? 'ok';
      state.requests.push(answer);
      if (answer === 'drop') {
        request.socket.destroy();
        return;
      }
      const requestId = randomUUID();
      if (answer === 'ok') {
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
