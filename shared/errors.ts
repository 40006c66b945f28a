/**
 * Errors that cross a boundary carry KashFlow's error code and an HTTP status. They are thrown
 * anywhere and mapped to `{"Error","Message"}` once, by the HTTP error middleware.
 */
export interface ApiErrorOptions extends ErrorOptions {
  /** Show the message to the caller even though the status is 5xx (a message we wrote, no details). */
  expose?: boolean;
}

export class ApiError extends Error {
  override readonly name: string = 'ApiError';
  /** True when the message may be shown to the caller: always below 500, by choice above. */
  readonly expose: boolean;

  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    options: ApiErrorOptions = {},
  ) {
    super(message, options);
    this.expose = options.expose ?? statusCode < 500;
  }
}

export class ValidationError extends ApiError {
  override readonly name = 'ValidationError';
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(400, code, message, options);
  }
}

/** A dependency (DynamoDB, SQS) did not answer after retries, before anything was queued. */
export class DependencyUnavailableError extends ApiError {
  override readonly name = 'DependencyUnavailableError';
  constructor(options?: ErrorOptions) {
    super(
      503,
      'ServiceUnavailable',
      'The service is temporarily unavailable; nothing was queued, please retry',
      {
        ...options,
        expose: true,
      },
    );
  }
}

export const invalidSessionToken = () =>
  new ApiError(401, 'InvalidSessionToken', 'Session token provided is invalid.');
