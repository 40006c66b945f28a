/**
 * The HTTP edge's own errors: what the request parsers refuse (400, 406, 413, 415) and what the
 * error handler maps domain errors to. Only `shared/http/` throws them; services throw the
 * status-free errors of `shared/errors.ts`.
 */
export interface HttpErrorOptions extends ErrorOptions {
  /** Show the message to the caller even though the status is 5xx (a message we wrote, no details). */
  expose?: boolean;
}

/** An answer with a status and KashFlow's error code (middy's `createError` with `expose`). */
export class HttpError extends Error {
  override readonly name: string = 'HttpError';
  /** True when the message may be shown to the caller: always below 500, by choice above. */
  readonly expose: boolean;

  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    options: HttpErrorOptions = {},
  ) {
    super(message, options);
    this.expose = options.expose ?? statusCode < 500;
  }
}

/** A 400: a query parameter, header or body breaks its rule; the message names it. */
export class ValidationError extends HttpError {
  override readonly name = 'ValidationError';
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(400, code, message, options);
  }
}

/** KashFlow's answer to a missing, unknown, revoked or expired token. */
export const invalidSessionToken = (options?: ErrorOptions) =>
  new HttpError(401, 'InvalidSessionToken', 'Session token provided is invalid.', options);
