/**
 * The Hexabase control plane's internal API (`/internal/v1`, authenticated with HEXABASE_API_TOKEN).
 * Read-only calls for now: the workspace overview (workspace, projects, nodes, usage). Timeouts,
 * bounded retries for these idempotent reads, errors that name the call and the upstream status.
 * The workspace id always comes from the caller's verified context.
 */
export class ControlPlaneError extends Error {
  constructor(message: string, readonly upstreamStatus?: number) {
    super(message);
    this.name = 'ControlPlaneError';
  }
}

export interface ControlPlaneOptions {
  baseUrl: string;
  internalToken?: string;
  timeoutMs?: number;
  maxRetries?: number;
}

export class ControlPlaneClient {
  private readonly base: string;

  constructor(private readonly o: ControlPlaneOptions) {
    this.base = o.baseUrl.replace(/\/+$/, '');
  }

  /** `GET /internal/v1/workspaces/{id}/overview`. */
  async workspaceOverview(workspaceId: string): Promise<Record<string, unknown>> {
    return this.get(`/internal/v1/workspaces/${encodeURIComponent(workspaceId)}/overview`, 'workspace overview');
  }

  private async get(path: string, what: string): Promise<Record<string, unknown>> {
    const retries = this.o.maxRetries ?? 1;
    let last: ControlPlaneError | undefined;
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 200 * attempt));
      let response: Response;
      try {
        response = await fetch(`${this.base}${path}`, {
          headers: { accept: 'application/json', ...(this.o.internalToken ? { authorization: `Bearer ${this.o.internalToken}` } : {}) },
          signal: AbortSignal.timeout(this.o.timeoutMs ?? 5000),
          redirect: 'error',
        });
      } catch (err) {
        last = new ControlPlaneError(`the control plane did not answer the ${what} request (${(err as Error).name === 'TimeoutError' ? 'timeout' : 'unreachable'})`);
        continue;
      }
      const text = await response.text();
      if (response.ok) {
        try {
          return JSON.parse(text) as Record<string, unknown>;
        } catch {
          throw new ControlPlaneError(`the control plane answered the ${what} request with something that is not JSON`, response.status);
        }
      }
      last = new ControlPlaneError(`the control plane refused the ${what} request (HTTP ${response.status})`, response.status);
      if (response.status < 500) throw last; // not retryable
    }
    throw last!;
  }
}
