/**
 * A tenant-agnostic client for the Prometheus HTTP API. It never decides *what* may be queried:
 * callers pass already-enforced queries (src/metrics/). It owns transport concerns: timeouts,
 * bounded retries for these idempotent reads, a cap on response size, and errors that say what
 * failed (endpoint, query, range, upstream status and message).
 */
import { deadline } from '../budget/deadline.js';

export type PromResultType = 'matrix' | 'vector' | 'scalar' | 'string';

export interface PromQueryData {
  resultType: PromResultType;
  result: unknown[];
}

export interface PromAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing' | 'inactive';
  activeAt?: string;
  value?: string;
}

export type PrometheusErrorKind = 'unreachable' | 'timeout' | 'bad_query' | 'upstream' | 'too_large';

export interface PrometheusErrorContext {
  endpoint: string;
  query?: string;
  range?: { start: number; end: number; step: number };
  upstreamStatus?: number;
  errorType?: string;
}

export class PrometheusError extends Error {
  constructor(
    readonly kind: PrometheusErrorKind,
    message: string,
    readonly context: PrometheusErrorContext,
  ) {
    super(message);
    this.name = 'PrometheusError';
  }
}

export interface PrometheusClientOptions {
  baseUrl: string;
  timeoutMs?: number;
  /** Retries after the first attempt, for network errors and 502/503/504 only. */
  maxRetries?: number;
  maxResponseBytes?: number;
  headers?: Record<string, string>;
}

const RETRYABLE_STATUS = new Set([502, 503, 504]);

export class PrometheusClient {
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly maxResponseBytes: number;

  constructor(private readonly options: PrometheusClientOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.maxRetries = options.maxRetries ?? 2;
    this.maxResponseBytes = options.maxResponseBytes ?? 25 * 1024 * 1024;
  }

  /** Instant query at `time` (Unix seconds). `signal` aborts it (its reason is thrown as is, never retried). */
  async instantQuery(query: string, time: number, signal?: AbortSignal): Promise<PromQueryData> {
    return (await this.instantAnswer(query, time, signal)).data;
  }

  /** Range query; times in Unix seconds, step in seconds. `signal` aborts it (its reason is thrown as is, never retried). */
  async rangeQuery(query: string, start: number, end: number, step: number, signal?: AbortSignal): Promise<PromQueryData> {
    return (await this.rangeAnswer(query, start, end, step, signal)).data;
  }

  /**
   * `instantQuery` with the answer's text as Prometheus sent it: a cache keeps that text instead of
   * serialising the parsed data again (which cost a tenth of an analysis's own time).
   */
  instantAnswer(query: string, time: number, signal?: AbortSignal): Promise<PromAnswer<PromQueryData>> {
    return this.answer('/api/v1/query', formOf({ query, time: String(time) }), { endpoint: 'query', query }, signal);
  }

  /** `rangeQuery` with the answer's text as Prometheus sent it (see `instantAnswer`). */
  rangeAnswer(query: string, start: number, end: number, step: number, signal?: AbortSignal): Promise<PromAnswer<PromQueryData>> {
    const range = { start, end, step };
    return this.answer(
      '/api/v1/query_range',
      formOf({ query, start: String(start), end: String(end), step: String(step) }),
      { endpoint: 'query_range', query, range },
      signal,
    );
  }

  series(match: readonly string[], start?: number, end?: number): Promise<Record<string, string>[]> {
    return this.post('/api/v1/series', withRange({ 'match[]': match }, start, end), { endpoint: 'series', query: match.join(' ') });
  }

  labelValues(label: string, match: readonly string[], start?: number, end?: number): Promise<string[]> {
    const qs = formOf(withRange({ 'match[]': match }, start, end));
    return this.request(`/api/v1/label/${encodeURIComponent(label)}/values?${qs}`, undefined, {
      endpoint: 'label_values',
      query: match.join(' '),
    });
  }

  async alerts(): Promise<PromAlert[]> {
    const data = await this.request<{ alerts: PromAlert[] }>('/api/v1/alerts', undefined, { endpoint: 'alerts' });
    return data.alerts;
  }

  private post<T>(
    path: string,
    form: Record<string, string | readonly string[]>,
    context: PrometheusErrorContext,
    signal?: AbortSignal,
  ): Promise<T> {
    return this.request(path, formOf(form), context, signal);
  }

  private async request<T>(
    path: string,
    body: URLSearchParams | undefined,
    context: PrometheusErrorContext,
    signal?: AbortSignal,
  ): Promise<T> {
    return (await this.answer<T>(path, body, context, signal)).data;
  }

  private async answer<T>(
    path: string,
    body: URLSearchParams | undefined,
    context: PrometheusErrorContext,
    signal?: AbortSignal,
  ): Promise<PromAnswer<T>> {
    let lastError: PrometheusError | undefined;
    for (let attempt = 0; attempt <= this.maxRetries; attempt++) {
      if (attempt > 0) await sleep(100 * 2 ** (attempt - 1));
      signal?.throwIfAborted();
      try {
        return await this.once<T>(path, body, context, signal);
      } catch (err) {
        if (!(err instanceof PrometheusError)) throw err;
        lastError = err;
        const retryable = err.kind === 'unreachable' || (err.kind === 'upstream' && RETRYABLE_STATUS.has(err.context.upstreamStatus ?? 0));
        if (!retryable) throw err;
      }
    }
    throw lastError!;
  }

  private async once<T>(
    path: string,
    body: URLSearchParams | undefined,
    context: PrometheusErrorContext,
    signal?: AbortSignal,
  ): Promise<PromAnswer<T>> {
    const timeout = deadline(this.timeoutMs, signal);
    try {
      return await this.exchange<T>(path, body, context, signal, timeout.signal);
    } finally {
      timeout.clear();
    }
  }

  /** One request and its answer; `bounded` is the caller's signal combined with this client's timeout. */
  private async exchange<T>(
    path: string,
    body: URLSearchParams | undefined,
    context: PrometheusErrorContext,
    signal: AbortSignal | undefined,
    bounded: AbortSignal,
  ): Promise<PromAnswer<T>> {
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method: body ? 'POST' : 'GET',
        body,
        headers: { accept: 'application/json', ...this.options.headers },
        signal: bounded,
        redirect: 'error',
      });
    } catch (err) {
      // The caller gave up (its own budget, or its client left): not Prometheus's fault, not retried.
      if (signal?.aborted) throw signal.reason;
      const name = (err as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new PrometheusError(
          'timeout',
          `Prometheus did not answer the ${context.endpoint} request within ${this.timeoutMs} ms`,
          context,
        );
      }
      throw new PrometheusError('unreachable', `Prometheus is unreachable (${causeOf(err)})`, context);
    }
    const text = await readCapped(response, this.maxResponseBytes, context).catch((err: unknown) => {
      throw signal?.aborted ? signal.reason : err;
    });
    let parsed: { status?: string; data?: T; errorType?: string; error?: string } | undefined;
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      parsed = undefined;
    }
    if (response.ok && parsed?.status === 'success') return { data: parsed.data as T, text };
    const upstream = { ...context, upstreamStatus: response.status, ...(parsed?.errorType ? { errorType: parsed.errorType } : {}) };
    const message = parsed?.error ?? `HTTP ${response.status}`;
    if (response.status === 400 || response.status === 422)
      throw new PrometheusError('bad_query', `Prometheus rejected the ${context.endpoint} request: ${message}`, upstream);
    throw new PrometheusError(
      'upstream',
      `Prometheus failed the ${context.endpoint} request (HTTP ${response.status}): ${message}`,
      upstream,
    );
  }
}

/** A successful answer's `data`, and the whole answer's JSON text (`{"status":"success","data":…}`). */
export interface PromAnswer<T> {
  data: T;
  text: string;
}

/** Form fields as URL-encoded parameters; a list becomes a repeated key (`match[]=a&match[]=b`). */
function formOf(form: Record<string, string | readonly string[]>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const x of [v].flat()) params.append(k, x);
  return params;
}

function withRange(form: Record<string, readonly string[]>, start?: number, end?: number): Record<string, string | readonly string[]> {
  return { ...form, ...(start !== undefined ? { start: String(start) } : {}), ...(end !== undefined ? { end: String(end) } : {}) };
}

async function readCapped(response: Response, limit: number, context: PrometheusErrorContext): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  const bound = limit % 1048576 === 0 ? `${limit / 1048576} MiB` : `${limit} bytes`;
  const tooLarge = () =>
    new PrometheusError('too_large', `the ${context.endpoint} result is larger than ${bound}: select fewer series or use a larger step`, {
      ...context,
      upstreamStatus: response.status,
    });
  if (declared > limit) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function causeOf(err: unknown): string {
  const e = err as { cause?: { code?: string; message?: string }; message?: string };
  return e.cause?.code ?? e.cause?.message ?? e.message ?? 'network error';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
