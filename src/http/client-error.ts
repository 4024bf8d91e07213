/**
 * Requests Node's HTTP parser refuses before Fastify sees them (request line and headers over the
 * size limit, a malformed request line or header, a request too slow to arrive) still leave in the
 * one error shape `{error, message, statusCode, requestId}` with X-Request-Id: Fastify's default
 * answer to these carries no request id. The connection is closed afterwards, as Node does. The
 * answer to a HEAD request has no body (a client would read the body as the next response), when
 * the unparsed bytes show the method.
 */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { ConnectionError } from 'fastify';
import { statusText } from './http-errors.js';

export function clientErrorAnswer(code: string | undefined): { statusCode: number; message: string } {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return { statusCode: 408, message: 'the request did not arrive in time' };
  if (code === 'HPE_HEADER_OVERFLOW')
    return { statusCode: 431, message: 'the request line and headers are larger than the server accepts' };
  return { statusCode: 400, message: 'the request is not valid HTTP' };
}

export function clientErrorHandler(error: ConnectionError, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { statusCode, message } = clientErrorAnswer(error.code);
  const requestId = randomUUID();
  const body = JSON.stringify({ error: statusText(statusCode), message, statusCode, requestId });
  const head = isHeadRequest(error.rawPacket);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${statusCode} ${statusText(statusCode)}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${head ? '' : body}`,
    );
  }
  socket.destroy(error);
}

/** Whether the bytes the parser refused start a HEAD request (Node gives a Buffer; Fastify's type describes its JSON form). */
function isHeadRequest(raw: unknown): boolean {
  const data = raw !== null && typeof raw === 'object' ? (raw as { data?: unknown }).data : undefined;
  const bytes = Buffer.isBuffer(raw) ? raw : Array.isArray(data) ? Buffer.from(data as number[]) : undefined;
  return bytes?.subarray(0, 5).toString('latin1') === 'HEAD ';
}
