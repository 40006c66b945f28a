/**
 * The embedded AWS emulators of the local stack and the tests: dynalite (DynamoDB, with the
 * transactions it lacks served by dynalite-transactions.ts), fauxqs (SQS) and aws-ses-v2-local
 * (SES), each in this process. A service whose endpoint is already set
 * (AWS_ENDPOINT_URL_<SERVICE> or AWS_ENDPOINT_URL, e.g. LocalStack) is not started.
 */
import { createRequire } from 'node:module';
import type { AddressInfo, Server } from 'node:net';
import { buildApp as buildFauxqs } from 'fauxqs';
import { createDynaliteServer } from './dynalite-transactions.ts';

const require = createRequire(import.meta.url);
// aws-ses-v2-local is CommonJS with a default export.
const startSesServer = (require('aws-ses-v2-local') as { default: SesServerFactory }).default;
type SesServerFactory = (config: { host: string; port: number }) => Promise<Server>;

export type Service = 'dynamodb' | 'sqs' | 'ses';

export interface EmulatorPorts {
  dynamodb: number;
  sqs: number;
  ses: number;
}

export interface Emulators {
  /** The endpoint of each service, embedded or given. */
  endpoints: Record<Service, string>;
  /** Which services run embedded in this process. */
  embedded: Service[];
  stop(): Promise<void>;
}

/** The endpoint configured for a service, as the SDK itself resolves it. */
export function configuredEndpoint(
  service: Service,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  return env[`AWS_ENDPOINT_URL_${service.toUpperCase()}`] ?? env.AWS_ENDPOINT_URL;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
  });
}

export interface StartOptions {
  host?: string;
  /** Use AWS_ENDPOINT_URL* where set instead of starting that emulator (true for `npm start`). */
  useConfiguredEndpoints?: boolean;
}

/**
 * Starts the emulators on 127.0.0.1 (a port of 0 lets the OS pick one), except those whose
 * endpoint is configured, when `useConfiguredEndpoints` allows that.
 */
export async function startEmulators(
  ports: EmulatorPorts,
  { host = '127.0.0.1', useConfiguredEndpoints = true }: StartOptions = {},
): Promise<Emulators> {
  const configured = (service: Service) => (useConfiguredEndpoints ? configuredEndpoint(service) : undefined);
  const stops: (() => Promise<void>)[] = [];
  const embedded: Service[] = [];
  const endpoints = {} as Record<Service, string>;
  try {
    const dynamodb = configured('dynamodb');
    if (dynamodb === undefined) {
      const server = createDynaliteServer({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
      const port = await listen(server, ports.dynamodb, host);
      stops.push(() => close(server));
      endpoints.dynamodb = `http://${host}:${port}`;
      embedded.push('dynamodb');
    } else endpoints.dynamodb = dynamodb;

    const sqs = configured('sqs');
    if (sqs === undefined) {
      // fauxqs's own startFauxqs listens on every interface; this listens on loopback only. With no
      // `host` option, queue URLs take the request's Host header (127.0.0.1:port).
      const app = buildFauxqs({ logger: false });
      await app.listen({ port: ports.sqs, host });
      stops.push(() => app.close());
      endpoints.sqs = `http://${host}:${(app.server.address() as AddressInfo).port}`;
      embedded.push('sqs');
    } else endpoints.sqs = sqs;

    const ses = configured('ses');
    if (ses === undefined) {
      const server = await startSesServer({ host, port: ports.ses });
      // aws-ses-v2-local resolves even when listen fails (e.g. the port is taken).
      if (!server.listening) throw new Error(`The SES emulator could not listen on ${host}:${ports.ses}`);
      stops.push(() => close(server));
      endpoints.ses = `http://${host}:${(server.address() as AddressInfo).port}`;
      embedded.push('ses');
    } else endpoints.ses = ses;
  } catch (error) {
    await Promise.allSettled(stops.map((stop) => stop()));
    throw error;
  }
  return {
    endpoints,
    embedded,
    stop: async () => {
      await Promise.allSettled(stops.reverse().map((stop) => stop()));
    },
  };
}
