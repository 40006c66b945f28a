/**
 * Message bodies read at a trust boundary (an SQS job, an SNS notification): JSON first, then the
 * schema, with each problem named by its path, so every consumer refuses a bad body the same way.
 */
import type * as z from 'zod';

/** A body that parsed, or the problems that stop it, each `path: rule`. */
export type ParsedBody<T> = { success: true; data: T } | { success: false; problems: string[] };

/** Parses a message body as JSON and then with `schema`; never throws. */
export function parseJsonBody<T>(schema: z.ZodType<T>, text: string): ParsedBody<T> {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return { success: false, problems: ['body: not valid JSON'] };
  }
  const parsed = schema.safeParse(document);
  if (parsed.success) return { success: true, data: parsed.data };
  return {
    success: false,
    problems: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`),
  };
}
