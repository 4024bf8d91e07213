/** recommend_rightsizing: CPU/memory requests and limits from observed usage. */
import { z } from 'zod';
import { defineTool } from './define-tool.js';
import { AnalysisInputShape, FINDINGS_ANSWER, runAnalyses } from './run-analyses.js';
import { WindowInputShape } from './window.js';

export const recommendRightsizing = defineTool({
  name: 'recommend_rightsizing',
  description:
    'Recommend CPU and memory requests/limits per workload container from observed usage (CPU p95 + 20 %, memory peak + 15 %) and report over- or under-provisioned ones with the savings. Use a window of at least a day when possible (default 24 h); shorter histories are flagged short_history.',
  scope: 'aiops:analyze',
  mutates: false,
  ...FINDINGS_ANSWER,
  input: z.strictObject({
    ...AnalysisInputShape,
    window_minutes: WindowInputShape.window_minutes
      .unwrap()
      .default(1440)
      .describe('How far back to look, in minutes (default 1440 = 24 h, at most 7 days)'),
  }),
  handler: (args, ctx, deps) => runAnalyses(['rightsizing'], args, ctx, deps),
});
