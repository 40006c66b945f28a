/**
 * A bulk call of 1,000 operations killed midway, then sent again: the ledger API's handler runs the
 * call in a worker thread that dies once DynamoDB has answered its Nth request (at several points
 * of the call), the client sends the same call again, and the tenant's table must then equal,
 * item by item and byte for byte except `updatedAt`, that of a tenant whose call was never killed.
 */
import { Worker } from 'node:worker_threads';
import { beforeAll, describe, expect, it } from 'vitest';
import { dynamoDbClient } from '#shared/aws/dynamodb.ts';
import { apiEvent } from '../support/api-events.ts';
import { recordRequests } from '../support/sdk-requests.ts';
import { uniqueTenantId } from '../support/tenants.ts';
import {
  type BatchOperation,
  type BatchResult,
  createEmptyTenant,
  differingKeys,
  postBatch,
  seededRandom,
  shuffle,
  tenantItems,
} from './ledger-harness.ts';
import { recordFigure } from './report.ts';

const SEED = 1124;

const code = (index: number) => `K${String(index).padStart(2, '0')}`;

function customer(index: number, version: number): BatchOperation {
  return {
    Action: 'Upsert',
    Type: 'Customer',
    Record: {
      Code: code(index),
      Name: `Killed Customer ${index} v${version}`,
      Contacts: [{ Name: 'Accounts', Email: `k${index}.v${version}@killed.example`, IsPrimary: true }],
      Version: version,
    },
  };
}

function invoice(
  number: number,
  customerIndex: number,
  version: number,
  total = `${number}.50`,
): BatchOperation {
  return {
    Action: 'Upsert',
    Type: 'Invoice',
    Record: {
      Number: number,
      CustomerCode: code(customerIndex),
      IssuedDate: '2026-10-01',
      DueDate: '2026-10-31',
      Total: total,
      Version: version,
    },
  };
}

function payment(number: number, invoiceNumber: number, version: number): BatchOperation {
  return {
    Action: 'Upsert',
    Type: 'Payment',
    Record: {
      Number: number,
      InvoiceNumber: invoiceNumber,
      Date: '2026-10-15',
      Amount: '1.25',
      Version: version,
    },
  };
}

/** What both tenants hold before the call: 30 customers, 200 invoices, 50 payments, all at version 10. */
function priorState(): BatchOperation[] {
  return [
    ...Array.from({ length: 30 }, (_, index) => customer(index, 10)),
    ...Array.from({ length: 200 }, (_, index) => invoice(index + 1, index % 30, 10)),
    ...Array.from({ length: 50 }, (_, index) => payment(index + 1, index + 1, 10)),
  ];
}

/**
 * The call: new customers and updates, invoices updated (a third of them moved to another
 * customer), created, deleted, stale and sent twice, credit notes allocated to invoices of the
 * call, payments allocated and on account, and a few invalid operations, shuffled.
 */
function theCall(random: () => number): BatchOperation[] {
  const operations: BatchOperation[] = [
    ...Array.from({ length: 20 }, (_, index) => customer(30 + index, 1)),
    ...Array.from({ length: 10 }, (_, index) => customer(index, 11)),
    ...Array.from({ length: 180 }, (_, index) =>
      invoice(index + 1, index % 3 === 0 ? (index + 7) % 50 : index % 30, 11, `${index}.99`),
    ),
    ...Array.from({ length: 20 }, (_, index) => ({
      Action: 'Delete' as const,
      Type: 'Invoice',
      Number: 181 + index,
      Version: 11,
    })),
    ...Array.from({ length: 40 }, (_, index) => invoice(index + 1, 0, 5)),
    ...Array.from({ length: 420 }, (_, index) => invoice(201 + index, index % 50, 1)),
    ...Array.from({ length: 100 }, (_, index) => ({
      Action: 'Upsert' as const,
      Type: 'CreditNote',
      Record: {
        Number: index + 1,
        CustomerCode: code(index % 50),
        IssuedDate: '2026-10-20',
        Total: '10.00',
        Allocations: [{ InvoiceNumber: 201 + index, Amount: '0.50' }],
        Version: 1,
      },
    })),
    ...Array.from({ length: 30 }, (_, index) => payment(index + 1, index + 1, 11)),
    ...Array.from({ length: 100 }, (_, index) => payment(51 + index, 301 + index, 1)),
    ...Array.from({ length: 40 }, (_, index) => ({
      Action: 'Upsert' as const,
      Type: 'Payment',
      Record: {
        Number: 151 + index,
        CustomerCode: code(index),
        Date: '2026-10-16',
        Amount: '3.00',
        Version: 1,
      },
    })),
    ...Array.from({ length: 10 }, (_, index) => ({
      Action: 'Upsert' as const,
      Type: 'Invoice',
      Record: {
        Number: 900 + index,
        CustomerCode: code(index),
        IssuedDate: '2026-10-31',
        DueDate: '2026-10-01',
        Total: '1.00',
      },
    })),
  ];
  const twice = Array.from({ length: 30 }, (_, index) => operations[30 + 180 + 20 + 40 + index * 7]);
  return shuffle([...operations, ...(twice as BatchOperation[])], random);
}

/** Runs the call in a thread that dies once DynamoDB has answered `killAfter` requests. */
function runKilled(tenantId: string, operations: BatchOperation[], killAfter: number) {
  const event = apiEvent({
    method: 'POST',
    path: '/v2/ledger/batch',
    tenantId,
    body: JSON.stringify({ Operations: operations }),
  });
  return new Promise<{ outcome: string; answered: number }>((resolve, reject) => {
    const thread = new Worker(new URL('./ledger-kill-bootstrap.mjs', import.meta.url), {
      workerData: { event, killAfter },
    });
    let message = { outcome: 'exited', answered: 0 };
    thread.on('message', (value: typeof message) => {
      message = value;
    });
    thread.on('error', reject);
    thread.on('exit', () => resolve(message));
  });
}

async function resultsOf(response: Awaited<ReturnType<typeof postBatch>>): Promise<BatchResult[]> {
  expect(response.statusCode, response.body).toBe(200);
  return (JSON.parse(response.body) as { Results: BatchResult[] }).Results;
}

/** A retry may find written what the killed call wrote: only then does its answer differ. */
const RETRY_MAY_ANSWER: Record<string, string[]> = {
  Created: ['Created', 'Unchanged', 'Stale'],
  Updated: ['Updated', 'Unchanged', 'Stale'],
  Deleted: ['Deleted', 'Unchanged'],
};

describe('a bulk call of 1,000 operations killed midway, then sent again', () => {
  const operations = theCall(seededRandom(SEED));
  const referenceTenant = uniqueTenantId('bulk-ref');
  let reference: Map<string, Record<string, unknown>>;
  let referenceResults: BatchResult[];
  let requests = 0;
  let written = 0;
  let totalDiff = 0;

  beforeAll(async () => {
    expect(operations).toHaveLength(1_000);
    await createEmptyTenant(referenceTenant);
    await resultsOf(await postBatch(referenceTenant, priorState()));
    const unchanged = await tenantItems(referenceTenant);
    const counter = recordRequests(dynamoDbClient());
    referenceResults = await resultsOf(await postBatch(referenceTenant, operations));
    requests = counter.total();
    counter.detach();
    reference = await tenantItems(referenceTenant);
    written = differingKeys(unchanged, referenceTenant, reference, referenceTenant).length;
  });

  it('applies the never-killed call as meant', () => {
    const words = referenceResults.map((result) => result.Result);
    const count = (word: string) => words.filter((value) => value === word).length;
    // A move of an invoice that prior payments 1–50 are allocated to (invoices 1–50) is refused,
    // naming CustomerCode; the other ten Invalid are the call's own bad invoices (900–909).
    const refusedMoves = referenceResults.filter((result) =>
      result.Message?.startsWith('CustomerCode: cannot move the invoice'),
    );
    expect(refusedMoves.length).toBeGreaterThan(0);
    expect(refusedMoves.every((result) => Number(result.Key) <= 50)).toBe(true);
    expect(count('Invalid')).toBe(10 + refusedMoves.length);
    expect(count('Stale')).toBe(40);
    expect(count('Deleted')).toBe(20);
    expect(count('Unchanged')).toBe(30);
    expect(count('Conflict')).toBe(0);
    expect(written).toBeGreaterThan(1_000);
  });

  // After the first read (nothing written yet), and at a quarter, half, three quarters and all of
  // the call's DynamoDB requests (everything written, the answer never sent).
  const FRACTIONS = [0, 0.25, 0.5, 0.75, 1];

  it.each(FRACTIONS.map((fraction) => [`${fraction * 100}%`, fraction] as const))(
    'killed after %s of its DynamoDB requests, then sent again',
    async (_, fraction) => {
      const killAfter = Math.max(1, Math.round(requests * fraction));
      const tenantId = uniqueTenantId('bulk-killed');
      await createEmptyTenant(tenantId);
      await resultsOf(await postBatch(tenantId, priorState()));

      const run = await runKilled(tenantId, operations, killAfter);
      expect(run.outcome).toBe('killed');
      const partial = differingKeys(reference, referenceTenant, await tenantItems(tenantId), tenantId).length;
      // Killed after the first read nothing is written yet; after the last request, everything is.
      if (fraction === 0) expect(partial).toBe(written);
      else if (fraction === 1) expect(partial).toBe(0);
      else expect(partial).toBeGreaterThan(0);

      const retried = await resultsOf(await postBatch(tenantId, operations));
      const unexpected = retried.flatMap((result, index) => {
        const first = referenceResults[index] as BatchResult;
        const allowed = RETRY_MAY_ANSWER[first.Result] ?? [first.Result];
        return allowed.includes(result.Result) ? [] : [`${index} ${first.Result} then ${result.Result}`];
      });
      expect(unexpected).toEqual([]);

      const diff = differingKeys(reference, referenceTenant, await tenantItems(tenantId), tenantId);
      totalDiff += diff.length;
      recordFigure(
        `ledger.bulk_killed.after_${killAfter}_of_${requests}`,
        diff.length,
        `items differing from the never-killed call after the retry; ${partial} of ${written} written items still missing or different when killed`,
      );
      expect(diff).toEqual([]);
    },
  );

  it('records the items that differ over every kill point', () => {
    recordFigure(
      'ledger.bulk_killed.diff_items',
      totalDiff,
      `items differing from the never-killed call after the retry, over ${FRACTIONS.length} kill points`,
    );
    expect(totalDiff).toBe(0);
  });
});
