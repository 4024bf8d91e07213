/**
 * Readiness: every configured dependency is probed in parallel with a timeout. A required
 * dependency that is down makes the service not ready (503); an optional one (LLM providers,
 * tracing) only marks it degraded, because the service still answers without it.
 */
export interface DependencyCheck {
  name: string;
  /** Whether the service can do its job without it. */
  required: boolean;
  /** Resolves when the dependency answers; rejects with a short, safe message otherwise. */
  probe(signal: AbortSignal): Promise<void>;
}

export interface DependencyStatus {
  name: string;
  status: 'ok' | 'down' | 'not_configured';
  required: boolean;
  latency_ms?: number;
  error?: string;
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
    return { name: check.name, status: 'down', required: check.required, latency_ms: latency(), error: safeMessage(err) };
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
