import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.js';
import { DEFAULT_PLAN_LIMITS, PlanLimitsSchema } from '../../../src/limits/plan-limits.js';

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems.join('\n');
  }
  throw new Error('expected a ConfigError');
};

describe('per-plan limits in the configuration', () => {
  it("defaults: every limit of the dedicated plan is above the shared plan's", () => {
    const { plans, analysesPerReplica } = loadConfig({}).limits;
    expect(plans).toEqual(DEFAULT_PLAN_LIMITS);
    for (const name of Object.keys(PlanLimitsSchema.shape) as (keyof typeof plans.shared)[]) {
      expect(plans.dedicated[name], name).toBeGreaterThan(plans.shared[name]);
    }
    expect(analysesPerReplica).toBe(4);
  });

  it('LIMITS_SHARED / LIMITS_DEDICATED override single limits of their plan; the others keep their defaults', () => {
    const { plans } = loadConfig({
      LIMITS_SHARED: ' analyze_per_minute = 5, llm_usd_per_day=0.5 ',
      LIMITS_DEDICATED: 'concurrent_analyses=20',
    }).limits;
    expect(plans.shared).toEqual({ ...DEFAULT_PLAN_LIMITS.shared, analyze_per_minute: 5, llm_usd_per_day: 0.5 });
    expect(plans.dedicated).toEqual({ ...DEFAULT_PLAN_LIMITS.dedicated, concurrent_analyses: 20 });
    expect(loadConfig({ LIMITS_SHARED: '  ' }).limits.plans.shared).toEqual(DEFAULT_PLAN_LIMITS.shared);
  });

  it('names an unknown limit, a bad value or a missing value', () => {
    expect(problemsOf({ LIMITS_SHARED: 'analyses=3' })).toMatch(/LIMITS_SHARED.*analyses/);
    expect(problemsOf({ LIMITS_DEDICATED: 'read_per_minute=0' })).toMatch(/LIMITS_DEDICATED\.read_per_minute: must be at least 1/);
    expect(problemsOf({ LIMITS_SHARED: 'concurrent_analyses=1.5' })).toMatch(/LIMITS_SHARED\.concurrent_analyses: must be a whole number/);
    expect(problemsOf({ LIMITS_SHARED: 'chat_per_minute' })).toMatch(/LIMITS_SHARED\.chat_per_minute/);
    expect(problemsOf({ LIMITS_SHARED: 'llm_usd_per_day=-1' })).toMatch(/LIMITS_SHARED\.llm_usd_per_day: must be above 0/);
    expect(problemsOf({ LIMITS_ANALYSES_PER_REPLICA: '0' })).toMatch(/LIMITS_ANALYSES_PER_REPLICA/);
  });
});
