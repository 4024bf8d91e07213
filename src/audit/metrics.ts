/**
 * Prometheus metrics of the audit pipeline, read from its status at scrape time:
 * spool depth (events, bytes, capacity), events shipped / failed / refused, duplicates skipped,
 * corrupt spool records, and whether shipping is currently failing.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { AuditStatus } from './pipeline.js';

export function registerAuditMetrics(registry: Registry, status: () => AuditStatus): void {
  const gauge = (name: string, help: string, read: (s: AuditStatus) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read(status()));
      },
    });
  // Counters that mirror monotonic totals kept by the pipeline (reset on restart, as counters may).
  const counter = (name: string, help: string, read: (s: AuditStatus) => number) => {
    let last = 0;
    return new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        const now = read(status());
        if (now > last) this.inc(now - last);
        last = now;
      },
    });
  };
  gauge('aiops_audit_spool_depth_events', 'Audit events in the local spool not yet stored in ClickHouse', (s) => s.spool.depthEvents);
  gauge('aiops_audit_spool_depth_bytes', 'Unshipped bytes in the audit spool', (s) => s.spool.depthBytes);
  gauge('aiops_audit_spool_capacity_bytes', 'Audit spool bound (AUDIT_SPOOL_MAX_BYTES)', (s) => s.spool.maxBytes);
  gauge('aiops_audit_spool_full', '1 while the audit spool refuses new events', (s) => (s.spool.full ? 1 : 0));
  gauge('aiops_audit_shipping_failing', '1 while shipping to ClickHouse keeps failing', (s) => (s.shipper.consecutiveFailures > 0 ? 1 : 0));
  counter('aiops_audit_events_shipped_total', 'Audit events stored in ClickHouse', (s) => s.shipper.shipped);
  counter(
    'aiops_audit_events_failed_total',
    'Audit events in failed shipping attempts (they stay in the spool and are retried)',
    (s) => s.shipper.failed,
  );
  counter(
    'aiops_audit_ship_failures_total',
    'Failed shipping attempts of any kind (connecting, schema, insert); each is retried with backoff',
    (s) => s.shipper.failedAttempts,
  );
  counter('aiops_audit_events_rejected_total', 'Audit events refused by a full spool (the request was refused too)', (s) => s.rejected);
  counter(
    'aiops_audit_duplicates_skipped_total',
    'Events of a retried batch found already stored and not inserted again',
    (s) => s.shipper.duplicatesSkipped,
  );
  counter(
    'aiops_audit_spool_corrupt_records_total',
    'Spool records skipped because their checksum did not match',
    (s) => s.spool.corruptRecords,
  );
}
