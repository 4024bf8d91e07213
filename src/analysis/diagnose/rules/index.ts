/** The diagnosis rules, most specific first (order only breaks ties; `specificity` decides). */
import type { Rule } from '../common.js';
import { badRelease } from './bad-release.js';
import { cpuLimitTooLow } from './cpu-limit.js';
import { cpuSaturation } from './cpu-saturation.js';
import { crashLoop } from './crash-loop.js';
import { egressSpike } from './egress.js';
import { K8S_EVENT_RULES } from './k8s-events.js';
import { LOG_RULES } from './log-errors.js';
import { unexplained } from './fallback.js';
import { latencyErrorRegression } from './latency-errors.js';
import { memoryLeak } from './memory-leak.js';
import { miningPattern } from './mining.js';
import { noisyNeighbour } from './noisy-neighbour.js';
import { oomLimit } from './oom-limit.js';
import { pvcFilling } from './pvc-filling.js';
import { quotaExhaustion } from './quota.js';
import { rightsizing } from './rightsizing.js';
import { securityIncident } from './security.js';
import { securityEventAttacks } from './security-events.js';

export const RULES: readonly Rule[] = [
  miningPattern,
  ...K8S_EVENT_RULES,
  ...LOG_RULES,
  badRelease,
  noisyNeighbour,
  memoryLeak,
  securityEventAttacks,
  securityIncident,
  cpuLimitTooLow,
  oomLimit,
  crashLoop,
  latencyErrorRegression,
  cpuSaturation,
  pvcFilling,
  quotaExhaustion,
  egressSpike,
  rightsizing,
  unexplained,
];
