/**
 * The analysis graph, wiring only:
 * planner → metrics-query → (events-query → anomaly-scoring → diagnose → (propose → (approval-gate → remediate | end) | end) | end when no
 * series came back: see no-data.ts).
 * (Node names may not equal state keys, hence `diagnose` and `remediate`.)
 */
import { END, START, StateGraph, type BaseCheckpointSaver } from '@langchain/langgraph';
import type { AgentDeps } from './deps.js';
import { anomalyScoringNode } from './nodes/anomaly-scoring.js';
import { approvalGateNode, routeAfterDiagnosis } from './nodes/approval-gate.js';
import { diagnoseNode } from './nodes/diagnose.js';
import { eventsQueryNode } from './nodes/events-query.js';
import { metricsQueryNode, routeAfterMetricsQuery } from './nodes/metrics-query.js';
import { plannerNode } from './nodes/planner.js';
import { proposeNode, routeAfterPropose } from './nodes/propose.js';
import { remediateNode } from './nodes/remediate.js';
import { AnalysisStateAnnotation } from './state.js';

export function buildAnalysisGraph(deps: AgentDeps, checkpointer: BaseCheckpointSaver) {
  return new StateGraph(AnalysisStateAnnotation)
    .addNode('planner', plannerNode(deps))
    .addNode('metrics-query', metricsQueryNode(deps))
    .addNode('events-query', eventsQueryNode(deps))
    .addNode('anomaly-scoring', anomalyScoringNode(deps))
    .addNode('diagnose', diagnoseNode(deps))
    .addNode('propose', proposeNode(deps))
    .addNode('approval-gate', approvalGateNode(deps))
    .addNode('remediate', remediateNode(deps))
    .addEdge(START, 'planner')
    .addEdge('planner', 'metrics-query')
    .addConditionalEdges('metrics-query', routeAfterMetricsQuery, { 'events-query': 'events-query', __end__: END })
    .addEdge('events-query', 'anomaly-scoring')
    .addEdge('anomaly-scoring', 'diagnose')
    .addConditionalEdges('diagnose', routeAfterDiagnosis, { propose: 'propose', __end__: END })
    .addConditionalEdges('propose', routeAfterPropose(deps), { 'approval-gate': 'approval-gate', __end__: END })
    .addEdge('approval-gate', 'remediate')
    .addEdge('remediate', END)
    .compile({ checkpointer });
}

export type AnalysisGraph = ReturnType<typeof buildAnalysisGraph>;
