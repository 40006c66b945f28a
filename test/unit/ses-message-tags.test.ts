import { describe, expect, it } from 'vitest';
import { jobFromEventTags, jobMessageTags } from '#shared/aws/ses-message-tags.ts';
import { MAX_CUSTOMER_CODE_LENGTH } from '#shared/domain/customer-status.ts';
import { SesEventSchema } from '#shared/schemas/ses-event.ts';

const SES_TAG_VALUE = /^[A-Za-z0-9_-]{1,256}$/;
const asEventTags = (tags: { Name?: string; Value?: string }[]) =>
  Object.fromEntries(tags.map((tag) => [String(tag.Name), [String(tag.Value)]]));

describe('job message tags', () => {
  it.each([
    ['ASCII', '101'],
    ['leading zeros and separators', '0065#ITEM#x'],
    ['Latin letters with accents', 'MÜLLER-Société'],
    ['astral characters', 'こんにちは😀𝔘'],
    ['the longest code, all three-byte characters', '€'.repeat(MAX_CUSTOMER_CODE_LENGTH)],
    ['the longest code, all astral characters', '😀'.repeat(MAX_CUSTOMER_CODE_LENGTH / 2)],
  ])('carries a customer code of %s whole, in characters SES allows', (_, customerCode) => {
    const job = { tenantId: 'demo', batchId: '5a2f0c1e-0000-4000-8000-000000000001', customerCode };

    const tags = jobMessageTags(job);

    expect(tags.map((tag) => tag.Name)).toEqual(['job-tenant', 'job-batch', 'job-customer']);
    for (const tag of tags) {
      expect(tag.Name).toMatch(SES_TAG_VALUE);
      expect(tag.Value).toMatch(SES_TAG_VALUE);
    }
    expect(jobFromEventTags(asEventTags(tags))).toEqual({ kind: 'tagged', job });
  });

  it('puts no tags on a code that is not well-formed Unicode (it would not come back as itself)', () => {
    expect(jobMessageTags({ tenantId: 'demo', batchId: 'b', customerCode: 'A\ud800' })).toEqual([]);
  });

  it('reads an event without tags of ours as untagged', () => {
    expect(jobFromEventTags(undefined)).toEqual({ kind: 'untagged' });
    expect(jobFromEventTags({ 'ses:configuration-set': ['statement-mailer'], other: ['x'] })).toEqual({
      kind: 'untagged',
    });
  });

  it('reads partial or foreign values of its tag names as malformed, never as another job', () => {
    const tags = asEventTags(jobMessageTags({ tenantId: 'demo', batchId: 'b-1', customerCode: '101' }));

    expect(jobFromEventTags({ ...tags, 'job-customer': [] })).toEqual({ kind: 'malformed' });
    expect(jobFromEventTags({ 'job-tenant': tags['job-tenant'] ?? [] })).toEqual({ kind: 'malformed' });
    expect(jobFromEventTags({ ...tags, 'job-batch': ['not base64!'] })).toEqual({ kind: 'malformed' });
    // "_x" is not canonical base64url (its spare bits are set); "_w" is the byte 0xff, not UTF-8.
    expect(jobFromEventTags({ ...tags, 'job-batch': ['_x'] })).toEqual({ kind: 'malformed' });
    expect(jobFromEventTags({ ...tags, 'job-batch': ['_w'] })).toEqual({ kind: 'malformed' });
  });

  it('parses an SES event whose tags have another shape as one without tags', () => {
    const event = SesEventSchema.parse({
      eventType: 'Delivery',
      mail: { messageId: 'm-1', tags: { 'job-tenant': 'not-a-list' } },
      delivery: { timestamp: '2026-11-24T09:00:03.000Z' },
    });

    expect(event.mail.tags).toBeUndefined();
    expect(event.type).toBe('Delivery');
  });
});
