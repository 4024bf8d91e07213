/**
 * The forecaster configurations the backtest scores: the production 'auto', each single model,
 * and every internal 'auto' strategy (`auto:<name>`, see autoStrategies). Cross-validation
 * (cv.ts) chooses among them on some files and scores the choice on the others.
 */
import { autoStrategies, type AutoStrategyName } from '../../src/analytics/forecast/strategies.js';
import {
  DEFAULT_AUTO,
  type ForecastModelChoice,
  type ForecastResult,
  forecast,
  forecastModelChoices,
  forecastWith,
} from '../../src/analytics/forecast/forecast.js';
import type { SeriesInput } from '../../src/analytics/forecast/series-input.js';

export type Variant = ForecastModelChoice | `auto:${AutoStrategyName}`;

/** Every configuration; the strategy 'auto' already runs is left out (it would be scored twice). */
export const allVariants: Variant[] = [
  ...forecastModelChoices,
  ...(Object.keys(autoStrategies) as AutoStrategyName[]).filter((s) => autoStrategies[s] !== DEFAULT_AUTO).map((s): Variant => `auto:${s}`),
];

export function isVariant(name: string): name is Variant {
  return (allVariants as string[]).includes(name);
}

/** Forecasts with one configuration. */
export function runVariant(variant: Variant, train: SeriesInput, horizonSteps: number, level: number): ForecastResult {
  if (variant.startsWith('auto:')) {
    const strategy = autoStrategies[variant.slice(5) as AutoStrategyName];
    return forecastWith(train, { model: 'auto', horizonSteps, level }, strategy);
  }
  return forecast(train, { model: variant as ForecastModelChoice, horizonSteps, level });
}
