/**
 * Paging shared by the routes that read the audit store (the audit trail, insights): the time range
 * and the cursor from the query string (400 when unusable), one row more than the page to know
 * whether another follows. Always the caller's workspace. ClickHouse not answering is the reader's
 * DependencyUnavailable 'audit_store' (503 `audit_store_unavailable`, mapped by the error handler).
 */
import type { FastifyRequest } from 'fastify';
import { decodeCursor, encodeCursor, resolveRange, type TimeRange } from '../audit/query-input.js';
import type { AuditQuery, AuditReader, AuditRecord } from '../audit/reader.js';
import { badRequest } from '../http/http-errors.js';
import { authOf } from '../http/route-auth.js';

/** `from`/`to` of the query string (default: the last 24 h), or 400 saying why they are unusable. */
export function requestedRange(q: { from?: string | undefined; to?: string | undefined }): TimeRange {
  const range = resolveRange(q.from, q.to);
  if (typeof range === 'string') throw badRequest(range);
  return range;
}

/** One page of the caller's workspace, newest first, and the cursor of the next page (null on the last). */
export async function readAuditPage(
  request: FastifyRequest,
  reader: AuditReader,
  range: TimeRange,
  q: { cursor?: string | undefined; limit: number },
  visible: Pick<AuditQuery, 'types' | 'ownTypes'>,
): Promise<{ rows: AuditRecord[]; nextCursor: string | null }> {
  const cursor = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
  if (q.cursor !== undefined && !cursor) throw badRequest('cursor is not one this service issued');
  const auth = authOf(request);
  const rows: AuditRecord[] = await reader.query({
    workspaceId: auth.workspaceId,
    fromMs: range.fromMs,
    toMs: range.toMs,
    ...visible,
    userId: auth.sub,
    limit: q.limit + 1,
    ...(cursor ? { before: cursor } : {}),
  });
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return { rows: page, nextCursor: rows.length > q.limit && last ? encodeCursor({ ts: last.timestamp_ms, id: last.event_id }) : null };
}
