/**
 * The ways 'auto' can turn candidate models into one forecast, as data, so the cross-validated
 * backtest (`npm run eval:forecast -- --models all`) can compare them and the product can name the
 * winner in one place (DEFAULT_AUTO in forecast.ts). Every entry is an experiment recorded in
 * evals/forecast/README.md.
 */
import type { CombineRule } from './combination.js';
import type { ForecastModelChoice } from './forecast.js';
import { DAY_MS } from './seasonality.js';

/** A model 'auto' may fit: the selectable ones plus those used only inside combinations. */
export type MemberName = Exclude<ForecastModelChoice, 'auto'> | 'theta' | 'recent-median';

/**
 * How 'auto' turns candidates into one forecast. Internal (not an API option): the backtest
 * (`npm run eval:forecast`) compares strategies under cross-validation and the product uses
 * {@link DEFAULT_AUTO}.
 * - select: in-sample rolling validation picks one of `options.candidates` (see chooseModel), or,
 *   with `combine`, possibly their combination (scored on the same origins);
 * - combine: the step-wise median or mean of all `members` that can be fitted.
 */
export type AutoStrategy =
  | {
      kind: 'select';
      /** Also score the candidates' combination and use it when it validates best. */
      combine?: CombineRule;
      /** Models validated besides `options.candidates`. */
      extra?: readonly MemberName[];
      /** Models validated instead of `options.candidates` (for experiments that swap a candidate). */
      members?: readonly MemberName[];
      /** Overrides `options.validationOrigins`. */
      origins?: number;
      /** Use the mean of the this-many best-validated candidates instead of the best alone. */
      top?: number;
      /** Validation origins spread over at least this much time (default: the horizon × origins, or a season). */
      minSpanMs?: number;
    }
  | { kind: 'combine'; rule: CombineRule; members: readonly MemberName[] };

export const autoStrategies = {
  select: { kind: 'select' },
  'select-or-median': { kind: 'select', combine: 'median' },
  'select-or-trimmed': { kind: 'select', combine: 'trimmed' },
  'select-16': { kind: 'select', origins: 16 },
  'select-theta': { kind: 'select', extra: ['theta'] },
  'select-theta-or-median': { kind: 'select', extra: ['theta'], combine: 'median' },
  'select-16-or-median': { kind: 'select', origins: 16, combine: 'median' },
  'select-top2': { kind: 'select', top: 2 },
  'select-day': { kind: 'select', minSpanMs: DAY_MS },
  'select-day-or-median': { kind: 'select', minSpanMs: DAY_MS, combine: 'median' },
  'trimmed-all': { kind: 'combine', rule: 'trimmed', members: ['holt-winters', 'robust-trend', 'naive', 'seasonal-naive', 'theta'] },
  'median-4': { kind: 'combine', rule: 'median', members: ['holt-winters', 'robust-trend', 'naive', 'seasonal-naive'] },
  'median-all': { kind: 'combine', rule: 'median', members: ['holt-winters', 'robust-trend', 'naive', 'seasonal-naive', 'theta'] },
  'mean-all': { kind: 'combine', rule: 'mean', members: ['holt-winters', 'robust-trend', 'naive', 'seasonal-naive', 'theta'] },
  'median-hw-theta-naive': { kind: 'combine', rule: 'median', members: ['holt-winters', 'theta', 'naive'] },
  'median-hw-rt-theta': { kind: 'combine', rule: 'median', members: ['holt-winters', 'robust-trend', 'theta'] },
  'mean-hw-rt-theta': { kind: 'combine', rule: 'mean', members: ['holt-winters', 'robust-trend', 'theta'] },
  'mean-hw-theta': { kind: 'combine', rule: 'mean', members: ['holt-winters', 'theta'] },
  'mean-hw-rt': { kind: 'combine', rule: 'mean', members: ['holt-winters', 'robust-trend'] },
  theta: { kind: 'combine', rule: 'mean', members: ['theta'] },
  /** The candidate set before issue 15 (naive where the default now has the recent median). */
  'select-with-naive': { kind: 'select', members: ['holt-winters', 'robust-trend', 'naive', 'seasonal-naive'] },
  'recent-median': { kind: 'combine', rule: 'mean', members: ['recent-median'] },
} as const satisfies Record<string, AutoStrategy>;
export type AutoStrategyName = keyof typeof autoStrategies;
