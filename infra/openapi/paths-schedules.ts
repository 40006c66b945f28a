/**
 * KashFlow's statement schedules (docs/api.md "Statement schedules", docs/schedules.md): the
 * tenant-wide schedule and the list, and each customer's. Bodies and answers from the schemas.
 */

import {
  DEFAULT_SCHEDULES_PER_PAGE,
  MAX_SCHEDULE_BODY_BYTES,
  MAX_SCHEDULES_PER_PAGE,
  SCHEDULE_LIST_XML,
  SCHEDULE_XML,
  SCHEDULES_PATH,
  ScheduleBodySchema,
} from '#shared/http/schedule-api.ts';
import { ScheduleListBodySchema, ScheduleResponseBodySchema } from '#shared/schemas/api/schedules.ts';
import { CustomerCodeSchema } from '#shared/schemas/fields.ts';
import { VersionSchema } from '#shared/schemas/ledger-records.ts';
import {
  HEADERS,
  INTERNAL_ERROR,
  NOT_ACCEPTABLE,
  pagingParameters,
  payloadTooLarge,
  SERVICE_UNAVAILABLE,
  UNAUTHORIZED,
  UNSUPPORTED_MEDIA_TYPE,
} from './common.ts';
import { toJsonSchema } from './json-schema.ts';
import { answer, bodySchema, errorResponse, JSON_TYPE, XML_TYPE } from './media.ts';
import type { Operation, Operations, Parameter, RequestBody } from './types.ts';

const CUSTOMER_CODE: Parameter = {
  name: 'customerCode',
  in: 'path',
  required: true,
  description:
    'The customer code: 1 to 64 characters with no control characters, else 400 `InvalidParameter`.',
  schema: toJsonSchema(CustomerCodeSchema, 'input'),
  example: '101',
};

const DELETE_VERSION: Parameter = {
  name: 'version',
  in: 'query',
  required: false,
  description:
    "The source's `Version` of the delete (digits: a counter, else an ISO timestamp with offset); an older one than the schedule's is 409 `Stale` and deletes nothing.",
  schema: { type: 'string' },
};

const scheduleBody = bodySchema('StatementScheduleBody', ScheduleBodySchema, SCHEDULE_XML, 'input');
const schedule = bodySchema('StatementSchedule', ScheduleResponseBodySchema, SCHEDULE_XML);
const SCHEDULE_BODY: RequestBody = {
  description: `A StatementSchedule, at most ${MAX_SCHEDULE_BODY_BYTES} bytes. \`NextIssueDate\` and \`LastRun\` are read-only and ignored when sent back. XML root: \`<StatementSchedule>\` (booleans \`true\`/\`false\` or \`1\`/\`0\`).`,
  required: true,
  content: {
    [JSON_TYPE]: {
      schema: scheduleBody,
      examples: {
        owing: {
          summary: 'Everyone who owes, on the 1st, for last month',
          value: { Selection: 'Owing', IssueDay: 1, Period: 'LastMonth', SkipIfNothingOwed: true },
        },
      },
    },
    [XML_TYPE]: { schema: scheduleBody },
  },
};

const EXAMPLE_SCHEDULE = {
  Selection: 'Owing',
  IssueDay: 1,
  Period: 'LastMonth',
  ExcludePaidInvoices: false,
  ExcludeOpeningBalance: false,
  SkipIfNothingOwed: true,
  StatementType: 'activity',
  Enabled: true,
  NextIssueDate: '2026-12-01',
};

const scheduleResultHeader = {
  description: 'What the save did: `Created`, `Updated` or `Unchanged`.',
  schema: { type: 'string', enum: ['Created', 'Updated', 'Unchanged'] },
};

const BAD_BODY = errorResponse(
  "The body breaks its rules (`InvalidRequestBody`, every bad field named in one message), or the path's `customerCode` or `version` does (`InvalidParameter`).",
  {
    body: {
      Error: 'InvalidRequestBody',
      Message: 'IssueDay: must be a whole number from 1 to 28, or Last (the last day of the month)',
    },
    field: { Error: 'InvalidRequestBody', Message: 'Frequency: is not a field of a statement schedule' },
  },
);

const CONFLICT = errorResponse(
  '`Stale`: the schedule holds a newer `Version` (or the same with other content); nothing changed. `Conflict`: another save of the same schedule at the same moment; read it and try again.',
  {
    stale: {
      Error: 'Stale',
      Message:
        'Version: is older than the stored schedule’s (or the same with other content); nothing was changed',
    },
    conflict: {
      Error: 'Conflict',
      Message: 'The schedule was changed by another request at the same time; read it and try again',
    },
  },
);

const common: Operation['responses'] = {
  '401': UNAUTHORIZED,
  '406': NOT_ACCEPTABLE,
  '500': INTERNAL_ERROR,
  '503': SERVICE_UNAVAILABLE,
};

function save(customer: boolean): Operation {
  const what = customer ? "a customer's statement schedule" : 'the tenant-wide statement schedule';
  return {
    operationId: customer ? 'saveCustomerStatementSchedule' : 'saveTenantStatementSchedule',
    summary: `Create or replace ${what}`,
    tags: ['Schedules'],
    ...(customer ? { parameters: [CUSTOMER_CODE] } : {}),
    requestBody: SCHEDULE_BODY,
    responses: {
      '200': answer('Replaced, or `Unchanged`: the schedule as stored.', schedule, {
        headers: { 'Schedule-Result': scheduleResultHeader },
      }),
      '201': answer('Created: the schedule as stored.', schedule, {
        headers: {
          'Schedule-Result': scheduleResultHeader,
          Location: HEADERS.location('the schedule'),
        },
        examples: { json: { owing: { value: EXAMPLE_SCHEDULE } } },
      }),
      '400': BAD_BODY,
      ...(customer
        ? {
            '404': errorResponse('No such customer for this tenant.', {
              noCustomer: { Error: 'NotFound', Message: 'No such customer' },
            }),
          }
        : {}),
      '409': CONFLICT,
      '413': payloadTooLarge(MAX_SCHEDULE_BODY_BYTES),
      '415': UNSUPPORTED_MEDIA_TYPE,
      ...common,
    },
  };
}

function remove(customer: boolean): Operation {
  return {
    operationId: customer ? 'deleteCustomerStatementSchedule' : 'deleteTenantStatementSchedule',
    summary: customer
      ? "Delete a customer's statement schedule"
      : 'Delete the tenant-wide statement schedule',
    description: 'Stops its future runs; runs it started go on.',
    tags: ['Schedules'],
    parameters: [...(customer ? [CUSTOMER_CODE] : []), DELETE_VERSION],
    responses: {
      '204': { description: 'Deleted.' },
      '400': errorResponse('`customerCode` or `version` breaks its rule.', {
        version: {
          Error: 'InvalidParameter',
          Message: `version: ${VersionSchema.safeParse(-1).error?.issues[0]?.message ?? 'is invalid'}`,
        },
      }),
      '404': errorResponse('There is no such schedule.', {
        none: {
          Error: 'NotFound',
          Message: customer ? 'No statement schedule for this customer' : 'No tenant-wide statement schedule',
        },
      }),
      '409': CONFLICT,
      ...common,
    },
  };
}

export const SCHEDULE_OPERATIONS: Operations = {
  [`GET ${SCHEDULES_PATH}`]: {
    operationId: 'listStatementSchedules',
    summary: "The tenant-wide statement schedule and a page of customers' schedules",
    tags: ['Schedules'],
    parameters: pagingParameters(
      DEFAULT_SCHEDULES_PER_PAGE,
      MAX_SCHEDULES_PER_PAGE,
      '`MetaData.NextPageUrl`',
    ),
    responses: {
      '200': answer(
        "The tenant-wide schedule (absent when there is none; on the first page only) and a page of the customers' schedules by code.",
        bodySchema('StatementSchedules', ScheduleListBodySchema, SCHEDULE_LIST_XML),
      ),
      '400': errorResponse('`perpage` or `cursor` breaks its rule.', {
        perPage: {
          Error: 'InvalidParameter',
          Message: `perpage: must be a whole number from 1 to ${MAX_SCHEDULES_PER_PAGE}`,
        },
      }),
      ...common,
    },
  },
  [`POST ${SCHEDULES_PATH}`]: save(false),
  [`DELETE ${SCHEDULES_PATH}`]: remove(false),
  [`GET ${SCHEDULES_PATH}/{customerCode}`]: {
    operationId: 'getCustomerStatementSchedule',
    summary: "A customer's statement schedule",
    tags: ['Schedules'],
    parameters: [CUSTOMER_CODE],
    responses: {
      '200': answer("The customer's schedule.", schedule),
      '400': errorResponse('`customerCode` breaks its rule.', {
        code: {
          Error: 'InvalidParameter',
          Message: 'customerCode: must be 1 to 64 characters with no control characters',
        },
      }),
      '404': errorResponse('No such customer, or no schedule for it.', {
        none: { Error: 'NotFound', Message: 'No statement schedule for this customer' },
      }),
      ...common,
    },
  },
  [`POST ${SCHEDULES_PATH}/{customerCode}`]: save(true),
  [`DELETE ${SCHEDULES_PATH}/{customerCode}`]: remove(true),
} as Operations;
