/**
 * The LLM judge (quality, only when a model is configured): HolmesGPT's binary "are ALL expected
 * elements present?" over the answer, through the LLM layer (audited, timed out) with the prompt
 * `prompts/eval-judge.md`. Its verdict is validated by zod; a judge that cannot answer (no model,
 * provider down, unparseable verdict) is reported as not run, never as a pass or a fail.
 */
import { HumanMessage } from '@langchain/core/messages';
import { z } from 'zod';
import type { AuthContext } from '../../../src/auth/auth-context.js';
import type { ChatLlm } from '../../../src/llm/types.js';
import type { PromptLibrary } from '../../../src/prompts/index.js';
import { stepsOf, type EvalRequest } from '../case-schema.js';
import type { Observation } from '../observation.js';
import { narrative } from './text.js';
import { result, type ScoreResult } from './types.js';

export const JudgeVerdictSchema = z.object({
  verdict: z.enum(['pass', 'fail']),
  score: z.number().min(0).max(1),
  missing: z.array(z.string()).default([]),
  reason: z.string().max(4000),
});
export type JudgeVerdict = z.infer<typeof JudgeVerdictSchema>;

const NAME = { name: 'judge', kind: 'quality' } as const;
const MAX_ANSWER_CHARS = 12_000;

export interface Judge {
  readonly model: string | null;
  judge(obs: Observation): Promise<ScoreResult & { verdict?: JudgeVerdict }>;
}

/** The first JSON object of a model's reply, validated. */
export function parseVerdict(content: string): JudgeVerdict {
  const start = content.indexOf('{');
  const end = content.lastIndexOf('}');
  if (start < 0 || end <= start) throw new Error('no JSON object in the reply');
  return JudgeVerdictSchema.parse(JSON.parse(content.slice(start, end + 1)));
}

/** What the judge is told to look for: the case's own list, or its facts in words. */
export function expectedElements(obs: Observation): string[] {
  const e = obs.case.expect;
  if (e.judge.length > 0) return e.judge;
  const f = e.facts;
  return [
    f.root_cause && `the root cause matches /${f.root_cause}/`,
    f.resource && `the affected resource is ${f.resource}`,
    f.severity && `the severity is ${f.severity.join(' or ')}`,
    f.healthy === true && 'the workspace is healthy: nothing is wrong, no incident is claimed',
    ...f.text.map((t) => `the answer says something matching /${t}/`),
    ...f.absent.map((t) => `the answer does NOT say anything matching /${t}/`),
  ].filter((x): x is string => typeof x === 'string' && x.length > 0);
}

function describeRequest(r: EvalRequest): string {
  if (r.kind === 'analyze')
    return `analyze the workspace (${r.analysis_type}, last ${r.time_range_minutes} minutes${r.targets.length > 0 ? `, namespaces ${r.targets.join(', ')}` : ''})`;
  if (r.kind === 'chat') return r.messages.map((m) => `chat: ${m}`).join('\n');
  return `${r.method} ${r.path}${r.body === undefined ? '' : ` ${JSON.stringify(r.body)}`}`;
}

export function createJudge(llm: ChatLlm | undefined, prompts: PromptLibrary | undefined): Judge {
  return {
    model: llm?.providers[0] ?? null,
    async judge(obs) {
      if (!llm || !prompts) return result(NAME, 'not_run', ['no model configured (--model deterministic): the judge did not run']);
      const expected = expectedElements(obs);
      if (expected.length === 0) return result(NAME, 'not_applicable', ['the case lists nothing for the judge to check']);
      const answer = narrative(obs).slice(0, MAX_ANSWER_CHARS);
      const { text, ref } = prompts.renderPrompt('eval-judge', {
        title: `${obs.case.id}: ${obs.case.title}`,
        request: stepsOf(obs.case).map(describeRequest).join('\n'),
        ground_truth: obs.groundTruth,
        expected,
        answer: answer || '(no answer)',
      });
      const ws = obs.case.scenario.workspaces[0]!.id;
      const auth: AuthContext = {
        sub: 'eval-judge',
        workspaceId: ws,
        permissions: ['aiops:read'],
        planType: 'shared',
        orgIds: [],
        tokenType: 'aiops-contract',
        expiresAt: Math.floor(Date.now() / 1000) + 600,
        rawToken: '',
      };
      try {
        const reply = await llm.invoke([new HumanMessage(text)], {
          prompt: ref,
          operation: 'judge',
          auth,
          sessionId: `eval:${obs.case.id}`,
        });
        const verdict = parseVerdict(
          typeof reply.message.content === 'string' ? reply.message.content : JSON.stringify(reply.message.content),
        );
        return {
          ...result(NAME, verdict.verdict === 'pass' ? 'pass' : 'fail', [
            `score ${verdict.score}: ${verdict.reason}`,
            ...verdict.missing.map((m) => `missing: ${m}`),
          ]),
          verdict,
        };
      } catch (err) {
        return result(NAME, 'not_run', [`the judge could not answer: ${(err as Error).message.split('\n')[0]}`]);
      }
    },
  };
}
