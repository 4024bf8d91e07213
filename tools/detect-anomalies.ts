/** detect_anomalies: the streaming anomaly detector over the workspace's key series. */
import { z } from 'zod';
import { defineTool } from './define-tool.js';
import { AnalysisInputShape, FINDINGS_ANSWER, runAnalyses } from './run-analyses.js';

export const detectAnomalies = defineTool({
  name: 'detect_anomalies',
  description:
    'Detect anomalies in the workspace metrics (memory vs limits, CPU, throttling, p95 latency, 5xx ratio, egress, restarts) over the last window_minutes with the default streaming detector. Returns findings with evidence points (series, time, value, why).',
  scope: 'aiops:analyze',
  mutates: false,
  ...FINDINGS_ANSWER,
  input: z.strictObject({
    ...AnalysisInputShape,
    threshold: z.number().min(0.2).max(0.99).default(0.45).describe('Report series whose anomaly score reaches this (0-1; default 0.45)'),
  }),
  handler: (args, ctx, deps) => runAnalyses(['anomaly'], args, ctx, deps, { anomaly: { threshold: args.threshold } }),
});
