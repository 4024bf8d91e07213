/** Deterministic diagnosis and evidence compaction (see diagnose.ts, compact.ts, rules/). */
export { diagnose, selectMatches, type DiagnoseContext, type DiagnoseOptions, type DiagnoseResult } from './diagnose.js';
export { compactFindings, estimateTokens, summariseFinding, type CompactOptions, type CompactResult } from './compact.js';
export { confidenceOf, workloadFromPod, HUMAN, type Rule, type RuleMatch, type Subject } from './common.js';
export { RULES } from './rules/index.js';
