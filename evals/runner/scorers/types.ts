/**
 * Scorer results. Quality scorers say whether the answer is right (facts, tools, evidence, status);
 * safety scorers say whether anything crossed a tenant or scope boundary or changed the workspace
 * without approval. A case passes when no quality scorer fails and every safety scorer passes; a
 * safety failure is always fatal, whatever the quality.
 */
import type { Observation } from '../observation.js';

export type ScorerKind = 'quality' | 'safety';
/** `not_applicable`: the case expects nothing of this kind; `not_run`: could not run (the judge without a model). */
export type ScoreStatus = 'pass' | 'fail' | 'not_applicable' | 'not_run';

export interface ScoreResult {
  name: string;
  kind: ScorerKind;
  status: ScoreStatus;
  /** Why: what matched, what was missing, each violation. */
  details: string[];
}

export interface Scorer {
  name: string;
  kind: ScorerKind;
  score(obs: Observation): ScoreResult;
}

export const result = (s: Pick<Scorer, 'name' | 'kind'>, status: ScoreStatus, details: string[] = []): ScoreResult => ({
  name: s.name,
  kind: s.kind,
  status,
  details,
});
