/**
 * The process environment of a local run: the region, dummy credentials, the endpoints of the
 * emulators and the resource names that the handlers read from shared/config.ts. Powertools reads
 * its settings (POWERTOOLS_LOG_LEVEL, the service name) when its module loads, so this must run
 * before any handler module is imported; the SDK clients are created at first use and need no
 * such care.
 */
import { METRICS_NAMESPACE } from '../../shared/observability/metric-names.ts';
import type { Service } from './emulators.ts';

export const LOCAL_TABLE_NAME = 'statement-mailer-local';
export const LOCAL_QUEUE_NAME = 'statement-mailer-local-jobs';
export const DEMO_TOKEN = 'local-dev-token';

/** Sets what a local run needs, keeping anything the user set already. */
export function configureLocalEnvironment(endpoints: Partial<Record<Service, string>>): void {
  const env = process.env;
  env.AWS_REGION ??= 'eu-west-2';
  env.AWS_ACCESS_KEY_ID ??= 'local';
  env.AWS_SECRET_ACCESS_KEY ??= 'local';
  // The local machine runs Node 20; Lambda runs Node 24. The SDK's notice is about the former.
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  env.TABLE_NAME ??= LOCAL_TABLE_NAME;
  env.POWERTOOLS_SERVICE_NAME ??= 'statement-mailer';
  env.POWERTOOLS_METRICS_NAMESPACE ??= METRICS_NAMESPACE;
  // No CloudWatch locally: metrics would only print EMF lines.
  env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  for (const [service, endpoint] of Object.entries(endpoints)) {
    env[`AWS_ENDPOINT_URL_${service.toUpperCase()}`] = endpoint;
  }
}

/** A port from the environment, or the default; `0` lets the OS pick. */
export function portFromEnv(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`${name} must be a port number, got ${value}`);
  return port;
}
