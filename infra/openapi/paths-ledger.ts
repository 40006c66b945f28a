/**
 * The ledger API (docs/api.md "The ledger API"): customers, invoices, credit notes, payments,
 * email templates, statement settings and the bulk `POST /v2/ledger/batch`, all behind the
 * ledger-api function. Bodies are the write path's own record schemas (shared/schemas/
 * ledger-records.ts, as LEDGER_KINDS holds them), path ids their key fields' rules, answers the
 * schemas of shared/schemas/api/ledger.ts, XML names the handler's XmlShapes (ledger-xml.ts).
 * What the refinements hold (a code's characters, a date's form, money's digits) is written here
 * (ledger-fields.ts), never on the schemas the bundle loads.
 */

import type * as z from 'zod';
import {
  BATCH_RESULT_XML,
  CUSTOMER_LIST_XML,
  PAYMENT_LIST_XML,
  RECORD_XML,
  TEMPLATE_LIST_XML,
} from '#shared/http/ledger-xml.ts';
import {
  DEFAULT_PER_PAGE,
  MAX_BATCH_BODY_BYTES,
  MAX_BATCH_OPERATIONS,
  MAX_PER_PAGE,
  MAX_RECORD_BODY_BYTES,
} from '#shared/http/parse-ledger-request.ts';
import type { XmlShape } from '#shared/http/responses.ts';
import {
  CreditNoteBodySchema,
  CustomerBodySchema,
  CustomerListBodySchema,
  DefaultStatementTemplateBodySchema,
  EmailTemplateBodySchema,
  EmailTemplateListBodySchema,
  InvoiceBodySchema,
  LEDGER_RESULT_WORDS,
  LedgerBatchResultBodySchema,
  PaymentBodySchema,
  PaymentListBodySchema,
  StatementSettingsBodySchema,
} from '#shared/schemas/api/ledger.ts';
import { PaymentSchema, VersionSchema } from '#shared/schemas/ledger-records.ts';
import { LEDGER_KINDS, LEDGER_TYPES, type LedgerType } from '#shared/services/ledger/ledger-kinds.ts';
import { builtInTemplateView } from '#shared/services/ledger/read-ledger-records.ts';
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
import { schemaComponent } from './components.ts';
import { type JsonSchema, type SchemaDoc, toJsonSchema } from './json-schema.ts';
import {
  EXAMPLE_BATCH,
  EXAMPLE_BATCH_NDJSON,
  EXAMPLE_BATCH_RESULT,
  EXAMPLE_CUSTOMER_LIST,
  EXAMPLE_RECORDS,
  EXAMPLE_SETTINGS,
} from './ledger-examples.ts';
import { describeFields, LEDGER_BATCH_DOC, RECORD_DOCS } from './ledger-fields.ts';
import { answer, errorResponse, JSON_TYPE, withXmlNames, XML_TYPE } from './media.ts';
import type { Header, Operation, Operations, Parameter, RequestBody, Response } from './types.ts';

type RecordType = Exclude<LedgerType, 'StatementSettings'>;

/** `a customer`, `an invoice`. */
const aOrAn = (noun: string) => `${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun}`;

/** Each type as a message names it (shared/http/ledger-api.ts's NOUNS) and as a summary does. */
const NOUNS: { [T in LedgerType]: string } = {
  Customer: 'customer',
  Invoice: 'invoice',
  CreditNote: 'credit note',
  Payment: 'payment',
  EmailTemplate: 'email template',
  StatementSettings: 'statement settings',
};

/** A zod schema's JSON Schema with the ledger's field documentation and XML names, as a component. */
function ledgerSchema(
  name: string,
  schema: z.core.$ZodType,
  io: 'input' | 'output',
  xml: XmlShape,
  options: { optional?: string[]; fieldDocs?: Record<string, SchemaDoc> } = {},
): { $ref: string } {
  let json = describeFields(toJsonSchema(schema, io), { ...RECORD_DOCS, ...options.fieldDocs });
  if (options.optional !== undefined && Array.isArray(json.required)) {
    const required = (json.required as string[]).filter((field) => !options.optional?.includes(field));
    const { required: _required, ...rest } = json;
    json = required.length === 0 ? rest : { ...rest, required };
  }
  return schemaComponent(name, withXmlNames(json, xml));
}

// The records as a PUT (or a bulk Upsert) takes them: the key may be left out, the path fills it.
const recordBody = Object.fromEntries(
  LEDGER_TYPES.map((type) => {
    const kind = LEDGER_KINDS[type];
    return [
      type,
      ledgerSchema(`${type}Body`, kind.schema, 'input', RECORD_XML[type], {
        optional: kind.idField === undefined ? [] : [kind.idField],
      }),
    ];
  }),
) as { [T in LedgerType]: { $ref: string } };

/** `POST /v2/invoices/{number}/payments`: the payment's own Number is required, the invoice's comes from the path. */
const allocatedPaymentBody = ledgerSchema('InvoicePaymentBody', PaymentSchema, 'input', RECORD_XML.Payment);

// The records as stored and answered.
const recordAnswer: { [T in LedgerType]: { $ref: string } } = {
  Customer: ledgerSchema('Customer', CustomerBodySchema, 'output', RECORD_XML.Customer),
  Invoice: ledgerSchema('Invoice', InvoiceBodySchema, 'output', RECORD_XML.Invoice),
  CreditNote: ledgerSchema('CreditNote', CreditNoteBodySchema, 'output', RECORD_XML.CreditNote),
  Payment: ledgerSchema('Payment', PaymentBodySchema, 'output', RECORD_XML.Payment),
  EmailTemplate: ledgerSchema('EmailTemplate', EmailTemplateBodySchema, 'output', RECORD_XML.EmailTemplate),
  StatementSettings: ledgerSchema(
    'StatementSettings',
    StatementSettingsBodySchema,
    'output',
    RECORD_XML.StatementSettings,
  ),
};

// ---- Parameters

const PATH_EXAMPLES: Record<string, string | number> = { code: '101', number: 1001, paymentNumber: 17 };

/** A path parameter by the rule of the record's key field (LEDGER_KINDS' idSchema, as pathIdOf reads it). */
function pathParameter(name: string, type: RecordType, what: string): Parameter {
  const kind = LEDGER_KINDS[type];
  const schema = describeFields(
    { type: 'object', properties: { [kind.idField ?? '']: toJsonSchema(kind.idSchema, 'input') } },
    RECORD_DOCS,
  ) as { properties: Record<string, JsonSchema> };
  const { description: _description, ...rule } = schema.properties[kind.idField ?? ''] ?? {};
  return {
    name,
    in: 'path',
    required: true,
    description: `${what}: ${idRule(type)}${type === 'Customer' ? ' (kept exactly: `0065` is not `65`)' : ''}. Else 400 \`InvalidParameter\` naming \`${name}\`.`,
    schema: rule,
    example: PATH_EXAMPLES[name],
  };
}

/** The key field's rule, in its schema's own message (as pathIdOf answers it). */
function idRule(type: RecordType): string {
  const kind = LEDGER_KINDS[type];
  return (
    kind.idSchema.safeParse(kind.idField === 'Number' ? 0 : '').error?.issues[0]?.message ?? 'is invalid'
  );
}

const idParameter = (type: RecordType): Parameter =>
  type === 'Customer'
    ? pathParameter('code', type, 'The customer code')
    : pathParameter('number', type, `The ${NOUNS[type]}'s number`);

const versionMessage = `version: ${VersionSchema.safeParse(-1).error?.issues[0]?.message ?? 'is invalid'}`;

const DELETE_VERSION: Parameter = {
  name: 'version',
  in: 'query',
  required: false,
  description:
    "The source's `Version` of the delete: digits are a counter (0 to 2^53 − 1), anything else an ISO 8601 timestamp with a time zone and at most millisecond precision; absent or empty: none. A delete not newer than the record's Version is 409 `Stale` and deletes nothing; the deleted record keeps this Version (docs/api.md, Versions). Else 400 `InvalidParameter`.",
  schema: { type: 'string' },
  example: '8',
};

// ---- Headers

const ledgerResult = (results: readonly (typeof LEDGER_RESULT_WORDS)[number][]): Header => ({
  description: `What the write did: ${results.map((result) => `\`${result}\``).join(' or ')}.`,
  required: true,
  schema: { type: 'string', enum: [...results] },
});

// ---- Errors

const common: Operation['responses'] = {
  '401': UNAUTHORIZED,
  '406': NOT_ACCEPTABLE,
  '500': INTERNAL_ERROR,
  '503': SERVICE_UNAVAILABLE,
};

const badPath = (names: string[], examples: Record<string, { Error: string; Message: string }>) =>
  errorResponse(`${names.map((name) => `\`${name}\``).join(' or ')} breaks its rule.`, examples);

const pathErrorExample = (parameter: string, type: RecordType) => ({
  Error: 'InvalidParameter',
  Message: `${parameter}: ${idRule(type)}`,
});

const noSuch = (
  type: LedgerType,
  description = `No such ${NOUNS[type]} for this tenant (or it was deleted).`,
) => errorResponse(description, { none: { Error: 'NotFound', Message: `No such ${NOUNS[type]}` } });

const CONFLICT = errorResponse(
  '`Stale`: the stored record has a newer `Version` (or the same with other content); nothing changed. `Conflict`: the record kept changing under concurrent writers; send it again.',
  {
    stale: {
      Error: 'Stale',
      Message: 'Version: 3 is not newer than the stored version 5; nothing was changed',
    },
    conflict: {
      Error: 'Conflict',
      Message: 'the record kept changing while this write was judged; send it again',
    },
  },
);

const badBody = (type: LedgerType, fromPath: string | undefined) =>
  errorResponse(
    `The record breaks its rules (\`InvalidRequestBody\`: every broken field named, \`; \`-separated, as \`Field.Path: rule\`), the body is empty or unreadable${fromPath === undefined ? '' : `, its \`${fromPath}\` differs from the path's`}${type === 'StatementSettings' ? '' : ', or the path parameter breaks its rule (`InvalidParameter`)'}. Nothing is written.`,
    {
      ...(type === 'StatementSettings'
        ? {
            field: {
              Error: 'InvalidRequestBody',
              Message: 'TimeZone: must be an IANA time zone such as Europe/London',
            },
          }
        : {
            field: {
              Error: 'InvalidRequestBody',
              Message:
                type === 'Customer'
                  ? 'Contacts[1].IsPrimary: only one contact may be primary'
                  : 'Total: must have at most 2 decimals for GBP',
            },
          }),
      ...(fromPath === undefined
        ? {}
        : {
            path: {
              Error: 'InvalidRequestBody',
              Message: `${fromPath}: must be ${fromPath === 'Code' ? '"0065"' : '1001'} as in the path, or be left out`,
            },
          }),
      empty: { Error: 'InvalidRequestBody', Message: 'Request body must not be empty' },
    },
  );

// ---- Operations

const writeAnswers = (type: LedgerType, location: string | undefined) => {
  const example = type === 'StatementSettings' ? EXAMPLE_SETTINGS : EXAMPLE_RECORDS[type];
  return {
    '200': answer(
      '`Updated` (it replaced the stored record) or `Unchanged` (the stored record is already this one): the record as stored.',
      recordAnswer[type],
      {
        headers: { 'Ledger-Result': ledgerResult(['Updated', 'Unchanged']) },
      },
    ),
    '201': answer(
      "`Created`: the record as stored (money as exact decimal text with its currency's decimals, defaults filled in, `Version` as given).",
      recordAnswer[type],
      {
        headers: {
          'Ledger-Result': ledgerResult(['Created']),
          ...(location === undefined ? {} : { Location: HEADERS.location(location) }),
        },
        examples: { json: { created: { value: example.answer } } },
      },
    ),
  };
};

const requestBody = (description: string, schema: { $ref: string }, example: unknown): RequestBody => ({
  description,
  required: true,
  content: {
    [JSON_TYPE]: { schema, examples: { record: { value: example } } },
    [XML_TYPE]: { schema },
  },
});

function recordOperations(type: RecordType, collection: string): Operations {
  const noun = NOUNS[type];
  const kind = LEDGER_KINDS[type];
  const id = idParameter(type);
  const resource = `${collection}/{${id.name}}`;
  const example = EXAMPLE_RECORDS[type];
  return {
    [`GET ${resource}`]: {
      operationId: `get${type}`,
      summary: aOrAn(noun).replace(/^a/, 'A'),
      tags: ['Ledger'],
      parameters: [id],
      responses: {
        '200': answer(`The ${noun} as stored (\`Version\` as given).`, recordAnswer[type], {
          examples: { json: { stored: { value: example.answer } } },
        }),
        '400': badPath([id.name], { [id.name]: pathErrorExample(id.name, type) }),
        '404': noSuch(type),
        ...common,
      },
    },
    [`PUT ${resource}`]: {
      operationId: `save${type}`,
      summary: `Create or replace ${aOrAn(noun)}`,
      description: `One record through the ledger's write path (the one the bulk and the fixture import use). The \`${kind.idField}\` may be left out of the body: the path fills it. A write whose \`Version\` is older than the stored one is \`Stale\` (409) and changes nothing; the same record again is \`Unchanged\` (200). XML: \`<${RECORD_XML[type].root}>\`, list items named for their list (any item name is read); \`i:nil="true"\` is an absent optional field.`,
      tags: ['Ledger'],
      parameters: [id],
      requestBody: requestBody(
        `The ${noun}, at most ${MAX_RECORD_BODY_BYTES} bytes.`,
        recordBody[type],
        example.request,
      ),
      responses: {
        ...writeAnswers(type, `the ${noun}`),
        '400': badBody(type, kind.idField),
        '409': CONFLICT,
        '413': payloadTooLarge(MAX_RECORD_BODY_BYTES),
        '415': UNSUPPORTED_MEDIA_TYPE,
        ...common,
      },
    },
    [`DELETE ${resource}`]: deleteOperation(type, `delete${type}`, `Delete ${aOrAn(noun)}`, [[id, type]], {
      description: deleteDescription(type),
      notFound: noSuch(
        type,
        `No such ${noun} for this tenant: it never existed (one deleted already is 204 \`Unchanged\`).`,
      ),
    }),
  } as Operations;
}

function deleteDescription(type: RecordType): string {
  switch (type) {
    case 'Customer':
      return 'A deleted customer is no longer emailed; its invoices, credit notes and payments stay, and are its ledger again if it is created again.';
    case 'Invoice':
      return 'Its payments stay (read as payments on account by statements).';
    case 'EmailTemplate':
      return 'The template the settings name as the default (`DefaultStatementTemplateNumber`) cannot be deleted: 400 `InvalidParameter`.';
    default:
      return `Deleting it again answers 204 \`Unchanged\`.`;
  }
}

function deleteOperation(
  type: RecordType,
  operationId: string,
  summary: string,
  parameters: [Parameter, RecordType][],
  options: { description: string; notFound: Response },
): Operation {
  const names = parameters.map(([parameter]) => parameter.name);
  return {
    operationId,
    summary,
    description: options.description,
    tags: ['Ledger'],
    parameters: [...parameters.map(([parameter]) => parameter), DELETE_VERSION],
    responses: {
      '204': {
        description: 'Deleted now (`Deleted`), or already (`Unchanged`).',
        headers: { 'Ledger-Result': ledgerResult(['Deleted', 'Unchanged']) },
      },
      '400': badPath([...names, 'version'], {
        ...Object.fromEntries(parameters.map(([{ name }, of]) => [name, pathErrorExample(name, of)])),
        version: { Error: 'InvalidParameter', Message: versionMessage },
        ...(type === 'EmailTemplate'
          ? {
              default: {
                Error: 'InvalidParameter',
                Message:
                  "Number: is the tenant's default statement template (settings DefaultStatementTemplateNumber): choose another first",
              },
            }
          : {}),
      }),
      '404': options.notFound,
      '409': CONFLICT,
      ...common,
    },
  };
}

const INVOICE_NUMBER = idParameter('Invoice');
const PAYMENT_NUMBER = pathParameter('paymentNumber', 'Payment', "The payment's number");

const customerList = schemaComponent(
  'CustomerList',
  withXmlNames(
    describeFields(toJsonSchema(CustomerListBodySchema, 'output'), RECORD_DOCS),
    CUSTOMER_LIST_XML,
  ),
);
const templateList = ledgerSchema(
  'EmailTemplateList',
  EmailTemplateListBodySchema,
  'output',
  TEMPLATE_LIST_XML,
);
const paymentList = ledgerSchema('PaymentList', PaymentListBodySchema, 'output', PAYMENT_LIST_XML);
const defaultTemplate = ledgerSchema(
  'DefaultStatementTemplate',
  DefaultStatementTemplateBodySchema,
  'output',
  RECORD_XML.EmailTemplate,
  { fieldDocs: { Number: { description: "The template's number; 0 for the built-in template." } } },
);
const batchResult = ledgerSchema(
  'LedgerBatchResult',
  LedgerBatchResultBodySchema,
  'output',
  BATCH_RESULT_XML,
);

// ---- The bulk's body: each operation an Upsert or a Delete of one type.

/** One operation shape: `Action` and `Type` fixed, the key and Version beside, the Record by its type's schema. */
function operationSchema(action: 'Upsert' | 'Delete', type: LedgerType): { $ref: string } {
  const kind = LEDGER_KINDS[type];
  const key = kind.idField;
  const properties: Record<string, JsonSchema> = {
    Action: { type: 'string', const: action },
    Type: { type: 'string', const: type },
    ...(key === undefined ? {} : { [key]: toJsonSchema(kind.idSchema, 'input') }),
    Version: toJsonSchema(VersionSchema, 'input'),
    ...(action === 'Upsert' ? { Record: { ...recordBody[type], xml: { name: 'Record' } } } : {}),
  };
  const required = ['Action', 'Type', ...(action === 'Upsert' ? ['Record'] : key === undefined ? [] : [key])];
  return schemaComponent(
    `Ledger${action}${type}`,
    withXmlNames(
      describeFields(
        {
          description:
            action === 'Upsert'
              ? `Upsert ${type === 'StatementSettings' ? 'the statement settings' : aOrAn(NOUNS[type])}: \`Record\` as its PUT takes it${key === undefined ? '' : `; its \`${key}\` in the Record or beside it (then both must agree)`}; \`Version\` beside it must agree with the Record's.`
              : `Delete ${aOrAn(NOUNS[type])} by its \`${key}\`, with the source's \`Version\` of the delete.`,
          type: 'object',
          properties,
          required,
          additionalProperties: false,
        },
        RECORD_DOCS,
      ),
      { root: 'Operation', items: RECORD_XML[type].items ?? {} },
    ),
  );
}

const OPERATIONS = [
  ...LEDGER_TYPES.map((type) => operationSchema('Upsert', type)),
  // Statement settings cannot be deleted (such an operation is answered Invalid).
  ...LEDGER_TYPES.filter((type) => LEDGER_KINDS[type].idField !== undefined).map((type) =>
    operationSchema('Delete', type),
  ),
];

const ledgerBatch = schemaComponent('LedgerBatch', {
  ...LEDGER_BATCH_DOC,
  type: 'object',
  properties: {
    Operations: {
      type: 'array',
      maxItems: MAX_BATCH_OPERATIONS,
      items: { anyOf: OPERATIONS, xml: { name: 'Operation' } },
      xml: { name: 'Operations', wrapped: true },
    },
  },
  required: ['Operations'],
  additionalProperties: false,
  xml: { name: 'LedgerBatch' },
});

const NDJSON_TYPE = 'application/x-ndjson';

const batchOperation: Operation = {
  operationId: 'applyLedgerBatch',
  summary: `Upsert and delete up to ${MAX_BATCH_OPERATIONS} records of any type, each with its own result`,
  description: `Each record is written whole or not at all, through the same write path as the single-record routes; an \`Invalid\` operation writes nothing and the others still apply. Whatever their order, upserts apply by type (templates, settings, customers, invoices, credit notes, payments) and deletes after them in the reverse order; the operations on one record apply in request order. Not one transaction: a call cut off midway may have applied some operations, and sending it again is safe.\n\nThe answer is always 200 with one result per operation, in request order (\`Index\` from 0; \`Type\` and \`Key\` when they could be read; \`Message\` for \`Invalid\`, \`Stale\`, \`NotFound\` and \`Conflict\`), and \`Summary\` counting each result word (${LEDGER_RESULT_WORDS.map((word) => `\`${word}\``).join(', ')}). Refused whole (400, nothing applied): more than ${MAX_BATCH_OPERATIONS} operations, a field beside \`Operations\`, an empty or unreadable body.\n\nXML:\n\n\`\`\`xml\n<LedgerBatch><Operations><Operation><Action>Delete</Action><Type>Customer</Type><Code>0065</Code><Version>8</Version></Operation><Operation><Action>Upsert</Action><Type>Invoice</Type><Record><Number>1001</Number><CustomerCode>101</CustomerCode><IssuedDate>2026-11-01</IssuedDate><DueDate>2026-12-01</DueDate><Total>120.00</Total></Record></Operation></Operations></LedgerBatch>\n\`\`\`\n\nanswered \`<LedgerBatchResult><Results><Result><Index>0</Index>…</Result>…</Results><Summary>…</Summary></LedgerBatchResult>\`.`,
  tags: ['Ledger'],
  requestBody: {
    description: `\`{"Operations":[…]}\` in JSON, \`<LedgerBatch>\` in XML, or NDJSON (\`${NDJSON_TYPE}\` or \`application/ndjson\`: one operation object a line, blank lines ignored; a line that is not JSON is that operation's \`Invalid\`, \`line 3: is not valid JSON\`). At most ${MAX_BATCH_BODY_BYTES} bytes and ${MAX_BATCH_OPERATIONS} operations.`,
    required: true,
    content: {
      [JSON_TYPE]: { schema: ledgerBatch, examples: { mixed: { value: EXAMPLE_BATCH } } },
      [XML_TYPE]: { schema: ledgerBatch },
      [NDJSON_TYPE]: {
        schema: {
          type: 'string',
          description: 'One operation a line, each an object as in `Operations`.',
        },
        examples: { lines: { value: EXAMPLE_BATCH_NDJSON } },
      },
    },
  },
  responses: {
    '200': answer('One result per operation, in request order, and how many of each result.', batchResult, {
      examples: { json: { mixed: { value: EXAMPLE_BATCH_RESULT } } },
    }),
    '400': errorResponse(
      'The body is refused whole and nothing is applied: too many operations (`TooManyOperations`), an empty or unreadable body, or an envelope that is not `{"Operations":[…]}` (`InvalidRequestBody`).',
      {
        tooMany: {
          Error: 'TooManyOperations',
          Message: `Operations: must have at most ${MAX_BATCH_OPERATIONS} operations in one batch`,
        },
        envelope: {
          Error: 'InvalidRequestBody',
          Message: 'Atomic: is not a field of a ledger batch (Operations is its only field)',
        },
        json: { Error: 'InvalidRequestBody', Message: 'Request body is not valid JSON' },
      },
    ),
    '413': payloadTooLarge(MAX_BATCH_BODY_BYTES),
    '415': errorResponse('Unsupported media type: the body is not JSON, XML or NDJSON in UTF-8.', {
      unsupported: {
        Error: 'UnsupportedMediaType',
        Message: 'Content-Type must be application/json, application/xml or application/x-ndjson (UTF-8)',
      },
    }),
    ...common,
  },
};

const builtInTemplate = builtInTemplateView();

export const LEDGER_OPERATIONS: Operations = {
  'GET /v2/customers': {
    operationId: 'listCustomers',
    summary: 'A page of customers, by code',
    description:
      'Deleted customers are skipped after a page is read, so a page can hold fewer than `perpage` customers (even none) and still have a `NextPageUrl`: follow `NextPageUrl` until it is absent. XML: `<CustomerList><Data><Customer>…</Customer></Data><MetaData>…</MetaData></CustomerList>`.',
    tags: ['Ledger'],
    parameters: pagingParameters(
      DEFAULT_PER_PAGE,
      MAX_PER_PAGE,
      "the previous page's `MetaData.NextPageUrl`",
    ),
    responses: {
      '200': answer("A page of customers, and the next page's URL unless this is the last.", customerList, {
        examples: { json: { page: { value: EXAMPLE_CUSTOMER_LIST } } },
      }),
      '400': badPath(['perpage', 'cursor'], {
        perPage: {
          Error: 'InvalidParameter',
          Message: `perpage: must be a whole number from 1 to ${MAX_PER_PAGE}`,
        },
        cursor: {
          Error: 'InvalidParameter',
          Message: "cursor: must be the cursor of a page of this list (from the previous page's NextPageUrl)",
        },
      }),
      ...common,
    },
  },
  ...recordOperations('Customer', '/v2/customers'),
  ...recordOperations('Invoice', '/v2/invoices'),
  'GET /v2/invoices/{number}/payments': {
    operationId: 'listInvoicePayments',
    summary: 'The payments allocated to an invoice, by number',
    description: 'XML: `<ArrayOfPayment><Payment>…</Payment></ArrayOfPayment>`.',
    tags: ['Ledger'],
    parameters: [INVOICE_NUMBER],
    responses: {
      '200': answer('The payments allocated to the invoice (none: an empty list), by number.', paymentList, {
        examples: { json: { payments: { value: [EXAMPLE_RECORDS.Payment.answer] } } },
      }),
      '400': badPath(['number'], { number: pathErrorExample('number', 'Invoice') }),
      '404': noSuch('Invoice', 'No such invoice for this tenant (or it was deleted).'),
      ...common,
    },
  },
  'POST /v2/invoices/{number}/payments': {
    operationId: 'saveInvoicePayment',
    summary: 'Create or replace a payment allocated to an invoice',
    description:
      "The payment's own `Number` (the source's, so a retried POST never pays twice) is in the body; the path's invoice fills `InvoiceNumber` (a body that names another is refused). Its customer is the invoice's. Answered as `PUT /v2/payments/{number}`.",
    tags: ['Ledger'],
    parameters: [INVOICE_NUMBER],
    requestBody: requestBody(
      `The payment, at most ${MAX_RECORD_BODY_BYTES} bytes.`,
      allocatedPaymentBody,
      EXAMPLE_RECORDS.Payment.request,
    ),
    responses: {
      ...writeAnswers('Payment', 'the payment (`/v2/payments/{number}`)'),
      '400': badBody('Payment', 'InvoiceNumber'),
      '409': CONFLICT,
      '413': payloadTooLarge(MAX_RECORD_BODY_BYTES),
      '415': UNSUPPORTED_MEDIA_TYPE,
      ...common,
    },
  },
  'DELETE /v2/invoices/{number}/payments/{paymentNumber}': deleteOperation(
    'Payment',
    'deleteInvoicePayment',
    'Delete a payment allocated to an invoice',
    [
      [INVOICE_NUMBER, 'Invoice'],
      [PAYMENT_NUMBER, 'Payment'],
    ],
    {
      description:
        'Only a payment allocated to that invoice: any other (and a second delete) is 404. `DELETE /v2/payments/{number}` deletes any payment.',
      notFound: errorResponse('No such payment allocated to this invoice (or it was deleted).', {
        none: { Error: 'NotFound', Message: 'No such payment on this invoice' },
      }),
    },
  ),
  ...recordOperations('CreditNote', '/v2/creditnotes'),
  ...recordOperations('Payment', '/v2/payments'),
  'GET /v2/emailtemplates': {
    operationId: 'listEmailTemplates',
    summary: 'Every email template, by number',
    description: 'XML: `<ArrayOfEmailTemplate><EmailTemplate>…</EmailTemplate></ArrayOfEmailTemplate>`.',
    tags: ['Ledger'],
    responses: {
      '200': answer("The tenant's email templates, by number.", templateList, {
        examples: { json: { templates: { value: [EXAMPLE_RECORDS.EmailTemplate.answer] } } },
      }),
      ...common,
    },
  },
  'GET /v2/emailtemplates/defaultStatementTemplate': {
    operationId: 'getDefaultStatementTemplate',
    summary: "KashFlow's default statement template",
    description:
      'The template the settings name (`DefaultStatementTemplateNumber`), else the built-in one the worker uses (`Number` 0), the one a customer without a template of its own is sent.',
    tags: ['Ledger'],
    responses: {
      '200': answer('The default statement template.', defaultTemplate, {
        examples: { json: { builtIn: { summary: 'The built-in template', value: builtInTemplate } } },
      }),
      ...common,
    },
  },
  ...recordOperations('EmailTemplate', '/v2/emailtemplates'),
  'GET /v2/settings/statements': {
    operationId: 'getStatementSettings',
    summary: "The tenant's statement settings",
    description:
      'The settings last PUT (`Logo` with its bytes); before any were, what the operator created the tenant with (`CompanyName`, `TimeZone`, `Currency`, `Locale`, `DefaultStatementTemplateNumber`), so a client can GET, change and PUT them back.',
    tags: ['Ledger'],
    responses: {
      '200': answer('The statement settings.', recordAnswer.StatementSettings, {
        examples: { json: { settings: { value: EXAMPLE_SETTINGS.answer } } },
      }),
      '404': errorResponse('The tenant has no record (an operator creates it).', {
        none: { Error: 'NotFound', Message: 'No statement settings' },
      }),
      ...common,
    },
  },
  'PUT /v2/settings/statements': {
    operationId: 'saveStatementSettings',
    summary: "Replace the tenant's statement settings",
    description:
      "What the tenant's statements say about it and how they are sent. `Created` the first time, `Updated` or `Unchanged` after; the answer's `Logo` carries the image's SHA-256 instead of its bytes (a GET answers the bytes). Statement settings are never deleted. XML: `<StatementSettings>`.",
    tags: ['Ledger'],
    requestBody: requestBody(
      `The settings, at most ${MAX_RECORD_BODY_BYTES} bytes.`,
      recordBody.StatementSettings,
      EXAMPLE_SETTINGS.request,
    ),
    responses: {
      ...writeAnswers('StatementSettings', 'the settings'),
      '400': badBody('StatementSettings', undefined),
      '409': CONFLICT,
      '413': payloadTooLarge(MAX_RECORD_BODY_BYTES),
      '415': UNSUPPORTED_MEDIA_TYPE,
      ...common,
    },
  },
  'POST /v2/ledger/batch': batchOperation,
} as Operations;
