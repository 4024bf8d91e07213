/**
 * Which dependencies /health/ready probes, from the configuration and the clients the composition
 * root built. Required (readiness fails): only the key source, without which no token can be
 * verified and no guarded route served. Everything else only degrades the replica, and `impact`
 * says which routes: the shared stores are down for every replica alike, so pulling this one out
 * of the Service would not help anyone (README, Operations).
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

export function dependencyChecks(
  config: Config,
  clients: DependencyClients,
  hooks: DependencyHooks = {},
): { checks: DependencyCheck[]; unconfigured: string[] } {
  const checks: DependencyCheck[] = [];
  const unconfigured: string[] = [];
  const add = (name: string, configured: unknown, check: Omit<DependencyCheck, 'name'>) => {
    if (configured) checks.push({ name, ...check });
    else unconfigured.push(name);
  };
  const url = (base: string, suffix: string) => `${base.replace(/\/+$/, '')}${suffix}`;

  add('prometheus', config.prometheusUrl, {
    required: false,
    impact: 'metrics queries, analyses, alerts and recommendations answer 503 (unavailable / metrics_unavailable); everything else works',
    probe: (s) => httpProbe(url(config.prometheusUrl!, '/-/ready'), s),
  });
  add('jwks', config.jwt.key.kind === 'jwks', {
    required: true,
    impact:
      'tokens cannot be verified once the cached key set is stale or a new key appears: every guarded route answers 503 key_source_unavailable',
    probe: (s) => httpProbe((config.jwt.key as { url: string }).url, s),
  });
  add('redis', clients.redis, {
    required: false,
    impact: 'caches fall back to direct queries (circuit breaker open); approving a remediation answers 503 lock_store_unavailable',
    probe: async () => void (await clients.redis!.ping()),
  });
  add('postgres', clients.postgres, {
    required: false,
    impact:
      'analysis runs, remediations and chat answer 503 run_store_unavailable / remediation_store_unavailable / chat_store_unavailable',
    probe: async () => void (await clients.postgres!.query('SELECT 1')),
  });
  add('clickhouse', config.clickhouse.url, {
    required: false,
    impact: 'audit events wait in the local spool; the audit trail and insights answer 503 audit_store_unavailable',
    probe: async (s) => {
      await httpProbe(url(config.clickhouse.url!, '/ping'), s);
      hooks.onClickHouseUp?.();
    },
  });
  add('ollama', config.llm.ollamaBaseUrl, {
    required: false,
    impact: 'model calls fall back to OpenAI when configured, else the deterministic mode',
    probe: (s) => httpProbe(url(config.llm.ollamaBaseUrl!, '/api/version'), s),
  });
  add('langfuse', config.langfuse.host && config.langfuse.publicKey, {
    required: false,
    impact: 'no traces',
    probe: (s) => httpProbe(url(config.langfuse.host!, '/api/public/health'), s),
  });
  return { checks, unconfigured };
}
