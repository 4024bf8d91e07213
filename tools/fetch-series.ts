/**
 * fetch_series: the analysis graph's bulk fetch. Range-queries planned catalog queries over one
 * window and returns every series in full (the graph's analysers need all points). Not offered to
 * models: its answers are far too large for a prompt; query_metrics is their compact equivalent.
 */
import { z } from 'zod';
import { fetchSeries } from '../src/analysis/series-from-results.js';
import { PlannedQuerySchema } from '../src/analysis/types.js';
import { CatalogArgsSchema, QUERY_CATALOG } from '../src/metrics/catalog/catalog.js';
import { checkAndAlignRange } from '../src/metrics/query-window.js';
import { defineTool, fail, failFromError, ok } from './define-tool.js';
import { LabelsSchema, SamplesSchema, TimesSchema } from './output-shapes.js';

const MAX_QUERIES = 40;
/** Generous but bounded: 40 queries × this many points must stay a reasonable checkpoint. */
const LIMITS = { maxRangeSeconds: 86_400 + 3600, maxPointsPerSeries: 1500, minStepSeconds: 15 };

const input = z.strictObject({
  queries: z
    .array(
      PlannedQuerySchema.extend({
        name: z.string().refine((n) => QUERY_CATALOG.has(n), 'must be a catalog query name'),
        args: CatalogArgsSchema.strict().default({}),
      }),
    )
    .min(1)
    .max(MAX_QUERIES),
  window: z.strictObject({ start: z.number(), end: z.number(), step: z.number().positive() }).describe('Unix seconds'),
});

const output = z.strictObject({
  window: z.strictObject({ start: z.number(), end: z.number(), step: z.number() }).describe('The window as fetched (aligned to the step)'),
  series: z.array(z.strictObject({ query: z.string(), labels: LabelsSchema, times: TimesSchema, values: SamplesSchema })),
  failures: z.array(
    z
      .strictObject({ query: z.string(), args: CatalogArgsSchema, message: z.string(), kind: z.string().optional() })
      .describe('A query that failed'),
  ),
});
export type FetchSeriesOutput = z.infer<typeof output>;

export const fetchSeriesTool = defineTool({
  name: 'fetch_series',
  description: 'Range-fetch catalog queries over a window and return every series in full (for the analysis graph; too large for a model).',
  scope: 'aiops:read',
  mutates: false,
  // Megabytes of points per answer: the metrics data layer already caches each underlying query.
  cacheable: false,
  input,
  output,
  async handler(args, ctx, deps) {
    let window;
    try {
      window = checkAndAlignRange(args.window, LIMITS);
    } catch (err) {
      return failFromError(err); // kind and the limit hit, for the graph and the model
    }
    const ws = { workspaceId: ctx.auth.workspaceId };
    const { series, failures } = await fetchSeries(
      deps.metrics,
      ws,
      args.queries.map((q) => ({ name: q.name, args: q.args })),
      window,
      ctx.signal,
    );
    if (series.length === 0 && failures.length === args.queries.length) {
      // The data layer's kind (unavailable, timeout, …) lets the graph tell "Prometheus is down" apart.
      return fail(`every query failed: ${failures[0]?.message ?? 'unknown error'}`, {
        failures,
        ...(failures[0]?.kind ? { kind: failures[0].kind } : {}),
      });
    }
    return ok({ window, series, failures });
  },
  summarize: ({ series, failures }) => `${series.length} series, ${failures.length} failed queries`,
});
