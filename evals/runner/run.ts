/**
 * The runner's function API: `runEvals(options)` loads the cases, runs each one (× repeat) against the
 * in-process service, scores it, asks the judge when a model is configured, and returns the report
 * (validated against its schema). The CLI (cli.ts) and the CI test both call it.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AuditEvent, AuditEventInput, AuditLog } from '../../src/audit/event.js';
import { createPromptLibrary, defaultPromptsDir, findPackageRoot } from '../../src/prompts/index.js';
import type { EvalCase } from './case-schema.js';
import { CaseErrored, executeCase } from './execute.js';
import { loadCases } from './load-cases.js';
import { modelLlm, modelSettings, type ModelSettings } from './model.js';
import type { Observation } from './observation.js';
import type { Progress } from './progress.js';
import { RunReportSchema, type CaseResult, type RunReport, type TokenUsage } from './report-schema.js';
import { createJudge, scoreObservation, verdictOf, type Judge } from './scorers/index.js';
import { lastRun, narrative } from './scorers/text.js';
import { toolUses } from './scorers/tools.js';
import { summarise } from './summary.js';
import { createEvalKeys } from './tokens.js';

export const REPO_ROOT = findPackageRoot();
export const DEFAULT_CASES_DIR = join(REPO_ROOT, 'evals', 'cases');

export interface RunOptions {
  casesDir?: string;
  /** Globs over case folder names (`--cases`); empty = all. */
  cases?: readonly string[];
  repeat?: number;
  /** Default: deterministic. */
  model?: ModelSettings;
  /** The prompt library the service under test uses (`--prompts`); default `prompts/`. */
  promptsDir?: string;
  /** Default: built from the model (the judge always uses the shipped prompts/eval-judge.md). */
  judge?: Judge;
  progress?: Progress;
}

function gitInfo(): RunReport['git'] {
  try {
    const opts = {
      cwd: REPO_ROOT,
      encoding: 'utf8' as const,
      stdio: ['ignore', 'pipe', 'ignore'] as ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    };
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], opts).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], opts).trim().length > 0;
    return { commit, dirty };
  } catch {
    return null;
  }
}

/** LLM usage recorded as llm_call audit events. */
export function usageOf(events: readonly (AuditEvent | AuditEventInput)[]): TokenUsage | null {
  const calls = events
    .filter((e) => e.event_type === 'llm_call')
    .map((e) => e.details as { input_tokens?: number; output_tokens?: number; cost_usd?: number; provider?: string; model?: string });
  if (calls.length === 0) return null;
  return {
    calls: calls.length,
    input: calls.reduce((a, c) => a + (c.input_tokens ?? 0), 0),
    output: calls.reduce((a, c) => a + (c.output_tokens ?? 0), 0),
    cost_usd: calls.reduce((a, c) => a + (c.cost_usd ?? 0), 0),
    models: [...new Set(calls.map((c) => `${c.provider ?? '?'}:${c.model ?? '?'}`))],
  };
}

function errored(c: EvalCase, repetition: number, err: unknown, latencyMs: number): CaseResult {
  const message =
    err instanceof CaseErrored
      ? err.message
      : `the case could not run: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`;
  return {
    case_id: c.id,
    title: c.title,
    difficulty: c.difficulty,
    category: c.category,
    tags: c.tags,
    repetition,
    status: 'errored',
    fatal: false,
    error: message.slice(0, 2000),
    latency_ms: latencyMs,
    tokens: null,
    scorers: [],
    steps: [],
    diagnosed_by: null,
    tool_calls: [],
    control_plane_writes: 0,
    answer: '',
  };
}

async function scored(c: EvalCase, repetition: number, obs: Observation, judge: Judge): Promise<CaseResult> {
  const scores = [...scoreObservation(obs), await judge.judge(obs)].map(({ name, kind, status, details }) => ({
    name,
    kind,
    status,
    details,
  }));
  const { passed, fatal } = verdictOf(scores);
  return {
    case_id: c.id,
    title: c.title,
    difficulty: c.difficulty,
    category: c.category,
    tags: c.tags,
    repetition,
    // The service's time to answer the case's requests (the app's set-up and teardown are not the model's).
    status: passed ? 'passed' : 'failed',
    fatal,
    error: null,
    latency_ms: obs.steps.reduce((t, s) => t + s.latencyMs, 0),
    tokens: usageOf(obs.audit),
    scorers: scores,
    steps: obs.steps.map((s) => ({
      method: s.method,
      path: s.path,
      status: s.status,
      expected_status: s.expectedStatus,
      latency_ms: s.latencyMs,
    })),
    diagnosed_by: lastRun(obs)?.diagnosed_by ?? null,
    tool_calls: toolUses(obs).map((u) => ({ tool: u.tool, status: u.status })),
    control_plane_writes: obs.controlPlane.filter((r) => r.method !== 'GET').length,
    answer: narrative(obs).slice(0, 4000),
  };
}

export async function runEvals(options: RunOptions = {}): Promise<RunReport> {
  const startedAt = new Date();
  const t0 = performance.now();
  const cases = await loadCases(options.casesDir ?? DEFAULT_CASES_DIR, options.cases ?? []);
  const repeat = options.repeat ?? 1;
  const model = options.model ?? modelSettings('deterministic', {});
  const promptsDir = resolve(options.promptsDir ?? defaultPromptsDir());
  let library;
  try {
    library = createPromptLibrary(promptsDir); // fails early on a bad directory, before any case runs
  } catch (err) {
    throw new Error(`cannot load the prompt library from ${promptsDir}: ${(err as Error).message}`);
  }
  const judgeEvents: AuditEventInput[] = [];
  const judgeAudit: AuditLog = { record: async (e) => void judgeEvents.push(e) };
  // The judge always reads the shipped prompts: the service's library when --prompts did not change it.
  const judge =
    options.judge ?? createJudge(modelLlm(model, judgeAudit), options.promptsDir ? createPromptLibrary(defaultPromptsDir()) : library);
  const keys = await createEvalKeys();
  const tmpRoot = await mkdtemp(join(tmpdir(), 'aiops-evals-'));
  const appEnv = { ...model.appEnv, ...(options.promptsDir ? { PROMPTS_DIR: promptsDir } : {}) };
  const results: CaseResult[] = [];
  try {
    for (const c of cases) {
      for (let repetition = 1; repetition <= repeat; repetition++) {
        options.progress?.start(c.id);
        const started = performance.now();
        let r: CaseResult;
        try {
          r = await scored(c, repetition, await executeCase(c, { keys, appEnv, tmpRoot }), judge);
        } catch (err) {
          r = errored(c, repetition, err, performance.now() - started);
        }
        results.push(r);
        options.progress?.done({ caseId: c.id, repetition, status: r.status, latencyMs: r.latency_ms, fatal: r.fatal });
      }
    }
  } finally {
    options.progress?.finish();
    await rm(tmpRoot, { recursive: true, force: true });
  }
  const report: RunReport = {
    schema_version: 1,
    run_id: randomUUID(),
    started_at: startedAt.toISOString(),
    finished_at: new Date().toISOString(),
    duration_ms: performance.now() - t0,
    model: { mode: model.mode, name: model.name },
    judge_model: judge.model,
    prompts: { dir: promptsDir, hashes: Object.fromEntries(library.names.map((n) => [n, library.source(n).ref.hash])) },
    git: gitInfo(),
    node: process.version,
    repeat,
    case_filter: [...(options.cases ?? [])],
    summary: summarise(results, usageOf(judgeEvents)),
    results,
    langfuse: { status: 'skipped' },
  };
  return RunReportSchema.parse(report);
}
