/**
 * Queries are written once as tagged templates with typed parameters and rendered per server:
 *  - `params` (ClickHouse ≥ 19.x, chDB): `{p0:String}` placeholders + `query_params`, never spliced;
 *  - `inline` (ClickHouse 18.16, which answers Code 115 to query parameters): each value becomes a
 *    typed literal through `literal()`, the one escaping function (strings escaped per ClickHouse
 *    rules, integers validated). Nothing else ever builds SQL from values.
 * Identifiers (database, table names) come from configuration and are checked by `identifier()`.
 */
export type ParamType = 'String' | 'UInt8' | 'UInt32' | 'UInt64' | 'Int64' | 'Array(String)';

export interface Param {
  readonly type: ParamType;
  readonly value: string | number | readonly string[];
}

export class Sql {
  constructor(
    readonly strings: readonly string[],
    readonly values: readonly (Param | Sql | Ident)[],
  ) {}
}

/** A checked identifier spliced as `name` (backquoted). */
export class Ident {
  constructor(readonly name: string) {}
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function identifier(name: string): Ident {
  if (!IDENT.test(name)) throw new Error(`invalid ClickHouse identifier: ${JSON.stringify(name)}`);
  return new Ident(name);
}

export const param = (type: ParamType, value: Param['value']): Param => ({ type, value });
export const str = (value: string) => param('String', value);
export const u64 = (value: number) => param('UInt64', value);
export const i64 = (value: number) => param('Int64', value);
export const u32 = (value: number) => param('UInt32', value);
export const strings = (value: readonly string[]) => param('Array(String)', value);

export function sql(strings: TemplateStringsArray, ...values: (Param | Sql | Ident)[]): Sql {
  return new Sql([...strings], values);
}

/** Joins fragments with a separator (e.g. ' AND '). */
export function join(parts: readonly Sql[], separator: string): Sql {
  if (parts.length === 0) return sql``;
  const strings = ['', ...parts.slice(1).map(() => separator), ''];
  return new Sql(strings, parts);
}

export type ParamStyle = 'params' | 'inline';

export interface Rendered {
  query: string;
  query_params?: Record<string, unknown>;
}

export function render(fragment: Sql, style: ParamStyle): Rendered {
  const params: Record<string, unknown> = {};
  let n = 0;
  const walk = (f: Sql): string => {
    let out = f.strings[0]!;
    f.values.forEach((v, i) => {
      if (v instanceof Sql) out += walk(v);
      else if (v instanceof Ident) out += `\`${v.name}\``;
      else if (style === 'inline') out += literal(v);
      else {
        const name = `p${n++}`;
        params[name] = v.value;
        out += `{${name}:${v.type}}`;
      }
      out += f.strings[i + 1]!;
    });
    return out;
  };
  const query = walk(fragment);
  return style === 'params' && n > 0 ? { query, query_params: params } : { query };
}

const RANGES: Record<Exclude<ParamType, 'String' | 'Array(String)'>, [number, number]> = {
  UInt8: [0, 255],
  UInt32: [0, 2 ** 32 - 1],
  UInt64: [0, Number.MAX_SAFE_INTEGER],
  Int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

/** The typed literal for a value: the only place values become SQL text. */
export function literal(p: Param): string {
  switch (p.type) {
    case 'String':
      if (typeof p.value !== 'string') throw new TypeError('String parameter needs a string');
      return quoteString(p.value);
    case 'Array(String)':
      if (!Array.isArray(p.value)) throw new TypeError('Array(String) parameter needs an array');
      return `[${(p.value as readonly unknown[])
        .map((v) => {
          if (typeof v !== 'string') throw new TypeError('Array(String) parameter needs strings');
          return quoteString(v);
        })
        .join(',')}]`;
    default: {
      const [min, max] = RANGES[p.type];
      const v = p.value;
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
        throw new TypeError(`${p.type} parameter out of range: ${String(v)}`);
      }
      return String(v);
    }
  }
}

/**
 * A ClickHouse single-quoted string: backslash and quote are escaped, control characters become
 * `\xHH` (ClickHouse processes backslash escapes in literals), everything else is kept as is.
 */
export function quoteString(value: string): string {
  let out = "'";
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}'`;
}
