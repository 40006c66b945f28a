import { describe, expect, it } from 'vitest';
import * as keys from '#shared/aws/table-keys.ts';

/** Every key function, called for tenant `t1`; a new one must be added here to be judged. */
const tenantScoped: Record<string, () => keys.TableKey | string> = {
  tenantKey: () => keys.tenantKey('t1'),
  templateKey: () => keys.templateKey('t1', 1),
  customerPartition: () => keys.customerPartition('t1', '101'),
  customerKey: () => keys.customerKey('t1', '101'),
  invoiceKey: () => keys.invoiceKey('t1', '101', '2026-01-01', 1),
  paymentKey: () => keys.paymentKey('t1', '101', '2026-01-01', 1, 0),
  batchPartition: () => keys.batchPartition('t1', 'b1'),
  batchKey: () => keys.batchKey('t1', 'b1'),
  jobKey: () => keys.jobKey('t1', 'b1', '101'),
  noteCounterKey: () => keys.noteCounterKey('t1', '101'),
  noteKey: () => keys.noteKey('t1', '101', 1),
  suppressionKey: () => keys.suppressionKey('t1', '101'),
  idempotencyKey: () => keys.idempotencyKey('t1', 'hash'),
};

describe('table keys', () => {
  it("start with the tenant, all but a token's, which the importer never moves (seed.test.ts)", () => {
    const functions = Object.entries(keys).filter(([, value]) => typeof value === 'function');
    expect(functions.map(([name]) => name).sort()).toEqual([...Object.keys(tenantScoped), 'tokenKey'].sort());
    for (const make of Object.values(tenantScoped)) {
      const key = make();
      const partition = typeof key === 'string' ? key : key.PK;
      expect(partition === 'TENANT#t1' || partition.startsWith('TENANT#t1#')).toBe(true);
    }
    expect(keys.tokenKey('hash').PK).toBe('TOKEN#hash');
  });
});
