/** Errors a route or plugin throws on purpose; the one error handler turns them into JSON bodies. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    /** Extra, safe-to-show fields merged into the response body (e.g. `reason`, `required_scope`). */
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (message: string, extra?: Record<string, unknown>) => new HttpError(400, message, extra);
export const forbidden = (message: string, extra?: Record<string, unknown>) => new HttpError(403, message, extra);
export const notFound = (message: string) => new HttpError(404, message);
/** A 503 always says when to retry: every one this service gives is a temporary state, never a bug. */
export const serviceUnavailable = (message: string, extra?: Record<string, unknown>, retryAfterSeconds = 10) =>
  new HttpError(503, message, extra, { 'Retry-After': String(retryAfterSeconds) });

/** Standard reason phrase for a status, for the `error` field. */
export function statusText(statusCode: number): string {
  const texts: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    405: 'Method Not Allowed',
    406: 'Not Acceptable',
    409: 'Conflict',
    413: 'Payload Too Large',
    415: 'Unsupported Media Type',
    422: 'Unprocessable Entity',
    408: 'Request Timeout',
    414: 'URI Too Long',
    431: 'Request Header Fields Too Large',
    429: 'Too Many Requests',
    500: 'Internal Server Error',
    502: 'Bad Gateway',
    503: 'Service Unavailable',
    504: 'Gateway Timeout',
  };
  return texts[statusCode] ?? (statusCode >= 500 ? 'Internal Server Error' : 'Error');
}
