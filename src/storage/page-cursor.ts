/** The opaque cursor of newest-first listings (the audit trail, alerts, incidents): a time and an id. */
export interface Cursor {
  ts: number;
  id: string;
}

/** Opaque to clients: base64url of `[timestamp_ms, event_id]`. */
export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.ts, c.id])).toString('base64url');
}

export function decodeCursor(value: string): Cursor | undefined {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(value)) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 2) return undefined;
    const [ts, id] = parsed as [unknown, unknown];
    if (typeof ts !== 'number' || !Number.isSafeInteger(ts) || ts < 0) return undefined;
    if (typeof id !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(id)) return undefined;
    return { ts, id };
  } catch {
    return undefined;
  }
}
