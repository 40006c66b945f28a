/**
 * KashFlow's error body, as every handler (shared/http/responses.ts) and API Gateway's own answers
 * (infra/gateway-errors.ts) write it. Loaded by the OpenAPI generator only; handlers import types.
 */
import * as z from 'zod';
import type { ErrorBody } from '../../http/responses.ts';
import type { Assert, Exact } from './same-type.ts';

/** `{"Error": "<Code>", "Message": "<human text>"}`; XML: `<ErrorResponse><Error/><Message/></ErrorResponse>`. */
export const ErrorBodySchema = z.strictObject({ Error: z.string(), Message: z.string() });
/** The error body the handlers write. */
export type ErrorBodyMatches = Assert<Exact<z.infer<typeof ErrorBodySchema>, ErrorBody>>;
