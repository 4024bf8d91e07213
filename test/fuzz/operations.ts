/**
 * The operations to fuzz, read from the OpenAPI document the app serves, plus the registered routes
 * the document hides (the console's static files, the docs UI, /openapi.json, /metrics): a route
 * cannot escape the fuzz by being left out of the document.
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
        responses: Object.fromEntries(Object.entries(op.responses ?? {}).map(([status, r]) => [status, r.content?.['application/json']?.schema])),
        hidden: false,
      });
    }
  }
  return ops;
}

/** `/workspaces/:workspace_id/runs/:run_id` → `/workspaces/{workspace_id}/runs/{run_id}`; `/ui/*` → `/ui/{*}`. */
export const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\*$/, '{*}');

/** Registered routes missing from the document, as operations with their path parameters as free strings. */
export function hiddenOperations(catalog: readonly RouteEntry[], documented: readonly Operation[]): Operation[] {
  const known = new Set(documented.map((o) => o.id));
  const seen = new Set<string>();
  const ops: Operation[] = [];
  for (const r of catalog) {
    if (r.method === 'HEAD' || r.method === 'OPTIONS') continue;
    const path = openApiPath(r.url);
    const id = `${r.method} ${path}`;
    if (known.has(id) || seen.has(id)) continue;
    seen.add(id);
    const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    ops.push({
      id, method: r.method, path,
      parameters: names.map((name) => ({ name, in: 'path' as const, required: true, schema: { type: 'string' } })),
      guarded: 'scope' in r.auth,
      responses: {},
      hidden: true,
    });
  }
  return ops;
}

/** The operations with the scope each route declares (the document only says "bearer"). */
export function withScopes(ops: readonly Operation[], catalog: readonly RouteEntry[]): Operation[] {
  const scopes = new Map(catalog.filter((r) => 'scope' in r.auth).map((r) => [`${r.method} ${openApiPath(r.url)}`, (r.auth as { scope: string }).scope]));
  return ops.map((op) => (scopes.has(op.id) ? { ...op, guarded: true, scope: scopes.get(op.id)! } : op));
}

/** Every registered route (GET/POST/…; HEAD is fuzzed through its GET) that no operation covers. */
export function uncoveredRoutes(catalog: readonly RouteEntry[], ops: readonly Operation[]): string[] {
  const covered = new Set(ops.map((o) => o.id));
  return catalog.filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS').map((r) => `${r.method} ${openApiPath(r.url)}`).filter((id) => !covered.has(id));
}
