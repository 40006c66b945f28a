/**
 * The statement runs routes' requests (docs/api.md, "Statement runs"): the POST's query (the bulk
 * endpoint's statement options, by its own schema), its body `{"Selection", "CustomerCodes"}` in
 * JSON or XML, and the GET's paging. Every refusal names the field and the rule.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as z from 'zod';
import { isLookupableCode } from '../domain/customer-status.ts';
import { RUN_SELECTION_TYPES, RunIdSchema, type RunSelection } from '../domain/run.ts';
import type { PeriodRequest } from '../domain/statement-period.ts';
import { queryValues, requestBody, responseFormatOf, singleQueryValue } from './api-gateway.ts';
import { HttpError, ValidationError } from './http-error.ts';
import { fromXml } from './ledger-xml.ts';
import type { ResponseFormat } from './negotiation.ts';
import { idempotencyKeyOf, parseStatementQuery } from './parse-bulk-email-request.ts';
import { parseXmlDocument, XmlBodyError } from './xml.ts';

/**
 * A run's body may list any number of codes up to this size (about 100,000 codes of ten
 * characters); the API Gateway and firewall limits are above it (infra/stack.ts).
 */
export const MAX_RUN_BODY_BYTES = 2 * 1024 * 1024;
/** The GET's page of customers when `perpage` is not given. */
export const DEFAULT_RUN_PAGE = 100;
/** The most customers one GET lists (`perpage`): one Query of the run's job items. */
export const MAX_RUN_PAGE = 1_000;

const CODE_RULE = 'must be 1 to 64 characters with no control characters';

/** The POST's body. `CustomerCodes` only, and required, with `List`. */
export const StartRunBodySchema = z
  .strictObject(
    {
      Selection: z.enum(RUN_SELECTION_TYPES, {
        error: (issue) =>
          issue.input === undefined
            ? 'Selection is required'
            : `Selection must be one of ${RUN_SELECTION_TYPES.join(', ')}`,
      }),
      CustomerCodes: z
        .array(
          z.string({ error: (issue) => `CustomerCodes[${String(issue.path?.at(-1))}] must be a string` }),
          {
            error: 'CustomerCodes must be an array of customer codes',
          },
        )
        .optional(),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `Unknown field ${issue.keys.join(', ')}`
          : 'Request body must be an object',
    },
  )
  .superRefine((body, context) => {
    if (body.Selection !== 'List') {
      if (body.CustomerCodes !== undefined) {
        context.addIssue({ code: 'custom', message: 'CustomerCodes is only allowed when Selection is List' });
      }
      return;
    }
    if (body.CustomerCodes === undefined || body.CustomerCodes.length === 0) {
      context.addIssue({
        code: 'custom',
        message: 'CustomerCodes must list at least one customer code when Selection is List',
      });
      return;
    }
    // The bulk endpoint's rule for a code that can be looked up (shared/domain/customer-status.ts).
    const bad = body.CustomerCodes.findIndex((code) => !isLookupableCode(code));
    if (bad >= 0) context.addIssue({ code: 'custom', message: `CustomerCodes[${bad}] ${CODE_RULE}` });
  });
/** The POST's body as sent. */
export type StartRunBody = z.infer<typeof StartRunBodySchema>;

/** A valid POST /v2/customerstatements/runs. */
export interface StartRunRequest {
  format: ResponseFormat;
  period: PeriodRequest;
  selection: RunSelection;
  idempotencyKey: string | undefined;
}

function parseRunQuery(event: APIGatewayProxyEvent): PeriodRequest {
  const { period, dryRun } = parseStatementQuery(event);
  if (dryRun) throw new ValidationError('InvalidParameter', 'dryrun is not supported for runs');
  return period;
}

function parseRunBody(event: APIGatewayProxyEvent): RunSelection {
  const { format: bodyFormat, text } = requestBody(event, MAX_RUN_BODY_BYTES);
  if (text.trim() === '') throw new ValidationError('InvalidRequestBody', 'Selection is required');
  let document: unknown;
  try {
    document = bodyFormat === 'xml' ? fromXml(parseXmlDocument(text), StartRunBodySchema) : JSON.parse(text);
  } catch (error) {
    if (error instanceof XmlBodyError)
      throw new ValidationError('InvalidRequestBody', error.message, { cause: error });
    if (error instanceof SyntaxError)
      throw new ValidationError('InvalidRequestBody', 'Request body is not valid JSON', { cause: error });
    throw error;
  }
  const parsed = StartRunBodySchema.safeParse(document);
  if (!parsed.success) {
    throw new ValidationError(
      'InvalidRequestBody',
      parsed.error.issues[0]?.message ?? 'Request body is not a run',
    );
  }
  const { Selection, CustomerCodes } = parsed.data;
  return Selection === 'List'
    ? { type: 'List', customerCodes: [...new Set(CustomerCodes)] }
    : { type: Selection };
}

/**
 * Validates a POST /v2/customerstatements/runs before anything is read or written: Accept (406),
 * content type (415), size (413), query and body (400), Idempotency-Key (400).
 */
export function parseStartRunRequest(event: APIGatewayProxyEvent): StartRunRequest {
  const format = responseFormatOf(event);
  const selection = parseRunBody(event);
  const period = parseRunQuery(event);
  const idempotencyKey = idempotencyKeyOf(event);
  return { format, period, selection, idempotencyKey };
}

/** The run id of the path; anything that cannot be one is simply not found. */
export function runIdOf(event: APIGatewayProxyEvent): string {
  const parsed = RunIdSchema.safeParse(event.pathParameters?.runId ?? '');
  if (!parsed.success) throw new HttpError(404, 'NotFound', 'No such run');
  return parsed.data;
}

/** The GET's page: `perpage` (1 to 1,000, default 100) and the `cursor` a previous page gave. */
export interface RunPageRequest {
  perPage: number;
  /** The sort key of the last customer of the previous page. */
  after: string | undefined;
}

/** Reads `perpage` and `cursor`; each refusal names its parameter. */
export function parseRunPage(event: APIGatewayProxyEvent): RunPageRequest {
  const values = queryValues(event);
  const perPageText = singleQueryValue(values, 'perpage');
  let perPage = DEFAULT_RUN_PAGE;
  if (perPageText !== undefined && perPageText !== '') {
    perPage = /^\d{1,4}$/.test(perPageText) ? Number(perPageText) : 0;
    if (perPage < 1 || perPage > MAX_RUN_PAGE) {
      throw new ValidationError(
        'InvalidParameter',
        `perpage must be a whole number from 1 to ${MAX_RUN_PAGE}`,
      );
    }
  }
  const cursor = singleQueryValue(values, 'cursor');
  if (cursor === undefined || cursor === '') return { perPage, after: undefined };
  const after = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  if (!after.startsWith('ITEM#')) {
    throw new ValidationError('InvalidParameter', 'cursor must be a NextCursor this resource returned');
  }
  return { perPage, after };
}

/** The cursor a client passes back for the page after the customer with this sort key. */
export const toRunCursor = (sortKey: string): string => Buffer.from(sortKey, 'utf8').toString('base64url');
