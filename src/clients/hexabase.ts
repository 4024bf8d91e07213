/**
 * The Hexabase control plane's internal API (`/internal/v1`, authenticated with HEXABASE_API_TOKEN).
 * The workspace overview (read), and the writes remediation makes. Timeouts, bounded retries only
 * for idempotent calls, an Idempotency-Key on every write, errors that name the call and carry the
 * upstream status and message. The workspace id always comes from the caller's verified context.
 * Paths are built here, from raw segments, and only here: each segment is percent-encoded, and one
 * the URL parser would resolve (`.`, `..`, empty) is refused, so no name can move a call to another
 * endpoint (`deployments/../scale` is `/scale`).
 */
export class ControlPlaneError extends Error {
  constructor(
    message: string,
    readonly upstreamStatus?: number,
  ) {
    super(message);
    this.name = 'ControlPlaneError';
  }
}

export interface ControlPlaneWrite {
  method: 'POST';
  /** The path's segments as they are (names unencoded), e.g. ['api', 'v1', 'workspaces', ws, 'applications', id, 'restart']. */
  segments: readonly string[];
  body: Record<string, unknown>;
  actAs: 'user' | 'internal';
  idempotent: boolean;
  userToken: string;
  idempotencyKey: string;
}

/**
 * The request path of raw segments, each percent-encoded. A segment that is empty, `.` or `..` is
 * refused (ControlPlaneError): encodeURIComponent leaves dots alone, and the URL parser would resolve
 * such a segment against its neighbours, sending the call to another endpoint.
 */
export function controlPlanePath(segments: readonly string[]): string {
  const encoded = segments.map((segment) => {
    if (segment === '' || segment === '.' || segment === '..') {
      const where = `/${segments.join('/')}`;
      throw new ControlPlaneError(
        `refusing to call the control plane with the path segment ${JSON.stringify(segment)} (in ${where}): it would address another endpoint`,
      );
    }
    try {
      return encodeURIComponent(segment);
    } catch {
      throw new ControlPlaneError('refusing to call the control plane with a path segment that is not valid Unicode');
    }
  });
  return `/${encoded.join('/')}`;
}

function upstreamMessage(body: unknown): string {
  const b = body as { message?: unknown; error?: unknown } | string | null;
  const m = typeof b === 'string' ? b : typeof b?.message === 'string' ? b.message : typeof b?.error === 'string' ? b.error : '';
  return m ? `: ${m.replace(/\s+/g, ' ').slice(0, 300)}` : '';
}

export interface ControlPlaneOptions {
  baseUrl: string;
  internalToken?: string;
  timeoutMs?: number;
  maxRetries?: number;
}

export class ControlPlaneClient {
  private readonly base: string;
  private readonly basePath: string;

  constructor(private readonly o: ControlPlaneOptions) {
    this.base = o.baseUrl.replace(/\/+$/, '');
    this.basePath = new URL(this.base).pathname.replace(/\/$/, '');
  }

  /** `GET /internal/v1/workspaces/{id}/overview`. */
  async workspaceOverview(workspaceId: string): Promise<Record<string, unknown>> {
    const what = 'the workspace overview request';
    const { status, body } = await this.request('GET', ['internal', 'v1', 'workspaces', workspaceId, 'overview'], () => what, {
      retry: true,
      headers: this.o.internalToken ? { authorization: `Bearer ${this.o.internalToken}` } : {},
    });
    if (typeof body !== 'object' || body === null)
      throw new ControlPlaneError(`the control plane answered ${what} with something that is not JSON`, status);
    return body as Record<string, unknown>;
  }

  /**
   * A write. `userToken` is the approving user's bearer token: the credential itself for
   * user-facing endpoints (the control plane acts as the user and re-checks their permissions), and
   * sent alongside the internal token for internal ones. Non-idempotent writes are never retried.
   */
  async send(call: ControlPlaneWrite): Promise<{ status: number; body: unknown }> {
    const credential = call.actAs === 'user' ? call.userToken : this.o.internalToken;
    return this.request(call.method, call.segments, (path) => `${call.method} ${path}`, {
      retry: call.idempotent,
      body: call.body,
      headers: {
        'content-type': 'application/json',
        'idempotency-key': call.idempotencyKey,
        ...(credential ? { authorization: `Bearer ${credential}` } : {}),
        ...(call.actAs === 'internal' ? { 'x-hexabase-user-token': call.userToken } : {}),
      },
    });
  }

  /**
   * One call with a timeout, retried (when `retry`) on no answer or a 5xx, never on a 4xx. The body is
   * parsed as JSON when it is JSON, kept as text otherwise.
   */
  private async request(
    method: string,
    segments: readonly string[],
    describe: (path: string) => string,
    o: { retry: boolean; headers: Record<string, string>; body?: unknown },
  ): Promise<{ status: number; body: unknown }> {
    const path = controlPlanePath(segments);
    const what = describe(path);
    const url = new URL(`${this.base}${path}`);
    // Defence in depth: the URL must address exactly the path built above (nothing resolved or rewritten).
    if (url.pathname !== `${this.basePath}${path}`) {
      throw new ControlPlaneError(`refusing ${what}: the URL parser would rewrite its path to ${url.pathname}`);
    }
    const retries = o.retry ? (this.o.maxRetries ?? 1) : 0;
    const timeoutMs = this.o.timeoutMs ?? 5000;
    let last: ControlPlaneError | undefined;
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 200 * attempt));
      let response: Response;
      try {
        response = await fetch(url, {
          method,
          headers: { accept: 'application/json', ...o.headers },
          ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
          signal: AbortSignal.timeout(timeoutMs),
          redirect: 'error',
        });
      } catch (err) {
        last = new ControlPlaneError(
          `the control plane did not answer ${what} (${(err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : 'unreachable'})`,
        );
        continue;
      }
      const text = await response.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        // not JSON: keep the text
      }
      if (response.ok) return { status: response.status, body };
      last = new ControlPlaneError(`the control plane refused ${what} (HTTP ${response.status}${upstreamMessage(body)})`, response.status);
      if (response.status < 500) throw last;
    }
    throw last!;
  }
}
