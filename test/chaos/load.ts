/**
 * The bounded load of one phase of the fault matrix, spread over the replicas that accept traffic
 * (round robin, as a Service would): authenticated reads, analyses, proposals with approvals racing
 * on both replicas, unauthenticated noise, and the kubelet's readiness probe per replica (every
 * 10 s, as deploy/deployment.yaml has it: nothing may depend on it being more frequent). Every answer is kept with its request id, so it can be matched with the audit trail and
 * the control plane's record afterwards.
 */
import type { ChaosEnvironment } from './environment.js';
import { WORKSPACE } from './environment.js';
import type { Replica } from './replica.js';

export interface Outcome {
  /** Sent as X-Request-Id: the audit trail's request_id. */
  id: string;
  replica: string;
  /** What was asked, e.g. `GET access`, `POST approve`. */
  route: string;
  /** An authenticated request to a guarded route: it gets exactly one authorization row when answered below 500. */
  audited: boolean;
  /** 0: no HTTP answer (connection refused or reset). */
  status: number;
  reason?: string;
  retryAfter?: string;
  error?: string;
  startedAt: number;
  endedAt: number;
}

export interface RemediationAttempt {
  id: string;
  /** Statuses of the two racing approvals (0: no answer). */
  approvals: number[];
}

const REQUEST_TIMEOUT_MS = 20_000;
/** periodSeconds of the readiness probe in deploy/deployment.yaml. */
const READINESS_PERIOD_MS = 10_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Load {
  readonly outcomes: Outcome[] = [];
  readonly readiness: { replica: string; status: number; at: number }[] = [];
  readonly runIds = new Set<string>();
  readonly remediations: RemediationAttempt[] = [];
  private running = false;
  private workers: Promise<void>[] = [];
  /** Resolves on stop, so a worker's pause ends at once. */
  private stopped: Promise<void> = new Promise(() => undefined);
  private signalStop: () => void = () => undefined;
  private seq = 0;
  private next = 0;

  constructor(
    private readonly env: ChaosEnvironment,
    readonly phase: string,
  ) {}

  /** The request-id prefix of this phase (every audited request of it starts with it). */
  get prefix(): string {
    return `chaos-${this.phase}-`;
  }

  start(): void {
    this.running = true;
    this.stopped = new Promise((resolve) => (this.signalStop = resolve));
    const loop = (body: () => Promise<void>, pauseMs: number) =>
      (async () => {
        while (this.running) {
          await body();
          await Promise.race([sleep(pauseMs), this.stopped]);
        }
      })();
    this.workers = [
      loop(() => this.read(), 20),
      loop(() => this.read(), 20),
      loop(() => this.read(), 20),
      loop(() => this.analyze(), 300),
      loop(() => this.remediate(), 100),
      loop(() => this.noise(), 50),
      loop(() => this.probeReadiness(), READINESS_PERIOD_MS),
    ];
  }

  async stop(): Promise<void> {
    this.running = false;
    this.signalStop();
    await Promise.all(this.workers);
  }

  /** Replicas the load balancer sends to: round robin over those accepting traffic (waits while none does). */
  async pick(): Promise<Replica> {
    for (;;) {
      const live = this.env.replicas.filter((r) => r.accepting);
      if (live.length > 0) return live[this.next++ % live.length]!;
      await sleep(50);
    }
  }

  async send(
    replica: Replica,
    route: string,
    method: string,
    path: string,
    options: { token?: string; body?: unknown; audited?: boolean; idPrefix?: string } = {},
  ): Promise<{ outcome: Outcome; body: Record<string, unknown> }> {
    const id = `${options.idPrefix ?? this.prefix}${++this.seq}`;
    const headers: Record<string, string> = { 'x-request-id': id };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const startedAt = Date.now();
    const outcome: Outcome = {
      id,
      replica: replica.name,
      route,
      audited: options.audited ?? Boolean(options.token),
      status: 0,
      startedAt,
      endedAt: startedAt,
    };
    let body: Record<string, unknown> = {};
    try {
      const res = await fetch(`${replica.base}${path}`, {
        method,
        headers,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      });
      outcome.status = res.status;
      const retryAfter = res.headers.get('retry-after');
      if (retryAfter !== null) outcome.retryAfter = retryAfter;
      const text = await res.text();
      try {
        body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch {
        body = {};
      }
      if (typeof body.reason === 'string') outcome.reason = body.reason;
    } catch (err) {
      outcome.status = 0;
      outcome.error = (err as Error & { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    }
    outcome.endedAt = Date.now();
    this.outcomes.push(outcome);
    return { outcome, body };
  }

  private ws(path: string): string {
    return `/workspaces/${WORKSPACE}${path}`;
  }

  private async read(): Promise<void> {
    const { alice } = this.env.tokens;
    const runs = [...this.runIds];
    const choices: [string, string][] = [
      ['GET access', this.ws('/access')],
      ['GET metrics', this.ws('/metrics/query?name=cpu_usage')],
      ['GET alerts', this.ws('/alerts')],
      ['GET remediations', this.ws('/remediations?limit=5')],
      ['GET audit', this.ws('/audit?limit=5')],
      ['GET run', runs.length > 0 ? this.ws(`/runs/${runs[this.seq % runs.length]}`) : this.ws('/access')],
    ];
    const [route, path] = choices[this.seq % choices.length]!;
    await this.send(await this.pick(), route, 'GET', path, { token: alice });
  }

  private async analyze(): Promise<void> {
    const { outcome, body } = await this.send(await this.pick(), 'POST analyze', 'POST', this.ws('/analyze'), {
      token: this.env.tokens.alice,
      body: { analysis_type: 'anomaly', time_range_minutes: 30 },
    });
    const details = body.details as Record<string, unknown> | undefined;
    const runId = body.run_id ?? details?.run_id;
    if (typeof runId === 'string' && outcome.status > 0) this.runIds.add(runId);
  }

  /**
   * A proposal on one replica, then two approvals racing on both (different approvers). A proposal whose
   * answer was lost (its replica killed after the commit) is retried for the same target, as a client
   * would, and joins the pending one with a 200: that one is then approved like a new one.
   */
  private async remediate(): Promise<void> {
    const { alice, bob, carol } = this.env.tokens;
    const target = `deployment/${this.prefix}${this.remediations.length + 1}`.replace(/[^a-z0-9/-]/g, '-');
    const proposed = await this.send(await this.pick(), 'POST remediate', 'POST', this.ws('/remediate'), {
      token: alice,
      body: {
        reason: 'chaos',
        actions: [{ action_type: 'scale', target_resource: target, namespace: 'shop', parameters: { replicas: 2 } }],
      },
    });
    if (![200, 201].includes(proposed.outcome.status) || typeof proposed.body.id !== 'string') return;
    const id = proposed.body.id;
    const [first, second] = [await this.pick(), await this.pick()];
    const answers = await Promise.all([
      this.send(first, 'POST approve', 'POST', this.ws(`/remediations/${id}/approve`), { token: bob, body: {} }),
      this.send(second, 'POST approve', 'POST', this.ws(`/remediations/${id}/approve`), { token: carol, body: {} }),
    ]);
    this.remediations.push({ id, approvals: answers.map((a) => a.outcome.status) });
  }

  /** Requests without a valid token: always 401, whatever is down. */
  private async noise(): Promise<void> {
    const bad = this.seq % 2 === 0 ? undefined : 'not-a-token';
    await this.send(await this.pick(), 'GET unauthenticated', 'GET', this.ws('/access'), {
      ...(bad ? { token: bad } : {}),
      audited: false,
      idPrefix: `noise-${this.phase}-`,
    });
  }

  /** The kubelet's readiness probe, on every running replica (accepting traffic or draining). */
  private async probeReadiness(): Promise<void> {
    await Promise.all(
      this.env.replicas
        .filter((r) => r.running)
        .map(async (r) => {
          const status = await fetch(`${r.base}/health/ready`, { signal: AbortSignal.timeout(5000) }).then(
            (res) => res.status,
            () => 0,
          );
          this.readiness.push({ replica: r.name, status, at: Date.now() });
        }),
    );
  }
}
