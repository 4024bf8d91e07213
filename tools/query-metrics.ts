/**
 * query_metrics: a catalog query by name with filters, or PromQL for callers with aiops:analyze;
 * instant or range. Always confined to the caller's workspace by the data layer; answers compact
 * series (at most 30, range points thinned to about 60 per series plus min/max/last).
 */
import { z } from 'zod';
import { hasPermission } from '../src/auth/permissions.js';
import { seriesFromMatrix } from '../src/analysis/series-from-results.js';
import { CatalogArgsSchema, QUERY_CATALOG } from '../src/metrics/catalog/catalog.js';
import { defineTool, fail, failFromError, noData, ok } from './define-tool.js';
import { LabelsSchema, SampleSchema } from './output-shapes.js';
import { WindowInputShape, windowFrom } from './window.js';

const MAX_SERIES = 30;
const MAX_POINTS = 60;

const input = z
  .strictObject({
    name: z
      .enum([...QUERY_CATALOG.keys()] as [string, ...string[]])
      .optional()
      .describe('A catalog query name (see the catalog); give this or promql'),
    filters: CatalogArgsSchema.strict()
      .default({})
      .describe('Equality filters on Kubernetes names (namespace, pod, container, service, persistentvolumeclaim) for a catalog query'),
    promql: z
      .string()
      .min(1)
      .max(2000)
      .optional()
      .describe('Arbitrary PromQL instead of a catalog name (needs aiops:analyze); the workspace matcher is added by the service'),
    mode: z.enum(['instant', 'range']).default('instant').describe('instant: the value now; range: a series over the window'),
    ...WindowInputShape,
  })
  .refine((v) => (v.name === undefined) !== (v.promql === undefined), { message: 'give exactly one of name or promql' });

const answered = {
  query: z.string().describe('The catalog name, or "promql"'),
  enforced_query: z.string().describe('The PromQL sent, workspace matcher included'),
  total_series: z.number().int(),
};
const output = z.discriminatedUnion('mode', [
  z.strictObject({
    ...answered,
    mode: z.literal('instant'),
    time: z.number().describe('Unix seconds'),
    series: z.array(z.strictObject({ labels: LabelsSchema, value: SampleSchema.optional() })).describe(`The first ${MAX_SERIES}`),
  }),
  z.strictObject({
    ...answered,
    mode: z.literal('range'),
    window: z.strictObject({ start: z.number(), end: z.number(), step: z.number() }).describe('Unix seconds'),
    series: z
      .array(
        z.strictObject({
          labels: LabelsSchema,
          min: z.number().nullable(),
          max: z.number().nullable(),
          last: SampleSchema.optional(),
          points: z.array(z.tuple([z.number(), SampleSchema])).describe(`About ${MAX_POINTS}: [unix seconds, value]`),
        }),
      )
      .describe(`The first ${MAX_SERIES}`),
  }),
]);

function thin<T>(points: T[], max: number): T[] {
  if (points.length <= max) return points;
  const stride = points.length / max;
  const out: T[] = [];
  for (let i = 0; i < max; i++) out.push(points[Math.floor(i * stride)] as T);
  out.push(points[points.length - 1] as T);
  return out;
}

export const queryMetrics = defineTool({
  name: 'query_metrics',
  description:
    'Query the workspace metrics: a named catalog query (cpu_usage, memory_usage_vs_limits, restarts, http_latency_p95, pvc_usage, quota_usage, …) with optional filters, or raw PromQL (needs aiops:analyze). mode=instant for current values, mode=range for a series over window_minutes. Results are limited to your workspace.',
  scope: 'aiops:read',
  mutates: false,
  input,
  output,
  async handler(args, ctx, deps) {
    if (args.promql !== undefined && !hasPermission(ctx.auth.permissions, 'aiops:analyze')) {
      return fail('missing scope: raw PromQL needs aiops:analyze; use a catalog query name instead', { required_scope: 'aiops:analyze' });
    }
    const query =
      args.promql !== undefined
        ? { kind: 'promql' as const, promql: args.promql }
        : { kind: 'catalog' as const, name: args.name!, args: args.filters };
    const label = args.name ?? 'promql';
    const ws = { workspaceId: ctx.auth.workspaceId };
    try {
      if (args.mode === 'instant') {
        const at = Math.floor(deps.now() / 1000);
        const res = await deps.metrics.instant(ws, query, at);
        const series = seriesFromMatrix(label, res.data).map((s) => ({ labels: s.labels, value: s.values[0] }));
        if (series.length === 0) return noData(`no series for ${label} at ${new Date(at * 1000).toISOString()}`);
        return ok({
          query: label,
          mode: 'instant',
          time: at,
          enforced_query: res.enforcedQuery,
          total_series: series.length,
          series: series.slice(0, MAX_SERIES),
        });
      }
      const window = windowFrom(args, deps.now());
      const res = await deps.metrics.range(ws, query, window);
      const series = seriesFromMatrix(label, res.data).map((s) => {
        const finite = s.values.filter((v) => Number.isFinite(v));
        return {
          labels: s.labels,
          min: finite.length ? Math.min(...finite) : null,
          max: finite.length ? Math.max(...finite) : null,
          last: s.values[s.values.length - 1],
          points: thin(
            s.times.map((t, i) => [t, s.values[i]!] as [number, number]),
            MAX_POINTS,
          ),
        };
      });
      if (series.length === 0)
        return noData(
          `no series for ${label} between ${new Date(window.start * 1000).toISOString()} and ${new Date(window.end * 1000).toISOString()}`,
        );
      return ok({
        query: label,
        mode: 'range',
        window,
        enforced_query: res.enforcedQuery,
        total_series: series.length,
        series: series.slice(0, MAX_SERIES),
      });
    } catch (err) {
      return failFromError(err, { query: label, mode: args.mode });
    }
  },
  summarize: (data) => `${data.total_series} series of ${data.query}`,
  evidence: (data) => [
    { kind: 'query', ref: data.enforced_query, description: `${data.query} (${data.mode}), ${data.total_series} series` },
  ],
});
