/**
 * What the process looks like while it is being fuzzed: event-loop delay (perf_hooks), resident
 * memory, and the latency of /health probed alongside the fuzz over its own connection.
 */
import http from 'node:http';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';

export interface LoopDelay {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export function watchEventLoop(): { stop(): LoopDelay } {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  return {
    stop() {
      h.disable();
      const ms = (ns: number) => Math.round(ns / 1e5) / 10;
      return { p50Ms: ms(h.percentile(50)), p99Ms: ms(h.percentile(99)), maxMs: ms(h.max) };
    },
  };
}

export const rssMb = () => Math.round(process.memoryUsage().rss / 1_048_576);

/** A full garbage collection, so memory is compared without garbage (the flag is set at run time: no node options needed). */
export function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

export const heapUsedMb = () => Math.round(process.memoryUsage().heapUsed / 1_048_576);

/** One GET /health over a fresh connection; resolves with its latency in ms. */
export function healthLatency(port: number): Promise<{ status: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.get({ host: '127.0.0.1', port, path: '/health', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
    });
    req.setTimeout(30_000, () => req.destroy(new Error('/health did not answer within 30 s')));
    req.on('error', reject);
  });
}

/** Probes /health every `everyMs` until stopped; the latencies, sorted. */
export function probeHealth(
  port: number,
  everyMs = 500,
): { stop(): Promise<{ count: number; p50Ms: number; p99Ms: number; maxMs: number; failures: number }> } {
  const latencies: number[] = [];
  let failures = 0;
  let inFlight: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    inFlight = healthLatency(port).then(
      (r) => {
        if (r.status === 200) latencies.push(r.ms);
        else failures++;
      },
      () => {
        failures++;
      },
    );
  }, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await inFlight;
      const sorted = latencies.sort((a, b) => a - b);
      const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
      return { count: sorted.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: Math.round(sorted.at(-1) ?? 0), failures };
    },
  };
}
