/** A refusal with the HTTP status and stable `reason` the routes (and the chat) report. */
import { HttpError } from '../http/http-errors.js';

export class RemediationError extends HttpError {
  constructor(
    statusCode: number,
    reason: string,
    message: string,
    extra: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) {
    super(statusCode, message, { reason, ...extra }, headers);
    this.name = 'RemediationError';
  }
}
