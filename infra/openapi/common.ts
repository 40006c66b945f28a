/**
 * What several operations share: the Idempotency-Key header, the answer headers, the paging
 * parameters, and the handler errors every route can answer.
 */
import { IdempotencyKeyInProgressError, IdempotencyKeyReusedError } from '#shared/errors.ts';
import { MAX_BODY_BYTES } from '#shared/http/parse-bulk-email-request.ts';
import { responseComponent } from './components.ts';
import { errorResponse } from './media.ts';
import type { Header, Parameter, Response } from './types.ts';

export const IDEMPOTENCY_KEY: Parameter = {
  name: 'Idempotency-Key',
  in: 'header',
  description:
    'Makes the request safe to retry: the same key with the same request within 24 hours answers the first answer again (`Idempotent-Replayed: true`) and queues nothing again; the same key with a different request is refused (422 `IdempotencyKeyReused`); while the first is still being answered, 409 `IdempotencyKeyInProgress`. 1 to 255 visible ASCII characters, else 400 `InvalidParameter`. Use a fresh UUID for each new request, and the same one for its retries.',
  required: false,
  // No example: the reference page would fill it in, and a second "Execute" would replay the first
  // answer and send nothing, which puzzles a new user. A fresh UUID a request is the advice above.
  schema: { type: 'string', pattern: '^[\\x21-\\x7E]{1,255}$', minLength: 1, maxLength: 255 },
};

export const HEADERS = {
  location: (what: string): Header => ({
    description: `Where ${what} is, relative to the API's base URL (the stage or custom domain base path included).`,
    schema: { type: 'string' },
  }),
  replayed: {
    description:
      'Present (`true`) when this is the first answer to the same Idempotency-Key, answered again.',
    schema: { type: 'string', const: 'true' },
  } satisfies Header,
} as const;

/** `Accept` allows neither JSON nor XML. */
export const NOT_ACCEPTABLE = responseComponent(
  'NotAcceptable',
  errorResponse(
    'Not acceptable: the `Accept` header allows neither `application/json` nor `application/xml` (nor `text/json`, `text/xml`). Refused before anything else is checked.',
    {
      notAcceptable: {
        Error: 'NotAcceptable',
        Message: 'Accept must allow application/json or application/xml',
      },
    },
    { xml: false },
  ),
);

/** A request body in another media type or charset. */
export const UNSUPPORTED_MEDIA_TYPE = responseComponent(
  'UnsupportedMediaType',
  errorResponse(
    'Unsupported media type: the body is not `application/json` or `application/xml` (or `text/json`, `text/xml`) in UTF-8.',
    {
      unsupported: {
        Error: 'UnsupportedMediaType',
        Message: 'Content-Type must be application/json or application/xml (UTF-8)',
      },
    },
  ),
);

/** A body over the route's limit (the handler's), or over API Gateway's 10 MB (the gateway's). */
export const payloadTooLarge = (maxBytes: number): Response =>
  errorResponse(
    `Payload too large: the body is over ${maxBytes} bytes (this route's limit; nothing is read or written), or over API Gateway's 10 MB (\`Request body is too large.\`, JSON only).`,
    {
      handler: { Error: 'PayloadTooLarge', Message: `Request body must not exceed ${maxBytes} bytes` },
      gateway: { Error: 'PayloadTooLarge', Message: 'Request body is too large.' },
    },
  );

/** The bulk endpoint's own body limit, for its 413. */
export const BULK_EMAIL_MAX_BODY_BYTES = MAX_BODY_BYTES;

/** A missing, unknown, revoked or expired token. */
export const UNAUTHORIZED = responseComponent(
  'Unauthorized',
  errorResponse(
    'The token is missing, malformed, unknown, revoked or expired (answered by the authorizer through API Gateway, JSON only; or by the handler when the tenant is gone).',
    { invalidToken: { Error: 'InvalidSessionToken', Message: 'Session token provided is invalid.' } },
  ),
);

/** A fault of ours: the message gives only a reference, never a detail. */
export const INTERNAL_ERROR = responseComponent(
  'InternalError',
  errorResponse(
    "Internal error: a fault of the service. The message carries only the request's reference; nothing about the cause. API Gateway answers 500 too when the authorizer fails (`Authorization failed; please retry.`, JSON only).",
    {
      handler: {
        Error: 'InternalError',
        Message: 'An unexpected error occurred. Reference: 5d1e1b6c-0b1f-4c43-9f4e-2f0c6a7d8e90',
      },
      authorizer: { Error: 'InternalError', Message: 'Authorization failed; please retry.' },
    },
  ),
);

/** DynamoDB, SQS or SES could not be reached after the SDK's retries: retry later. */
export const SERVICE_UNAVAILABLE = responseComponent(
  'ServiceUnavailable',
  errorResponse(
    'Service unavailable: a dependency (DynamoDB, SQS) stayed unavailable after retries. Nothing was written or queued; retry later, with the same Idempotency-Key where the route takes one.',
    {
      unavailable: {
        Error: 'ServiceUnavailable',
        Message: 'The service is temporarily unavailable; nothing was queued, please retry',
      },
    },
  ),
);

/** The paging parameters of a list (`perpage`, `cursor`). */
export function pagingParameters(
  defaultPerPage: number,
  maxPerPage: number,
  cursorFrom: string,
): Parameter[] {
  return [
    {
      name: 'perpage',
      in: 'query',
      description: `How many to list: a whole number from 1 to ${maxPerPage}; ${defaultPerPage} when absent or empty. Else 400 \`InvalidParameter\`.`,
      required: false,
      schema: { type: 'string', pattern: '^\\d{0,4}$' },
      example: String(defaultPerPage),
    },
    {
      name: 'cursor',
      in: 'query',
      description: `The next page: the cursor ${cursorFrom} gave; absent or empty for the first page. Anything else: 400 \`InvalidParameter\`.`,
      required: false,
      schema: { type: 'string', pattern: '^[A-Za-z0-9_-]*$' },
    },
  ];
}

/** The first request with the same Idempotency-Key is still being answered. */
export const IDEMPOTENCY_IN_PROGRESS = responseComponent(
  'IdempotencyKeyInProgress',
  errorResponse('The first request with this Idempotency-Key is still being answered; retry shortly.', {
    inProgress: { Error: 'IdempotencyKeyInProgress', Message: new IdempotencyKeyInProgressError().message },
  }),
);

/** The same Idempotency-Key with another request. */
export const IDEMPOTENCY_REUSED = responseComponent(
  'IdempotencyKeyReused',
  errorResponse('This Idempotency-Key was used within 24 hours for a different request; nothing was done.', {
    reused: { Error: 'IdempotencyKeyReused', Message: new IdempotencyKeyReusedError().message },
  }),
);
