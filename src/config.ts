/**
 * The service configuration: one zod schema over the environment, read once at boot by the
 * composition root. A bad value stops the process with one message that lists every problem.
 * Nothing else in the code base reads `process.env`.
 */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { PermissionSchema, type Permission } from './auth/permissions.js';
import { ActionTypeSchema, type ActionType } from './remediation/action-types.js';
import { planLimitsOverride, type PlanLimits, type PlanType } from './limits/plan-limits.js';

export const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;
export const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;
const ALGORITHMS = [...ASYMMETRIC_ALGORITHMS, ...HMAC_ALGORITHMS] as const;
export type JwtAlgorithm = (typeof ALGORITHMS)[number];

/** Where verification keys come from; `none` means "no key configured" (dev key or refusal). */
export type KeySource =
  { kind: 'jwks'; url: string } | { kind: 'pem'; pem: string } | { kind: 'secret'; secret: string } | { kind: 'none' };

/** The audience the Hexabase control plane puts on its internal AIOps token. */
export const CONTROL_PLANE_AUDIENCE = 'hexabase-aiops-service';

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(blankToUndefined, z.string().optional());
const optionalUrl = z.preprocess(blankToUndefined, z.url({ protocol: /^https?$/ }).optional());
const intIn = (min: number, max: number, fallback: number) =>
  z.preprocess(blankToUndefined, z.coerce.number().int().min(min).max(max).default(fallback));
const csv = (fallback: string) =>
  z.preprocess(blankToUndefined, z.string().default(fallback)).transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== ''),
  );
const boolean = (fallback: boolean) =>
  z
    .preprocess(blankToUndefined, z.enum(['true', 'false', '1', '0']).default(fallback ? 'true' : 'false'))
    .transform((s) => s === 'true' || s === '1');
/** PEM keys are often passed with literal `\n` sequences in env files. */
const pem = z.preprocess(blankToUndefined, z.string().optional()).transform((s) => s?.replace(/\\n/g, '\n'));

const EnvSchema = z.object({
  NODE_ENV: z.preprocess(blankToUndefined, z.enum(['development', 'production', 'test']).default('development')),
  PORT: intIn(0, 65535, 8000),
  HOST: z.preprocess(blankToUndefined, z.string().default('0.0.0.0')),
  LOG_LEVEL: z.preprocess(blankToUndefined, z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
  TRUST_PROXY: boolean(false),
  CORS_ORIGINS: csv(''),
  BODY_LIMIT_BYTES: intIn(1024, 64 * 1024 * 1024, 1024 * 1024),
  SHUTDOWN_TIMEOUT_SECONDS: intIn(1, 600, 25),

  JWT_ALGORITHM: csv('RS256').pipe(z.array(z.enum(ALGORITHMS)).min(1)),
  JWT_PUBLIC_KEY: pem,
  JWT_JWKS_URL: optionalUrl,
  JWT_JWKS_CACHE_SECONDS: intIn(10, 86_400, 600),
  JWT_SECRET_KEY: pem,
  JWT_ISSUER: z.preprocess(blankToUndefined, z.string().default('hexabase-control-plane')),
  JWT_AUDIENCE: csv('hexabase-aiops').pipe(z.array(z.string()).min(1)),
  JWT_MAX_AGE_SECONDS: intIn(1, 7 * 86_400, 3600),
  JWT_CLOCK_TOLERANCE_SECONDS: intIn(0, 30, 5),
  JWT_VERIFY_CACHE_SECONDS: intIn(0, 300, 60),
  JWT_MAX_TOKEN_BYTES: intIn(512, 65_536, 8192),
  JWT_INTERNAL_TOKEN_PERMISSIONS: csv('aiops:read').pipe(z.array(PermissionSchema)),
  JWT_INTERNAL_TOKEN_MAX_LIFETIME_SECONDS: intIn(1, 300, 10),
  JWT_REQUIRE_AUDIENCE: boolean(true),
  JWT_REQUIRE_IAT: boolean(true),
  AIOPS_CROSS_WORKSPACE_SUBJECTS: csv(''),

  HEXABASE_API_URL: optionalUrl,
  HEXABASE_API_TOKEN: optionalString,
  HEXABASE_API_TIMEOUT_SECONDS: intIn(1, 300, 10),
  REMEDIATION_APPROVAL_TTL_MINUTES: intIn(1, 7 * 24 * 60, 30),
  REMEDIATION_FOUR_EYES: boolean(false),
  REMEDIATION_MAX_REPLICAS: intIn(1, 10_000, 50),
  REMEDIATION_AUTO_APPROVE_ACTIONS: csv('').pipe(z.array(ActionTypeSchema)),
  REMEDIATION_EXECUTIONS_PER_HOUR: intIn(1, 100_000, 30),
  REMEDIATION_MAX_REPLICAS_OVERRIDE: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(100_000).optional()),
  REMEDIATION_MAX_PENDING: intIn(1, 10_000, 20),
  OLLAMA_BASE_URL: optionalUrl,
  OPENAI_API_KEY: optionalString,
  OLLAMA_MODEL: z.preprocess(blankToUndefined, z.string().default('llama3.1:8b')),
  OPENAI_BASE_URL: optionalUrl,
  OPENAI_MODEL: z.preprocess(blankToUndefined, z.string().default('gpt-4o-mini')),
  LLM_TIMEOUT_SECONDS: intIn(1, 600, 30),
  LLM_ANONYMIZE: z.preprocess(blankToUndefined, z.enum(['external', 'always', 'never']).default('external')),
  PROMPTS_DIR: optionalString,
  LANGFUSE_PUBLIC_KEY: optionalString,
  LANGFUSE_SECRET_KEY: optionalString,
  LANGFUSE_HOST: optionalUrl,
  CLICKHOUSE_URL: optionalUrl,
  CLICKHOUSE_USER: optionalString,
  CLICKHOUSE_PASSWORD: optionalString,
  CLICKHOUSE_DATABASE: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be a plain identifier')
      .default('hexabase_logs'),
  ),
  LOGS_CLICKHOUSE_URL: optionalUrl,
  // Demo events in the embedded store (only with the demo metrics and no ClickHouse configured).
  LOGS_DEMO_DATA: boolean(true),
  LOGS_CLICKHOUSE_USER: optionalString,
  LOGS_CLICKHOUSE_PASSWORD: optionalString,
  LOGS_DATABASE: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be a plain identifier')
      .default('hexabase_logs'),
  ),
  // A resource attribute key (`workspace_id`, `hexabase.workspace.id`); it is sent as a query parameter too.
  LOGS_TENANT_ATTRIBUTE: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/, 'must be an attribute key (letters, digits, _ . -)')
      .default('workspace_id'),
  ),
  AUDIT_SPOOL_MAX_BYTES: intIn(1024 * 1024, 64 * 1024 ** 3, 256 * 1024 * 1024),
  AUDIT_LLM_TTL_DAYS: intIn(1, 3650, 30),
  AUDIT_BATCH_MAX_EVENTS: intIn(1, 100_000, 1000),
  AUDIT_SHIP_INTERVAL_MS: intIn(0, 10_000, 250),
  AUDIT_RETRY_MAX_SECONDS: intIn(1, 3600, 30),
  AUDIT_FAILING_AFTER_SECONDS: intIn(1, 86_400, 60),
  PROMETHEUS_URL: optionalUrl,
  PROMETHEUS_TIMEOUT_SECONDS: intIn(1, 300, 15),
  METRICS_TENANT_LABEL: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a Prometheus label name')
      .default('workspace_id'),
  ),
  METRICS_MAX_RANGE_SECONDS: intIn(60, 90 * 86_400, 7 * 86_400),
  METRICS_MAX_POINTS_PER_SERIES: intIn(10, 11_000, 11_000),
  METRICS_MIN_STEP_SECONDS: intIn(1, 3600, 5),
  METRICS_MAX_LOOKBACK_SECONDS: intIn(3600, 400 * 86_400, 15 * 86_400),
  METRICS_MAX_SERIES: intIn(1, 1_000_000, 2000),
  METRICS_MAX_RESPONSE_BYTES: intIn(64 * 1024, 1024 * 1024 * 1024, 32 * 1024 * 1024),
  METRICS_CACHE_TTL_SECONDS: intIn(1, 3600, 30),
  ANALYZE_SYNC_WAIT_SECONDS: intIn(0, 300, 20),
  RUN_LEASE_SECONDS: intIn(1, 600, 30),
  CHAT_MAX_STEPS: intIn(1, 30, 6),
  CHAT_CONTEXT_TOKENS: intIn(1000, 200_000, 8000),
  CHAT_SSE_KEEPALIVE_SECONDS: intIn(1, 300, 15),
  ANALYSIS_WORKER_THREADS: z.preprocess(blankToUndefined, z.coerce.number().int().min(0).max(64).optional()),
  ANALYSIS_TIMEOUT_SECONDS: intIn(1, 3600, 120),
  CHAT_TURN_TIMEOUT_SECONDS: intIn(1, 3600, 120),
  REDIS_URL: z.preprocess(blankToUndefined, z.url({ protocol: /^rediss?$/ }).optional()),
  DATABASE_URL: z.preprocess(blankToUndefined, z.url({ protocol: /^postgres(ql)?$/ }).optional()),
  AIOPS_DATA_DIR: z.preprocess(blankToUndefined, z.string().default('./data')),
  AIOPS_DEMO_DATA: boolean(false),
  ALERTMANAGER_WEBHOOK_TOKEN: z.preprocess(blankToUndefined, z.string().min(16, 'must be at least 16 characters').optional()),
  ALERTMANAGER_MAX_BODY_BYTES: intIn(1024, 64 * 1024 * 1024, 1024 * 1024),
  ALERTMANAGER_PAYLOADS_PER_MINUTE: intIn(1, 100_000, 120),
  NOTIFY_ALLOWED_HOSTS: csv(''),
  NOTIFY_TIMEOUT_SECONDS: intIn(1, 120, 10),
  NOTIFY_MAX_ATTEMPTS: intIn(1, 20, 6),
  AIOPS_PUBLIC_URL: z.preprocess(blankToUndefined, z.url({ protocol: /^https?$/ }).default('http://localhost:8000')),
  MONITOR_ENABLED: boolean(true),
  MONITOR_INTERVAL_SECONDS: intIn(10, 86_400, 60),
  MONITOR_CONCURRENCY: intIn(1, 256, 4),
  MONITOR_FOR_EVALUATIONS: intIn(1, 100, 2),
  MONITOR_WORKSPACES: csv('').pipe(z.array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'must be workspace ids'))),
  MONITOR_QUEUE_PREFIX: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9_:.-]{1,64}$/, 'must be a plain Redis key prefix')
      .default('aiops'),
  ),
  AIOPS_SINGLE_INSTANCE: boolean(false),
  LIMITS_SHARED: planLimitsOverride('shared'),
  LIMITS_DEDICATED: planLimitsOverride('dedicated'),
  LIMITS_ANALYSES_PER_REPLICA: intIn(1, 1000, 4),
});

/** Every environment variable the service reads (the README documents each one; a test checks). */
export const CONFIG_VARIABLES = Object.keys(EnvSchema.shape) as readonly string[];

export interface Config {
  readonly env: 'development' | 'production' | 'test';
  readonly http: {
    readonly port: number;
    readonly host: string;
    readonly logLevel: string;
    readonly trustProxy: boolean;
    readonly corsOrigins: readonly string[];
    readonly bodyLimitBytes: number;
    readonly shutdownTimeoutMs: number;
  };
  readonly jwt: {
    readonly algorithms: readonly JwtAlgorithm[];
    readonly key: KeySource;
    readonly jwksCacheMs: number;
    readonly issuer: string;
    readonly audiences: readonly string[];
    readonly maxAgeSeconds: number;
    readonly clockToleranceSeconds: number;
    /** How long a verified token is remembered (src/auth/verified-token-cache.ts); 0: every request verifies. */
    readonly verifyCacheSeconds: number;
    readonly maxTokenBytes: number;
    /** What a control-plane `internal-aiops-v1` token is granted (it carries no permissions itself). */
    readonly internalTokenPermissions: readonly Permission[];
    /** Longest `exp - iat` accepted on an `internal-aiops-v1` token (the control plane issues 10 s). */
    readonly internalTokenMaxLifetimeSeconds: number;
    /** false (opt-in, the seed's claim set): a token without `aud` is accepted; one with a wrong `aud` never is. */
    readonly requireAudience: boolean;
    /** false (opt-in, the seed's claim set): a token without `iat` is accepted when `exp - now` is within `maxAgeSeconds`. */
    readonly requireIssuedAt: boolean;
    /** Subjects allowed to *read* other workspaces (internal operations only). */
    readonly crossWorkspaceSubjects: readonly string[];
  };
  readonly hexabase: { readonly apiUrl?: string; readonly apiToken?: string; readonly timeoutMs: number };
  readonly remediation: {
    readonly approvalTtlMs: number;
    readonly fourEyes: boolean;
    readonly maxReplicas: number;
    readonly autoApproveActions: readonly ActionType[];
    readonly executionsPerHour: number;
    /** Hard ceiling of a replica count, even with `parameters.override` (default 10 × maxReplicas). */
    readonly maxReplicasOverride: number;
    /** Pending remediations per workspace at most (more proposals: 429). */
    readonly maxPending: number;
  };
  readonly llm: {
    readonly ollamaBaseUrl?: string;
    readonly ollamaModel: string;
    readonly openaiApiKey?: string;
    readonly openaiBaseUrl?: string;
    readonly openaiModel: string;
    /** Per-attempt timeout of an LLM call (each provider of the fallback chain gets this much). */
    readonly timeoutMs: number;
    /** Which providers see the tenant's names replaced by tokens (src/llm/anonymize.ts). */
    readonly anonymize: 'external' | 'always' | 'never';
  };
  readonly langfuse: { readonly publicKey?: string; readonly secretKey?: string; readonly host?: string };
  readonly clickhouse: { readonly url?: string; readonly user?: string; readonly password?: string; readonly database: string };
  /**
   * The platform's events and application logs (src/logs): LOGS_CLICKHOUSE_URL, else the audit's
   * CLICKHOUSE_URL (with its credentials), else the embedded chDB the audit uses (url unset).
   */
  readonly logs: {
    readonly url?: string;
    readonly user?: string;
    readonly password?: string;
    readonly database: string;
    /** The `otel_logs` resource attribute that names the workspace. */
    readonly tenantAttribute: string;
    /**
     * Write the demo workspaces' Kubernetes events into the embedded store at start: LOGS_DEMO_DATA
     * (default true), and only when both the metrics and the logs are the embedded demo ones.
     */
    readonly demoData: boolean;
  };
  readonly audit: {
    readonly spoolMaxBytes: number;
    readonly llmTtlDays: number;
    readonly batchMaxEvents: number;
    /** After shipping a batch that was not full, wait this long before the next (fewer, larger inserts). */
    readonly shipIntervalMs: number;
    readonly retryMaxMs: number;
    /** Readiness turns degraded when shipping has failed for this long. */
    readonly failingAfterMs: number;
  };
  readonly prometheusUrl?: string;
  readonly analysis: {
    /** How long POST /analyze waits for the run before answering 202 with a run to poll. */
    readonly syncWaitSeconds: number;
  };
  readonly runs: {
    /** A running analysis's lease: renewed every third of it; once expired, its process is gone and another one resumes the run. */
    readonly leaseMs: number;
  };
  readonly chat: {
    /** Model calls per chat turn; a turn that needs more ends with a partial answer. */
    readonly maxSteps: number;
    /** Token budget of a chat model call's prompt (older turns are summarised and tool results clipped to fit). */
    readonly contextTokens: number;
    /** An SSE comment is sent after this long without an event, so proxies keep a slow turn's stream open. */
    readonly keepAliveMs: number;
  };
  readonly metrics: {
    readonly timeoutMs: number;
    /** The label that names the workspace on every series (`workspace_id` on Hexabase). */
    readonly tenantLabel: string;
    readonly limits: {
      readonly maxRangeSeconds: number;
      readonly maxPointsPerSeries: number;
      readonly minStepSeconds: number;
      /** How far back any read may reach (also the retention of the embedded demo data). */
      readonly maxLookbackSeconds: number;
      /** Most series (or label values) in one answer. */
      readonly maxSeries: number;
      /** Most bytes of one answer (read from Prometheus, or generated by the embedded source). */
      readonly maxResponseBytes: number;
    };
    readonly cacheTtlSeconds: number;
  };
  /** Where heavy analysis runs and how long analyses and chat turns may take. */
  /** Alertmanager's webhook (POST /webhooks/alertmanager): absent token, no route. */
  readonly alertmanager: {
    readonly webhookToken: string | undefined;
    readonly maxBodyBytes: number;
    readonly payloadsPerMinute: number;
  };
  /** Notifications to the workspaces' channels. */
  readonly notify: {
    /** Host patterns a channel may point at (`host`, `host:port`, `*.example.com`); empty: none. */
    readonly allowedHosts: readonly string[];
    readonly timeoutMs: number;
    readonly maxAttempts: number;
    /** Where the console is, for links in messages. */
    readonly publicUrl: string;
  };
  /** The monitoring loop: every workspace evaluated on a schedule (BullMQ with Redis, in process otherwise). */
  readonly monitor: {
    readonly enabled: boolean;
    readonly intervalMs: number;
    /** Evaluations at once on this replica. */
    readonly concurrency: number;
    /** Evaluations an alert must be seen before it fires, and missed before it resolves. */
    readonly forEvaluations: number;
    /** Empty: discover (the tenant label's values in Prometheus, or the demo workspaces). */
    readonly workspaces: readonly string[];
    /** BullMQ's key prefix in Redis. */
    readonly queuePrefix: string;
  };
  readonly compute: {
    /** Worker threads of the findings analysers; 0 runs them inline on the event loop (debugging). */
    readonly workerThreads: number;
    /** Time budget of an analysis run, and of a request that analyses inline (alerts, recommendations). */
    readonly analysisTimeoutMs: number;
    /** Time budget of one chat turn. */
    readonly chatTurnTimeoutMs: number;
  };
  readonly redisUrl?: string;
  readonly databaseUrl?: string;
  readonly dataDir: string;
  /** The prompt templates' directory (PROMPTS_DIR); unset: the package's own `prompts/`. */
  readonly promptsDir?: string;
  readonly limits: {
    /** Per plan (`plan_type` of the token): request rates, concurrency, daily LLM budget (src/limits/plan-limits.ts). */
    readonly plans: Readonly<Record<PlanType, PlanLimits>>;
    /** Analyses this replica runs at once, whatever the workspaces. */
    readonly analysesPerReplica: number;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = z.infer<typeof EnvSchema>;

/** Parses the environment into a frozen Config, or throws one ConfigError listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = {}): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  const key = resolveKeySource(e, problems);
  if (e.REMEDIATION_MAX_REPLICAS_OVERRIDE !== undefined && e.REMEDIATION_MAX_REPLICAS_OVERRIDE < e.REMEDIATION_MAX_REPLICAS) {
    problems.push('REMEDIATION_MAX_REPLICAS_OVERRIDE: the hard ceiling cannot be below REMEDIATION_MAX_REPLICAS');
  }
  if (e.METRICS_MAX_LOOKBACK_SECONDS < e.METRICS_MAX_RANGE_SECONDS)
    problems.push(
      'METRICS_MAX_LOOKBACK_SECONDS must be at least METRICS_MAX_RANGE_SECONDS (a range may not reach further back than any read)',
    );
  if (e.NODE_ENV === 'production') problems.push(...productionProblems(e));
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(buildConfig(e, key));
}

function resolveKeySource(e: Env, problems: string[]): KeySource {
  const hmac = e.JWT_ALGORITHM.filter((a) => (HMAC_ALGORITHMS as readonly string[]).includes(a));
  if (hmac.length > 0 && hmac.length < e.JWT_ALGORITHM.length) {
    problems.push('JWT_ALGORITHM: HMAC (HS*) and asymmetric algorithms cannot be allowed together');
    return { kind: 'none' };
  }
  const symmetric = hmac.length > 0;
  const sources = [e.JWT_JWKS_URL && 'JWT_JWKS_URL', e.JWT_PUBLIC_KEY && 'JWT_PUBLIC_KEY', e.JWT_SECRET_KEY && 'JWT_SECRET_KEY'].filter(
    Boolean,
  );
  if (sources.length > 1) problems.push(`set only one of JWT_JWKS_URL, JWT_PUBLIC_KEY, JWT_SECRET_KEY (found ${sources.join(', ')})`);

  let key: KeySource = { kind: 'none' };
  if (e.JWT_JWKS_URL) {
    if (symmetric) problems.push('JWT_JWKS_URL needs an asymmetric JWT_ALGORITHM (RS256, ES256, …), not HS*');
    key = { kind: 'jwks', url: e.JWT_JWKS_URL };
  } else if (e.JWT_PUBLIC_KEY) {
    if (symmetric) problems.push('JWT_PUBLIC_KEY needs an asymmetric JWT_ALGORITHM; use JWT_SECRET_KEY for HS*');
    if (!isPem(e.JWT_PUBLIC_KEY)) problems.push('JWT_PUBLIC_KEY: expected a PEM public key or certificate');
    key = { kind: 'pem', pem: e.JWT_PUBLIC_KEY };
  } else if (e.JWT_SECRET_KEY) {
    if (symmetric) {
      if (isPem(e.JWT_SECRET_KEY)) problems.push('JWT_SECRET_KEY holds a PEM key but JWT_ALGORITHM is HMAC');
      else if (Buffer.byteLength(e.JWT_SECRET_KEY) < 32) problems.push('JWT_SECRET_KEY: an HMAC secret must be at least 32 bytes');
      key = { kind: 'secret', secret: e.JWT_SECRET_KEY };
    } else if (isPem(e.JWT_SECRET_KEY)) {
      key = { kind: 'pem', pem: e.JWT_SECRET_KEY }; // the seed's compatibility form
    } else {
      problems.push('JWT_SECRET_KEY: with an asymmetric JWT_ALGORITHM it must hold a PEM public key');
    }
  } else if (e.NODE_ENV === 'production') {
    problems.push(
      'no JWT verification key: set JWT_JWKS_URL, JWT_PUBLIC_KEY or JWT_SECRET_KEY (development keys are never generated in production)',
    );
  } else if (symmetric) {
    problems.push('JWT_ALGORITHM is HMAC but JWT_SECRET_KEY is not set');
  }
  return key;
}

/**
 * What production refuses beyond the key: the embedded fallbacks are right for one developer's
 * process and silently wrong for a service. Without PROMETHEUS_URL every answer would describe
 * synthetic demo workspaces; without DATABASE_URL or REDIS_URL each replica would keep its own
 * state, so a run, an approval or a rate limit would depend on which replica a request reaches.
 * Each missing variable is its own problem, so one failed start names all of them.
 */
function productionProblems(e: Env): string[] {
  const problems: string[] = [];
  if (!e.PROMETHEUS_URL && !e.AIOPS_DEMO_DATA) {
    problems.push(
      'PROMETHEUS_URL is not set: in production the service would analyse synthetic demo data, not your workspaces (set AIOPS_DEMO_DATA=true to serve the demo data deliberately)',
    );
  }
  if (e.AIOPS_SINGLE_INSTANCE) return problems;
  const splitState =
    'each replica would keep its own, so state would be split across replicas (set AIOPS_SINGLE_INSTANCE=true if exactly one instance runs)';
  if (!e.DATABASE_URL) {
    problems.push(
      `DATABASE_URL is not set: run checkpoints and leases, approvals, remediations and chat threads would live in local SQLite files; ${splitState}`,
    );
  }
  if (!e.REDIS_URL) {
    problems.push(
      `REDIS_URL is not set: rate limits, concurrency limits, the daily LLM budget, remediation locks and the query cache would live in process memory; ${splitState}`,
    );
  }
  return problems;
}

function isPem(text: string): boolean {
  return /-----BEGIN [A-Z ]+-----/.test(text);
}

function buildConfig(e: Env, key: KeySource): Config {
  return {
    env: e.NODE_ENV,
    http: {
      port: e.PORT,
      host: e.HOST,
      logLevel: e.LOG_LEVEL,
      trustProxy: e.TRUST_PROXY,
      corsOrigins: e.CORS_ORIGINS,
      bodyLimitBytes: e.BODY_LIMIT_BYTES,
      shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_SECONDS * 1000,
    },
    jwt: {
      algorithms: e.JWT_ALGORITHM,
      key,
      jwksCacheMs: e.JWT_JWKS_CACHE_SECONDS * 1000,
      issuer: e.JWT_ISSUER,
      audiences: e.JWT_AUDIENCE,
      maxAgeSeconds: e.JWT_MAX_AGE_SECONDS,
      clockToleranceSeconds: e.JWT_CLOCK_TOLERANCE_SECONDS,
      verifyCacheSeconds: e.JWT_VERIFY_CACHE_SECONDS,
      maxTokenBytes: e.JWT_MAX_TOKEN_BYTES,
      internalTokenPermissions: e.JWT_INTERNAL_TOKEN_PERMISSIONS,
      internalTokenMaxLifetimeSeconds: e.JWT_INTERNAL_TOKEN_MAX_LIFETIME_SECONDS,
      requireAudience: e.JWT_REQUIRE_AUDIENCE,
      requireIssuedAt: e.JWT_REQUIRE_IAT,
      crossWorkspaceSubjects: e.AIOPS_CROSS_WORKSPACE_SUBJECTS,
    },
    hexabase: { apiUrl: e.HEXABASE_API_URL, apiToken: e.HEXABASE_API_TOKEN, timeoutMs: e.HEXABASE_API_TIMEOUT_SECONDS * 1000 },
    remediation: {
      approvalTtlMs: e.REMEDIATION_APPROVAL_TTL_MINUTES * 60_000,
      fourEyes: e.REMEDIATION_FOUR_EYES,
      maxReplicas: e.REMEDIATION_MAX_REPLICAS,
      autoApproveActions: e.REMEDIATION_AUTO_APPROVE_ACTIONS,
      executionsPerHour: e.REMEDIATION_EXECUTIONS_PER_HOUR,
      maxReplicasOverride: e.REMEDIATION_MAX_REPLICAS_OVERRIDE ?? 10 * e.REMEDIATION_MAX_REPLICAS,
      maxPending: e.REMEDIATION_MAX_PENDING,
    },
    llm: {
      ollamaBaseUrl: e.OLLAMA_BASE_URL,
      ollamaModel: e.OLLAMA_MODEL,
      openaiApiKey: e.OPENAI_API_KEY,
      openaiBaseUrl: e.OPENAI_BASE_URL,
      openaiModel: e.OPENAI_MODEL,
      timeoutMs: e.LLM_TIMEOUT_SECONDS * 1000,
      anonymize: e.LLM_ANONYMIZE,
    },
    langfuse: { publicKey: e.LANGFUSE_PUBLIC_KEY, secretKey: e.LANGFUSE_SECRET_KEY, host: e.LANGFUSE_HOST },
    clickhouse: { url: e.CLICKHOUSE_URL, user: e.CLICKHOUSE_USER, password: e.CLICKHOUSE_PASSWORD, database: e.CLICKHOUSE_DATABASE },
    logs: {
      ...(e.LOGS_CLICKHOUSE_URL
        ? { url: e.LOGS_CLICKHOUSE_URL, user: e.LOGS_CLICKHOUSE_USER, password: e.LOGS_CLICKHOUSE_PASSWORD }
        : { url: e.CLICKHOUSE_URL, user: e.CLICKHOUSE_USER, password: e.CLICKHOUSE_PASSWORD }),
      database: e.LOGS_DATABASE,
      tenantAttribute: e.LOGS_TENANT_ATTRIBUTE,
      demoData: e.LOGS_DEMO_DATA && !e.PROMETHEUS_URL && !e.LOGS_CLICKHOUSE_URL && !e.CLICKHOUSE_URL,
    },
    audit: {
      spoolMaxBytes: e.AUDIT_SPOOL_MAX_BYTES,
      llmTtlDays: e.AUDIT_LLM_TTL_DAYS,
      batchMaxEvents: e.AUDIT_BATCH_MAX_EVENTS,
      shipIntervalMs: e.AUDIT_SHIP_INTERVAL_MS,
      retryMaxMs: e.AUDIT_RETRY_MAX_SECONDS * 1000,
      failingAfterMs: e.AUDIT_FAILING_AFTER_SECONDS * 1000,
    },
    prometheusUrl: e.PROMETHEUS_URL,
    analysis: { syncWaitSeconds: e.ANALYZE_SYNC_WAIT_SECONDS },
    runs: { leaseMs: e.RUN_LEASE_SECONDS * 1000 },
    chat: { maxSteps: e.CHAT_MAX_STEPS, contextTokens: e.CHAT_CONTEXT_TOKENS, keepAliveMs: e.CHAT_SSE_KEEPALIVE_SECONDS * 1000 },
    metrics: {
      timeoutMs: e.PROMETHEUS_TIMEOUT_SECONDS * 1000,
      tenantLabel: e.METRICS_TENANT_LABEL,
      limits: {
        maxRangeSeconds: e.METRICS_MAX_RANGE_SECONDS,
        maxPointsPerSeries: e.METRICS_MAX_POINTS_PER_SERIES,
        minStepSeconds: e.METRICS_MIN_STEP_SECONDS,
        maxLookbackSeconds: e.METRICS_MAX_LOOKBACK_SECONDS,
        maxSeries: e.METRICS_MAX_SERIES,
        maxResponseBytes: e.METRICS_MAX_RESPONSE_BYTES,
      },
      cacheTtlSeconds: e.METRICS_CACHE_TTL_SECONDS,
    },
    alertmanager: {
      webhookToken: e.ALERTMANAGER_WEBHOOK_TOKEN,
      maxBodyBytes: e.ALERTMANAGER_MAX_BODY_BYTES,
      payloadsPerMinute: e.ALERTMANAGER_PAYLOADS_PER_MINUTE,
    },
    notify: {
      allowedHosts: e.NOTIFY_ALLOWED_HOSTS,
      timeoutMs: e.NOTIFY_TIMEOUT_SECONDS * 1000,
      maxAttempts: e.NOTIFY_MAX_ATTEMPTS,
      publicUrl: e.AIOPS_PUBLIC_URL,
    },
    monitor: {
      enabled: e.MONITOR_ENABLED,
      intervalMs: e.MONITOR_INTERVAL_SECONDS * 1000,
      concurrency: e.MONITOR_CONCURRENCY,
      forEvaluations: e.MONITOR_FOR_EVALUATIONS,
      workspaces: e.MONITOR_WORKSPACES,
      queuePrefix: e.MONITOR_QUEUE_PREFIX,
    },
    compute: {
      // One core stays with the event loop (HTTP, I/O); the rest analyse.
      workerThreads: e.ANALYSIS_WORKER_THREADS ?? Math.max(1, availableParallelism() - 1),
      analysisTimeoutMs: e.ANALYSIS_TIMEOUT_SECONDS * 1000,
      chatTurnTimeoutMs: e.CHAT_TURN_TIMEOUT_SECONDS * 1000,
    },
    redisUrl: e.REDIS_URL,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.AIOPS_DATA_DIR),
    promptsDir: e.PROMPTS_DIR ? path.resolve(e.PROMPTS_DIR) : undefined,
    limits: { plans: { shared: e.LIMITS_SHARED, dedicated: e.LIMITS_DEDICATED }, analysesPerReplica: e.LIMITS_ANALYSES_PER_REPLICA },
  };
}

/** Returns a copy of `config` whose JWT key is replaced (used once, for the development key). */
export function withJwtKey(config: Config, key: KeySource, algorithms: readonly JwtAlgorithm[]): Config {
  return deepFreeze({ ...config, jwt: { ...config.jwt, key, algorithms } });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
