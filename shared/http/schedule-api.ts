/**
 * KashFlow's statement schedule endpoints (docs/api.md "Statement schedules", docs/schedules.md):
 * `GET/POST/DELETE /v2/customers/schedule-statement` (the tenant-wide schedule, and the list) and
 * `…/schedule-statement/{customerCode}` (one customer's). JSON or XML in and out; every refusal
 * names the field and its rule, and is made before anything is written.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type * as z from 'zod';
import { CUSTOMER_SCHEDULE_PREFIX } from '../aws/dynamodb-schedules.ts';
import {
  ScheduleBodyError,
  type ScheduleSettings,
  ScheduleSettingsBodySchema,
  toScheduleSettings,
} from '../domain/schedule.ts';
import { UnknownTenantError } from '../errors.ts';
import { CustomerCodeSchema } from '../schemas/fields.ts';
import { VersionSchema } from '../schemas/ledger-records.ts';
import {
  listSchedules,
  readSchedule,
  removeSchedule,
  ScheduleWriteRefusedError,
  saveSchedule,
  UnknownScheduleCustomerError,
} from '../services/schedules/save-schedule.ts';
import {
  pathParameter,
  queryValues,
  requestBody,
  responseFormatOf,
  singleQueryValue,
  tenantIdOf,
} from './api-gateway.ts';
import { HttpError, invalidSessionToken, ValidationError } from './http-error.ts';
import { fromXml } from './ledger-xml.ts';
import { notFound } from './resource-responses.ts';
import { toHttpResponse, type XmlShape } from './responses.ts';
import { parseXmlDocument, XmlBodyError } from './xml.ts';

/** The collection's path; a customer's schedule is under it by code. */
export const SCHEDULES_PATH = '/v2/customers/schedule-statement';

/** A schedule's body: its settings and the source's `Version`, by the ledger's rule. */
export const ScheduleBodySchema = ScheduleSettingsBodySchema.extend({ Version: VersionSchema.optional() });
/** A schedule as a client writes it. */
export type ScheduleBody = z.infer<typeof ScheduleBodySchema>;

/** A schedule body is a few hundred bytes. */
export const MAX_SCHEDULE_BODY_BYTES = 16 * 1024;
/** The list's page of customer schedules when `perpage` is not given, and its largest. */
export const DEFAULT_SCHEDULES_PER_PAGE = 100;
/** The list's largest page of customer schedules. */
export const MAX_SCHEDULES_PER_PAGE = 1000;

/** One schedule in XML, and its body's root element. */
export const SCHEDULE_XML: XmlShape = { root: 'StatementSchedule' };
/** The list in XML: the tenant-wide schedule and `<CustomerSchedules><StatementSchedule>…`. */
export const SCHEDULE_LIST_XML: XmlShape = {
  root: 'StatementSchedules',
  items: { CustomerSchedules: 'StatementSchedule' },
};

const describe = (issues: readonly z.core.$ZodIssue[]): string =>
  issues
    .map((issue) => {
      if (issue.code === 'unrecognized_keys') {
        return `${issue.keys.join(', ')}: is not a field of a statement schedule`;
      }
      const path = issue.path.map(String).join('.');
      // A boolean's own message names it already (`Enabled: must be true or false`).
      if (path !== '' && issue.message.startsWith(`${path}:`)) return issue.message;
      return path === '' ? issue.message : `${path}: ${issue.message}`;
    })
    .join('; ');

function parseDocument(event: APIGatewayProxyEvent): unknown {
  const { format, text } = requestBody(event, MAX_SCHEDULE_BODY_BYTES);
  if (text.trim() === '') throw new ValidationError('InvalidRequestBody', 'Request body must not be empty');
  try {
    if (format === 'json') return JSON.parse(text);
    const root = parseXmlDocument(text);
    if (root.name !== SCHEDULE_XML.root)
      throw new XmlBodyError('XML body must be a StatementSchedule element');
    return fromXml(root, ScheduleBodySchema);
  } catch (error) {
    if (error instanceof XmlBodyError)
      throw new ValidationError('InvalidRequestBody', error.message, { cause: error });
    if (error instanceof SyntaxError) {
      throw new ValidationError('InvalidRequestBody', 'Request body is not valid JSON', { cause: error });
    }
    throw error;
  }
}

/**
 * A schedule body for the tenant-wide schedule (`customerCode` undefined) or a customer's, judged
 * field by field; 400 `InvalidRequestBody` naming every field that breaks its rule.
 */
export function parseScheduleBody(
  event: APIGatewayProxyEvent,
  customerCode: string | undefined,
): { settings: ScheduleSettings; version?: ScheduleBody['Version'] } {
  const document = parseDocument(event);
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new ValidationError('InvalidRequestBody', 'Request body must be a statement schedule object');
  }
  const parsed = ScheduleBodySchema.safeParse(document);
  if (!parsed.success) throw new ValidationError('InvalidRequestBody', describe(parsed.error.issues));
  try {
    const settings = toScheduleSettings(parsed.data, customerCode);
    return { settings, ...(parsed.data.Version === undefined ? {} : { version: parsed.data.Version }) };
  } catch (error) {
    if (error instanceof ScheduleBodyError) throw new ValidationError('InvalidRequestBody', error.message);
    throw error;
  }
}

/** The path's customer code, by the customer code rule; 400 naming the parameter. */
export function customerCodeOf(event: APIGatewayProxyEvent): string {
  const parsed = CustomerCodeSchema.safeParse(pathParameter(event, 'customerCode'));
  if (!parsed.success) {
    throw new ValidationError(
      'InvalidParameter',
      `customerCode: ${parsed.error.issues[0]?.message ?? 'is invalid'}`,
    );
  }
  return parsed.data;
}

const DIGITS = /^\d{1,16}$/;

/** `?version=` of a DELETE (digits are a counter, else a timestamp); absent when not given. */
function deleteVersionOf(event: APIGatewayProxyEvent): z.infer<typeof VersionSchema> | undefined {
  const text = singleQueryValue(queryValues(event), 'version');
  if (text === undefined || text === '') return undefined;
  const parsed = VersionSchema.safeParse(DIGITS.test(text) ? Number(text) : text);
  if (!parsed.success)
    throw new ValidationError('InvalidParameter', `version: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

const encodeCursor = (sortKey: string) => Buffer.from(sortKey, 'utf8').toString('base64url');

/** `?perpage=` (1 to 1000, default 100) and `?cursor=` (one this list gave) of the list. */
export function scheduleListQueryOf(event: APIGatewayProxyEvent): { perPage: number; after?: string } {
  const values = queryValues(event);
  const perPageText = singleQueryValue(values, 'perpage');
  let perPage = DEFAULT_SCHEDULES_PER_PAGE;
  if (perPageText !== undefined && perPageText !== '') {
    perPage = /^\d{1,4}$/.test(perPageText) ? Number(perPageText) : Number.NaN;
    if (!(perPage >= 1 && perPage <= MAX_SCHEDULES_PER_PAGE)) {
      throw new ValidationError(
        'InvalidParameter',
        `perpage: must be a whole number from 1 to ${MAX_SCHEDULES_PER_PAGE}`,
      );
    }
  }
  const cursor = singleQueryValue(values, 'cursor');
  if (cursor === undefined || cursor === '') return { perPage };
  const sortKey = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!sortKey.startsWith(CUSTOMER_SCHEDULE_PREFIX) || encodeCursor(sortKey) !== cursor) {
    throw new ValidationError('InvalidParameter', 'cursor: must be a NextPageUrl cursor this list gave');
  }
  return { perPage, after: sortKey };
}

/** The API's base path as the client called it (a stage or custom domain base path), before `/v2/`. */
function basePath(event: APIGatewayProxyEvent): string {
  const path = event.requestContext?.path ?? event.path;
  const at = path.indexOf('/v2/');
  return at > 0 ? path.slice(0, at) : '';
}

const NO_CONTENT: APIGatewayProxyResult = {
  statusCode: 204,
  headers: { 'Cache-Control': 'no-store' },
  body: '',
};

/** The service's refusals as KashFlow's errors: 404 for an unknown customer, 409 Stale or Conflict. */
function toHttpError(error: unknown): unknown {
  if (error instanceof UnknownScheduleCustomerError) return notFound('No such customer');
  if (error instanceof ScheduleWriteRefusedError)
    return new HttpError(409, error.result, error.message, { cause: error });
  if (error instanceof UnknownTenantError) return invalidSessionToken({ cause: error });
  return error;
}

/**
 * Answers every schedule route (infra/api-routes.ts): the tenant from the authorizer, the format
 * from Accept (406 first), the path's code and the body checked, then the service.
 */
export async function handleScheduleRequest(
  event: APIGatewayProxyEvent,
  now: Date,
): Promise<APIGatewayProxyResult> {
  const tenantId = tenantIdOf(event);
  const format = responseFormatOf(event);
  const oneCustomer = event.resource.endsWith('{customerCode}');
  const customerCode = oneCustomer ? customerCodeOf(event) : undefined;
  try {
    switch (event.httpMethod) {
      case 'GET': {
        if (!oneCustomer) {
          const { perPage, after } = scheduleListQueryOf(event);
          const list = await listSchedules(tenantId, perPage, after);
          const next =
            list.lastSortKey === undefined
              ? {}
              : {
                  NextPageUrl: `${basePath(event)}${SCHEDULES_PATH}?perpage=${perPage}&cursor=${encodeCursor(list.lastSortKey)}`,
                };
          return toHttpResponse(
            200,
            {
              ...(list.tenantSchedule === undefined ? {} : { TenantSchedule: list.tenantSchedule }),
              CustomerSchedules: list.customerSchedules,
              MetaData: { PerPage: perPage, ...next },
            },
            format,
            SCHEDULE_LIST_XML,
          );
        }
        const schedule = await readSchedule(tenantId, customerCode);
        if (schedule === undefined) throw notFound('No statement schedule for this customer');
        return toHttpResponse(200, schedule, format, SCHEDULE_XML);
      }
      case 'POST': {
        const { settings, version } = parseScheduleBody(event, customerCode);
        const saved = await saveSchedule(tenantId, settings, version, now);
        const location = `${basePath(event)}${SCHEDULES_PATH}${customerCode === undefined ? '' : `/${encodeURIComponent(customerCode)}`}`;
        return toHttpResponse(saved.result === 'Created' ? 201 : 200, saved.schedule, format, SCHEDULE_XML, {
          'Schedule-Result': saved.result,
          ...(saved.result === 'Created' ? { Location: location } : {}),
        });
      }
      case 'DELETE': {
        const version = deleteVersionOf(event);
        if (!(await removeSchedule(tenantId, customerCode, version))) {
          throw notFound(
            customerCode === undefined
              ? 'No tenant-wide statement schedule'
              : 'No statement schedule for this customer',
          );
        }
        return NO_CONTENT;
      }
      default:
        throw notFound('No such resource');
    }
  } catch (error) {
    throw toHttpError(error);
  }
}
