/**
 * Pino serializers for request logs: the URL is logged with secret-looking query values and any
 * token-shaped text masked (a JWT pasted into `?token=` must not reach the logs).
 */
import { redactString } from '../audit/redact.js';

const SECRET_QUERY = /([?&][^=&#]*(?:token|key|secret|passw|auth|sig|credential)[^=&#]*=)[^&#]*/gi;

export function redactUrl(url: string): string {
  return redactString(url.replace(SECRET_QUERY, '$1[redacted]'));
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
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  }),
};
