/**
 * What keeps secrets out of the logs, beside pino's `redact` paths (app.ts): the request URL and
 * host are logged with secret-looking query values and any token-shaped text masked (a JWT pasted
 * into `?token=` or `?x=Bearer%20eyJ…` must not reach the logs), errors are serialized and then
 * masked (an upstream message may quote a URL with a token), and a `logMethod` hook masks every
 * string of every log call (messages, header values, `{ err: err.message }`), however it is nested.
 */
import type { LogFn, Logger, SerializedError } from 'pino';
import pino from 'pino';
import { redactString } from '../audit/redact.js';

const SECRET_QUERY = /([?&][^=&#]*(?:token|key|secret|passw|auth|sig|credential)[^=&#]*=)[^&#]*/gi;

export function redactUrl(url: string): string {
  return redactString(url.replace(SECRET_QUERY, '$1[redacted]'));
}

const MAX_DEPTH = 6;

/**
 * Masks the strings inside plain objects and arrays. Anything else (Errors, requests, replies) is
 * left to its serializer, which runs later and masks its own output.
 */
export function redactLogValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object' || depth >= MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((v) => redactLogValue(v, depth + 1));
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactLogValue(v, depth + 1)]));
}

interface LoggedRequest {
  method: string;
  url: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

export const LOG_SERIALIZERS = {
  req: (req: LoggedRequest) => ({
    method: req.method,
    url: redactUrl(req.url),
    host: req.host === undefined ? undefined : redactString(req.host),
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  }),
  // pino's serializer gives type, message and stack with the causes folded in (its object has its own
  // prototype, hence the copy into a plain object); every string of it is then masked.
  err: (err: Error) => redactLogValue(err instanceof Error ? { ...pino.stdSerializers.err(err) } : err) as SerializedError,
};

export const LOG_HOOKS = {
  logMethod(this: Logger, args: Parameters<LogFn>, method: LogFn): void {
    method.apply(this, args.map((a) => redactLogValue(a)) as Parameters<LogFn>);
  },
};
