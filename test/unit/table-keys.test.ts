import { describe, expect, it } from 'vitest';
import * as keys from '#shared/aws/table-keys.ts';

/** Every key function, called for tenant `t1`; a new one must be added here to be judged. */
const tenantScoped: Record<string, () => keys.TableKey | string> = {
  tenantKey: () => keys.tenantKey('t1'),
  templateKey: () => keys.templateKey('t1', 1),
  customerPartition: () => keys.customerPartition('t1', '101'),
  customerKey: () => keys.customerKey('t1', '101'),
  customerRecordKey: () => keys.customerRecordKey('t1', '101'),
  invoiceKey: () => keys.invoiceKey('t1', '101', 1),
  creditNoteKey: () => keys.creditNoteKey('t1', '101', 1),
  paymentKey: () => keys.paymentKey('t1', '101', 1),
  documentKey: () => keys.documentKey('t1', 'INVOICE', 1),
  settingsKey: () => keys.settingsKey('t1'),
  logoKey: () => keys.logoKey('t1'),
  batchPartition: () => keys.batchPartition('t1', 'b1'),
  batchKey: () => keys.batchKey('t1', 'b1'),
  jobKey: () => keys.jobKey('t1', 'b1', '101'),
  noteCounterKey: () => keys.noteCounterKey('t1', '101'),
  noteKey: () => keys.noteKey('t1', '101', 1),
  suppressionKey: () => keys.suppressionKey('t1', '101'),
  idempotencyKey: () => keys.idempotencyKey('t1', 'hash'),
  tenantTokenKey: () => keys.tenantTokenKey('t1', 'hash'),
  scheduleKey: () => keys.scheduleKey('t1', 'ALL'),
  runKey: () => keys.runKey('t1', 'r1'),
  runListChunkKey: () => keys.runListChunkKey('t1', 'r1', 0),
};

/**
 * The keys outside every tenant: a token's record (the authorizer's), the operators' tenant directory
 * and the schedule directory (the tenants the hourly trigger pages through; ids only).
 */
const outsideTenants = [
  'tokenKey',
  'tenantDirectoryPartition',
  'tenantDirectoryKey',
  'scheduleDirectoryPartition',
  'scheduleDirectoryKey',
];

describe('table keys', () => {
  it("start with the tenant, all but a token's and the tenant directory's, which the importer never moves (seed.test.ts)", () => {
    const functions = Object.entries(keys).filter(([, value]) => typeof value === 'function');
    expect(functions.map(([name]) => name).sort()).toEqual(
      [...Object.keys(tenantScoped), ...outsideTenants].sort(),
    );
    for (const make of Object.values(tenantScoped)) {
      const key = make();
      const partition = typeof key === 'string' ? key : key.PK;
      expect(partition === 'TENANT#t1' || partition.startsWith('TENANT#t1#')).toBe(true);
    }
    expect(keys.tokenKey('hash').PK).toBe('TOKEN#hash');
    expect(keys.tenantDirectoryKey('t1')).toEqual({ PK: 'TENANTS', SK: 't1' });
    expect(keys.scheduleDirectoryKey('t1')).toEqual({ PK: 'SCHEDULES', SK: 't1' });
  });

  it("keep a customer's documents in its partition under their kind and number alone, never a date", () => {
    const partition = keys.customerPartition('t1', '101');

    expect(keys.invoiceKey('t1', '101', 5)).toEqual({ PK: partition, SK: 'INVOICE#0000000005' });
    expect(keys.creditNoteKey('t1', '101', 5)).toEqual({ PK: partition, SK: 'CREDITNOTE#0000000005' });
    expect(keys.paymentKey('t1', '101', 5)).toEqual({ PK: partition, SK: 'PAYMENT#0000000005' });
    // Each kind is its own begins_with range: no prefix is the start of another's.
    for (const [a, b] of [
      ['INVOICE#', 'CREDITNOTE#'],
      ['INVOICE#', 'PAYMENT#'],
      ['CREDITNOTE#', 'PAYMENT#'],
    ] as const) {
      expect(a.startsWith(b) || b.startsWith(a)).toBe(false);
    }
  });

  it('give each kind of document its own canonical item, apart from the customer projections', () => {
    const kinds = ['INVOICE', 'CREDITNOTE', 'PAYMENT'] as const;
    const canonical = kinds.map((kind) => keys.documentKey('t1', kind, 5));

    expect(new Set(canonical.map((key) => key.PK)).size).toBe(3);
    expect(canonical[1]).toEqual({ PK: 'TENANT#t1#CREDITNOTE#0000000005', SK: 'RECORD' });
    expect(keys.customerRecordKey('t1', '101')).not.toEqual(keys.customerKey('t1', '101'));
    expect(keys.settingsKey('t1')).not.toEqual(keys.tenantKey('t1'));
    expect(keys.logoKey('t1')).not.toEqual(keys.settingsKey('t1'));
  });
});
