/**
 * Records an eval run as a Langfuse dataset run, through Langfuse's public REST API (Basic auth with
 * the public and secret keys): the dataset is created when missing, each case is upserted as a
 * dataset item (input = its scenario and requests, expected output = its expectations), each result
 * becomes a trace with its scores (passed, one per scorer), and a dataset run item links the item to
 * that trace under one run name. A Langfuse failure never fails the eval run: it is reported.
 */
import { randomUUID } from 'node:crypto';
import { stepsOf, type EvalCase } from './case-schema.js';
import type { CaseResult, RunReport } from './report-schema.js';
import { summaryLine } from './summary.js';

export const DEFAULT_DATASET = 'hexabase-aiops-evals';

export interface LangfuseSettings {
  host: string;
  publicKey: string;
  secretKey: string;
  dataset: string;
  timeoutMs: number;
}

/** From the service's variables (LANGFUSE_HOST; LANGFUSE_BASE_URL, the SDKs' name, also works); undefined unless all are set. */
export function langfuseSettings(
  env: Readonly<Record<string, string | undefined>>,
  dataset = DEFAULT_DATASET,
): LangfuseSettings | undefined {
  const host = (env.LANGFUSE_HOST || env.LANGFUSE_BASE_URL)?.trim().replace(/\/+$/, '');
  const publicKey = env.LANGFUSE_PUBLIC_KEY?.trim();
  const secretKey = env.LANGFUSE_SECRET_KEY?.trim();
  if (!host || !publicKey || !secretKey) return undefined;
  return { host, publicKey, secretKey, dataset, timeoutMs: 15_000 };
}

export type Fetch = typeof fetch;

class LangfuseError extends Error {}

function client(s: LangfuseSettings, fetchImpl: Fetch) {
  const auth = `Basic ${Buffer.from(`${s.publicKey}:${s.secretKey}`).toString('base64')}`;
  return async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: unknown }> => {
    const res = await fetchImpl(`${s.host}${path}`, {
      method,
      headers: { authorization: auth, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(s.timeoutMs),
    });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    if (res.status >= 400 && !(method === 'GET' && res.status === 404)) {
      throw new LangfuseError(`${method} ${path} answered ${res.status}: ${text.slice(0, 200)}`);
    }
    return { status: res.status, json };
  };
}

export function datasetItemId(dataset: string, caseId: string): string {
  return `${dataset}:${caseId}`.slice(0, 255);
}

function caseInput(c: EvalCase) {
  return { title: c.title, description: c.description, scenario: c.scenario, token: c.token, steps: stepsOf(c) };
}

function traceBatch(report: RunReport, r: CaseResult, traceId: string) {
  const now = new Date().toISOString();
  const scores = [
    { name: 'passed', value: r.status === 'passed' ? 1 : 0, comment: r.error ?? r.status },
    ...r.scorers
      .filter((s) => s.status === 'pass' || s.status === 'fail')
      .map((s) => ({ name: `scorer.${s.name}`, value: s.status === 'pass' ? 1 : 0, comment: s.details.join('\n').slice(0, 1000) })),
  ];
  return [
    {
      id: randomUUID(),
      type: 'trace-create',
      timestamp: now,
      body: {
        id: traceId,
        name: `eval ${r.case_id}`,
        timestamp: now,
        sessionId: report.run_id,
        input: { case_id: r.case_id, steps: r.steps.map((s) => `${s.method} ${s.path}`) },
        output: { status: r.status, answer: r.answer, error: r.error },
        metadata: {
          repetition: r.repetition,
          latency_ms: r.latency_ms,
          tokens: r.tokens,
          scorers: r.scorers,
          model: report.model,
          prompts: report.prompts,
          git: report.git,
        },
        tags: ['aiops-eval', r.difficulty, r.category, ...r.tags],
        ...(report.git ? { release: report.git.commit } : {}),
      },
    },
    ...scores.map((s) => ({
      id: randomUUID(),
      type: 'score-create',
      timestamp: now,
      body: { id: randomUUID(), traceId, name: s.name, value: s.value, dataType: 'BOOLEAN', comment: s.comment },
    })),
  ];
}

export function runName(report: RunReport): string {
  return `${report.model.name ?? 'deterministic'} · ${report.prompts.dir.split('/').filter(Boolean).at(-1) ?? 'prompts'} · ${report.started_at}`;
}

export async function recordLangfuseRun(
  report: RunReport,
  cases: readonly EvalCase[],
  s: LangfuseSettings,
  fetchImpl: Fetch = fetch,
): Promise<RunReport['langfuse']> {
  const call = client(s, fetchImpl);
  const name = runName(report);
  try {
    const existing = await call('GET', `/api/public/v2/datasets/${encodeURIComponent(s.dataset)}`);
    if (existing.status === 404) {
      await call('POST', '/api/public/v2/datasets', {
        name: s.dataset,
        description: 'Hexabase AIOps offline eval cases (evals/cases)',
        metadata: { source: 'evals/runner' },
      });
    }
    const byId = new Map(cases.map((c) => [c.id, c]));
    for (const id of new Set(report.results.map((r) => r.case_id))) {
      const c = byId.get(id);
      if (!c) continue;
      await call('POST', '/api/public/dataset-items', {
        datasetName: s.dataset,
        id: datasetItemId(s.dataset, id),
        input: caseInput(c),
        expectedOutput: c.expect,
        metadata: { case_id: id, difficulty: c.difficulty, category: c.category, tags: c.tags },
      });
    }
    for (const r of report.results) {
      const traceId = randomUUID();
      const ingested = await call('POST', '/api/public/ingestion', { batch: traceBatch(report, r, traceId) });
      const errors = (ingested.json as { errors?: unknown[] } | null)?.errors ?? [];
      if (errors.length > 0)
        throw new LangfuseError(`ingestion of ${r.case_id} rejected ${errors.length} event(s): ${JSON.stringify(errors[0]).slice(0, 200)}`);
      await call('POST', '/api/public/dataset-run-items', {
        runName: name,
        runDescription: summaryLine(report.summary),
        metadata: { model: report.model, prompts: report.prompts, git: report.git, run_id: report.run_id },
        datasetItemId: datasetItemId(s.dataset, r.case_id),
        traceId,
      });
    }
    return { status: 'recorded', dataset: s.dataset, run_name: name, detail: `${report.results.length} run items` };
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const detail = `${(err as Error).message}${cause ? ` (${cause.code ?? cause.message ?? ''})` : ''}`;
    return { status: 'failed', dataset: s.dataset, run_name: name, detail: `${s.host}: ${detail}`.slice(0, 500) };
  }
}
