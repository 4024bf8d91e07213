/**
 * An action's `parameters`: a JSON object whose shape each action type checks (actions.ts). Before
 * any of that, the object itself is bounded here, in the schema the route and the service both
 * validate with: nesting depth, the number of keys and array items, and the serialised size. A
 * hostile body nested thousands of levels deep is refused with a 400 that says so, and nothing
 * after validation (planning, redaction, storage, serialisation) ever walks an unbounded structure.
 */
import { z } from 'zod';

export const PARAMETER_LIMITS = {
  /** Levels of objects/arrays, `parameters` itself being the first. */
  depth: 8,
  /** Keys and array items, at every level together. */
  entries: 100,
  /** Bytes of the JSON text. */
  bytes: 8192,
} as const;

/** Why `value` breaks a bound (undefined: it does not). Walks level by level, never recursively, and stops at the first bound passed. */
export function parametersProblem(value: Record<string, unknown>): string | undefined {
  let level: object[] = [value];
  let entries = 0;
  for (let depth = 1; level.length > 0; depth++) {
    if (depth > PARAMETER_LIMITS.depth)
      return `parameters nesting is too deep: at most ${PARAMETER_LIMITS.depth} levels of objects and arrays`;
    const next: object[] = [];
    for (const node of level) {
      const children: unknown[] = Array.isArray(node) ? node : Object.values(node);
      entries += children.length;
      if (entries > PARAMETER_LIMITS.entries) return `parameters have too many keys and items: at most ${PARAMETER_LIMITS.entries} in all`;
      for (const child of children) if (child !== null && typeof child === 'object') next.push(child);
    }
    level = next;
  }
  const bytes = Buffer.byteLength(JSON.stringify(value));
  return bytes > PARAMETER_LIMITS.bytes ? `parameters are too large: ${bytes} bytes of JSON, at most ${PARAMETER_LIMITS.bytes}` : undefined;
}

export const ParametersSchema = z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
  const problem = parametersProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
