/** The one escaping function (ClickHouse 18.16 has no query parameters) and the two renderings. */
import { describe, expect, it } from 'vitest';
import { i64, identifier, literal, quoteString, render, sql, str, strings, u32 } from '../../../src/audit/sql.js';

describe('literal escaping', () => {
  it('escapes quotes, backslashes and control characters per ClickHouse rules', () => {
    expect(quoteString("it's")).toBe("'it\\'s'");
    expect(quoteString('a\\b')).toBe("'a\\\\b'");
    expect(quoteString("\\'")).toBe("'\\\\\\''");
    expect(quoteString('line\nnext\t\0')).toBe("'line\\x0anext\\x09\\x00'");
    expect(quoteString("x' OR 1=1 --")).toBe("'x\\' OR 1=1 --'");
    expect(quoteString('ünïcødé ✓')).toBe("'ünïcødé ✓'");
  });

  it('validates integers and refuses anything else', () => {
    expect(literal(u32(42))).toBe('42');
    expect(literal(i64(-5))).toBe('-5');
    expect(() => literal(u32(-1))).toThrow(/out of range/);
    expect(() => literal(u32(1.5))).toThrow(/out of range/);
    expect(() => literal(u32(2 ** 32))).toThrow(/out of range/);
    expect(() => literal(i64(Number.NaN))).toThrow(/out of range/);
    expect(() => literal({ type: 'UInt64', value: '1; DROP TABLE x' })).toThrow(/out of range/);
    expect(() => literal({ type: 'String', value: 5 })).toThrow(TypeError);
  });

  it('renders string arrays element by element', () => {
    expect(literal(strings(["a'", 'b']))).toBe("['a\\'','b']");
    expect(() => literal({ type: 'Array(String)', value: [1] as unknown as string[] })).toThrow(TypeError);
  });

  it('accepts only plain identifiers', () => {
    expect(identifier('hexabase_logs').name).toBe('hexabase_logs');
    for (const bad of ['a-b', 'x`y', '1abc', 'db.table', '', 'a'.repeat(64)]) expect(() => identifier(bad)).toThrow();
  });
});

describe('render', () => {
  const q = sql`SELECT * FROM ${identifier('db')}.t WHERE a = ${str("o'k")} AND b < ${u32(3)} AND has(${strings(['x'])}, c)`;

  it('uses query parameters where the server supports them', () => {
    expect(render(q, 'params')).toEqual({
      query: 'SELECT * FROM `db`.t WHERE a = {p0:String} AND b < {p1:UInt32} AND has({p2:Array(String)}, c)',
      query_params: { p0: "o'k", p1: 3, p2: ['x'] },
    });
  });

  it('inlines typed literals for ClickHouse 18.16', () => {
    expect(render(q, 'inline')).toEqual({ query: "SELECT * FROM `db`.t WHERE a = 'o\\'k' AND b < 3 AND has(['x'], c)" });
  });

  it('never lets a value change the query structure', () => {
    const evil = "'; DROP TABLE audit_events; --";
    const { query } = render(sql`SELECT 1 WHERE x = ${str(evil)}`, 'inline');
    expect(query).toBe("SELECT 1 WHERE x = '\\'; DROP TABLE audit_events; --'");
  });
});
