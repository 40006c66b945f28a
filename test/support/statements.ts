/**
 * Statements built from an in-memory ledger, for the tests and benchmarks that need a document of
 * a known size without DynamoDB.
 */
import { computeStatement, type Statement } from '#shared/domain/statement.ts';

/**
 * Eight invoices in the first quarter of 2026, taken on 2026-04-15: with the opening and closing
 * balances, a ten-line statement (the size issue 13's PDF goal is stated for).
 */
export function tenLineStatement(): Promise<Statement> {
  return computeStatement(
    { start: '2026-01-01', end: '2026-03-31', filterAll: false, excludePaid: false },
    {
      invoices: Array.from({ length: 8 }, (_, index) => ({
        number: 1001 + index,
        issuedDate: `2026-0${1 + Math.floor(index / 3)}-${String(10 + index).padStart(2, '0')}`,
        dueDate: '2026-04-30',
        totalMinor: 12345 + index * 1000,
      })),
      creditNotes: [],
      payments: [],
    },
    '2026-04-15',
  );
}
