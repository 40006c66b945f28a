import { listNotes } from '../aws/dynamodb-notes.ts';
import { customerExists } from '../aws/dynamodb-tenants.ts';

/** KashFlow's note shape. */
export interface NoteView {
  Number: number;
  Date: string;
  LastModifiedBy: string;
  Text: string;
}

/** A customer's notes, newest first; `undefined` when the tenant has no such customer. */
export async function getCustomerNotes(tenantId: string, code: string): Promise<NoteView[] | undefined> {
  const [exists, notes] = await Promise.all([customerExists(tenantId, code), listNotes(tenantId, code)]);
  if (!exists) return undefined;
  return notes.map((note) => ({
    Number: note.number,
    Date: note.date,
    LastModifiedBy: note.lastModifiedBy,
    Text: note.text,
  }));
}
