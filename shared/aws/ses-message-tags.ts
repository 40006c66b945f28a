/**
 * The SES message tags that name an email's job (tenant + batch + customer). SES copies the tags
 * of a send onto every event it publishes for it (`mail.tags`), so the events function finds the
 * job from the event itself: it need not wait for the sent marker or for the message-id index,
 * which is only eventually consistent.
 *
 * SES allows a tag value only ASCII letters, digits, `_` and `-`, at most 256 characters
 * (MessageTag). Each part of the key is carried as its UTF-8 bytes in base64url without padding,
 * which uses exactly those characters; a customer code of 64 UTF-16 units (the longest looked up)
 * is at most 192 bytes, so at most 256 characters.
 */
import type { MessageTag } from '@aws-sdk/client-ses';

/** The job an email was sent for. */
export interface TaggedJob {
  tenantId: string;
  batchId: string;
  customerCode: string;
}

/** The tag names, one per part of the job key. */
export const JOB_TAGS = [
  ['tenantId', 'job-tenant'],
  ['batchId', 'job-batch'],
  ['customerCode', 'job-customer'],
] as const satisfies readonly (readonly [keyof TaggedJob, string])[];

const TAG_VALUE = /^[A-Za-z0-9_-]{1,256}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeValue(value: string): string | undefined {
  if (!TAG_VALUE.test(value)) return undefined;
  const bytes = Buffer.from(value, 'base64url');
  // Only the encoding this module writes: canonical base64url of well-formed UTF-8.
  if (bytes.toString('base64url') !== value) return undefined;
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function encodeValue(value: string): string | undefined {
  const encoded = Buffer.from(value, 'utf8').toString('base64url');
  // A string that is not well-formed Unicode (a lone surrogate) would not come back as itself.
  return decodeValue(encoded) === value ? encoded : undefined;
}

/**
 * The tags for a job's email; none when a part cannot be carried whole, and then the job is
 * found through the message-id index once its sent marker is written.
 */
export function jobMessageTags(job: TaggedJob): MessageTag[] {
  const tags: MessageTag[] = [];
  for (const [field, name] of JOB_TAGS) {
    const value = encodeValue(job[field]);
    if (value === undefined) return [];
    tags.push({ Name: name, Value: value });
  }
  return tags;
}

/** What an event's tags say about its job. */
export type EventJobTags =
  | { kind: 'untagged' }
  | { kind: 'tagged'; job: TaggedJob }
  /** Some of this service's tag names, but not a whole job key that this module wrote. */
  | { kind: 'malformed' };

/** Reads the job key from an SES event's `mail.tags` (each tag name maps to a list of values). */
export function jobFromEventTags(
  tags: Readonly<Record<string, readonly string[]>> | undefined,
): EventJobTags {
  const values = JOB_TAGS.map(([, name]) => tags?.[name]);
  if (values.every((value) => value === undefined)) return { kind: 'untagged' };
  const [tenantId, batchId, customerCode] = values.map((value) =>
    value?.length === 1 && value[0] !== undefined ? decodeValue(value[0]) : undefined,
  );
  if (tenantId === undefined || batchId === undefined || customerCode === undefined)
    return { kind: 'malformed' };
  return { kind: 'tagged', job: { tenantId, batchId, customerCode } };
}
