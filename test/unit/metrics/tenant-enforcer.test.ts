import { describe, expect, it } from 'vitest';
import { unquotePromQLString } from '../../../src/metrics/promql/promql-string.js';
import { enforceSeriesSelector, enforceTenant, TenantQueryError } from '../../../src/metrics/promql/tenant-enforcer.js';

const scope = { label: 'workspace_id', workspaceId: 'ws-a' };
const W = 'workspace_id="ws-a"';
const enforce = (q: string) => enforceTenant(q, scope);

describe('enforceTenant rewrites every selector', () => {
  it.each([
    ['up', `up{${W}}`],
    ['up{job="x"}', `up{job="x", ${W}}`],
    ['up{job="x",}', `up{job="x", ${W}}`],
    ['{__name__=~".+"}', `{__name__=~".+", ${W}}`],
    ['rate(foo[5m])', `rate(foo{${W}}[5m])`],
    ['sum by (namespace) (rate(foo{a="b"}[5m] offset 1h))', `sum by (namespace) (rate(foo{a="b", ${W}}[5m] offset 1h))`],
    ['max_over_time(rate(x[5m])[1h:1m] @ 1700000000)', `max_over_time(rate(x{${W}}[5m])[1h:1m] @ 1700000000)`],
    ['a or on() b', `a{${W}} or on() b{${W}}`],
    ['a unless ignoring(workspace_id) b', `a{${W}} unless ignoring(workspace_id) b{${W}}`],
    ['a and on(workspace_id) vector(1)', `a{${W}} and on(workspace_id) vector(1)`],
    ['absent(nonexistent)', `absent(nonexistent{${W}})`],
    ['count_values("version", build_info)', `count_values("version", build_info{${W}})`],
    ['label_replace(up, "instance2", "$1", "instance", "(.*)")', `label_replace(up{${W}}, "instance2", "$1", "instance", "(.*)")`],
    ['topk(3, sum by (pod) (x)) / on(pod) group_left y', `topk(3, sum by (pod) (x{${W}})) / on(pod) group_left y{${W}}`],
    ['histogram_quantile(0.9, sum by (le) (rate(h_bucket[5m])))', `histogram_quantile(0.9, sum by (le) (rate(h_bucket{${W}}[5m])))`],
    [`up{${W}}`, `up{${W}}`],
    ['up{workspace_id="ws-\\x61"}', 'up{workspace_id="ws-\\x61"}'],
    ['{"weird.metric", job="x"}', `{"weird.metric", job="x", ${W}}`],
    ['up # comment {workspace_id="ws-b"}', `up{${W}} # comment {workspace_id="ws-b"}`],
    ['"literal" ', '"literal" '],
    ['1 + 1', '1 + 1'],
  ])('%s', (query, expected) => {
    expect(enforce(query)).toBe(expected);
  });
});

describe('enforceTenant refuses', () => {
  it.each([
    ['another workspace', 'up{workspace_id="ws-b"}', /another workspace/],
    ['another workspace, escaped', 'up{workspace_id="ws-\\x62"}', /another workspace/],
    ['another workspace, raw string', 'up{workspace_id=`ws-b`}', /another workspace/],
    ['another workspace, quoted label name', 'up{"workspace_id"="ws-b"}', /another workspace/],
    ['regex on the tenant label', 'up{workspace_id=~"ws-.*"}', /only be matched with "="/],
    ['regex matching the own workspace only', 'up{workspace_id=~"ws-a"}', /only be matched with "="/],
    ['negation', 'up{workspace_id!="ws-a"}', /only be matched with "="/],
    ['negative regex', 'up{workspace_id!~"x"}', /only be matched with "="/],
    ['own and another workspace', 'up{workspace_id="ws-a", workspace_id="ws-b"}', /another workspace/],
    ['other workspace inside a function', 'rate(x{workspace_id="ws-b"}[5m])', /another workspace/],
    ['other workspace in the right operand', 'up or on() up{workspace_id="ws-b"}', /another workspace/],
    ['other workspace in a subquery', 'max_over_time(up{workspace_id="ws-b"}[1h:])', /another workspace/],
    ['other workspace inside absent()', 'absent(up{workspace_id="ws-b"})', /another workspace/],
    ['label_replace writing the tenant label', 'label_replace(up, "workspace_id", "ws-b", "", "")', /may not write/],
    ['label_join writing the tenant label', 'label_join(up, "workspace_id", ",", "job")', /may not write/],
    ['count_values naming the tenant label', 'count_values("workspace_id", up)', /may not write/],
    ['info()', 'info(up)', /info\(\) is not allowed/],
    ['unparseable', 'up{', /cannot be parsed/],
    ['garbage', 'sum(', /cannot be parsed/],
    ['empty', '   ', /empty/],
  ])('%s', (_label, query, message) => {
    expect(() => enforce(query)).toThrow(TenantQueryError);
    expect(() => enforce(query)).toThrow(message);
  });
});

describe('enforceSeriesSelector', () => {
  it('confines a bare selector', () => {
    expect(enforceSeriesSelector('up{job="x"}', scope)).toBe(`up{job="x", ${W}}`);
    expect(enforceSeriesSelector('{__name__=~"container_.*"}', scope)).toBe(`{__name__=~"container_.*", ${W}}`);
  });
  it.each(['rate(up[5m])', 'up or down', 'up[5m]', 'sum(up)', 'up{workspace_id="ws-b"}'])('refuses %s', (sel) => {
    expect(() => enforceSeriesSelector(sel, scope)).toThrow(TenantQueryError);
  });
});

describe('unquotePromQLString', () => {
  it.each([
    ['"a\\"b"', 'a"b'],
    ["'a\\'b'", "a'b"],
    ['`a\\nb`', 'a\\nb'],
    ['"\\u0041\\101\\x41"', 'AAA'],
  ])('%s', (literal, value) => expect(unquotePromQLString(literal)).toBe(value));
  it.each(['"a', '"\\q"', '"\\x4"', "'a\\\"'"])('rejects %s', (literal) => expect(unquotePromQLString(literal)).toBeUndefined());
});
