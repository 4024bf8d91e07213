/**
 * The operations to fuzz, read from the OpenAPI document the app serves, plus the registered routes
 * the document hides (the console's static files, the docs UI, /openapi.json, /metrics): a route
 * cannot escape the fuzz by being left out of the document. Scopes come from the guard's catalog.
 */
import type { RouteEntry } from '../../src/plugins/auth-guard.js';
import type { JsonSchema } from './schema-arbitraries.js';

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: JsonSchema;
}

export interface Operation {
  /** `METHOD /path/{param}` as in the document. */
  id: string;
  method: string;
  /** OpenAPI template, e.g. /workspaces/{workspace_id}/runs/{run_id}; a wildcard route ends in `{*}`. */
  path: string;
  parameters: Parameter[];
  body?: { schema: JsonSchema; required: boolean };
  /** The route needs a bearer token (it declares a scope). */
  guarded: boolean;
  /** The permission the route requires (from the route's access rule), when guarded. */
  scope?: string;
  /** Declared response schemas by status (for the error-shape check). */
  responses: Record<string, JsonSchema | undefined>;
  /** Not in the OpenAPI document (hidden routes): fuzzed on their path and query only. */
  hidden: boolean;
}

interface OpenApiOperation {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
  security?: unknown[];
  responses?: Record<string, { content?: Record<string, { schema?: JsonSchema }> }>;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
}

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

export function operationsOf(doc: OpenApiDocument): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.has(method)) continue;
      const body = op.requestBody?.content?.['application/json']?.schema;
      ops.push({
        id: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        parameters: (op.parameters ?? []).map((p) => ({ name: p.name, in: p.in, required: Boolean(p.required), schema: p.schema ?? {} })),
        ...(body ? { body: { schema: body, required: Boolean(op.requestBody?.required) } } : {}),
        guarded: (op.security ?? []).length > 0,
        responses: Object.fromEntries(
          Object.entries(op.responses ?? {}).map(([status, r]) => [status, r.content?.['application/json']?.schema]),
        ),
        hidden: false,
      });
    }
  }
  return ops;
}

/** `/workspaces/:workspace_id/runs/:run_id` → `/workspaces/{workspace_id}/runs/{run_id}`; `/ui/*` → `/ui/{*}`. */
export const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\*$/, '{*}');

/** A registered route: method and Fastify URL (`/workspaces/:workspace_id/runs/:run_id`, `/ui/*`). */
export interface RegisteredRoute {
  method: string;
  url: string;
}

/**
 * Every route the router holds: the guard's catalog (every route registered after the guard) and
 * the routes `app.printRoutes({ commonPrefix: false })` shows, which include those registered
 * before it (GET /metrics). The printed tree folds a wildcard under its nearest static prefix
 * (`/docs/static/*` shows as `/docs/*`), so wildcards are taken from the catalog only.
 */
export function registeredRoutes(catalog: readonly RegisteredRoute[], tree: string): RegisteredRoute[] {
  const printed = printedRoutes(tree).filter((r) => !r.url.includes('*'));
  const seen = new Set<string>();
  return [...catalog, ...printed]
    .filter((r) => !seen.has(`${r.method} ${r.url}`) && seen.add(`${r.method} ${r.url}`) !== undefined)
    .map((r) => ({ method: r.method, url: r.url }));
}

function printedRoutes(tree: string): RegisteredRoute[] {
  const routes: RegisteredRoute[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    // Each level indents by four characters; a node is `├── segment (METHODS)` or `└── …`.
    const at = Math.max(line.indexOf('├── '), line.indexOf('└── '));
    if (at < 0) continue;
    const depth = at / 4;
    const node = line.slice(at + 4);
    const methods = / \(([A-Z, ]+)\)$/.exec(node);
    const url = (stack[depth - 1] ?? '') + (methods ? node.slice(0, methods.index) : node);
    stack[depth] = url;
    stack.length = depth + 1;
    for (const method of (methods?.[1] ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean))
      routes.push({ method, url });
  }
  return routes;
}

/** Registered routes missing from the document, as operations with their path parameters as free strings. */
export function hiddenOperations(routes: readonly RegisteredRoute[], documented: readonly Operation[]): Operation[] {
  const known = new Set(documented.map((o) => o.id));
  const seen = new Set<string>();
  const ops: Operation[] = [];
  for (const r of routes) {
    if (r.method === 'HEAD' || r.method === 'OPTIONS') continue;
    const path = openApiPath(r.url);
    const id = `${r.method} ${path}`;
    if (known.has(id) || seen.has(id)) continue;
    seen.add(id);
    const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    ops.push({
      id,
      method: r.method,
      path,
      parameters: names.map((name) => ({ name, in: 'path' as const, required: true, schema: { type: 'string' } })),
      guarded: false,
      responses: {},
      hidden: true,
    });
  }
  return ops;
}

/** The operations with the scope each route declares (the document only says "bearer"). */
export function withScopes(ops: readonly Operation[], catalog: readonly RouteEntry[]): Operation[] {
  const scopes = new Map(
    catalog.filter((r) => 'scope' in r.auth).map((r) => [`${r.method} ${openApiPath(r.url)}`, (r.auth as { scope: string }).scope]),
  );
  return ops.map((op) => (scopes.has(op.id) ? { ...op, guarded: true, scope: scopes.get(op.id)! } : op));
}

/** Every registered route (GET/POST/…; HEAD is fuzzed through its GET) that no operation covers. */
export function uncoveredRoutes(routes: readonly RegisteredRoute[], ops: readonly Operation[]): string[] {
  const covered = new Set(ops.map((o) => o.id));
  return routes
    .filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS')
    .map((r) => `${r.method} ${openApiPath(r.url)}`)
    .filter((id) => !covered.has(id));
}
