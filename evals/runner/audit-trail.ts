/**
 * The audit trail of one case, read back from the app's spool: the durable write-ahead log every
 * audit event reaches before the request that caused it completes (src/audit/spool.ts). Each case
 * runs on its own data directory, so the spool holds exactly that case's events: authorization
 * decisions, tool calls (scope refusals included), LLM calls with tokens, remediations, insights.
 * No ClickHouse is involved; the app's shipper points at a closed port and never empties the spool.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditEvent } from '../../src/audit/event.js';
import { decodeRecord } from '../../src/audit/spool.js';

const SEGMENT = /^seg-\d{12}\.log$/;

/** Every event in the spool of `dataDir`, in the order they were recorded; unreadable lines are counted, not returned. */
export async function readAuditTrail(dataDir: string): Promise<{ events: AuditEvent[]; corrupt: number }> {
  const dir = join(dataDir, 'audit', 'spool'); // <data dir>/audit (src/wiring/audit.ts), then spool/ (src/audit/pipeline.ts)
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => SEGMENT.test(f)).sort();
  } catch {
    return { events: [], corrupt: 0 };
  }
  const events: AuditEvent[] = [];
  let corrupt = 0;
  for (const file of files) {
    const data = await readFile(join(dir, file));
    let start = 0;
    for (let i = data.indexOf(0x0a); i !== -1; i = data.indexOf(0x0a, start)) {
      const event = decodeRecord(data.subarray(start, i));
      if (event) events.push(event);
      else corrupt += 1;
      start = i + 1;
    }
  }
  return { events, corrupt };
}
