/** check_compliance: policy and security checks over the workspace. */
import { z } from 'zod';
import { defineTool } from './define-tool.js';
import { AnalysisInputShape, FINDINGS_ANSWER, runAnalyses } from './run-analyses.js';

export const checkCompliance = defineTool({
  name: 'check_compliance',
  description:
    'Check compliance and security: containers without CPU/memory requests or limits, :latest or untagged images, crash loops, egress far above its baseline, and the crypto-mining pattern (CPU pinned at the limit on a formerly idle workload with egress up). Authentication-failure spikes are not checked: no such metric is in the catalog.',
  scope: 'aiops:analyze',
  mutates: false,
  ...FINDINGS_ANSWER,
  input: z.strictObject(AnalysisInputShape),
  handler: (args, ctx, deps) => runAnalyses(['compliance', 'security'], args, ctx, deps),
});
