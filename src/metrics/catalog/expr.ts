/**
 * The small expression language of the query catalog. One definition per catalog query renders
 * to PromQL for a real Prometheus and is evaluated in-process over generated series for the
 * embedded default, so both answer the same question with the same result shape.
 */
import { quotePromQLString } from '../promql/promql-string.js';

export interface Matcher {
  label: string;
  op: '=' | '!=' | '=~';
  value: string;
}

export type Expr =
  | { op: 'select'; metric: string; matchers: Matcher[] }
  | { op: 'rate' | 'increase'; metric: string; matchers: Matcher[]; windowSeconds: number }
  | { op: 'sum' | 'max'; by: string[]; expr: Expr }
  | { op: 'ratio'; numerator: Expr; denominator: Expr; on: string[] }
  | { op: 'histogram_quantile'; quantile: number; expr: Expr };

export function renderPromQL(expr: Expr): string {
  switch (expr.op) {
    case 'select':
      return selector(expr.metric, expr.matchers);
    case 'rate':
    case 'increase':
      return `${expr.op}(${selector(expr.metric, expr.matchers)}[${duration(expr.windowSeconds)}])`;
    case 'sum':
    case 'max':
      return `${expr.op} by (${expr.by.join(', ')}) (${renderPromQL(expr.expr)})`;
    case 'ratio':
      return `${renderPromQL(expr.numerator)} / on(${expr.on.join(', ')}) ${renderPromQL(expr.denominator)}`;
    case 'histogram_quantile':
      return `histogram_quantile(${expr.quantile}, ${renderPromQL(expr.expr)})`;
  }
}

/** Adds equality matchers to every selector of an expression (the catalog's filter arguments). */
export function withFilters(expr: Expr, filters: Matcher[]): Expr {
  if (filters.length === 0) return expr;
  switch (expr.op) {
    case 'select':
    case 'rate':
    case 'increase':
      return { ...expr, matchers: [...expr.matchers, ...filters] };
    case 'sum':
    case 'max':
      return { ...expr, expr: withFilters(expr.expr, filters) };
    case 'ratio':
      return { ...expr, numerator: withFilters(expr.numerator, filters), denominator: withFilters(expr.denominator, filters) };
    case 'histogram_quantile':
      return { ...expr, expr: withFilters(expr.expr, filters) };
  }
}

/** The longest range window an expression looks back over (embedded data must start that early). */
export function lookbackSeconds(expr: Expr): number {
  switch (expr.op) {
    case 'select':
      return 300;
    case 'rate':
    case 'increase':
      return expr.windowSeconds;
    case 'sum':
    case 'max':
    case 'histogram_quantile':
      return lookbackSeconds(expr.expr);
    case 'ratio':
      return Math.max(lookbackSeconds(expr.numerator), lookbackSeconds(expr.denominator));
  }
}

function selector(metric: string, matchers: Matcher[]): string {
  if (matchers.length === 0) return metric;
  return `${metric}{${matchers.map((m) => `${m.label}${m.op}${quotePromQLString(m.value)}`).join(', ')}}`;
}

function duration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}
