/**
 * Hostile values for the fuzz suite, as fast-check arbitraries: strings (NUL, lone surrogates, RTL
 * and other bidi controls, path tricks, huge), numbers (1e308, overflowing literals, unit-suffixed
 * durations), and JSON (wrong types, deep nesting, prototype keys, duplicate keys).
 *
 * Large or raw values are *markers* (Repeat, RawJson, SecondsAgo) that become text only when the
 * request is sent: fast-check shrinks their small parameters, and a counterexample prints as
 * `repeat("(", 100000)` rather than as 100 kB of brackets.
 */
import fc from 'fast-check';

/** `unit` repeated `count` times. */
export class Repeat {
  constructor(
    readonly unit: string,
    readonly count: number,
    readonly prefix = '',
    readonly suffix = '',
  ) {}
  text(): string {
    return this.prefix + this.unit.repeat(this.count) + this.suffix;
  }
  [fc.toStringMethod](): string {
    return `repeat(${JSON.stringify(this.prefix)} + ${JSON.stringify(this.unit)}×${this.count} + ${JSON.stringify(this.suffix)})`;
  }
}

/** A JSON fragment inserted verbatim where a value goes: literals JSON.stringify cannot write. */
export class RawJson {
  constructor(
    readonly label: string,
    readonly build: () => string,
  ) {}
  text(): string {
    return this.build();
  }
  [fc.toStringMethod](): string {
    return `raw(${this.label})`;
  }
}

/** A time `seconds` before the moment of sending, as Unix seconds or RFC 3339 (times are relative so a replay means the same thing). */
export class SecondsAgo {
  constructor(
    readonly seconds: number,
    readonly format: 'unix' | 'rfc3339',
  ) {}
  text(nowMs = Date.now()): string {
    const t = Math.floor(nowMs / 1000) - this.seconds;
    return this.format === 'unix' ? String(t) : new Date(t * 1000).toISOString();
  }
  [fc.toStringMethod](): string {
    return `secondsAgo(${this.seconds}, ${this.format})`;
  }
}

/** A string-valued piece of a request before it is sent. */
export type Text = string | Repeat | SecondsAgo;
/** A JSON value before it is serialised. */
export type Json = null | boolean | number | Text | RawJson | Json[] | { [key: string]: Json };

export const textOf = (t: Text): string => (typeof t === 'string' ? t : t.text());

const DEEP = [64, 1_000, 5_000, 100_000] as const;

/** Characters that break naive string handling somewhere: NUL, controls, bidi overrides, lone surrogates, BOM. */
export const NASTY_CHARS = [
  '\u0000',
  '\u0001',
  '\u0007',
  '\u001b',
  '\t',
  '\n',
  '\r',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u200b',
  '\u200d',
  '\u200e',
  '\u200f',
  '\u202a',
  '\u202e',
  '\u2066',
  '\u2069',
  '\u2028',
  '\u2029',
  '\ufeff',
  '\ufffd',
  '\uffff',
  '\ud800',
  '\udbff',
  '\udc00',
  '\udfff',
  '\u{10ffff}',
  '\u{1f4a9}',
  'e\u0301',
  '\u0130',
  '\u0131',
  'ß',
  'ǅ',
  '\u05d0',
  '\u0627',
  '١',
  '１',
  '"',
  "'",
  '`',
  '\\',
  '/',
  '%',
  '&',
  '=',
  '?',
  '#',
  ';',
  ',',
  '+',
  '*',
  '$',
  '{',
  '}',
  '[',
  ']',
  '(',
  ')',
  '<',
  '>',
  '|',
  '~',
  '^',
] as const;

/** Ready-made hostile strings, each a known way to hurt a parser, a path join, a template or a query. */
export const HOSTILE_STRINGS = [
  '',
  ' ',
  '  padded  ',
  'a\u0000b',
  '\u0000',
  '\ud800',
  'x\udfffy',
  '\udbff\udbff',
  '\u202eevil.exe',
  '\u2066rtl\u2069',
  '\u05d0\u05d1\u05d2',
  '\ufeffbom',
  'e\u0301\u0301\u0301',
  '\u{1f469}\u200d\u{1f469}\u200d\u{1f467}',
  '\r\nX-Injected: 1',
  '\u001b[31mred',
  '.',
  '..',
  '../..',
  '../../etc/passwd',
  '..\\..\\windows',
  '%2e%2e',
  '%2E%2E%2F',
  '..%2f..%2f',
  '%2f',
  '%5c',
  '%00',
  '%',
  '%zz',
  '//',
  '/./',
  'a/../b',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '__defineGetter__',
  '%s%s%s%n',
  '${7*7}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  "'; DROP TABLE t; --",
  '" OR 1=1 --',
  '\\u0000',
  'NaN',
  'Infinity',
  '-Infinity',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '-0',
  '0x1f',
  '0b11',
  '1_000',
  '1e308',
  '-1e308',
  '1e309',
  '4.9e-324',
  '99999999999999999999999999',
  '-1',
  '0',
  '1.5',
  ' 1 ',
  '١٢٣',
  '１２３',
  '99999999999999y',
  '9999999999999999w',
  '1h-5m',
  '5m5m5m5m',
  '0s',
  '-5m',
  '+275760-09-13T00:00:00.001Z',
  '-271821-04-20T00:00:00Z',
  '2024-02-30T25:61:61Z',
  '0000-00-00T00:00:00Z',
  '1970-01-01T00:00:00Z',
  '2999-01-01T00:00:00Z',
  'up{workspace_id="other"}',
  'sum by (workspace_id) (up)',
  'label_replace(up, "workspace_id", "x", "", "")',
  'up or on() vector(1)',
  'count_values("workspace_id", up)',
  '{__name__=~".+"}',
  'info(up)',
  'up offset -10000d',
  'rate(up[99999d])',
  'up @ 1e308',
  'deployment/..',
  'deployment/.',
  'pod/../../secrets',
  'kind/name/extra',
  'deployment/%2e%2e',
] as const;

/**
 * Strings far outside any documented length: past the field limits (64 … 16 KiB), and past the
 * request limits (the head limit is 16 KiB, the body limit 1 MiB), which only a few cases need.
 */
export const hugeText = (): fc.Arbitrary<Repeat> => {
  const unit = fc.constantFrom('a', 'é', '\u0000', '\ud83d\udca9', '(', '[', '{', '%2e', '../');
  return fc.oneof(
    { weight: 4, arbitrary: fc.tuple(fc.constantFrom(65, 101, 129, 257, 1_025, 4_001, 8_193), unit).map(([n, u]) => new Repeat(u, n)) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(16_385, 65_537, 300_000, 1_100_000), unit).map(([n, u]) => new Repeat(u, n)) },
    { weight: 1, arbitrary: fc.constantFrom(...DEEP).map((n) => new Repeat('(', n, 'sum(', '')) },
  );
};

/** Any string, weighted towards the nasty. */
export function hostileText(): fc.Arbitrary<Text> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
    { weight: 3, arbitrary: fc.string({ unit: fc.constantFrom(...NASTY_CHARS), maxLength: 24 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    {
      weight: 1,
      arbitrary: fc.string({
        unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
        minLength: 1,
        maxLength: 4,
      }),
    },
    { weight: 2, arbitrary: hugeText() },
  );
}

/** Numbers at and beyond the edges of every numeric type, including literals JSON.parse turns into Infinity. */
export function hostileNumber(): fc.Arbitrary<number | RawJson> {
  return fc.oneof(
    fc.constantFrom(
      0,
      -0,
      -1,
      1.5,
      -1.5,
      0.1,
      2 ** 31,
      -(2 ** 31),
      2 ** 32,
      2 ** 53,
      2 ** 53 + 2,
      -(2 ** 53),
      1e21,
      1e300,
      1e308,
      -1e308,
      Number.MAX_VALUE,
      Number.MIN_VALUE,
      8.64e15,
      8.64e15 + 1,
    ),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc
      .constantFrom('1e400', '-1e400', '1e-400', '123456789012345678901234567890', '-0.0', '1E+2', '0.0000000000000000000001')
      .map((lit) => new RawJson(lit, () => lit)),
  );
}

/** JSON text that is deeply nested, enormous, or uses keys and literals that trip parsers and object handling. */
export function hostileRawJson(): fc.Arbitrary<RawJson> {
  return fc.oneof(
    fc.constantFrom(...DEEP).map((n) => new RawJson(`array depth ${n}`, () => '['.repeat(n) + ']'.repeat(n))),
    fc.constantFrom(...DEEP).map((n) => new RawJson(`object depth ${n}`, () => '{"a":'.repeat(n) + '{}' + '}'.repeat(n))),
    fc.constantFrom(...DEEP).map((n) => new RawJson(`__proto__ depth ${n}`, () => '{"__proto__":'.repeat(n) + '{}' + '}'.repeat(n))),
    fc.constantFrom(10_000, 100_000).map((n) => new RawJson(`array of ${n} items`, () => `[${Array(n).fill('0').join(',')}]`)),
    fc
      .constantFrom(10_000, 50_000)
      .map((n) => new RawJson(`object of ${n} keys`, () => `{${Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(',')}}`)),
    fc
      .constantFrom(
        '{"__proto__":{"admin":true,"permissions":["aiops:admin"]}}',
        '{"constructor":{"prototype":{"polluted":true}}}',
        '{"a":1,"a":2,"a":{"b":3}}',
        '{"":""}',
        '[null,true,1,"x",{},[]]',
      )
      .map((lit) => new RawJson(lit, () => lit)),
  );
}

/** A JSON value of any type (what a field of the wrong type receives). */
export function anyJson(): fc.Arbitrary<Json> {
  const leaf: fc.Arbitrary<Json> = fc.oneof(fc.constant(null), fc.boolean(), hostileNumber(), hostileText());
  return fc.oneof(
    { weight: 4, arbitrary: leaf },
    { weight: 1, arbitrary: fc.array(leaf, { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.dictionary(hostileKey(), leaf, { maxKeys: 4 }) },
    { weight: 1, arbitrary: hostileRawJson() },
  );
}

/** Object keys that are not plain identifiers. */
export function hostileKey(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom('__proto__', 'constructor', 'prototype', '', ' ', 'a.b', 'a[0]', '$where', 'workspace_id', 'toString'),
    fc.string({ unit: fc.constantFrom(...NASTY_CHARS), maxLength: 8 }),
    fc.string({ maxLength: 12 }),
  );
}

/** JSON text from a Json value, raw fragments inserted verbatim. */
export function toJsonText(v: Json): string {
  if (v instanceof RawJson) return v.text();
  if (v instanceof Repeat || v instanceof SecondsAgo) return JSON.stringify(v.text());
  if (Array.isArray(v)) return `[${v.map(toJsonText).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}:${toJsonText(x)}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

/** How deep a Json value nests (raw fragments count by their label). */
export function nestingDepth(v: Json): number {
  if (v instanceof RawJson) return Number(/depth (\d+)/.exec(v.label)?.[1] ?? 1);
  if (Array.isArray(v)) return 1 + Math.max(0, ...v.map(nestingDepth));
  if (v !== null && typeof v === 'object' && !(v instanceof Repeat) && !(v instanceof SecondsAgo))
    return 1 + Math.max(0, ...Object.values(v).map(nestingDepth));
  return 0;
}
