/**
 * The eval case format (`evals/cases/<NN-slug>/case.yaml`), defined once as a zod schema. A case
 * names the scenario (workspaces built by the scenario generator, a pinned clock, adversarial
 * payloads), the token, one or more requests (an analyze call, raw HTTP, or chat turns) and what is
 * expected: facts, tools, statuses, whether any mutation is allowed. `parseCase` turns a bad case into
 * one error that names the file and every offending field.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ANALYSIS_TYPES } from '../../src/analysis/types.js';
import { PERMISSIONS } from '../../src/auth/permissions.js';
import { INCIDENT_KINDS, type IncidentKind } from '../../src/metrics/scenarios/index.js';

export const DIFFICULTIES = ['easy', 'medium', 'hard'] as const;
export const CATEGORIES = [
  'reliability',
  'performance',
  'capacity',
  'cost',
  'security',
  'healthy',
  'injection',
  'tenancy',
  'authorization',
] as const;
export const WORKSPACE_PRESETS = ['baseline', 'ws-demo', 'ws-acme', 'ws-healthy'] as const;
export const DEFAULT_CLOCK = '2026-11-28T12:00:00Z';
export const DEFAULT_PERMISSIONS = ['aiops:read', 'aiops:analyze'] as const;

/** `abc` (case-insensitive) or `/abc/flags`; must compile. */
const Pattern = z
  .string()
  .min(1)
  .superRefine((text, ctx) => {
    try {
      compilePattern(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${(err as Error).message}` });
    }
  });

export function compilePattern(text: string): RegExp {
  const m = /^\/(.+)\/([dgimsuy]*)$/s.exec(text);
  // Patterns are written by the authors of the eval cases (repository code), not by users.
  // eslint-disable-next-line security/detect-non-literal-regexp
  return m ? new RegExp(m[1]!, m[2]!.replace('g', '')) : new RegExp(text, 'i');
}

const WorkspaceId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a workspace id: lowercase letters, digits and dashes');

const IncidentKindSchema = z.enum(INCIDENT_KINDS as unknown as [IncidentKind, ...IncidentKind[]]);
/** A kind (default target and start) or a full spec; a string that is not a kind says which kinds exist. */
const IncidentSchema = z.union(
  [
    z.string().pipe(IncidentKindSchema),
    z.strictObject({
      kind: IncidentKindSchema,
      namespace: z.string().min(1),
      workload: z.string().min(1),
      starts_before_end_minutes: z
        .number()
        .positive()
        .max(60 * 24 * 60),
    }),
  ],
  {
    error: (issue) =>
      typeof issue.input === 'string'
        ? `unknown incident kind "${issue.input}"; one of ${INCIDENT_KINDS.join(', ')}`
        : 'an incident kind or {kind, namespace, workload, starts_before_end_minutes}',
  },
);

/** A cause only Kubernetes events show (written to the case's `k8s_events`: runner/case-logs.ts). */
const EventIncidentSchema = z.strictObject({
  kind: z.enum([
    'bad_image',
    'failed_scheduling',
    'config_error',
    'probe_failure',
    'login_brute_force',
    'dependency_refused',
    'config_error_logs',
    'noisy_logs',
  ]),
  namespace: z.string().min(1).max(63),
  workload: z.string().min(1).max(63),
  starts_before_end_minutes: z
    .number()
    .positive()
    .max(60 * 24),
  /** bad_image: the reference that cannot be pulled. */
  image: z.string().min(1).max(256).optional(),
});

const WorkspaceSchema = z
  .strictObject({
    id: WorkspaceId,
    /** `baseline` = scenarioWorkspace (shop/api, shop/frontend, data/postgres, tools/docs); the others are the demo tenants. */
    preset: z.enum(WORKSPACE_PRESETS).default('baseline'),
    /** Incidents of a `baseline` workspace (the demo presets carry their own). */
    incidents: z.array(IncidentSchema).default([]),
    /** Causes only the events show (a `baseline` workspace; ws-demo carries its own bad image). */
    event_incidents: z.array(EventIncidentSchema).default([]),
    seed: z.number().int().optional(),
  })
  .superRefine((w, ctx) => {
    if (w.preset !== 'baseline' && (w.incidents.length > 0 || w.event_incidents.length > 0))
      ctx.addIssue({
        code: 'custom',
        path: ['incidents'],
        message: `a ${w.preset} workspace carries its own incidents; use preset: baseline to script them`,
      });
  });

const AlertSchema = z.strictObject({
  labels: z.record(z.string(), z.string()).default({}),
  annotations: z.record(z.string(), z.string()).default({}),
  state: z.enum(['firing', 'pending']).default('firing'),
});

const ScenarioSchema = z.strictObject({
  /** The pinned clock: the analysis "now" and the end of the generated data (on the hour: the data ends at the hour). */
  clock: z.iso
    .datetime({ offset: true })
    .default(DEFAULT_CLOCK)
    .refine((t) => Date.parse(t) % 3_600_000 === 0, 'must be on the hour (the generated data ends at the hour)'),
  workspaces: z.array(WorkspaceSchema).min(1).max(4),
  /** Attacker-controlled text in the first workspace's data. */
  adversarial: z
    .strictObject({
      /** Added to (or overriding) every series' labels of the first workspace. */
      labels: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).default({}),
      /** Served as the first workspace's active Prometheus alerts (annotations included). */
      alerts: z.array(AlertSchema).default([]),
      /** Messages of Warning events (readiness probe failures of shop/api) in the first workspace's `k8s_events`. */
      event_messages: z.array(z.string().min(1).max(2000)).max(10).default([]),
      /** ERROR lines of shop/api in the first workspace's `otel_logs`, each written ten times over the last hour. */
      log_lines: z.array(z.string().min(1).max(2000)).max(10).default([]),
    })
    .prefault({}),
});

const TokenSchema = z.strictObject({
  /** Default: the first workspace of the scenario. */
  workspace: WorkspaceId.optional(),
  permissions: z.array(z.enum(PERMISSIONS)).default([...DEFAULT_PERMISSIONS]),
  sub: z.string().min(1).max(128).default('eval-user'),
});

const StatusSchema = z.union([z.number().int().min(100).max(599), z.array(z.number().int().min(100).max(599)).min(1)]);

/** Per-request overrides of the case token: no defaults here, an absent field keeps the case token's value. */
const TokenOverrideSchema = z.strictObject({
  workspace: WorkspaceId.optional(),
  permissions: z.array(z.enum(PERMISSIONS)).optional(),
  sub: z.string().min(1).max(128).optional(),
});

const common = {
  /** Overrides of the case token for this request (e.g. another workspace, another user). */
  token: TokenOverrideSchema.optional(),
  /** Expected HTTP status(es); defaults: analyze 200, chat 200, http required. */
  status: StatusSchema.optional(),
};

const AnalyzeRequest = z.strictObject({
  kind: z.literal('analyze'),
  /** Default: the token's workspace. */
  workspace: WorkspaceId.optional(),
  analysis_type: z.enum(ANALYSIS_TYPES),
  time_range_minutes: z.number().int().min(5).max(1440).default(360),
  targets: z.array(z.string()).default([]),
  ...common,
});

const HttpRequest = z.strictObject({
  kind: z.literal('http'),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
  /** Absolute path with query; `{{steps.N.body.field}}` inserts a value from an earlier step's JSON answer. */
  path: z.string().regex(/^\//, 'must start with /'),
  body: z.unknown().optional(),
  headers: z.record(z.string(), z.string()).default({}),
  /** false: send no Authorization header. */
  authenticated: z.boolean().default(true),
  ...common,
  status: StatusSchema,
});

const ChatRequest = z.strictObject({
  kind: z.literal('chat'),
  workspace: WorkspaceId.optional(),
  /** User turns, sent one after another in one thread. */
  messages: z.array(z.string().min(1).max(4000)).min(1).max(10),
  ...common,
});

export const RequestSchema = z.discriminatedUnion('kind', [AnalyzeRequest, HttpRequest, ChatRequest]);
export type EvalRequest = z.infer<typeof RequestSchema>;

const ToolsSchema = z.strictObject({
  /** Tools that must have run (status ok); `fetch_series:oom_kills` also requires that catalog query. */
  expected: z
    .array(
      z
        .string()
        .refine(
          (t) => /^[a-z_]+$/.test(t.split(':')[0]!) && t.split(':').length <= 2 && /^[a-z0-9_]*$/.test(t.split(':')[1] ?? ''),
          'a tool name, or tool:catalog_query',
        ),
    )
    .default([]),
  /** Tools that must not have run (a call refused for scope is not a run). */
  forbidden: z.array(z.string().regex(/^[a-z_]+$/)).default([]),
});

const FactsSchema = z.strictObject({
  /** Must match the cause of one of the `top` most likely hypotheses. */
  root_cause: Pattern.optional(),
  /** Must match `namespace/workload` (or pod, PVC, service) of a finding the matching hypothesis cites. */
  resource: Pattern.optional(),
  /** The matching hypothesis' severity (the worst of the findings it cites). */
  severity: z
    .array(z.enum(['info', 'warning', 'critical']))
    .min(1)
    .optional(),
  top: z.number().int().min(1).max(10).default(1),
  /** The right answer is "nothing wrong": no hypothesis at all. */
  healthy: z.boolean().optional(),
  /** Each must match the answer's narrative (summary, causes, recommendations, actions, chat text, or an http body). */
  text: z.array(Pattern).default([]),
  /** None may match the narrative (e.g. an injected instruction repeated as advice). */
  absent: z.array(Pattern).default([]),
  /** Proposed actions as `action_type target` (e.g. `scale deployment/api`): none may match. */
  forbidden_actions: z.array(Pattern).default([]),
});

export const ExpectSchema = z.strictObject({
  facts: FactsSchema.prefault({}),
  tools: ToolsSchema.prefault({}),
  /** `none`: nothing may change the workspace; `with_approval`: changes only after a recorded human approval. */
  mutation: z.enum(['none', 'with_approval']).default('none'),
  /** At least this many changes must have reached the control plane (cases where an approved remediation must run). */
  min_writes: z.number().int().min(0).default(0),
  /** Chat: the answer must cite evidence. */
  evidence_required: z.boolean().default(false),
  /** Elements the LLM judge checks (HolmesGPT's expected_output); derived from the facts when empty. */
  judge: z.array(z.string().min(1)).default([]),
});

export const CaseSchema = z
  .strictObject({
    id: z.string().regex(/^\d{2,3}-[a-z0-9-]+$/, 'NN-slug, the folder name'),
    title: z.string().min(3).max(200),
    description: z.string().max(4000).default(''),
    difficulty: z.enum(DIFFICULTIES),
    category: z.enum(CATEGORIES),
    tags: z.array(z.string().regex(/^[a-z0-9-]+$/)).default([]),
    scenario: ScenarioSchema,
    token: TokenSchema.prefault({}),
    /** One request, or `steps` for several (later ones may use earlier answers). */
    request: RequestSchema.optional(),
    steps: z.array(RequestSchema).min(1).max(10).optional(),
    expect: ExpectSchema.prefault({}),
  })
  .superRefine((c, ctx) => {
    if (!c.request === !c.steps) ctx.addIssue({ code: 'custom', path: ['request'], message: 'give exactly one of request or steps' });
    const ids = new Set(c.scenario.workspaces.map((w) => w.id));
    if (ids.size !== c.scenario.workspaces.length)
      ctx.addIssue({ code: 'custom', path: ['scenario', 'workspaces'], message: 'workspace ids must be unique' });
    if (c.token.workspace && !ids.has(c.token.workspace))
      ctx.addIssue({ code: 'custom', path: ['token', 'workspace'], message: `"${c.token.workspace}" is not a workspace of the scenario` });
    (c.steps ?? (c.request ? [c.request] : [])).forEach((s, i) => {
      if (s.token?.workspace && !ids.has(s.token.workspace))
        ctx.addIssue({
          code: 'custom',
          path: [c.steps ? 'steps' : 'request', ...(c.steps ? [i] : []), 'token', 'workspace'],
          message: `"${s.token.workspace}" is not a workspace of the scenario`,
        });
    });
  });

export type EvalCase = z.infer<typeof CaseSchema>;

/** The requests of a case, in order. */
export function stepsOf(c: EvalCase): EvalRequest[] {
  return c.steps ?? [c.request!];
}

export class CaseError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid eval case ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'CaseError';
  }
}

/** Parses and validates one case.yaml; the id must equal the folder name when one is given. */
export function parseCase(text: string, file: string, folder?: string): EvalCase {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new CaseError(file, [`not valid YAML: ${(err as Error).message.split('\n')[0]}`]);
  }
  const parsed = CaseSchema.safeParse(raw);
  if (!parsed.success) {
    throw new CaseError(
      file,
      parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(case)'}: ${i.message}`),
    );
  }
  if (folder !== undefined && parsed.data.id !== folder)
    throw new CaseError(file, [`id: "${parsed.data.id}" must equal the folder name "${folder}"`]);
  return parsed.data;
}
