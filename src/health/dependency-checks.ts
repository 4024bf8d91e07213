/**
 * Which dependencies /health/ready probes, from the configuration and the clients the composition
 * root built. Required: what the service cannot answer without (metrics source, key source,
 * checkpoint store, shared locks/cache). Optional: what only degrades it (audit shipping has a
 * local spool, LLMs have the deterministic mode, tracing is for developers).
 */
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { Config } from '../config.js';
import { httpProbe } from '../clients/http-probe.js';
import type { DependencyCheck } from './readiness.js';

export interface DependencyClients {
  redis?: Redis;
  postgres?: pg.Pool;
}

/** Told when a probe finds a dependency answering (e.g. the audit shipper stops waiting out its backoff). */
export interface DependencyHooks {
  onClickHouseUp?: () => void;
}

export function dependencyChecks(config: Config, clients: DependencyClients, hooks: DependencyHooks = {}): { checks: DependencyCheck[]; unconfigured: string[] } {
  const checks: DependencyCheck[] = [];
  const unconfigured: string[] = [];
  const add = (name: string, configured: unknown, check: Omit<DependencyCheck, 'name'>) => {
    if (configured) checks.push({ name, ...check });
    else unconfigured.push(name);
  };
  const url = (base: string, suffix: string) => `${base.replace(/\/+$/, '')}${suffix}`;

  add('prometheus', config.prometheusUrl, { required: true, probe: (s) => httpProbe(url(config.prometheusUrl!, '/-/ready'), s) });
  add('jwks', config.jwt.key.kind === 'jwks', {
    required: true,
    probe: (s) => httpProbe((config.jwt.key as { url: string }).url, s),
  });
  add('redis', clients.redis, { required: true, probe: async () => void (await clients.redis!.ping()) });
  add('postgres', clients.postgres, { required: true, probe: async () => void (await clients.postgres!.query('SELECT 1')) });
  add('clickhouse', config.clickhouse.url, {
    required: false,
    probe: async (s) => {
      await httpProbe(url(config.clickhouse.url!, '/ping'), s);
      hooks.onClickHouseUp?.();
    },
  });
  add('ollama', config.llm.ollamaBaseUrl, { required: false, probe: (s) => httpProbe(url(config.llm.ollamaBaseUrl!, '/api/version'), s) });
  add('langfuse', config.langfuse.host && config.langfuse.publicKey, {
    required: false,
    probe: (s) => httpProbe(url(config.langfuse.host!, '/api/public/health'), s),
  });
  return { checks, unconfigured };
}
