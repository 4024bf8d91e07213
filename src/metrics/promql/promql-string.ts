/**
 * PromQL string literals (Go rules): "double" and 'single' quoted with escapes, or `raw`. We must
 * compare label values exactly as Prometheus will read them, so `"ws-\x62"` is `ws-b`.
 */
const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '"': '"',
  "'": "'",
};

/** Returns the value of a PromQL string literal, or undefined when it is not a valid literal. */
export function unquotePromQLString(literal: string): string | undefined {
  if (literal.length < 2) return undefined;
  const quote = literal[0];
  if (quote !== literal.at(-1) || (quote !== '"' && quote !== "'" && quote !== '`')) return undefined;
  const body = literal.slice(1, -1);
  if (quote === '`') return body.includes('`') ? undefined : body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === quote || c === '\n') return undefined;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    if (e === undefined) return undefined;
    if (e in SIMPLE_ESCAPES) {
      if ((e === '"' || e === "'") && e !== quote) return undefined; // Go allows only the enclosing quote
      out += SIMPLE_ESCAPES[e];
      continue;
    }
    const hex = { x: 2, u: 4, U: 8 }[e as 'x' | 'u' | 'U'];
    if (hex !== undefined) {
      const digits = body.slice(i + 1, i + 1 + hex);
      if (digits.length !== hex || !/^[0-9a-fA-F]+$/.test(digits)) return undefined;
      const code = parseInt(digits, 16);
      if (code > 0x10ffff) return undefined;
      out += String.fromCodePoint(code);
      i += hex;
      continue;
    }
    if (e >= '0' && e <= '7') {
      const digits = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(digits)) return undefined;
      out += String.fromCharCode(parseInt(digits, 8));
      i += 2;
      continue;
    }
    return undefined;
  }
  return out;
}

/** Quotes a value as a PromQL double-quoted string. */
export function quotePromQLString(value: string): string {
  return JSON.stringify(value); // JSON escapes are a subset of Go's, and Prometheus reads them the same way
}
