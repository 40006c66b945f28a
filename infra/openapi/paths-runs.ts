/**
 * Statement runs (docs/api.md "Statement runs", docs/runs.md): start, follow and cancel a run of
 * any number of one tenant's customers. The POST's body and query are the handler's own schemas.
 */
import { RUN_SELECTION_TYPES, RunIdSchema } from '#shared/domain/run.ts';
import {
  DEFAULT_RUN_PAGE,
  MAX_RUN_BODY_BYTES,
  MAX_RUN_PAGE,
  StartRunBodySchema,
} from '#shared/http/parse-runs-request.ts';
import { RUN_XML } from '#shared/http/runs-response.ts';
import { RunBodySchema, RunXmlBodySchema } from '#shared/schemas/api/runs.ts';
import {
  HEADERS,
  IDEMPOTENCY_IN_PROGRESS,
  IDEMPOTENCY_KEY,
  IDEMPOTENCY_REUSED,
  INTERNAL_ERROR,
  NOT_ACCEPTABLE,
  pagingParameters,
  payloadTooLarge,
  SERVICE_UNAVAILABLE,
  UNAUTHORIZED,
  UNSUPPORTED_MEDIA_TYPE,
} from './common.ts';
import { document, toJsonSchema } from './json-schema.ts';
import { bodySchema, errorResponse, JSON_TYPE, XML_TYPE } from './media.ts';
import { statementQueryParameters } from './paths-statements.ts';
import type { Header, Operations, Parameter, Response } from './types.ts';

const RUN_ID: Parameter = {
  name: 'runId',
  in: 'path',
  required: true,
  description:
    "The run's id (`RunId`, `X-Run-Id`). Anything that cannot be one, and another tenant's run, is 404.",
  schema: toJsonSchema(RunIdSchema, 'input'),
};

const runHeaders: Record<string, Header> = {
  Location: HEADERS.location('the run (`GET …/runs/{runId}`)'),
  'X-Run-Id': { description: "The run's id.", schema: { type: 'string' } },
};

const EXAMPLE_RUN = {
  RunId: '3f0c9a52-6f0e-4a8b-9a51-0c8e2b1d7e40',
  State: 'Sending',
  Selection: 'Owing',
  Origin: 'Api',
  CreatedAt: '2026-11-25T09:00:00.000Z',
  UpdatedAt: '2026-11-25T09:03:12.000Z',
  StartDate: '2026-10-01',
  EndDate: '2026-10-31',
  FilterBy: '',
  ExcludePaidInvoices: false,
  StatementType: 'activity',
  SkipNothingOwed: true,
  Total: 3,
  Counts: {
    Queued: 0,
    Sent: 1,
    Delivered: 1,
    Bounced: 0,
    Complained: 0,
    Failed: 0,
    Skipped: 1,
    Cancelled: 0,
  },
  SkippedReasons: { 'Nothing owed': 1 },
  Retried: 0,
  Customers: [
    { CustomerCode: '0001', State: 'Delivered', UpdatedAt: '2026-11-25T09:02:40.000Z' },
    { CustomerCode: '0002', State: 'Skipped', Reason: 'Nothing owed', UpdatedAt: '2026-11-25T09:01:05.000Z' },
  ],
  NextCursor: 'SVRFTSMwMDAy',
};

const runAnswer = (description: string): Response => ({
  description,
  headers: runHeaders,
  content: {
    [JSON_TYPE]: {
      schema: bodySchema('CustomerStatementRun', RunBodySchema, RUN_XML),
      examples: { run: { value: EXAMPLE_RUN } },
    },
    [XML_TYPE]: { schema: bodySchema('CustomerStatementRunXml', RunXmlBodySchema, RUN_XML) },
  },
});

const NO_SUCH_RUN = errorResponse('No such run for this tenant (or an id that cannot be one).', {
  noRun: { Error: 'NotFound', Message: 'No such run' },
});

document(StartRunBodySchema, {
  description: `The customers to send to: \`Selection\` ${RUN_SELECTION_TYPES.map((type) => `\`${type}\``).join(', ')}; with \`List\`, \`CustomerCodes\` (required, at least one, each 1 to 64 characters with no control characters; duplicates once), and only then.`,
});

const startRun = bodySchema(
  'StartRun',
  StartRunBodySchema,
  { root: 'CustomerStatementRun', items: { CustomerCodes: 'string' } },
  'input',
);

export const RUN_OPERATIONS: Operations = {
  'POST /v2/customerstatements/runs': {
    operationId: 'startStatementRun',
    summary: 'Start a statement run for any number of customers chosen by a rule',
    description:
      "Records the run and starts feeding its customers to the statement pipeline a page at a time; answers at once with the run (`State` `Feeding`). The query takes the bulk endpoint's statement options (not `dryrun`). Nothing is written when the request is refused.",
    tags: ['Runs'],
    parameters: [...statementQueryParameters({ omitDryRun: true }), IDEMPOTENCY_KEY],
    requestBody: {
      description: `The selection, at most ${MAX_RUN_BODY_BYTES} bytes. XML: \`<CustomerStatementRun><Selection>List</Selection><CustomerCodes><string>101</string></CustomerCodes></CustomerStatementRun>\`.`,
      required: true,
      content: {
        [JSON_TYPE]: {
          schema: startRun,
          examples: {
            owing: { summary: 'Everyone who owes', value: { Selection: 'Owing' } },
            list: {
              summary: 'A list of customers',
              value: { Selection: 'List', CustomerCodes: ['101', '0065'] },
            },
          },
        },
        [XML_TYPE]: {
          schema: startRun,
        },
      },
    },
    responses: {
      '202': {
        ...runAnswer(
          'The run, started (`State` `Feeding`), or as it is now when its Idempotency-Key is answered again.',
        ),
        headers: { ...runHeaders, 'Idempotent-Replayed': HEADERS.replayed },
      },
      '400': errorResponse(
        'The body, a query parameter or Idempotency-Key breaks its rule; the message names it.',
        {
          noSelection: { Error: 'InvalidRequestBody', Message: 'Selection is required' },
          badSelection: {
            Error: 'InvalidRequestBody',
            Message: 'Selection must be one of All, Owing, Overdue, List',
          },
          dryRun: { Error: 'InvalidParameter', Message: 'dryrun is not supported for runs' },
        },
      ),
      '401': UNAUTHORIZED,
      '406': NOT_ACCEPTABLE,
      '409': IDEMPOTENCY_IN_PROGRESS,
      '413': payloadTooLarge(MAX_RUN_BODY_BYTES),
      '415': UNSUPPORTED_MEDIA_TYPE,
      '422': IDEMPOTENCY_REUSED,
      '500': INTERNAL_ERROR,
      '503': SERVICE_UNAVAILABLE,
    },
  },
  'GET /v2/customerstatements/runs/{runId}': {
    operationId: 'getStatementRun',
    summary: "A run's state, exact counts and one page of its customers",
    tags: ['Runs'],
    parameters: [
      RUN_ID,
      ...pagingParameters(DEFAULT_RUN_PAGE, MAX_RUN_PAGE, "the previous page's `NextCursor`"),
    ],
    responses: {
      '200': runAnswer('The run with one page of its customers, in customer code order.'),
      '400': errorResponse('`perpage` or `cursor` breaks its rule.', {
        perPage: {
          Error: 'InvalidParameter',
          Message: `perpage must be a whole number from 1 to ${MAX_RUN_PAGE}`,
        },
        cursor: { Error: 'InvalidParameter', Message: 'cursor must be a NextCursor this resource returned' },
      }),
      '401': UNAUTHORIZED,
      '404': NO_SUCH_RUN,
      '406': NOT_ACCEPTABLE,
      '500': INTERNAL_ERROR,
      '503': SERVICE_UNAVAILABLE,
    },
  },
  'DELETE /v2/customerstatements/runs/{runId}': {
    operationId: 'cancelStatementRun',
    summary: 'Cancel what a run has not sent yet',
    description:
      'The feeder feeds no more customers and no job of the run can be claimed from then on; a finished run answers as it is, and a second cancel answers the same.',
    tags: ['Runs'],
    parameters: [RUN_ID],
    responses: {
      '202': runAnswer('The run, `Cancelled` (or as it is when it had finished).'),
      '401': UNAUTHORIZED,
      '404': NO_SUCH_RUN,
      '406': NOT_ACCEPTABLE,
      '500': INTERNAL_ERROR,
      '503': SERVICE_UNAVAILABLE,
    },
  },
};
