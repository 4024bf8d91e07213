/**
 * The ClickHouse client (audit trail). Built only by the composition root:
 *  - `CLICKHOUSE_URL` set → `@clickhouse/client` over HTTP;
 *  - unset → the same `@clickhouse/client` API on the embedded chDB engine (`chdb/connection`),
 *    data under `<AIOPS_DATA_DIR>/clickhouse`. Same SQL, same code path.
 *
 * chDB allows one data directory per process, so the embedded client is a lazily created,
 * reference-counted per-process singleton keyed by path: every `createClickHouse` for the same
 * path shares one session (closed when the last user closes), and asking for a second path while
 * one is open fails with a clear error. chDB (543 MB native library) is only loaded when used.
 *
 * Outages: the HTTP client owns no event emitter a caller must listen to; a refused, reset or timed
 * out connection rejects the call (the audit shipper retries with backoff, the reader answers 503
 * `audit_store_unavailable`), and idle keep-alive sockets are dropped by the client's socket pool.
 */
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';

export interface ClickHouseSettings {
  url?: string;
  user?: string;
  password?: string;
  /** Embedded data directory (used when `url` is unset). */
  embeddedPath: string;
  requestTimeoutMs?: number;
}

export interface ClickHouseHandle {
  client: ClickHouseClient;
  kind: 'server' | 'embedded';
  /** Where it is, without credentials (for logs and /health). */
  location: string;
  close(): Promise<void>;
}

let embedded: { path: string; client: ClickHouseClient; refs: number } | undefined;

export async function createClickHouse(settings: ClickHouseSettings): Promise<ClickHouseHandle> {
  if (settings.url) {
    const client = createClient({
      url: settings.url,
      username: settings.user ?? 'default',
      password: settings.password ?? '',
      request_timeout: settings.requestTimeoutMs ?? 30_000,
      max_open_connections: 4,
      compression: { request: false, response: false },
      // Failures surface to the audit shipper, which logs them (rate-limited) through pino.
      log: { level: ClickHouseLogLevel.OFF },
    });
    const u = new URL(settings.url);
    return { client, kind: 'server', location: `${u.protocol}//${u.host}`, close: () => client.close() };
  }
  const path = settings.embeddedPath;
  if (embedded && embedded.path !== path) {
    throw new Error(`chDB supports one data directory per process: ${embedded.path} is open, cannot open ${path}`);
  }
  if (!embedded) {
    const { mkdir } = await import('node:fs/promises');
    await mkdir(path, { recursive: true, mode: 0o700 });
    const { createChdbConnection } = await import('chdb/connection');
    const client = createClient({ connection: createChdbConnection({ path }) } as unknown as Parameters<typeof createClient>[0]);
    embedded = { path, client, refs: 0 };
  }
  const entry = embedded;
  entry.refs += 1;
  let closed = false;
  return {
    client: entry.client,
    kind: 'embedded',
    location: `chdb:${path}`,
    close: async () => {
      if (closed) return;
      closed = true;
      entry.refs -= 1;
      if (entry.refs === 0 && embedded === entry) {
        embedded = undefined;
        await entry.client.close();
      }
    },
  };
}
