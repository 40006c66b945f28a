/**
 * KashFlow's bulk statement email endpoint and the two resources beside it: the batch status and
 * the customer's notes (docs/api.md). Bodies, query and answers from the handlers' own schemas.
 */

import { STATUS_MESSAGES } from '#shared/domain/customer-status.ts';
import { STATUS_LIST_XML } from '#shared/http/bulk-email-response.ts';
import {
  BulkEmailQuerySchema,
  CustomerCodesSchema,
  MAX_CUSTOMERS_PER_REQUEST,
  TOO_MANY_CUSTOMERS_MESSAGE,
} from '#shared/http/parse-bulk-email-request.ts';
import { BATCH_XML, NOTES_XML } from '#shared/http/resource-responses.ts';
import { BatchStatusBodySchema } from '#shared/schemas/api/batch-status.ts';
import { DryRunListBodySchema, StatusListBodySchema } from '#shared/schemas/api/bulk-email.ts';
import { NoteListBodySchema } from '#shared/schemas/api/notes.ts';
import {
  BULK_EMAIL_MAX_BODY_BYTES,
  HEADERS,
  IDEMPOTENCY_IN_PROGRESS,
  IDEMPOTENCY_KEY,
  IDEMPOTENCY_REUSED,
  INTERNAL_ERROR,
  NOT_ACCEPTABLE,
  payloadTooLarge,
  SERVICE_UNAVAILABLE,
  UNAUTHORIZED,
  UNSUPPORTED_MEDIA_TYPE,
} from './common.ts';
import { queryParameters } from './json-schema.ts';
import { answer, bodySchema, errorResponse, JSON_TYPE, XML_TYPE } from './media.ts';
import type { Operations } from './types.ts';

/** The API page's example request, with its query (`?startdate=20130101&enddate=20131010&excludepaidinvoices=1&filterby=all`). */
export const EXAMPLE_CODES = ['101', 'CUST123', 'CUST2345', '0065'];

/** The API page's example response, word for word. */
export const EXAMPLE_STATUSES = [
  { CustomerCode: '101', Sent: true, Message: STATUS_MESSAGES.markedToSend },
  { CustomerCode: 'CUST123', Sent: false, Message: STATUS_MESSAGES.invalidCode },
  { CustomerCode: 'CUST2345', Sent: false, Message: STATUS_MESSAGES.invalidEmail },
  { CustomerCode: '0065', Sent: true, Message: STATUS_MESSAGES.markedToSend },
];

const xmlStatuses = (statuses: typeof EXAMPLE_STATUSES) =>
  `<?xml version="1.0" encoding="utf-8"?><ArrayOfCustomerStatementEmailStatus>${statuses
    .map(
      (status) =>
        `<CustomerStatementEmailStatus><CustomerCode>${status.CustomerCode}</CustomerCode><Sent>${status.Sent}</Sent><Message>${status.Message}</Message></CustomerStatementEmailStatus>`,
    )
    .join('')}</ArrayOfCustomerStatementEmailStatus>`;

const xmlCodes = (codes: string[]) =>
  `<ArrayOfString>${codes.map((code) => `<string>${code}</string>`).join('')}</ArrayOfString>`;

const ARRAY_OF_STRING = { root: 'ArrayOfString', items: { ArrayOfString: 'string' } };

const flag = (name: string, meaning: string) => ({
  description: `${meaning} \`0\` (the default when absent or empty) or \`1\`; anything else: 400 \`InvalidParameter\` \`${name} must be 0 or 1\`.`,
  enum: ['', '0', '1'],
});

/** The statement options of the query, shared with the runs' POST (their parser is the same). */
export const statementQueryParameters = (options: { omitDryRun: boolean }) =>
  queryParameters(
    BulkEmailQuerySchema,
    {
      startdate: {
        description:
          "The statement period's first day: `yyyymmdd`, a real calendar date, year 1900 or later. Absent or empty: three months before `enddate` (or today). Else 400 `InvalidParameter` (`startdate must be a real calendar date in yyyymmdd format`).",
        pattern: '^(\\d{8})?$',
        example: '20130101',
      },
      enddate: {
        description:
          "The statement period's last day: `yyyymmdd`, a real calendar date, on or after `startdate`. Absent or empty: today in the tenant's time zone.",
        pattern: '^(\\d{8})?$',
        example: '20131010',
      },
      excludepaidinvoices: {
        ...flag('excludepaidinvoices', '`1` leaves fully paid invoices out of the statement lines.'),
        example: '1',
      },
      filterby: {
        description:
          "`All` (any letter case): every invoice of the customer whatever the dates. Absent or empty: use the dates. Else 400 `InvalidParameter` (`filterby must be 'All' or empty`).",
        pattern: '^([Aa][Ll][Ll])?$',
        example: 'all',
      },
      dryrun: flag(
        'dryrun',
        '`1` validates and renders every statement and answers what each email would be; nothing is queued, sent or noted.',
      ),
      statementtype: {
        description:
          "Beyond KashFlow: `activity` (KashFlow's statement, the default when absent or empty) or `outstanding` (open items at `enddate`), any letter case. Else 400 `InvalidParameter` (`statementtype must be activity or outstanding`).",
        pattern: '^([Aa][Cc][Tt][Ii][Vv][Ii][Tt][Yy]|[Oo][Uu][Tt][Ss][Tt][Aa][Nn][Dd][Ii][Nn][Gg])?$',
      },
      skipnothingowed: flag(
        'skipnothingowed',
        'Beyond KashFlow: `1` sends nothing to a customer whose closing balance is zero or in credit (answered `Nothing owed`).',
      ),
    },
    options.omitDryRun ? { omit: ['dryrun'] } : {},
  ).map((parameter) => ({
    ...parameter,
    description: `${parameter.description} Parameter names are read in any letter case; a parameter given twice is refused (400).`,
  }));

const customerCodes = bodySchema('CustomerCodes', CustomerCodesSchema, ARRAY_OF_STRING, 'input');
const statusList = bodySchema('CustomerStatementEmailStatusList', StatusListBodySchema, STATUS_LIST_XML);
const dryRunList = bodySchema('DryRunStatusList', DryRunListBodySchema, STATUS_LIST_XML);

export const STATEMENT_OPERATIONS: Operations = {
  'POST /v2/customerstatements/bulk/email': {
    operationId: 'emailCustomerStatements',
    summary: 'Email up to 35 customer statements',
    description: `KashFlow's bulk statement email: one status per distinct customer code, in request order; a job is queued for each customer marked to send, and the statement is emailed with the customer's template and a PDF. An invalid code or address never stops the others. Duplicate codes are sent and reported once. Nothing is written or queued when the request is refused.\n\nKnown \`Message\` values: ${Object.values(
      STATUS_MESSAGES,
    )
      .map((message) => `\`${message}\``)
      .join(
        ', ',
      )}.\n\nThe API page's example in XML (\`Content-Type\` and \`Accept: application/xml\`):\n\n\`\`\`xml\n${xmlCodes(EXAMPLE_CODES)}\n\`\`\`\n\n\`\`\`xml\n${xmlStatuses(EXAMPLE_STATUSES)}\n\`\`\``,
    tags: ['Statements'],
    parameters: [...statementQueryParameters({ omitDryRun: false }), IDEMPOTENCY_KEY],
    requestBody: {
      description: `The customer codes: 1 to ${MAX_CUSTOMERS_PER_REQUEST} strings, exactly as stored (\`"0065"\` is not \`"65"\`). XML: KashFlow's \`ArrayOfString\`. At most ${BULK_EMAIL_MAX_BODY_BYTES} bytes.`,
      required: true,
      content: {
        [JSON_TYPE]: {
          schema: customerCodes,
          examples: { apiPage: { summary: "The API page's example", value: EXAMPLE_CODES } },
        },
        [XML_TYPE]: { schema: customerCodes },
      },
    },
    responses: {
      '200': {
        description:
          'One status per distinct code, in request order. A real request carries its batch (`X-Batch-Id`, `Location`); a dry run (`dryrun=1`, `X-Dry-Run: true`) carries what each email would be instead: `Sent` is always false there, and `Message` is `Would be sent` for a customer that would get its statement.',
        headers: {
          'X-Batch-Id': {
            description: 'The batch id (not on a dry run).',
            schema: { type: 'string', format: 'uuid' },
          },
          Location: HEADERS.location(
            'the batch status resource (`GET …/bulk/email/{batchId}`; not on a dry run)',
          ),
          'Idempotent-Replayed': HEADERS.replayed,
          'X-Dry-Run': {
            description: 'Present (`true`) on a dry run.',
            schema: { type: 'string', const: 'true' },
          },
        },
        content: {
          [JSON_TYPE]: {
            schema: { anyOf: [statusList, dryRunList] },
            examples: { apiPage: { summary: "The API page's example response", value: EXAMPLE_STATUSES } },
          },
          [XML_TYPE]: { schema: { anyOf: [statusList, dryRunList] } },
        },
      },
      '400': errorResponse(
        'A query parameter, the body or Idempotency-Key breaks its rule; the message names it.',
        {
          tooMany: { Error: 'TooManyCustomers', Message: TOO_MANY_CUSTOMERS_MESSAGE },
          notAnArray: {
            Error: 'InvalidRequestBody',
            Message: 'Request body must be an array of customer codes',
          },
          badDate: {
            Error: 'InvalidParameter',
            Message: 'startdate must be a real calendar date in yyyymmdd format',
          },
          badFlag: { Error: 'InvalidParameter', Message: 'excludepaidinvoices must be 0 or 1' },
        },
      ),
      '401': UNAUTHORIZED,
      '406': NOT_ACCEPTABLE,
      '409': IDEMPOTENCY_IN_PROGRESS,
      '413': payloadTooLarge(BULK_EMAIL_MAX_BODY_BYTES),
      '415': UNSUPPORTED_MEDIA_TYPE,
      '422': IDEMPOTENCY_REUSED,
      '500': INTERNAL_ERROR,
      '503': SERVICE_UNAVAILABLE,
    },
  },
  'GET /v2/customerstatements/bulk/email/{batchId}': {
    operationId: 'getStatementBatch',
    summary: "A bulk request's batch and each customer's delivery state",
    tags: ['Statements'],
    parameters: [
      {
        name: 'batchId',
        in: 'path',
        required: true,
        description:
          "The `X-Batch-Id` of the bulk request. Anything that cannot be one, and another tenant's batch, is 404.",
        schema: { type: 'string', format: 'uuid' },
      },
    ],
    responses: {
      '200': answer(
        'The batch: its period and options, and each customer in request order.',
        bodySchema('CustomerStatementEmailBatch', BatchStatusBodySchema, BATCH_XML),
      ),
      '401': UNAUTHORIZED,
      '404': errorResponse(
        "No such batch for this tenant; a statement run's id names the runs resource to ask instead.",
        {
          noBatch: { Error: 'NotFound', Message: 'No such batch' },
          aRun: {
            Error: 'NotFound',
            Message:
              '3f1c9a52-6c1e-4d7a-9b0e-2a4d5e6f7a8b is a statement run, not a bulk email batch: its status is GET /v2/customerstatements/runs/3f1c9a52-6c1e-4d7a-9b0e-2a4d5e6f7a8b',
          },
        },
      ),
      '406': NOT_ACCEPTABLE,
      '500': INTERNAL_ERROR,
      '503': SERVICE_UNAVAILABLE,
    },
  },
  'GET /v2/customers/{code}/notes': {
    operationId: 'listCustomerNotes',
    summary: "A customer's notes (one per statement emailed), newest first",
    tags: ['Customers'],
    parameters: [
      {
        name: 'code',
        in: 'path',
        required: true,
        description: 'The customer code.',
        schema: { type: 'string' },
        example: '101',
      },
    ],
    responses: {
      '200': answer("KashFlow's notes, newest first.", bodySchema('NoteList', NoteListBodySchema, NOTES_XML)),
      '401': UNAUTHORIZED,
      '404': errorResponse('No such customer for this tenant.', {
        noCustomer: { Error: 'NotFound', Message: 'Invalid customer code' },
      }),
      '406': NOT_ACCEPTABLE,
      '500': INTERNAL_ERROR,
    },
  },
};
