/**
 * SDK client settings shared by the runtime adapters and the local tooling; this module creates
 * no client, so importing it never fixes an endpoint early.
 */

/**
 * The endpoint decides where SQS requests go, never the queue URL's host: in AWS they are the
 * same, and locally (fauxqs, LocalStack) the queue URL's host is only a name.
 */
export const SQS_CLIENT_CONFIG = { useQueueUrlAsEndpoint: false } as const;
