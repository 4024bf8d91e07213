/**
 * fast-check arbitraries derived from the JSON schemas of the OpenAPI document (the subset zod
 * emits: string with pattern/length/enum/format, integer and number with bounds, boolean, null,
 * array, object with required and additionalProperties, anyOf). For every schema node:
 *   - `validValue`: values the schema accepts, with its boundary values;
 *   - `hostileValue`: values it must refuse (wrong types, out of bounds, broken patterns) and
 *     hostile values of any kind;
 *   - `fuzzValue`: mostly valid with hostile values mixed in at every level, so one bad field can
 *     sit inside an otherwise valid request and reach the code behind validation.
 */
import fc from 'fast-check';
import {
  anyJson,
  hostileKey,
  hostileNumber,
  hostileRawJson,
  hostileText,
  RawJson,
  Repeat,
  SecondsAgo,
  type Json,
} from './hostile-values.js';

export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  default?: unknown;
}

/** Extra valid-looking values for a field, by name (times, durations, PromQL…: meaning the schema cannot express). */
export type Hints = (name: string) => fc.Arbitrary<Json> | undefined;

const NO_HINTS: Hints = () => undefined;
const typeOf = (s: JsonSchema): string | undefined => (Array.isArray(s.type) ? s.type[0] : s.type);

/** `strict`: valid all the way down; otherwise the children of objects and arrays are `fuzzValue`s. */
export function validValue(s: JsonSchema, name = '', hints: Hints = NO_HINTS, strict = false): fc.Arbitrary<Json> {
  const hint = hints(name);
  const base = schemaValid(s, name, hints, strict);
  return hint ? fc.oneof({ weight: 3, arbitrary: hint }, { weight: 1, arbitrary: base }) : base;
}

function schemaValid(s: JsonSchema, name: string, hints: Hints, strict: boolean): fc.Arbitrary<Json> {
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((a) => validValue(a, name, hints, strict)));
  if (s.enum) return fc.constantFrom(...(s.enum as Json[]));
  switch (typeOf(s)) {
    case 'string':
      return validString(s);
    case 'integer':
      return validNumber(s, true);
    case 'number':
      return validNumber(s, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const item = strict ? validValue(s.items ?? {}, singular(name), hints, true) : fuzzValue(s.items ?? {}, singular(name), hints);
      const min = s.minItems ?? 0;
      return fc.array(item, { minLength: min, maxLength: Math.min(s.maxItems ?? 4, Math.max(min, 4)) });
    }
    case 'object':
      return validObject(s, hints, strict);
    default:
      return anyJson();
  }
}

/** Last segments a pattern may still accept and a path, key or URL may not: dot segments and lone separators. */
const EDGE_SEGMENTS = ['.', '..', '...', '-', '_', '0'];

function validString(s: JsonSchema): fc.Arbitrary<Json> {
  const max = s.maxLength ?? 10_000;
  const min = s.minLength ?? 0;
  if (!s.pattern) {
    // The longest accepted value, when the schema says how long that is.
    const boundary = s.maxLength !== undefined ? [{ weight: 1, arbitrary: fc.constant<Json>(new Repeat('x', s.maxLength)) }] : [];
    return fc.oneof({ weight: 6, arbitrary: fc.string({ minLength: min, maxLength: Math.min(max, 48), unit: 'grapheme' }) }, ...boundary);
  }
  // eslint-disable-next-line security/detect-non-literal-regexp -- the pattern comes from our own OpenAPI document
  const re = new RegExp(s.pattern);
  const plain = fc.stringMatching(re).filter((v) => v.length >= min && v.length <= max);
  // A matching value whose last segment is replaced by an edge segment, where the pattern still accepts it.
  const edge = fc.tuple(plain, fc.constantFrom(...EDGE_SEGMENTS)).map(([v, seg]) => {
    const candidate = v.replace(/[^/]*$/, seg);
    return re.test(candidate) && candidate.length >= min ? candidate : v;
  });
  return fc.oneof({ weight: 5, arbitrary: plain }, { weight: 1, arbitrary: edge });
}

function validNumber(s: JsonSchema, integer: boolean): fc.Arbitrary<Json> {
  const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -(2 ** 31));
  const max = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : 2 ** 31);
  const inside = integer ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) }) : fc.double({ min, max, noNaN: true });
  return fc.oneof({ weight: 4, arbitrary: inside }, { weight: 1, arbitrary: fc.constantFrom(min, max) });
}

function validObject(s: JsonSchema, hints: Hints, strict: boolean): fc.Arbitrary<Json> {
  const props = s.properties ?? {};
  const required = s.required ?? [];
  const child = (p: JsonSchema, k: string) => (strict ? validValue(p, k, hints, true) : fuzzValue(p, k, hints));
  const record = fc.record(Object.fromEntries(Object.entries(props).map(([k, p]) => [k, child(p, k)])), {
    requiredKeys: required.filter((k) => k in props),
  }) as fc.Arbitrary<Record<string, Json>>;
  if (typeof s.additionalProperties === 'object') {
    const extra = fc.dictionary(fc.string({ maxLength: 12 }), child(s.additionalProperties, ''), { maxKeys: 3 });
    return fc.tuple(record, extra).map(([r, e]) => ({ ...e, ...r }));
  }
  return record;
}

/** Values this schema node must refuse, and hostile values of any kind. */
export function hostileValue(s: JsonSchema): fc.Arbitrary<Json> {
  return fc.oneof(
    { weight: 3, arbitrary: outOfBounds(s) },
    { weight: 2, arbitrary: wrongType(s) },
    { weight: 1, arbitrary: hostileRawJson() },
  );
}

function outOfBounds(s: JsonSchema): fc.Arbitrary<Json> {
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map(outOfBounds));
  if (s.enum) {
    const names = s.enum.filter((e): e is string => typeof e === 'string');
    const variants = names.flatMap((e) => [e.toUpperCase(), ` ${e}`, `${e}\u0000`, `${e},${e}`]);
    return variants.length > 0 ? fc.oneof(fc.constantFrom(...variants), hostileText()) : hostileText();
  }
  switch (typeOf(s)) {
    case 'string': {
      const over = s.maxLength !== undefined ? [fc.constant<Json>(new Repeat('x', s.maxLength + 1))] : [];
      const under = s.minLength ? [fc.constant<Json>('x'.repeat(s.minLength - 1))] : [];
      return fc.oneof(hostileText(), ...over, ...under);
    }
    case 'integer':
    case 'number': {
      const edges: number[] = [];
      if (s.minimum !== undefined) edges.push(s.minimum - 1, s.minimum - 0.5);
      if (s.maximum !== undefined) edges.push(s.maximum + 1, s.maximum + 0.5);
      return edges.length > 0 ? fc.oneof(fc.constantFrom(...edges), hostileNumber()) : hostileNumber();
    }
    case 'array': {
      const max = s.maxItems;
      const item = validValue(s.items ?? {});
      return max !== undefined
        ? fc.oneof(
            fc.array(item, { minLength: max + 1, maxLength: max + 3 }),
            fc.array(hostileValue(s.items ?? {}), { minLength: 1, maxLength: 3 }),
          )
        : fc.array(hostileValue(s.items ?? {}), { minLength: 1, maxLength: 3 });
    }
    case 'object': {
      // Unknown keys, a required key missing, or every field hostile.
      const props = Object.entries(s.properties ?? {});
      return fc.oneof(
        fc.dictionary(hostileKey(), anyJson(), { minKeys: 1, maxKeys: 4 }),
        fc.record(Object.fromEntries(props.map(([k, p]) => [k, hostileValue(p)])), { requiredKeys: [] }) as fc.Arbitrary<Json>,
      );
    }
    default:
      return anyJson();
  }
}

function wrongType(s: JsonSchema): fc.Arbitrary<Json> {
  const t = typeOf(s);
  const candidates: fc.Arbitrary<Json>[] = [];
  if (t !== 'string') candidates.push(hostileText());
  if (t !== 'integer' && t !== 'number') candidates.push(hostileNumber());
  if (t !== 'boolean') candidates.push(fc.boolean());
  if (t !== 'null') candidates.push(fc.constant(null));
  if (t !== 'array') candidates.push(fc.array(anyJson(), { maxLength: 3 }));
  if (t !== 'object') candidates.push(fc.dictionary(hostileKey(), anyJson(), { maxKeys: 3 }));
  return fc.oneof(...candidates);
}

/**
 * A valid value with one node replaced by a hostile one (or one hostile key added to an object):
 * the classic mutation, which puts a single bad value deep inside an otherwise valid request.
 */
export function mutatedValue(s: JsonSchema, name = '', hints: Hints = NO_HINTS): fc.Arbitrary<Json> {
  const replacement = fc.oneof(hostileRawJson(), hostileText(), hostileNumber(), anyJson());
  return fc.tuple(validValue(s, name, hints, true), fc.nat(), replacement).map(([v, at, r]) => replaceNode(v, at, r));
}

type Slot = { path: (string | number)[]; add?: true };

const isContainer = (v: Json): v is Json[] | { [k: string]: Json } =>
  v !== null && typeof v === 'object' && !(v instanceof Repeat) && !(v instanceof RawJson) && !(v instanceof SecondsAgo);

function slotsOf(v: Json, path: (string | number)[] = [], out: Slot[] = []): Slot[] {
  out.push({ path });
  if (isContainer(v)) {
    if (Array.isArray(v)) v.forEach((x, i) => slotsOf(x, [...path, i], out));
    else {
      out.push({ path: [...path, 'extra'], add: true });
      for (const [k, x] of Object.entries(v)) slotsOf(x, [...path, k], out);
    }
  }
  return out;
}

function replaceNode(v: Json, at: number, replacement: Json): Json {
  const slots = slotsOf(v);
  const slot = slots[at % slots.length]!;
  const set = (node: Json, rest: (string | number)[]): Json => {
    if (rest.length === 0) return replacement;
    const [head, ...tail] = rest;
    if (Array.isArray(node)) return node.map((x, i) => (i === head ? set(x, tail) : x));
    if (isContainer(node))
      return { ...node, [head!]: tail.length === 0 && slot.add ? replacement : set((node as Record<string, Json>)[head!] ?? null, tail) };
    return node;
  };
  return set(v, slot.path);
}

/** Mostly valid, hostile at some level: the main generator of request parts. */
export function fuzzValue(s: JsonSchema, name = '', hints: Hints = NO_HINTS): fc.Arbitrary<Json> {
  return fc.oneof({ weight: 5, arbitrary: validValue(s, name, hints) }, { weight: 1, arbitrary: hostileValue(s) });
}

const singular = (name: string) => (name.endsWith('s') ? name.slice(0, -1) : name);
