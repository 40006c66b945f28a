/**
 * The ledger API's HTTP edge (docs/api.md "The ledger API"): one function behind every record
 * route, routed on the method and API Gateway's resource path. Each route checks its request
 * (parse-ledger-request.ts), calls the one write path or a read, and answers in JSON or XML; the
 * write path's result words become statuses here and nowhere else. Logs carry types, result words
 * and counts, never a record's contents.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { METRIC } from '../observability/metric-names.ts';
import { logger, metrics } from '../observability/powertools.ts';
import { RecordNumberSchema } from '../schemas/fields.ts';
import {
  applyLedgerOperations,
  type LedgerOperation,
  type LedgerResult,
  type LedgerResultWord,
} from '../services/ledger/apply-ledger-operations.ts';
import { LEDGER_KINDS, type LedgerType, type RecordId } from '../services/ledger/ledger-kinds.ts';
import {
  getDefaultStatementTemplate,
  getLedgerRecord,
  getTenantStatementSettings,
  listCustomers,
  listInvoicePayments,
  listTemplates,
} from '../services/ledger/read-ledger-records.ts';
import { responseFormatOf, tenantIdOf } from './api-gateway.ts';
import { HttpError, ValidationError } from './http-error.ts';
import {
  BATCH_RESULT_XML,
  CUSTOMER_LIST_XML,
  PAYMENT_LIST_XML,
  RECORD_XML,
  TEMPLATE_LIST_XML,
} from './ledger-xml.ts';
import type { ResponseFormat } from './negotiation.ts';
import {
  type BatchEntry,
  customerListQueryOf,
  deleteVersionOf,
  type PathField,
  parseBatchBody,
  parseRecordBody,
  pathIdOf,
} from './parse-ledger-request.ts';
import { notFound } from './resource-responses.ts';
import { toHttpResponse } from './responses.ts';

/** The customer list's `MetaData`: the page size, and the next page's URL unless this is the last. */
export interface CustomerListMetaData {
  PerPage: number;
  NextPageUrl?: string;
}

/** One operation's line in `POST /v2/ledger/batch`'s answer. */
export interface LedgerOperationResultBody {
  Index: number;
  Type?: LedgerType;
  Key?: string;
  Result: LedgerResultWord;
  Message?: string;
}

/** `POST /v2/ledger/batch`'s answer: each operation's result in request order, and how many of each. */
export interface LedgerBatchResultBody {
  Results: LedgerOperationResultBody[];
  Summary: Record<LedgerResultWord, number>;
}

/** What every route is given: the event, the tenant the authorizer resolved and the negotiated format. */
interface LedgerRequest {
  event: APIGatewayProxyEvent;
  tenantId: string;
  format: ResponseFormat;
}

type Route = (request: LedgerRequest) => Promise<APIGatewayProxyResult>;

/** The result words, in the order the bulk's Summary lists them. */
const RESULT_WORDS: readonly LedgerResultWord[] = [
  'Created',
  'Updated',
  'Unchanged',
  'Deleted',
  'Stale',
  'NotFound',
  'Invalid',
  'Conflict',
];

/** The records with a resource of their own: where it is and the path parameter that names it. */
const RECORD_RESOURCES: {
  type: Exclude<LedgerType, 'StatementSettings'>;
  collection: string;
  parameter: string;
}[] = [
  { type: 'Customer', collection: '/v2/customers', parameter: 'code' },
  { type: 'Invoice', collection: '/v2/invoices', parameter: 'number' },
  { type: 'CreditNote', collection: '/v2/creditnotes', parameter: 'number' },
  { type: 'Payment', collection: '/v2/payments', parameter: 'number' },
  { type: 'EmailTemplate', collection: '/v2/emailtemplates', parameter: 'number' },
];

const SETTINGS_PATH = '/v2/settings/statements';

/** Each type as a message names it. */
const NOUNS: { [T in LedgerType]: string } = {
  Customer: 'customer',
  Invoice: 'invoice',
  CreditNote: 'credit note',
  Payment: 'payment',
  EmailTemplate: 'email template',
  StatementSettings: 'statement settings',
};

/**
 * The API's base path as the client called it: the stage on API Gateway's own URL (`/prod`), a
 * custom domain's base path, or nothing. Every route is under `/v2/`.
 */
function basePath(event: APIGatewayProxyEvent): string {
  const path = event.requestContext?.path ?? event.path;
  const at = path.indexOf('/v2/');
  return at > 0 ? path.slice(0, at) : '';
}

/** Where a record can be read. */
function recordLocation(event: APIGatewayProxyEvent, type: LedgerType, id: RecordId): string {
  const resource = RECORD_RESOURCES.find((entry) => entry.type === type);
  const path =
    resource === undefined ? SETTINGS_PATH : `${resource.collection}/${encodeURIComponent(String(id))}`;
  return `${basePath(event)}${path}`;
}

/** Counts each result word, logs the counts and emits the metrics; never a record's contents. */
function report(results: readonly LedgerResult[], what: string): Record<LedgerResultWord, number> {
  const summary = Object.fromEntries(RESULT_WORDS.map((word) => [word, 0])) as Record<
    LedgerResultWord,
    number
  >;
  for (const { result } of results) summary[result] += 1;
  const written = summary.Created + summary.Updated + summary.Deleted;
  if (written > 0) metrics.addMetric(METRIC.LedgerRecordsWritten, 'Count', written);
  if (summary.Stale > 0) metrics.addMetric(METRIC.LedgerWritesStale, 'Count', summary.Stale);
  if (summary.Invalid > 0) metrics.addMetric(METRIC.LedgerOperationsInvalid, 'Count', summary.Invalid);
  logger.info(what, {
    operations: results.length,
    types: [...new Set(results.flatMap(({ type }) => (type === undefined ? [] : [type])))],
    ...summary,
  });
  return summary;
}

/** Applies one operation through the write path. */
async function applyOne(tenantId: string, operation: LedgerOperation): Promise<LedgerResult> {
  const [result] = await applyLedgerOperations(tenantId, [operation]);
  if (result === undefined) throw new Error('The write path answered no result for one operation');
  report([result], 'Ledger write answered');
  return result;
}

/** 409 for a write the stored record is newer than, or that lost to concurrent writers too often. */
function conflictOf(result: LedgerResult): HttpError {
  return new HttpError(409, result.result, result.message ?? `The write was ${result.result}`);
}

/** PUT (or POST of a payment): 201 Created with Location, 200 Updated or Unchanged; the stored record. */
async function upsert(
  request: LedgerRequest,
  type: LedgerType,
  record: unknown,
): Promise<APIGatewayProxyResult> {
  const { event, tenantId, format } = request;
  const result = await applyOne(tenantId, { action: 'Upsert', type, record });
  switch (result.result) {
    case 'Created':
    case 'Updated':
    case 'Unchanged':
      return toHttpResponse(
        result.result === 'Created' ? 201 : 200,
        result.record ?? {},
        format,
        RECORD_XML[type],
        {
          'Ledger-Result': result.result,
          ...(result.result === 'Created' && result.id !== undefined
            ? { Location: recordLocation(event, type, result.id) }
            : {}),
        },
      );
    case 'Invalid':
      throw new ValidationError('InvalidRequestBody', result.message ?? 'The record is invalid');
    case 'Stale':
    case 'Conflict':
      throw conflictOf(result);
    default:
      throw new Error(`The write path answered ${result.result} to an upsert`);
  }
}

/** DELETE: 204 when the record is (now or already) deleted; 404, 409 Stale, 400 when it may not be. */
async function remove(
  request: LedgerRequest,
  type: LedgerType,
  id: RecordId,
): Promise<APIGatewayProxyResult> {
  const { event, tenantId } = request;
  const version = deleteVersionOf(event);
  const result = await applyOne(tenantId, {
    action: 'Delete',
    type,
    id,
    ...(version === undefined ? {} : { version }),
  });
  switch (result.result) {
    case 'Deleted':
    case 'Unchanged':
      return {
        statusCode: 204,
        headers: { 'Cache-Control': 'no-store', 'Ledger-Result': result.result },
        body: '',
      };
    case 'NotFound':
      throw notFound(`No such ${NOUNS[type]}`);
    case 'Invalid':
      throw new ValidationError('InvalidParameter', result.message ?? 'The record cannot be deleted');
    case 'Stale':
    case 'Conflict':
      throw conflictOf(result);
    default:
      throw new Error(`The write path answered ${result.result} to a delete`);
  }
}

function recordRoutes(
  type: Exclude<LedgerType, 'StatementSettings'>,
  parameter: string,
): Record<string, Route> {
  const kind = LEDGER_KINDS[type];
  return {
    GET: async ({ event, tenantId, format }) => {
      const record = await getLedgerRecord(tenantId, type, pathIdOf(event, parameter, type));
      if (record === undefined) throw notFound(`No such ${NOUNS[type]}`);
      return toHttpResponse(200, record, format, RECORD_XML[type]);
    },
    PUT: async (request) => {
      const id = pathIdOf(request.event, parameter, type);
      const keyField: PathField[] =
        kind.idField === undefined ? [] : [{ field: kind.idField, value: id, rule: kind.idSchema }];
      return upsert(request, type, parseRecordBody(request.event, type, keyField));
    },
    DELETE: (request) => remove(request, type, pathIdOf(request.event, parameter, type)),
  };
}

/** `GET /v2/customers`: a page, and the next page's URL unless this is the last. */
const listCustomerPage: Route = async ({ event, tenantId, format }) => {
  const { perPage, after } = customerListQueryOf(event);
  const page = await listCustomers(tenantId, perPage, after);
  const next =
    page.nextCursor === undefined
      ? {}
      : {
          NextPageUrl: `${basePath(event)}/v2/customers?perpage=${perPage}&cursor=${encodeURIComponent(page.nextCursor)}`,
        };
  return toHttpResponse(
    200,
    { Data: page.records, MetaData: { PerPage: perPage, ...next } satisfies CustomerListMetaData },
    format,
    CUSTOMER_LIST_XML,
  );
};

/** `POST /v2/invoices/{number}/payments`: a payment allocated to the path's invoice. */
const postInvoicePayment: Route = async (request) => {
  const invoiceNumber = pathIdOf(request.event, 'number', 'Invoice');
  const record = parseRecordBody(request.event, 'Payment', [
    { field: 'InvoiceNumber', value: invoiceNumber, rule: RecordNumberSchema },
  ]);
  return upsert(request, 'Payment', record);
};

/** `DELETE /v2/invoices/{number}/payments/{paymentNumber}`: only a payment allocated to that invoice. */
const deleteInvoicePayment: Route = async (request) => {
  const { event, tenantId } = request;
  const invoiceNumber = pathIdOf(event, 'number', 'Invoice');
  const paymentNumber = pathIdOf(event, 'paymentNumber', 'Payment');
  deleteVersionOf(event);
  const payment = await getLedgerRecord(tenantId, 'Payment', paymentNumber);
  if (payment?.InvoiceNumber !== invoiceNumber) throw notFound('No such payment on this invoice');
  return remove(request, 'Payment', paymentNumber);
};

/** `POST /v2/ledger/batch`: every operation's result in request order, and how many of each. */
const applyBatch: Route = async ({ event, tenantId, format }) => {
  const entries: BatchEntry[] = parseBatchBody(event);
  const operations = entries.flatMap((entry) => ('operation' in entry ? [entry.operation] : []));
  const applied = await applyLedgerOperations(tenantId, operations);
  const byIndex = new Map(applied.map((result) => [result.index, result]));
  let next = 0;
  const results: LedgerResult[] = entries.map((entry, index) => {
    if ('invalid' in entry) return { index, ...entry.invalid, result: 'Invalid' };
    const result = byIndex.get(next);
    next += 1;
    if (result === undefined) throw new Error('The write path answered no result for an operation');
    return { ...result, index };
  });
  const summary = report(results, 'Ledger batch answered');
  const body = {
    Results: results.map(({ index, type, id, result, message }) => ({
      Index: index,
      ...(type === undefined ? {} : { Type: type }),
      ...(id === undefined ? {} : { Key: String(id) }),
      Result: result,
      ...(message === undefined ? {} : { Message: message }),
    })),
    Summary: summary,
  } satisfies LedgerBatchResultBody;
  return toHttpResponse(200, body, format, BATCH_RESULT_XML);
};

const ROUTES = new Map<string, Route>([
  ...RECORD_RESOURCES.flatMap(({ type, collection, parameter }) =>
    Object.entries(recordRoutes(type, parameter)).map(([method, route]): [string, Route] => [
      `${method} ${collection}/{${parameter}}`,
      route,
    ]),
  ),
  ['GET /v2/customers', listCustomerPage],
  [
    'GET /v2/emailtemplates',
    async ({ tenantId, format }) =>
      toHttpResponse(200, await listTemplates(tenantId), format, TEMPLATE_LIST_XML),
  ],
  [
    'GET /v2/emailtemplates/defaultStatementTemplate',
    async ({ tenantId, format }) =>
      toHttpResponse(200, await getDefaultStatementTemplate(tenantId), format, RECORD_XML.EmailTemplate),
  ],
  [
    'GET /v2/invoices/{number}/payments',
    async ({ event, tenantId, format }) => {
      const payments = await listInvoicePayments(tenantId, Number(pathIdOf(event, 'number', 'Invoice')));
      if (payments === undefined) throw notFound('No such invoice');
      return toHttpResponse(200, payments, format, PAYMENT_LIST_XML);
    },
  ],
  ['POST /v2/invoices/{number}/payments', postInvoicePayment],
  ['DELETE /v2/invoices/{number}/payments/{paymentNumber}', deleteInvoicePayment],
  [
    `GET ${SETTINGS_PATH}`,
    async ({ tenantId, format }) => {
      const settings =
        (await getLedgerRecord(tenantId, 'StatementSettings', 'settings')) ??
        (await getTenantStatementSettings(tenantId));
      if (settings === undefined) throw notFound('No statement settings');
      return toHttpResponse(200, settings, format, RECORD_XML.StatementSettings);
    },
  ],
  [
    `PUT ${SETTINGS_PATH}`,
    (request) => upsert(request, 'StatementSettings', parseRecordBody(request.event, 'StatementSettings')),
  ],
  ['POST /v2/ledger/batch', applyBatch],
]);

/**
 * Answers any ledger route (infra/api-routes.ts lists them): the tenant from the authorizer, the
 * format from Accept (406 before anything else is read), then the route's own checks and work.
 * Refusals are thrown as HttpError, which the error handler writes in KashFlow's shape.
 */
export async function handleLedgerRequest(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const tenantId = tenantIdOf(event);
  const format = responseFormatOf(event);
  const route = ROUTES.get(`${event.httpMethod} ${event.resource}`);
  if (route === undefined) throw notFound('No such resource');
  return route({ event, tenantId, format });
}
