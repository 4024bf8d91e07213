/**
 * How far a PromQL expression reads in time, beyond the query's own time window: range selectors
 * (`x[30d]`), subqueries (`f(x)[30d:1s]`), offsets (`offset 1y`) and `@` timestamps. Without this
 * check the range and lookback limits of a query could be bypassed inside the expression itself
 * (`max_over_time(x[1y])` at an allowed instant), and nested subqueries multiply Prometheus's work
 * (`[30d:1s]` evaluates the inner expression 2.6 million times per series).
 *
 * For every selector the ranges and offset magnitudes of its enclosing nodes are added up (what it
 * reads before each evaluation instant) and the subquery points multiplied (how often it is
 * evaluated per outer step). Duration arithmetic (`[5m * 2]`, `step()`), experimental in Prometheus
 * 3 and absent from 2.x, is refused rather than estimated.
 */
import type { SyntaxNode } from '@lezer/common';
import { parser } from '@prometheus-io/lezer-promql';
import { MetricsError } from '../metrics-error.js';
import { parseDuration } from '../query-window.js';
import { MAX_FUTURE_SECONDS, type ReadBounds } from '../read-bounds.js';

export interface TimeReach {
  /** The most any selector reads before an evaluation instant, in seconds. */
  lookbackSeconds: number;
  /** The most inner evaluations any selector gets per outer evaluation instant (product of subquery points). */
  subqueryPoints: number;
  /** Absolute `@` times (Unix seconds). */
  atTimes: number[];
}

/** Measures a (parseable) PromQL expression's reach in time. */
export function timeReach(query: string): TimeReach {
  const reach: TimeReach = { lookbackSeconds: 0, subqueryPoints: 1, atTimes: [] };
  const cursor = parser.parse(query).cursor();
  do {
    const node = cursor.node;
    if (node.name === 'VectorSelector') {
      const { lookbackSeconds, subqueryPoints } = reachOfSelector(node, query);
      reach.lookbackSeconds = Math.max(reach.lookbackSeconds, lookbackSeconds);
      reach.subqueryPoints = Math.max(reach.subqueryPoints, subqueryPoints);
    } else if (node.name === 'StepInvariantExpr') {
      const literal = node.getChild('NumberDurationLiteral');
      if (literal) reach.atTimes.push(atTime(query.slice(literal.from, literal.to)));
    }
  } while (cursor.next());
  return reach;
}

/** Checks an expression's reach against the bounds (400 limit_exceeded naming the limit). */
export function checkTimeReach(query: string, nowSeconds: number, bounds: ReadBounds): void {
  const reach = timeReach(query);
  if (reach.lookbackSeconds > bounds.maxLookbackSeconds) {
    throw new MetricsError(
      'limit_exceeded',
      `the query reads ${days(reach.lookbackSeconds)} back from each evaluation time (ranges, subqueries and offsets added up); the limit is ${days(bounds.maxLookbackSeconds)}`,
      { limit: 'lookback' },
    );
  }
  if (reach.subqueryPoints > bounds.maxPointsPerSeries) {
    throw new MetricsError(
      'limit_exceeded',
      `the subqueries evaluate ${Math.round(reach.subqueryPoints)} points per series at each evaluation time; the limit is ${bounds.maxPointsPerSeries}: use a larger subquery step`,
      { limit: 'points_per_series' },
    );
  }
  for (const t of reach.atTimes) {
    if (t < nowSeconds - bounds.maxLookbackSeconds || t > nowSeconds + MAX_FUTURE_SECONDS) {
      throw new MetricsError('limit_exceeded', `@ ${t} lies outside the readable time (the last ${days(bounds.maxLookbackSeconds)})`, {
        limit: 'lookback',
      });
    }
  }
}

function reachOfSelector(selector: SyntaxNode, query: string): { lookbackSeconds: number; subqueryPoints: number } {
  let lookbackSeconds = 0;
  let subqueryPoints = 1;
  for (let n: SyntaxNode | null = selector.parent; n; n = n.parent) {
    if (n.name === 'MatrixSelector') {
      lookbackSeconds += durationOf(n.getChild('DurationExpr'), query);
    } else if (n.name === 'SubqueryExpr') {
      const [range, step] = n.getChildren('DurationExpr');
      const rangeSeconds = durationOf(range ?? null, query);
      lookbackSeconds += rangeSeconds;
      // Without a step Prometheus uses its global evaluation interval (1 m by default).
      subqueryPoints *= rangeSeconds / (step ? durationOf(step, query) : 60) + 1;
    } else if (n.name === 'OffsetExpr') {
      lookbackSeconds += Math.abs(durationOf(n.getChild('OffsetDurationExpr'), query));
    }
  }
  return { lookbackSeconds, subqueryPoints };
}

/** A literal duration, possibly signed or parenthesised; anything computed is refused. */
function durationOf(node: SyntaxNode | null, query: string): number {
  if (!node) throw new MetricsError('invalid_query', 'the query has a range, subquery or offset without a duration');
  const children: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) children.push(c);
  if (children.length === 1 && children[0]!.name === 'NumberDurationLiteralInDurationContext') {
    return parseDuration(query.slice(children[0]!.from, children[0]!.to), 'duration'); // `5m`, `1h30m`, or seconds
  }
  if (children.length === 1 && (children[0]!.name === 'DurationExpr' || children[0]!.name === 'OffsetDurationExpr'))
    return durationOf(children[0]!, query);
  if (children.length === 2 && children[0]!.name === 'UnaryOp') {
    const sign = query.slice(children[0]!.from, children[0]!.to) === '-' ? -1 : 1;
    return sign * durationOf(children[1]!, query);
  }
  throw new MetricsError(
    'invalid_query',
    `duration expressions such as "${query.slice(node.from, node.to).slice(0, 40)}" are not supported: write a plain duration (5m, 1h)`,
  );
}

function atTime(text: string): number {
  const t = Number(text);
  if (!Number.isFinite(t)) throw new MetricsError('invalid_query', `@ ${text.slice(0, 40)} is not a Unix time`);
  return t;
}

function days(seconds: number): string {
  return seconds >= 86_400 ? `${Math.round((seconds / 86_400) * 10) / 10} d` : `${Math.round(seconds)} s`;
}
