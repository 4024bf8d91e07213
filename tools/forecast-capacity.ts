/** forecast_capacity: when PVCs, memory limits and namespace quotas run out. */
import { z } from 'zod';
import { defineTool } from './define-tool.js';
import { AnalysisInputShape, FINDINGS_ANSWER, runAnalyses } from './run-analyses.js';

export const forecastCapacity = defineTool({
  name: 'forecast_capacity',
  description:
    'Forecast when persistent volumes (pvc_usage), container memory (vs its limit) and namespace quotas reach their limit, from the trend over the last window_minutes. Each finding has the ETA in hours with a range (eta_low_hours, eta_high_hours).',
  scope: 'aiops:analyze',
  mutates: false,
  ...FINDINGS_ANSWER,
  input: z.strictObject(AnalysisInputShape),
  handler: (args, ctx, deps) => runAnalyses(['capacity'], args, ctx, deps),
});
