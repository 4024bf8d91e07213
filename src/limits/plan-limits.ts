/**
 * The limits of a workspace, by its plan (`plan_type`, a verified token claim): request rates per
 * route class (per workspace and per user), concurrent analyses and chat turns per workspace, and
 * the daily LLM budget. Each plan has built-in defaults (dedicated above shared); `LIMITS_SHARED` /
 * `LIMITS_DEDICATED` override any of them with a compact `key=value,key=value` list, validated here.
 */
import { z } from 'zod';

/** What a guarded route is limited as; each route declares it with its scope (src/http/route-auth.ts). */
export const ROUTE_CLASSES = ['read', 'analyze', 'chat', 'remediate'] as const;
export type RouteClass = (typeof ROUTE_CLASSES)[number];

export type PlanType = 'shared' | 'dedicated';

const positiveInt = z.coerce
  .number({ error: 'must be a number (key=value)' })
  .int('must be a whole number')
  .min(1, 'must be at least 1')
  .max(1_000_000_000);
const RATE_KEYS = ROUTE_CLASSES.flatMap((c) => [`${c}_per_minute`, `${c}_per_minute_per_user`] as const);

export const PlanLimitsSchema = z
  .object({
    ...(Object.fromEntries(RATE_KEYS.map((k) => [k, positiveInt])) as Record<(typeof RATE_KEYS)[number], typeof positiveInt>),
    /** Analyses running at once in the workspace, across replicas. */
    concurrent_analyses: positiveInt,
    /** Chat turns running at once in the workspace, across replicas. */
    concurrent_chat_turns: positiveInt,
    /** LLM tokens (input + output) per workspace per UTC day; past it analyses and chat run without the model. */
    llm_tokens_per_day: positiveInt,
    /** LLM cost in USD per workspace per UTC day (priced by src/llm/pricing.ts; Ollama costs 0). */
    llm_usd_per_day: z.coerce.number({ error: 'must be a number (key=value)' }).positive('must be above 0').max(1_000_000),
  })
  .strict();

export type PlanLimits = z.infer<typeof PlanLimitsSchema>;
export type PlanLimitName = keyof PlanLimits;

/** Per minute of one route class, for the workspace or for one user in it. */
export const rateLimitName = (routeClass: RouteClass, scope: 'workspace' | 'user'): PlanLimitName =>
  scope === 'workspace' ? `${routeClass}_per_minute` : `${routeClass}_per_minute_per_user`;

export const DEFAULT_PLAN_LIMITS: Readonly<Record<PlanType, PlanLimits>> = {
  shared: {
    read_per_minute: 600,
    read_per_minute_per_user: 300,
    analyze_per_minute: 30,
    analyze_per_minute_per_user: 10,
    chat_per_minute: 60,
    chat_per_minute_per_user: 20,
    remediate_per_minute: 60,
    remediate_per_minute_per_user: 30,
    concurrent_analyses: 2,
    concurrent_chat_turns: 4,
    llm_tokens_per_day: 500_000,
    llm_usd_per_day: 5,
  },
  dedicated: {
    read_per_minute: 3000,
    read_per_minute_per_user: 1000,
    analyze_per_minute: 120,
    analyze_per_minute_per_user: 40,
    chat_per_minute: 300,
    chat_per_minute_per_user: 100,
    remediate_per_minute: 300,
    remediate_per_minute_per_user: 100,
    concurrent_analyses: 8,
    concurrent_chat_turns: 16,
    llm_tokens_per_day: 5_000_000,
    llm_usd_per_day: 50,
  },
};

/**
 * `key=value,key=value` → the plan's defaults with those values replaced (an unknown key or a bad
 * value fails the configuration, naming it). For one zod schema per plan variable in src/config.ts.
 */
export function planLimitsOverride(plan: PlanType) {
  return z
    .preprocess((raw) => {
      if (raw === undefined || (typeof raw === 'string' && raw.trim() === '')) return {};
      if (typeof raw !== 'string') return raw;
      return Object.fromEntries(
        raw
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
          .map((pair) => {
            const at = pair.indexOf('=');
            return at < 0 ? [pair, 'no value'] : [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
          }),
      );
    }, PlanLimitsSchema.partial())
    .transform((given): PlanLimits => ({ ...DEFAULT_PLAN_LIMITS[plan], ...given }));
}
