/** Public API of container right-sizing. */
export { recommendContainer, recommendWithResolved } from './recommend.js';
export { summariseWorkspace, rightsizeWorkspace } from './summary.js';
export type { WorkspaceSummary, ResourceTotals } from './summary.js';
export { rightsizingOptionsSchema, resolveRightsizingOptions } from './options.js';
export type { RightsizingOptions, ResolvedRightsizingOptions } from './options.js';
export { classifyResource, classifyContainer } from './classify.js';
export { profileUsage } from './usage-profile.js';
export type { UsageProfile } from './usage-profile.js';
export { formatBytes, formatCores, roundUpBytes, roundUpCores, MiB, GiB } from './units.js';
export type * from './types.js';
