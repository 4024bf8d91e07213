/**
 * planner: decides which catalog queries and analyses the request needs. With a model, by tool
 * calling (the model calls `select_queries`; we read the call, we do not execute anything); the
 * choice is validated against the catalog and falls back to the deterministic plan when it is
 * unusable. Without a model, deterministically (the plan of src/analysis/plan.ts).
 */
import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import { z } from 'zod';
import { AnalysisKindSchema, type AnalysisPlan } from '../../../src/analysis/types.js';
import { LlmBudgetExhaustedError } from '../../../src/llm/errors.js';
import { QUERY_CATALOG } from '../../../src/metrics/catalog/catalog.js';
import { deterministicPlan, windowFor } from '../../../src/analysis/plan.js';
import { DEFAULT_MAX_POINTS } from '../../../src/analysis/window.js';
import { progress, runContext, type AgentDeps } from '../deps.js';
import type { AnalysisState, AnalysisUpdate } from '../state.js';

const SelectionSchema = z.object({
  queries: z
    .array(
      z.object({
        name: z.string().describe('A catalog query name'),
        namespace: z.string().optional().describe('Restrict to this namespace'),
        purpose: z.string().describe('Why this query is needed'),
      }),
    )
    .min(1)
    .max(30),
  analyses: z.array(AnalysisKindSchema).min(1).describe('Which analysers to run on the results'),
});

const selectQueries = tool(async () => 'recorded', {
  name: 'select_queries',
  description: 'Choose the catalog queries to run and the analyses to apply to their results.',
  schema: SelectionSchema,
});

export function plannerNode(deps: AgentDeps) {
  return async (state: AnalysisState, config: LangGraphRunnableConfig): Promise<AnalysisUpdate> => {
    const maxPoints = deps.maxPointsPerSeries ?? DEFAULT_MAX_POINTS;
    const fallback = deterministicPlan(state.request, maxPoints);
    if (!deps.llm || !deps.prompts) {
      return {
        plan: fallback,
        progress: [
          progress(deps, 'planner', `deterministic plan: ${fallback.queries.length} queries, analyses ${fallback.analyses.join(', ')}`),
        ],
      };
    }
    try {
      const plan = await llmPlan(state, config, deps, maxPoints);
      return {
        plan,
        progress: [progress(deps, 'planner', `model chose ${plan.queries.length} queries, analyses ${plan.analyses.join(', ')}`)],
      };
    } catch (err) {
      if (err instanceof LlmBudgetExhaustedError) {
        return {
          plan: fallback,
          errors: [{ node: 'planner', kind: 'llm_budget_exhausted', message: `deterministic plan used: ${err.message}` }],
          progress: [progress(deps, 'planner', 'deterministic plan (daily LLM budget used up)')],
        };
      }
      return {
        plan: fallback,
        errors: [{ node: 'planner', message: `model plan unusable, deterministic plan used: ${(err as Error).message}` }],
        progress: [progress(deps, 'planner', 'deterministic plan (model plan unusable)')],
      };
    }
  };
}

async function llmPlan(state: AnalysisState, config: LangGraphRunnableConfig, deps: AgentDeps, maxPoints: number): Promise<AnalysisPlan> {
  const run = runContext(config);
  const catalog = [...QUERY_CATALOG.values()]
    .map((e) => `- ${e.name}: ${e.description} (filters: ${e.filters.join(', ') || 'none'})`)
    .join('\n');
  const { text, ref } = deps.prompts!.renderPrompt('planner', {
    analysis_type: state.request.analysisType,
    time_range_minutes: String(state.request.timeRangeMinutes),
    targets: state.request.targets.join(', ') || '(whole workspace)',
    catalog,
    workspace: state.workspaceId,
  });
  const result = await deps.llm!.invoke(
    [new SystemMessage(text), new HumanMessage('Plan the analysis now by calling select_queries once.')],
    {
      prompt: ref,
      operation: 'plan',
      tools: [selectQueries],
      auth: run.auth,
      sessionId: config.configurable?.thread_id as string | undefined,
      ...(run.requestId ? { requestId: run.requestId } : {}),
    },
  );
  const call = result.message.tool_calls?.find((c) => c.name === 'select_queries');
  if (!call) throw new Error('the model did not call select_queries');
  const selection = SelectionSchema.parse(call.args);
  const unknown = selection.queries.filter((q) => !QUERY_CATALOG.has(q.name)).map((q) => q.name);
  if (unknown.length > 0) throw new Error(`unknown catalog queries: ${unknown.join(', ')}`);
  return {
    analysis_type: state.request.analysisType,
    window: windowFor(state.request, maxPoints),
    queries: selection.queries.map((q) => {
      const args: Record<string, string> =
        q.namespace && QUERY_CATALOG.get(q.name)!.filters.includes('namespace') ? { namespace: q.namespace } : {};
      return { name: q.name, args, purpose: q.purpose };
    }),
    analyses: selection.analyses,
    targets: state.request.targets,
    planned_by: 'llm',
  };
}
