import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as z from 'zod';
import { parseCompactDate } from '../domain/calendar-date.ts';
import { type PeriodRequest, StatementTypeSchema } from '../domain/statement-period.ts';
import type { BulkEmailRequest } from '../services/handle-bulk-email-request.ts';
import { header, queryValues, requestBody, responseFormatOf, singleQueryValue } from './api-gateway.ts';
import { ValidationError } from './http-error.ts';
import type { ResponseFormat } from './negotiation.ts';
import { parseArrayOfString, XmlBodyError } from './xml.ts';

/** KashFlow: "Maximum 35 customers statements can be emailed at a time". */
export const MAX_CUSTOMERS_PER_REQUEST = 35;
/** KashFlow's words for over 35 codes, kept exactly (grammar and all), as clients may match on them. */
export const TOO_MANY_CUSTOMERS_MESSAGE = 'Maximum 35 customers statements can be emailed at a time';
/** 35 codes fit in well under 4 KiB even as XML; anything near this limit is not a real request. */
export const MAX_BODY_BYTES = 32 * 1024;

const flag = (name: string) =>
  z
    .string()
    .optional()
    .refine((value) => value === undefined || value === '' || value === '0' || value === '1', {
      message: `${name} must be 0 or 1`,
    })
    .transform((value) => value === '1');

const compactDate = (name: string) =>
  z
    .string()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value === '') return undefined;
      const date = parseCompactDate(value);
      if (date === undefined) {
        context.addIssue({
          code: 'custom',
          message: `${name} must be a real calendar date in yyyymmdd format`,
        });
        return z.NEVER;
      }
      return date;
    });

/** The POST's query in KashFlow's names and forms (`yyyymmdd`, 0/1); each message names its parameter. */
export const BulkEmailQuerySchema = z.object({
  startdate: compactDate('startdate'),
  enddate: compactDate('enddate'),
  excludepaidinvoices: flag('excludepaidinvoices'),
  filterby: z
    .string()
    .optional()
    .refine((value) => value === undefined || value === '' || value.toLowerCase() === 'all', {
      message: "filterby must be 'All' or empty",
    })
    .transform((value) => value?.toLowerCase() === 'all'),
  dryrun: flag('dryrun'),
  /** Beyond KashFlow: `activity` (absent or empty: KashFlow's statement) or `outstanding`, any letter case. */
  statementtype: z
    .string()
    .optional()
    .transform((value, context) => {
      const type = value === undefined || value === '' ? 'activity' : value.toLowerCase();
      const parsed = StatementTypeSchema.safeParse(type);
      if (parsed.success) return parsed.data;
      context.addIssue({ code: 'custom', message: 'statementtype must be activity or outstanding' });
      return z.NEVER;
    }),
  /** Beyond KashFlow: `1` sends nothing to a customer whose closing balance is zero or in credit. */
  skipnothingowed: flag('skipnothingowed'),
});
/** The query string as the service uses it: ISO dates and booleans. */
export type BulkEmailQuery = z.infer<typeof BulkEmailQuerySchema>;

/** The POST's body: 1 to 35 codes, each a string; every refusal says which rule the body broke. */
export const CustomerCodesSchema = z
  .array(
    z.string({ error: (issue) => `Customer code at index ${String(issue.path?.[0])} must be a string` }),
    {
      error: 'Request body must be an array of customer codes',
    },
  )
  .min(1, { error: 'Request body must list at least one customer code' })
  .max(MAX_CUSTOMERS_PER_REQUEST, { error: TOO_MANY_CUSTOMERS_MESSAGE });

/** A valid bulk email request, and the format its answer is wanted in. */
export interface ParsedBulkEmailRequest extends BulkEmailRequest {
  format: ResponseFormat;
}

const QUERY_NAMES = Object.keys(BulkEmailQuerySchema.shape);

function parseQuery(event: APIGatewayProxyEvent): BulkEmailQuery {
  const values = queryValues(event);
  const raw = Object.fromEntries(QUERY_NAMES.map((name) => [name, singleQueryValue(values, name)]));
  const parsed = BulkEmailQuerySchema.safeParse(raw);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    throw new ValidationError('InvalidParameter', issue?.message ?? 'Invalid query string');
  }
  return parsed.data;
}

/**
 * The statement query of the bulk endpoint (and of runs, which take the same options): the
 * period it asks for, and whether it is a dry run. 400 naming the parameter and its rule.
 */
export function parseStatementQuery(event: APIGatewayProxyEvent): { period: PeriodRequest; dryRun: boolean } {
  const query = parseQuery(event);
  return {
    period: {
      startDate: query.startdate,
      endDate: query.enddate,
      filterAll: query.filterby,
      excludePaid: query.excludepaidinvoices,
      // Only when not the default: a default request's fingerprint (its Idempotency-Key's "same
      // request") stays what it was before the options existed; another option is another request.
      ...(query.statementtype === 'outstanding' ? { statementType: query.statementtype } : {}),
      ...(query.skipnothingowed ? { skipNothingOwed: true } : {}),
    },
    dryRun: query.dryrun,
  };
}

/** The request's Idempotency-Key, if any: 1 to 255 visible ASCII characters, else 400. */
export function idempotencyKeyOf(event: APIGatewayProxyEvent): string | undefined {
  const idempotencyKey = header(event, 'idempotency-key');
  if (idempotencyKey !== undefined && !/^[\x21-\x7E]{1,255}$/.test(idempotencyKey)) {
    throw new ValidationError(
      'InvalidParameter',
      'Idempotency-Key must be 1 to 255 visible ASCII characters',
    );
  }
  return idempotencyKey;
}

function parseBody(event: APIGatewayProxyEvent): string[] {
  const { format: bodyFormat, text } = requestBody(event, MAX_BODY_BYTES);
  if (text.trim() === '') {
    throw new ValidationError('InvalidRequestBody', 'Request body must be an array of customer codes');
  }
  let document: unknown;
  if (bodyFormat === 'xml') {
    try {
      document = parseArrayOfString(text);
    } catch (error) {
      if (error instanceof XmlBodyError)
        throw new ValidationError('InvalidRequestBody', error.message, { cause: error });
      throw error;
    }
  } else {
    try {
      document = JSON.parse(text);
    } catch (error) {
      throw new ValidationError('InvalidRequestBody', 'Request body is not valid JSON', { cause: error });
    }
  }
  const parsed = CustomerCodesSchema.safeParse(document);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const message = issue?.message ?? 'Request body must be an array of customer codes';
    throw new ValidationError(
      message === TOO_MANY_CUSTOMERS_MESSAGE ? 'TooManyCustomers' : 'InvalidRequestBody',
      message,
    );
  }
  return [...new Set(parsed.data)];
}

/**
 * Validates everything about a bulk email request before anything is read or queued:
 * the Accept header (406), the content type (415), the size (413), the query (400), the body (400).
 */
export function parseBulkEmailRequest(event: APIGatewayProxyEvent): ParsedBulkEmailRequest {
  const format = responseFormatOf(event);
  const customerCodes = parseBody(event);
  const { period, dryRun } = parseStatementQuery(event);
  const idempotencyKey = idempotencyKeyOf(event);
  return { format, period, dryRun, customerCodes, idempotencyKey };
}
