/**
 * `npm run bench:audit`: events per second through the audit spool (fsync'd, group-committed) to
 * ClickHouse — on embedded chDB and, when Debian's clickhouse-server is installed, on a private
 * real server over HTTP. Median of several runs. Options: --events N (20000) --concurrency C (200)
 * --runs R (5) --batch B (1000).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { AuditEventInput } from '../src/audit/event.js';
import { openAuditPipeline } from '../src/audit/pipeline.js';
import { createClickHouse } from '../src/clients/clickhouse.js';
import { ClickHouseServer, clickhouseBinary } from '../test/helpers/clickhouse-server.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '200' },
    runs: { type: 'string', default: '5' },
    batch: { type: 'string', default: '1000' },
  },
});
const EVENTS = Number(values.events);
const CONCURRENCY = Number(values.concurrency);
const RUNS = Number(values.runs);
const BATCH = Number(values.batch);
const quiet = { info() {}, warn() {}, error() {} };

const event = (i: number): AuditEventInput => ({
  event_type: 'tool_call',
  workspace_id: `ws-${i % 10}`,
  user_id: `user-${i % 97}`,
  source_ip: '10.0.0.1',
  request_id: `bench-${i}`,
  details: {
    tool: 'prometheus_query',
    required_scope: 'aiops:read',
    arguments: { query: 'sum(rate(container_cpu_usage_seconds_total[5m]))', i },
    status: 'ok',
    duration_ms: 12,
  },
});

async function run(target: { url?: string; embeddedPath: string }): Promise<{ spool: number; shipped: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-audit-'));
  const pipeline = await openAuditPipeline(
    {
      dir,
      database: 'bench_audit',
      spoolMaxBytes: 1 << 30,
      llmTtlDays: 30,
      batchMaxEvents: BATCH,
      retryMaxMs: 1000,
      failingAfterMs: 60_000,
      drainOnCloseMs: 0,
      log: quiet,
    },
    async () => {
      const ch = await createClickHouse(target);
      return { client: ch.client, release: () => ch.close() };
    },
  );
  await pipeline.schemaReady(30_000);
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < EVENTS) await pipeline.record(event(next++));
    }),
  );
  const spooled = performance.now();
  while (pipeline.status().shipper.shipped < EVENTS) await new Promise((r) => setTimeout(r, 5));
  const shipped = performance.now();
  await pipeline.close();
  rmSync(dir, { recursive: true, force: true });
  return { spool: EVENTS / ((spooled - started) / 1000), shipped: EVENTS / ((shipped - started) / 1000) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function bench(name: string, target: { url?: string; embeddedPath: string }): Promise<void> {
  await run({ ...target }); // warm-up (schema, JIT)
  const results = [];
  for (let i = 0; i < RUNS; i++) results.push(await run(target));
  console.log(
    `${name.padEnd(28)} spool (fsync'd) ${Math.round(median(results.map((r) => r.spool)))
      .toString()
      .padStart(7)} events/s   ` +
      `spool→ClickHouse ${Math.round(median(results.map((r) => r.shipped)))
        .toString()
        .padStart(7)} events/s   (median of ${RUNS})`,
  );
}

console.log(`audit benchmark: ${EVENTS} events, ${CONCURRENCY} concurrent writers, batches of ${BATCH}`);
const chdbDir = mkdtempSync(path.join(tmpdir(), 'bench-chdb-'));
await bench('chDB 26.7 (embedded)', { embeddedPath: chdbDir });
rmSync(chdbDir, { recursive: true, force: true });
if (existsSync(clickhouseBinary) || existsSync('/usr/sbin/clickhouse-server') || existsSync('/usr/bin/clickhouse-server')) {
  const server = await ClickHouseServer.create(mkdtempSync(path.join(tmpdir(), 'bench-ch-')));
  await server.start();
  try {
    const version = (await server.query('SELECT version()')).trim();
    await bench(`ClickHouse ${version} (HTTP)`, { url: server.url, embeddedPath: '' });
  } finally {
    await server.stop();
    rmSync(server.dir, { recursive: true, force: true });
  }
} else {
  console.log('clickhouse-server not installed: real-server run skipped (apt-get install clickhouse-server)');
}
