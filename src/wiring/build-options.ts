/** What a caller of `buildApp` (tests, benchmarks, evals) may replace or tune; the server itself passes none. */
import type { FastifyServerOptions } from 'fastify';
import type { JWTVerifyGetKey } from 'jose';
import type { FindingsEngine } from '../analysis/workers/findings-engine.js';
import type { RemediationProposer } from '../chat/remediation-port.js';
import type { LogsSource } from '../logs/logs-source.js';
import type { MetricsSource } from '../metrics/metrics-source.js';
import type { AuthGuardOptions } from '../plugins/auth-guard.js';
import type { Investigator } from '../monitoring/evaluate-workspace.js';

export interface BuildOptions {
  /** Pino options, or false to silence logs (tests). */
  logger?: FastifyServerOptions['logger'];
  /** Replace the key lookup (tests use a local JWKS server or a generated key). */
  getKey?: JWTVerifyGetKey;
  onAuthorizationDecision?: AuthGuardOptions['onDecision'];
  /** Replace the metrics data layer (tests). */
  metricsSource?: MetricsSource;
  /** Replace the events and logs store (evals: the case's tables on an embedded chDB of their own). */
  logsSource?: LogsSource;
  /** The clock of analyses (tests pin it to the end of their backfilled data). */
  now?: () => number;
  /** Replace where the findings analysers run (tests hold or count the work; the test closes it). */
  findingsEngine?: FindingsEngine;
  /** Replace the remediation service as chat sees it (tests record the calls). */
  chatRemediationProposer?: RemediationProposer;
  /** Prefix of the limits' Redis keys (tests use one per file); default `aiops:limits:`. */
  limitsKeyPrefix?: string;
  /** The monitor's tick interval, below MONITOR_INTERVAL_SECONDS's 10 s minimum (tests). */
  monitorIntervalMs?: number;
  /** The monitor's BullMQ key prefix (tests use one per file). */
  monitorQueuePrefix?: string;
  /** How long a monitor worker's lock on a tick lasts (tests shorten it to see a dead replica's tick taken over). */
  monitorLockDurationMs?: number;
  /** Replace how an incident's investigation starts (tests). */
  monitorInvestigator?: Investigator;
  /** First retry delay of a failed notification delivery (tests shorten it); default 2 s, doubling. */
  notifyBackoffMs?: number;
  /** The audit shipper's first backoff delay (tests make it long, to see a readiness probe cut it short). */
  auditRetryBaseMs?: number;
}
