/**
 * A canonical spelling of a PromQL expression for cache keys: comments dropped and whitespace
 * collapsed outside string literals (so `a  +  b` and `a + b # x` share an entry, while
 * `{pod="a  b"}` and `{pod="a b"}` do not).
 */
import { parser } from '@prometheus-io/lezer-promql';

export function normalisePromQL(query: string): string {
  const keep: { from: number; to: number }[] = [];
  const drop: { from: number; to: number }[] = [];
  parser.parse(query).iterate({
    enter: (n) => {
      if (n.name === 'StringLiteral') keep.push({ from: n.from, to: n.to });
      else if (n.name === 'LineComment') drop.push({ from: n.from, to: n.to });
    },
  });
  let out = '';
  let pos = 0;
  // Outside literals: collapse runs of whitespace, and drop it next to operators and brackets.
  const squash = (text: string) => text.replace(/\s+/g, ' ').replace(/ ?([(){}[\],=!~<>+\-*/^%@:]) ?/g, '$1');
  for (const r of [...keep.map((k) => ({ ...k, keep: true })), ...drop.map((d) => ({ ...d, keep: false }))].sort(
    (a, b) => a.from - b.from,
  )) {
    out += squash(query.slice(pos, r.from));
    if (r.keep) out += query.slice(r.from, r.to);
    pos = r.to;
  }
  out += squash(query.slice(pos));
  return out.trim();
}
