/**
 * The conversation graph, wiring only. One invoke = one turn:
 *   intake → decide                       (an approval command, in every mode)
 *          → model ⇄ tools → finish       (with a model; `limit` at CHAT_MAX_STEPS → finish)
 *          → deterministic → finish       (without one, or when it is unreachable at the first step)
 * State is checkpointed per thread (thread_id = the conversation), in the same store as the analysis
 * graph, so the next turn may run on any replica.
 */
import { END, START, StateGraph, type BaseCheckpointSaver } from '@langchain/langgraph';
import { approvalCommand } from './intents.js';
import type { ChatDeps } from './deps.js';
import { decideNode } from './nodes/decide.js';
import { deterministicNode } from './nodes/deterministic.js';
import { finishNode } from './nodes/finish.js';
import { intakeNode } from './nodes/intake.js';
import { limitNode } from './nodes/limit.js';
import { modelNode, routeAfterModel } from './nodes/model.js';
import { toolsNode } from './nodes/tools.js';
import { ChatStateAnnotation, type ChatState } from './state.js';

export function buildChatGraph(deps: ChatDeps, checkpointer: BaseCheckpointSaver) {
  const afterIntake = (state: ChatState) =>
    approvalCommand(state.turnText) ? 'decide' : deps.llm && deps.prompts ? 'model' : 'deterministic';
  return new StateGraph(ChatStateAnnotation)
    .addNode('intake', intakeNode(deps))
    .addNode('decide', decideNode(deps))
    .addNode('model', modelNode(deps))
    .addNode('tools', toolsNode(deps))
    .addNode('limit', limitNode(deps))
    .addNode('deterministic', deterministicNode(deps))
    .addNode('finish', finishNode(deps))
    .addEdge(START, 'intake')
    .addConditionalEdges('intake', afterIntake, { decide: 'decide', model: 'model', deterministic: 'deterministic' })
    .addConditionalEdges('model', routeAfterModel(deps), {
      tools: 'tools',
      limit: 'limit',
      finish: 'finish',
      deterministic: 'deterministic',
    })
    .addEdge('tools', 'model')
    .addEdge('limit', 'finish')
    .addEdge('decide', 'finish')
    .addEdge('deterministic', 'finish')
    .addEdge('finish', END)
    .compile({ checkpointer });
}

export type ChatGraph = ReturnType<typeof buildChatGraph>;
