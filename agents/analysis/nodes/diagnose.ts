/**
 * diagnose: turns findings into the structured diagnosis. The deterministic rules always run and
 * alone propose actions (an LLM never decides what to change). With a model, it writes the
 * diagnosis from compacted evidence; its output must parse against the schema and may only cite
 * evidence that exists in the findings — otherwise the deterministic diagnosis stands.
 */
import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import { compactFindings } from '../../../src/analysis/diagnose/compact.js';
import { diagnose } from '../../../src/analysis/diagnose/index.js';
import { LlmBudgetExhaustedError } from '../../../src/llm/errors.js';
import { DiagnosisSchema, type Diagnosis, type Finding, type ProposedAction } from '../../../src/analysis/types.js';
import { progress, runContext, type AgentDeps } from '../deps.js';
import { recordInsights } from '../insights.js';
import type { AnalysisState, AnalysisUpdate, ProgressEntry, RunError } from '../state.js';

export function diagnoseNode(deps: AgentDeps) {
  return async (state: AnalysisState, config: LangGraphRunnableConfig): Promise<AnalysisUpdate> => {
    const update = await diagnoseState(state, config, deps);
    // Recording insights is this node's only side effect; stable event ids make a retry land once.
    if (deps.audit) {
      await recordInsights(
        deps.audit,
        runContext(config),
        config.configurable?.thread_id as string,
        state.request.analysisType,
        update.diagnosis,
        update.diagnosedBy,
        state.findings,
      );
    }
    return update;
  };
}

interface Diagnosed {
  diagnosis: Diagnosis;
  diagnosedBy: 'llm' | 'deterministic';
  proposedActions: ProposedAction[];
  progress: ProgressEntry[];
  errors?: RunError[];
}

async function diagnoseState(state: AnalysisState, config: LangGraphRunnableConfig, deps: AgentDeps): Promise<Diagnosed> {
  const window = state.plan?.window ?? { start: 0, end: 0, step: 60 };
  const rules = diagnose(state.findings, { analysisType: state.request.analysisType, window });
  const base = { proposedActions: rules.proposedActions };
  if (!deps.llm || !deps.prompts || state.findings.length === 0) {
    return {
      ...base,
      diagnosis: rules.diagnosis,
      diagnosedBy: 'deterministic',
      progress: [progress(deps, 'diagnosis', `${rules.diagnosis.hypotheses.length} hypotheses (rules)`)],
    };
  }
  try {
    const diagnosis = await llmDiagnosis(state, config, deps);
    return {
      ...base,
      diagnosis,
      diagnosedBy: 'llm',
      progress: [progress(deps, 'diagnosis', `${diagnosis.hypotheses.length} hypotheses (model)`)],
    };
  } catch (err) {
    const spent = err instanceof LlmBudgetExhaustedError;
    return {
      ...base,
      diagnosis: rules.diagnosis,
      diagnosedBy: 'deterministic',
      errors: [
        spent
          ? { node: 'diagnosis', kind: 'llm_budget_exhausted', message: `rules used: ${err.message}` }
          : { node: 'diagnosis', message: `model diagnosis unusable, rules used: ${(err as Error).message}` },
      ],
      progress: [
        progress(
          deps,
          'diagnosis',
          `${rules.diagnosis.hypotheses.length} hypotheses (rules; ${spent ? 'daily LLM budget used up' : 'model output unusable'})`,
        ),
      ],
    };
  }
}

async function llmDiagnosis(state: AnalysisState, config: LangGraphRunnableConfig, deps: AgentDeps): Promise<Diagnosis> {
  const run = runContext(config);
  const compact = compactFindings(state.findings, { maxTokens: 4000 });
  const { text, ref } = deps.prompts!.renderPrompt('diagnosis', {
    findings: compact.text,
    analysis_type: state.request.analysisType,
    workspace: state.workspaceId,
  });
  const result = await deps.llm!.invoke([new SystemMessage(text), new HumanMessage('Write the diagnosis JSON now.')], {
    prompt: ref,
    operation: 'diagnose',
    auth: run.auth,
    sessionId: config.configurable?.thread_id as string | undefined,
    ...(run.requestId ? { requestId: run.requestId } : {}),
  });
  const diagnosis = DiagnosisSchema.parse(JSON.parse(extractJson(String(result.message.content))));
  return { ...diagnosis, hypotheses: diagnosis.hypotheses.filter((h) => citesRealEvidence(h.evidence, state.findings)) };
}

/** Models wrap JSON in prose or code fences; take the outermost object. */
export function extractJson(text: string): string {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end <= start) throw new Error('no JSON object in the model output');
  return text.slice(start, end + 1);
}

/** Every cited point must be one of the findings' evidence points (same series and time). */
function citesRealEvidence(evidence: Diagnosis['hypotheses'][number]['evidence'], findings: readonly Finding[]): boolean {
  const known = new Set(findings.flatMap((f) => f.evidence.map((e) => `${e.series}@${e.time}`)));
  return evidence.length > 0 && evidence.every((e) => known.has(`${e.series}@${e.time}`));
}
