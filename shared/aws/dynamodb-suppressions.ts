/**
 * Address suppressions: an address of a customer that bounced (permanently) or complained is not
 * emailed again; the customer's other addresses are. One item per customer holds them all in a
 * map keyed by lower-cased address, so the request path reads a customer's suppressions with one
 * key of its BatchGetItem (dynamodb-tenants.ts) however many of its addresses bounced.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { addressKey } from '../domain/statement-recipients.ts';
import { documentClient, updateCommand } from './dynamodb.ts';
import type { JobRef } from './dynamodb-jobs.ts';
import { suppressionKey } from './table-keys.ts';

/**
 * Two writers can race to create a customer's map, and the loser's create fails; the map is never
 * removed, so its next round adds to the winner's. A third round is only a margin.
 */
const ROUNDS = 3;

/**
 * Remembers that these addresses of the job's customer bounced or complained; for an address
 * already suppressed, the latest event wins. Other addresses of the customer are left as they are.
 */
export async function suppressAddresses(
  job: JobRef,
  addresses: readonly string[],
  reason: 'Bounced' | 'Complained',
  at: string,
): Promise<void> {
  const keys = [...new Set(addresses.map(addressKey))];
  if (keys.length === 0) return;
  const entry = { reason, at };
  const key = suppressionKey(job.tenantId, job.customerCode);
  const names = Object.fromEntries(keys.map((address, index) => [`#a${index}`, address]));
  const identity = { ':type': 'Suppression', ':code': job.customerCode };
  // A map's entry can only be set once the map exists, and one expression cannot create the map
  // and set into it: add to the map where it exists, else create it with the entries.
  const addToMap = updateCommand(key, {
    update: `SET ${keys.map((_, index) => `addresses.#a${index} = :entry`).join(', ')}, #type = :type, code = :code`,
    condition: 'attribute_exists(addresses)',
    names: { ...names, '#type': 'type' },
    values: { ':entry': entry, ...identity },
  });
  const createMap = updateCommand(key, {
    update: 'SET addresses = :addresses, #type = :type, code = :code',
    condition: 'attribute_not_exists(addresses)',
    names: { '#type': 'type' },
    values: { ':addresses': Object.fromEntries(keys.map((address) => [address, entry])), ...identity },
  });
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const command of [addToMap, createMap]) {
      try {
        await documentClient().send(command);
        return;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
  }
  throw new Error('Could not record the suppressed addresses: the item kept changing');
}
