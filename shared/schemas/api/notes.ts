/**
 * The answer of `GET /v2/customers/{code}/notes`: KashFlow's notes. Loaded by the OpenAPI generator
 * only; the service's view type is checked against it (Assert below).
 */
import * as z from 'zod';
import type { NoteView } from '../../services/get-customer-notes.ts';
import type { Assert, Exact } from './same-type.ts';

/** KashFlow's note. */
export const NoteBodySchema = z.strictObject({
  Number: z.number().int(),
  Date: z.string(),
  LastModifiedBy: z.string(),
  Text: z.string(),
});

/** The customer's notes, newest first. */
export const NoteListBodySchema = z.array(NoteBodySchema);

/** Compile-time check (NoteMatches): the documented schema and the type the code answers with are the same. */
export type NoteMatches = Assert<Exact<z.infer<typeof NoteBodySchema>, NoteView>>;
