/**
 * The workspace metrics API: instant and range queries (catalog names or PromQL) answering in
 * Prometheus's own result shape, the catalog itself, and the series / label values APIs. The
 * workspace always comes from the verified token; the data layer confines every query to it.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CatalogArgsSchema, FILTER_NAMES, QUERY_CATALOG } from '../metrics/catalog/catalog.js';
import { renderPromQL } from '../metrics/catalog/expr.js';
import { MetricsError } from '../metrics/metrics-error.js';
import type { MetricsQuery, MetricsSource, QueryResult } from '../metrics/metrics-source.js';
import { checkAndAlignRange, defaultStep, parseDuration, parseTime, type QueryLimits } from '../metrics/query-window.js';
import { authOf, requireScope } from '../http/route-auth.js';
import { guardedErrorResponses, WorkspaceParamsSchema } from '../schemas/common.js';

export interface MetricsRouteOptions {
  source: MetricsSource;
  limits: QueryLimits;
}

/** Most catalog queries in one request: a chart's worth (usage, request, limit…), not a dashboard. */
const MAX_NAMES = 6;

const QuerySchema = CatalogArgsSchema.extend({
  query: z.string().max(16_384).optional().describe('PromQL; confined to the workspace before it is run'),
  name: z
    .union([z.string().max(100), z.array(z.string().max(100)).min(1).max(100)])
    .optional()
    .describe(
      `A catalog query name (see /metrics/catalog); filters: namespace, pod, container, service, persistentvolumeclaim. Repeat it (up to ${MAX_NAMES}) to get several queries with the same filters and window in one answer, each series labelled __name__=<query> (a chart of usage and its limit)`,
    ),
  time: z.string().max(40).optional().describe('Instant query time: RFC 3339 or Unix seconds (default now)'),
  start: z.string().max(40).optional().describe('Range start: RFC 3339 or Unix seconds'),
  end: z.string().max(40).optional().describe('Range end: RFC 3339 or Unix seconds'),
  step: z.string().max(20).optional().describe('Range step: 30s, 5m, 1h or seconds (default: about 250 points)'),
}).strict();

const PromResponseSchema = z.object({
  status: z.literal('success'),
  data: z.object({ resultType: z.enum(['matrix', 'vector', 'scalar', 'string']), result: z.array(z.any()) }),
});

const MatchSchema = z
  .object({
    'match[]': z
      .union([z.string(), z.array(z.string())])
      .optional()
      .describe('Series selectors; default: every series of the workspace'),
    start: z.string().max(40).optional(),
    end: z.string().max(40).optional(),
  })
  .strict();

const metricsRoutes: FastifyPluginAsyncZod<MetricsRouteOptions> = async (app, { source, limits }) => {
  app.get(
    '/workspaces/:workspace_id/metrics/query',
    {
      config: { auth: requireScope('aiops:read') },
      schema: {
        tags: ['metrics'],
        summary: 'Instant (time) or range (start, end, step) query: a catalog name or PromQL, answered in Prometheus result format',
        security: [{ bearerAuth: [] }],
        params: WorkspaceParamsSchema,
        querystring: QuerySchema,
        response: {
          200: PromResponseSchema,
          ...guardedErrorResponses,
          501: guardedErrorResponses[400],
          502: guardedErrorResponses[400],
          504: guardedErrorResponses[400],
        },
      },
    },
    async (request, reply) => {
      const ws = authOf(request);
      const q = request.query;
      const queries = metricsQueriesOf(q);
      const isRange = q.start !== undefined || q.end !== undefined || q.step !== undefined;
      if (isRange && q.time !== undefined)
        throw new MetricsError('invalid_query', 'give either time (instant query) or start/end/step (range query), not both');
      if (isRange) {
        if (q.start === undefined || q.end === undefined) throw new MetricsError('invalid_query', 'a range query needs both start and end');
        const start = parseTime(q.start, 'start');
        const end = parseTime(q.end, 'end');
        const step = q.step !== undefined ? parseDuration(q.step, 'step') : defaultStep(start, end, limits);
        const window = checkAndAlignRange({ start, end, step }, limits);
        const result = merged(queries, await Promise.all(queries.map((query) => source.range(ws, query, window))));
        reply.header('X-AIOps-Cache', result.cache);
        return { status: 'success' as const, data: result.data };
      }
      const time = q.time !== undefined ? parseTime(q.time, 'time') : Math.floor(Date.now() / 1000);
      const result = merged(queries, await Promise.all(queries.map((query) => source.instant(ws, query, time))));
      reply.header('X-AIOps-Cache', result.cache);
      return { status: 'success' as const, data: result.data };
    },
  );

  app.get(
    '/workspaces/:workspace_id/metrics/catalog',
    {
      config: { auth: requireScope('aiops:read') },
      schema: {
        tags: ['metrics'],
        summary: 'The named queries, their filters and PromQL (before the workspace matcher is added)',
        security: [{ bearerAuth: [] }],
        params: WorkspaceParamsSchema,
        response: {
          200: z.object({
            source: z.enum(['prometheus', 'embedded']),
            queries: z.array(
              z.object({
                name: z.string(),
                description: z.string(),
                unit: z.string(),
                filters: z.array(z.enum(FILTER_NAMES)),
                promql: z.string(),
              }),
            ),
          }),
          ...guardedErrorResponses,
        },
      },
    },
    async () => ({
      source: source.kind,
      queries: [...QUERY_CATALOG.values()].map((e) => ({
        name: e.name,
        description: e.description,
        unit: e.unit,
        filters: [...e.filters],
        promql: renderPromQL(e.expr),
      })),
    }),
  );

  app.get(
    '/workspaces/:workspace_id/metrics/series',
    {
      config: { auth: requireScope('aiops:read') },
      schema: {
        tags: ['metrics'],
        summary: 'Series of the workspace matching match[]',
        security: [{ bearerAuth: [] }],
        params: WorkspaceParamsSchema,
        querystring: MatchSchema,
        response: {
          200: z.object({ status: z.literal('success'), data: z.array(z.record(z.string(), z.string())) }),
          ...guardedErrorResponses,
        },
      },
    },
    async (request) => {
      const { match, start, end } = matchArgs(request.query);
      return { status: 'success' as const, data: await source.series(authOf(request), match, start, end) };
    },
  );

  app.get(
    '/workspaces/:workspace_id/metrics/labels/:label/values',
    {
      config: { auth: requireScope('aiops:read') },
      schema: {
        tags: ['metrics'],
        summary: 'Values of a label among the workspace series',
        security: [{ bearerAuth: [] }],
        params: WorkspaceParamsSchema.extend({ label: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a label name') }),
        querystring: MatchSchema,
        response: { 200: z.object({ status: z.literal('success'), data: z.array(z.string()) }), ...guardedErrorResponses },
      },
    },
    async (request) => {
      const { match, start, end } = matchArgs(request.query);
      return { status: 'success' as const, data: await source.labelValues(authOf(request), request.params.label, match, start, end) };
    },
  );
};

function metricsQueriesOf(q: z.infer<typeof QuerySchema>): MetricsQuery[] {
  const filters = Object.fromEntries(FILTER_NAMES.filter((f) => q[f] !== undefined).map((f) => [f, q[f]]));
  if ((q.query === undefined) === (q.name === undefined))
    throw new MetricsError('invalid_query', 'give exactly one of query (PromQL) or name (a catalog query)');
  if (q.query !== undefined) {
    if (Object.keys(filters).length > 0)
      throw new MetricsError(
        'invalid_query',
        `filters (${Object.keys(filters).join(', ')}) apply to catalog queries (name=…), not to PromQL`,
      );
    return [{ kind: 'promql', promql: q.query }];
  }
  const names = [...new Set([q.name!].flat())];
  if (names.length > MAX_NAMES)
    throw new MetricsError('invalid_query', `${names.length} catalog queries in one request; the limit is ${MAX_NAMES}`);
  return names.map((name) => ({ kind: 'catalog', name, args: filters }));
}

/**
 * One query's answer as it is; several in one answer, each series labelled with its query's name
 * (`__name__`, as Prometheus names a series by its metric) so the caller can tell usage from limit.
 * The cache header is "hit" only when every part was a hit.
 */
function merged(queries: MetricsQuery[], results: QueryResult[]): Pick<QueryResult, 'data' | 'cache'> {
  if (results.length === 1) return results[0]!;
  const named = results.flatMap((r, i) => {
    const query = queries[i]!;
    const name = query.kind === 'catalog' ? query.name : '';
    return (r.data.result as { metric: Record<string, string> }[]).map((series) => ({
      ...series,
      metric: { ...series.metric, __name__: name },
    }));
  });
  const cache = results.every((r) => r.cache === 'hit') ? 'hit' : results.some((r) => r.cache === 'miss') ? 'miss' : 'none';
  return { data: { resultType: results[0]!.data.resultType, result: named }, cache };
}

function matchArgs(q: z.infer<typeof MatchSchema>): { match: string[]; start?: number; end?: number } {
  const match = q['match[]'] === undefined ? [] : [q['match[]']].flat();
  return {
    match,
    ...(q.start !== undefined ? { start: parseTime(q.start, 'start') } : {}),
    ...(q.end !== undefined ? { end: parseTime(q.end, 'end') } : {}),
  };
}

export default metricsRoutes;
