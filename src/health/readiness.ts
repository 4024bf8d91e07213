/**
 * Readiness: every configured dependency is probed in parallel with a timeout. A required
 * dependency that is down makes the service not ready (503); any other that is down only marks it
 * degraded (200), because the replica still serves the routes that do not need it. "Required" is
 * kept for what leaves this replica unable to serve its core routes at all (README, Operations): a
 * shared store being down affects every replica alike, and failing readiness for it would take
 * every replica out of the Service at once, turning a partial outage into a full one.
 */
export interface DependencyCheck {
  name: string;
  /** Whether this replica cannot serve its core routes at all without it (then readiness fails). */
  required: boolean;
  /** What is affected while it is down (shown in the report). */
  impact?: string;
  /** Resolves when the dependency answers; rejects with a short, safe message otherwise. */
  probe(signal: AbortSignal): Promise<void>;
}

export interface DependencyStatus {
  name: string;
  status: 'ok' | 'down' | 'not_configured';
  required: boolean;
  latency_ms?: number;
  error?: string;
  impact?: string;
}

export interface ReadinessReport {
  status: 'ready' | 'degraded' | 'not_ready';
  dependencies: DependencyStatus[];
}

/** A dependency the deployment did not configure: shown, never probed. */
export const notConfigured = (name: string): DependencyStatus => ({ name, status: 'not_configured', required: false });

export async function checkReadiness(
  checks: readonly DependencyCheck[],
  unconfigured: readonly string[],
  timeoutMs = 2000,
): Promise<ReadinessReport> {
  const results = await Promise.all(checks.map((c) => runCheck(c, timeoutMs)));
  const dependencies = [...results, ...unconfigured.map(notConfigured)];
  const down = results.filter((r) => r.status === 'down');
  const status = down.some((r) => r.required) ? 'not_ready' : down.length > 0 ? 'degraded' : 'ready';
  return { status, dependencies };
}

async function runCheck(check: DependencyCheck, timeoutMs: number): Promise<DependencyStatus> {
  const started = performance.now();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  const latency = () => Math.round(performance.now() - started);
  try {
    await Promise.race([check.probe(controller.signal), timeout]);
    return { name: check.name, status: 'ok', required: check.required, latency_ms: latency() };
  } catch (err) {
    return {
      name: check.name,
      status: 'down',
      required: check.required,
      latency_ms: latency(),
      error: safeMessage(err),
      ...(check.impact ? { impact: check.impact } : {}),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Connection errors name hosts and ports of our own dependencies, which is fine; never a stack. */
function safeMessage(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const text = e.cause?.code ?? e.code ?? e.cause?.message ?? e.message ?? 'unreachable';
  return String(text).split('\n')[0]!.slice(0, 200);
}
