/**
 * deterministic: the turn without a model. The intent router (../intents.ts) picks what the
 * message asks for, the same scoped tools answer it (with the same events and audit as in the model
 * loop), and the answer is written from their results with the evidence they carry. Anything the
 * router does not recognise gets a plain "free-form questions need a model".
 */
import { randomUUID } from 'node:crypto';
import { AIMessage } from '@langchain/core/messages';
import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import type { ListEventsOutput, QueryLogsOutput, SecurityEventsOutput } from '../../../tools/index.js';
import { dedupeEvidence } from '../evidence.js';
import { eventsText, logsText, securityText } from '../log-answers.js';
import { routeIntent, type Intent } from '../intents.js';
import {
  alertsFrom,
  alertsText,
  describeAction,
  FREE_FORM,
  forecastText,
  recommendationsText,
  refocus,
  resolveRemediation,
  toolProblem,
  whatsWrongText,
} from '../answers.js';
import type { ChatDeps } from '../deps.js';
import { NO_REMEDIATION, runToolCall, type ToolOutcome } from '../tool-calls.js';
import type { ChatState, ChatUpdate } from '../state.js';
import { outcomesUpdate, toolTokensFor } from './tools.js';

interface Composed {
  text: string;
  outcomes: ToolOutcome[];
  focus?: ChatState['focus'];
}

type Call = (name: string, args: Record<string, unknown>) => Promise<ToolOutcome>;

async function compose(intent: Intent, state: ChatState, call: Call): Promise<Composed> {
  switch (intent.kind) {
    case 'whats_wrong': {
      const o = await call('diagnose_workspace', {
        analysis_type: intent.analysisType,
        window_minutes: intent.windowMinutes,
        ...(intent.namespace ? { namespace: intent.namespace } : {}),
      });
      if (o.activity.status !== 'ok' || o.result.status !== 'ok')
        return { text: toolProblem('run the analysis', o.activity.status, o.activity.summary), outcomes: [o] };
      const data = o.result.data as Parameters<typeof whatsWrongText>[0];
      const { text, focusFirst } = whatsWrongText(data, intent.subjects);
      const focus = refocus(o.focus, data, focusFirst);
      return { text, outcomes: [o], ...(focus ? { focus } : {}) };
    }
    case 'forecast': {
      const o = await call('forecast_capacity', {
        window_minutes: intent.windowMinutes,
        ...(intent.namespace ? { namespace: intent.namespace } : {}),
      });
      if (o.result.status === 'no_data') return { text: `I have no data to forecast from: ${o.result.message}.`, outcomes: [o] };
      if (o.result.status !== 'ok') return { text: toolProblem('forecast capacity', o.activity.status, o.activity.summary), outcomes: [o] };
      return { text: forecastText(o.result.data as Parameters<typeof forecastText>[0]), outcomes: [o] };
    }
    case 'recommendations': {
      const o = await call('recommend_rightsizing', {
        window_minutes: intent.windowMinutes,
        ...(intent.namespace ? { namespace: intent.namespace } : {}),
      });
      if (o.result.status === 'no_data') return { text: `I have no usage data to learn from: ${o.result.message}.`, outcomes: [o] };
      if (o.result.status !== 'ok')
        return { text: toolProblem('compute right-sizing recommendations', o.activity.status, o.activity.summary), outcomes: [o] };
      return { text: recommendationsText(o.result.data as Parameters<typeof recommendationsText>[0]), outcomes: [o] };
    }
    case 'alerts': {
      const list = await call('list_alerts', { state: 'any' });
      // The service's own alerts are the last hour's findings, as GET /alerts serves them.
      const found = await call('diagnose_workspace', { analysis_type: 'anomaly', window_minutes: 60 });
      const notes: string[] = [];
      if (list.result.status === 'error')
        notes.push(toolProblem('read the Prometheus alerts', list.activity.status, list.activity.summary));
      if (found.result.status === 'error')
        notes.push(toolProblem("analyse the last hour for the service's own alerts", found.activity.status, found.activity.summary));
      const diagnosed = found.result.status === 'ok' ? (found.result.data as Parameters<typeof alertsText>[2]) : undefined;
      return {
        text: alertsText(alertsFrom(list.result, found.result), intent.name, diagnosed, notes),
        outcomes: [list, found],
        ...(found.focus ? { focus: found.focus } : {}),
      };
    }
    case 'logs': {
      const workload = intent.subjects[0];
      const o = await call('query_logs', {
        ...(intent.errorsOnly ? { min_severity: 'error' } : {}),
        ...(workload ? { deployment: workload } : {}),
        ...(intent.namespace ? { namespace: intent.namespace } : {}),
        window_minutes: intent.windowMinutes,
        limit: 50,
      });
      const what = `${intent.errorsOnly ? 'error ' : ''}log line(s)${workload ? ` of ${workload}` : ''}`;
      if (o.result.status === 'no_data') return { text: `No ${what}: ${o.result.message}.`, outcomes: [o] };
      if (o.result.status !== 'ok') return { text: toolProblem('read the logs', o.activity.status, o.activity.summary), outcomes: [o] };
      return { text: logsText(o.result.data as QueryLogsOutput, what), outcomes: [o] };
    }
    case 'security_events': {
      const o = await call('security_events', { group_by: 'source_ip', window_minutes: intent.windowMinutes, limit: 50 });
      if (o.result.status === 'no_data') return { text: `No security events: ${o.result.message}.`, outcomes: [o] };
      if (o.result.status !== 'ok')
        return { text: toolProblem('read the security events', o.activity.status, o.activity.summary), outcomes: [o] };
      return { text: securityText(o.result.data as SecurityEventsOutput), outcomes: [o] };
    }
    case 'events': {
      const o = await call('list_events', {
        type: 'Warning',
        ...(intent.namespace ? { namespace: intent.namespace } : {}),
        window_minutes: intent.windowMinutes,
        limit: 50,
      });
      if (o.result.status === 'no_data') return { text: `No warning events: ${o.result.message}.`, outcomes: [o] };
      if (o.result.status !== 'ok')
        return { text: toolProblem('read the Kubernetes events', o.activity.status, o.activity.summary), outcomes: [o] };
      return { text: eventsText(o.result.data as ListEventsOutput), outcomes: [o] };
    }
    case 'remediate': {
      const resolved = resolveRemediation(intent.verb, intent.target, intent.pronoun, intent.replicas, state.focus);
      if ('ask' in resolved) return { text: resolved.ask, outcomes: [] };
      const a = resolved.action;
      const o = await call('propose_remediation', { summary: a.reason, actions: [a], finding_ids: state.focus.findingIds.slice(0, 10) });
      const what = describeAction(a);
      if (o.activity.status === 'approval_required' && o.remediation) {
        const dry = o.remediation.dry_run_result?.summary ? ` Dry run: ${o.remediation.dry_run_result.summary}` : '';
        return {
          text: `I proposed remediation ${o.remediation.id}: ${what} (risk ${o.remediation.risk}). Nothing runs until it is approved: approve it in the console or type "approve" here (or "reject"). It expires at ${o.remediation.expires_at}.${dry}`,
          outcomes: [o],
        };
      }
      if (o.activity.summary === NO_REMEDIATION)
        return {
          text: `Remediation is not available in this deployment: no remediation service is configured, so nothing was proposed. What I would have proposed: ${what}.`,
          outcomes: [o],
        };
      if (o.activity.status === 'ok' && o.remediation)
        return { text: `Remediation ${o.remediation.id} (${what}) is ${o.remediation.status}.`, outcomes: [o] };
      return { text: toolProblem(`propose "${what}"`, o.activity.status, o.activity.summary), outcomes: [o] };
    }
    default:
      return { text: FREE_FORM, outcomes: [] };
  }
}

export function deterministicNode(deps: ChatDeps) {
  return async (state: ChatState, config: LangGraphRunnableConfig): Promise<ChatUpdate> => {
    const call: Call = (name, args) =>
      runToolCall({ id: `call_${randomUUID().slice(0, 12)}`, name, args }, deps, config, toolTokensFor(deps));
    const composed = await compose(routeIntent(state.turnText), state, call);
    const text = state.llmError
      ? `The language model is unavailable right now (${state.llmError}), so this answer comes from the deterministic mode.\n\n${composed.text}`
      : composed.text;
    const update = outcomesUpdate(state, composed.outcomes);
    return {
      ...update,
      ...(composed.focus ? { focus: composed.focus } : {}),
      messages: [new AIMessage(text)],
      answer: { text, evidence: dedupeEvidence(update.evidence), partial: false, mode: 'deterministic' },
      answerStreamed: false,
    };
  };
}
