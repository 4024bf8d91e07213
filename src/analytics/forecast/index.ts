/** Public API of the forecasting and capacity-planning module. */
export { forecast, forecastOptionsSchema, forecastModelChoices, fitByName } from './forecast.js';
export type { ForecastOptions, ForecastResult, ForecastModelChoice } from './forecast.js';
export { timeToExhaustion, exhaustionOptionsSchema, firstCrossing } from './time-to-exhaustion.js';
export type { ExhaustionOptions, ExhaustionResult, ExhaustionStatus } from './time-to-exhaustion.js';
export { regularize, inferStepMs, fillShortGaps } from './regularize.js';
export type { RegularSeries, RegularizeOptions } from './regularize.js';
export { detectSeason, DAY_MS } from './seasonality.js';
export type { SeasonDetection, SeasonDetectionOptions } from './seasonality.js';
export { fitHoltWinters, varianceMultipliers } from './holt-winters.js';
export type { HoltWintersParams, HoltWintersOptions } from './holt-winters.js';
export { fitRobustTrend } from './robust-trend.js';
export { theilSen } from './theil-sen.js';
export { fitNaive, fitSeasonalNaive } from './naive.js';
export { fitRecentMedian } from './recent-median.js';
export type { FittedModel, ModelName, PointForecast } from './model.js';
export { toTimedValues } from './series-input.js';
export type { SeriesInput, TimedValues } from './series-input.js';
export { mase, seasonalNaiveScale } from './mase.js';
