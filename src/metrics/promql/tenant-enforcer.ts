/**
 * Confines a PromQL expression to one workspace, the way prom-label-proxy does, on the Prometheus
 * project's own grammar (@prometheus-io/lezer-promql), never with regexes on query text:
 *
 * - every vector and matrix selector (wherever it sits: function arguments, aggregations, binary
 *   operands with on()/ignoring(), subqueries, under offset/@ modifiers) gets `<label>="<ws>"`;
 * - a selector that already matches the tenant label must do so with `=` and the caller's own
 *   workspace; another workspace, `!=`, `=~` or `!~` on the tenant label is refused;
 * - functions that could forge or bypass the tenant label are refused: label_replace/label_join
 *   writing it, count_values naming it, and info(), which selects target_info on its own;
 * - the rewritten query is parsed and checked again before it leaves (defence in depth).
 */
import type { SyntaxNode, Tree } from '@lezer/common';
import { parser } from '@prometheus-io/lezer-promql';
import { quotePromQLString, unquotePromQLString } from './promql-string.js';

export class TenantQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TenantQueryError';
  }
}

export interface TenantScope {
  /** The tenant label, `workspace_id` on Hexabase. */
  label: string;
  /** The caller's workspace, from the verified token: never from the query. */
  workspaceId: string;
}

interface Edit {
  from: number;
  to: number;
  text: string;
}

const FORBIDDEN_FUNCTIONS = new Set(['info']);
const LABEL_WRITING_FUNCTIONS = new Set(['label_replace', 'label_join']);
const MAX_QUERY_LENGTH = 16_384;

/** Returns `query` with every selector confined to the scope's workspace, or throws TenantQueryError. */
export function enforceTenant(query: string, scope: TenantScope): string {
  const tree = parseStrict(query);
  const edits: Edit[] = [];
  walk(tree, (node) => {
    if (node.name === 'VectorSelector') {
      const edit = confineSelector(node, query, scope);
      if (edit) edits.push(edit);
    } else if (node.name === 'FunctionCall') {
      checkFunction(node, query, scope);
    } else if (node.name === 'AggregateExpr') {
      checkAggregate(node, query, scope);
    }
  });
  let rewritten = query;
  for (const e of edits.sort((a, b) => b.from - a.from)) rewritten = rewritten.slice(0, e.from) + e.text + rewritten.slice(e.to);
  assertConfined(rewritten, scope);
  return rewritten;
}

/**
 * For `match[]` of the series and label APIs: the value must be a bare series selector
 * (`metric{…}` or `{…}`), which is then confined like any selector.
 */
export function enforceSeriesSelector(selector: string, scope: TenantScope): string {
  const tree = parseStrict(selector);
  const top = tree.topNode.firstChild;
  if (
    !top ||
    top.name !== 'VectorSelector' ||
    top.nextSibling?.name === 'LineComment' ||
    top.to !== selector.trimEnd().length ||
    top.from !== selector.length - selector.trimStart().length
  ) {
    throw new TenantQueryError('match[] must be a series selector such as metric{label="value"}');
  }
  return enforceTenant(selector, scope);
}

/** A workspace selector for APIs that require at least one match[] (e.g. label values of the workspace). */
export function workspaceSelector(scope: TenantScope): string {
  return `{${scope.label}=${quotePromQLString(scope.workspaceId)}}`;
}

function parseStrict(query: string): Tree {
  if (query.trim() === '') throw new TenantQueryError('the query is empty');
  if (query.length > MAX_QUERY_LENGTH) throw new TenantQueryError(`the query is longer than ${MAX_QUERY_LENGTH} characters`);
  const tree = parser.parse(query);
  let error: number | undefined;
  tree.iterate({
    enter: (n) => {
      if (n.type.isError && error === undefined) error = n.from;
      return error === undefined;
    },
  });
  if (error !== undefined) {
    throw new TenantQueryError(
      `the query cannot be parsed as PromQL (near character ${error + 1}: "${query.slice(Math.max(0, error - 10), error + 10)}")`,
    );
  }
  return tree;
}

function walk(tree: Tree, visit: (node: SyntaxNode) => void): void {
  const cursor = tree.cursor();
  do visit(cursor.node);
  while (cursor.next());
}

function confineSelector(selector: SyntaxNode, query: string, scope: TenantScope): Edit | undefined {
  const matchers = selector.getChild('LabelMatchers');
  const wanted = `${scope.label}=${quotePromQLString(scope.workspaceId)}`;
  if (!matchers) return { from: selector.to, to: selector.to, text: `{${wanted}}` };
  const parts: string[] = [];
  let alreadyConfined = false;
  for (let m = matchers.firstChild; m; m = m.nextSibling) {
    if (m.name !== 'UnquotedLabelMatcher' && m.name !== 'QuotedLabelMatcher' && m.name !== 'QuotedLabelName') continue;
    parts.push(query.slice(m.from, m.to));
    if (m.name === 'QuotedLabelName') continue; // a quoted metric name: {"metric.name"}
    const name = labelNameOf(m, query);
    if (name !== scope.label) continue;
    const op = query.slice(m.getChild('MatchOp')!.from, m.getChild('MatchOp')!.to);
    const valueNode = m.getChild('StringLiteral');
    const value = valueNode ? unquotePromQLString(query.slice(valueNode.from, valueNode.to)) : undefined;
    if (op !== '=') throw new TenantQueryError(`"${scope.label}" may only be matched with "=" (found "${op}")`);
    if (value !== scope.workspaceId)
      throw new TenantQueryError(`the query names another workspace in "${scope.label}"; only "${scope.workspaceId}" is allowed`);
    alreadyConfined = true;
  }
  if (alreadyConfined) return undefined;
  return { from: matchers.from, to: matchers.to, text: `{${[...parts, wanted].join(', ')}}` };
}

function labelNameOf(matcher: SyntaxNode, query: string): string | undefined {
  if (matcher.name === 'UnquotedLabelMatcher') {
    const n = matcher.getChild('LabelName');
    return n ? query.slice(n.from, n.to) : undefined;
  }
  const quoted = matcher.getChild('QuotedLabelName')?.getChild('StringLiteral');
  return quoted ? unquotePromQLString(query.slice(quoted.from, quoted.to)) : undefined;
}

function checkFunction(call: SyntaxNode, query: string, scope: TenantScope): void {
  const idNode = call.getChild('FunctionIdentifier');
  const name = idNode ? query.slice(idNode.from, idNode.to) : '';
  if (FORBIDDEN_FUNCTIONS.has(name))
    throw new TenantQueryError(`${name}() is not allowed: it selects series outside the query's own selectors`);
  if (!LABEL_WRITING_FUNCTIONS.has(name)) return;
  const args = call.getChild('FunctionCallBody');
  const destination = args?.getChildren('StringLiteral')[0];
  const label = destination ? unquotePromQLString(query.slice(destination.from, destination.to)) : undefined;
  if (label === undefined || label === scope.label) {
    throw new TenantQueryError(`${name}() may not write the "${scope.label}" label`);
  }
}

function checkAggregate(aggregate: SyntaxNode, query: string, scope: TenantScope): void {
  const op = aggregate.getChild('AggregateOp');
  if (!op || query.slice(op.from, op.to) !== 'count_values') return;
  const param = aggregate.getChild('FunctionCallBody')?.getChildren('StringLiteral')[0];
  const label = param ? unquotePromQLString(query.slice(param.from, param.to)) : undefined;
  if (label === undefined || label === scope.label) throw new TenantQueryError(`count_values() may not write the "${scope.label}" label`);
}

/** Re-parses the rewritten query and checks that every selector carries exactly our tenant matcher. */
function assertConfined(rewritten: string, scope: TenantScope): void {
  const tree = parseStrict(rewritten);
  walk(tree, (node) => {
    if (node.name !== 'VectorSelector') return;
    const matchers = node.getChild('LabelMatchers');
    let ok = false;
    for (let m = matchers?.firstChild; m; m = m.nextSibling) {
      if (m.name !== 'UnquotedLabelMatcher' && m.name !== 'QuotedLabelMatcher') continue;
      if (labelNameOf(m, rewritten) !== scope.label) continue;
      const op = m.getChild('MatchOp');
      const value = m.getChild('StringLiteral');
      ok =
        !!op &&
        rewritten.slice(op.from, op.to) === '=' &&
        !!value &&
        unquotePromQLString(rewritten.slice(value.from, value.to)) === scope.workspaceId;
    }
    if (!ok) throw new Error(`tenant enforcement failed to confine a selector: ${rewritten.slice(node.from, node.to)}`);
  });
}
