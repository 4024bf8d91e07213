/**
 * An unauthenticated flood against the real app and the embedded ClickHouse (chDB): 3,000 401s from
 * one client end up as a handful of audit rows whose `details.count` sum to exactly 3,000.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouse, type ClickHouseHandle } from '../../src/clients/clickhouse.js';
import { testApp, testEnv } from '../helpers/app.js';
import { rsaKey } from '../helpers/keys.js';

const FLOODER = '198.51.100.77';
const REQUESTS = 3000;
let app: FastifyInstance | undefined;
let ch: ClickHouseHandle;

beforeAll(async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'audit-flood-'));
  app = await testApp(testEnv(await rsaKey(), { AIOPS_DATA_DIR: dataDir }));
  ch = await createClickHouse({ embeddedPath: path.join(dataDir, 'clickhouse') });
});
afterAll(async () => {
  await app?.close();
  await ch?.close();
});

interface Row {
  event_type: string;
  outcome: string;
  workspace_id: string;
  timestamp: string;
  details: string;
}

describe('401 flood', () => {
  it(`${REQUESTS} unauthenticated requests → a bounded number of rows whose counts sum to ${REQUESTS}`, async () => {
    const start = Date.now();
    let unauthorized = 0;
    for (let sent = 0; sent < REQUESTS; sent += 100) {
      const batch = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          app!.inject({
            url: '/workspaces/ws-a/access',
            remoteAddress: FLOODER,
            headers: { authorization: 'Bearer not-a-jwt', 'x-request-id': `flood-${sent + i}` },
          }),
        ),
      );
      unauthorized += batch.filter((r) => r.statusCode === 401 && r.json<{ reason: string }>().reason === 'malformed_token').length;
    }
    const minutes = Math.floor(Date.now() / 60_000) - Math.floor(start / 60_000) + 1;
    expect(unauthorized).toBe(REQUESTS);

    // Closing flushes the counted failures into the spool and ships them.
    await app!.close();
    app = undefined;
    let rows: Row[] = [];
    for (const until = Date.now() + 20_000; Date.now() < until;) {
      const rs = await ch.client.query({
        query: `SELECT * FROM hexabase_logs.audit_events FINAL WHERE source_ip = '${FLOODER}'`,
        format: 'JSONEachRow',
      });
      rows = await rs.json<Row>();
      if (rows.reduce((n, r) => n + (JSON.parse(r.details) as { count: number }).count, 0) >= REQUESTS) break;
      await new Promise((r) => setTimeout(r, 200));
    }

    const details = rows.map(
      (r) => JSON.parse(r.details) as { count: number; reason: string; first_at?: number; last_at?: number; status_code: number },
    );
    expect(details.reduce((n, d) => n + d.count, 0)).toBe(REQUESTS);
    // One row for the first failure and one aggregated row, per minute the flood spanned.
    expect(rows.length).toBeLessThanOrEqual(2 * minutes);
    expect(rows.every((r) => r.event_type === 'authorization' && r.outcome === 'denied' && r.workspace_id === '')).toBe(true);
    expect(details.every((d) => d.reason === 'malformed_token' && d.status_code === 401)).toBe(true);
    const aggregated = details.filter((d) => d.count > 1);
    expect(aggregated.length).toBeGreaterThanOrEqual(1);
    for (const d of aggregated) expect(d.last_at).toBeGreaterThanOrEqual(d.first_at!);
  });
});
