/**
 * How much to fuzz, read from the environment (tests are entry points). The default is the CI
 * budget of `npm test`; `npm run fuzz` raises it. Every run prints its seed; FUZZ_SEED replays it,
 * and FUZZ_OPERATION + FUZZ_PATH replay exactly one counterexample (fast-check prints both).
 */
import { z } from 'zod';

const EnvSchema = z.object({
  FUZZ_SEED: z.coerce.number().int().optional(),
  /** Cases per operation at most (the time budget usually ends an operation first). */
  FUZZ_RUNS: z.coerce.number().int().min(1).default(300),
  /** Wall-clock budget of the embedded-defaults pass, shared by its operations. */
  FUZZ_SECONDS: z.coerce.number().positive().default(50),
  /** Budget of the pass over the metrics routes against the real Prometheus. */
  FUZZ_PROMETHEUS_SECONDS: z.coerce.number().positive().default(10),
  /** Only this operation (`METHOD /path/{param}` as printed). */
  FUZZ_OPERATION: z.string().min(1).optional(),
  FUZZ_PATH: z.string().min(1).optional(),
  /** `1`: print every answer (status, request, message) while fuzzing. */
  FUZZ_VERBOSE: z.enum(['0', '1']).default('0'),
});

export interface FuzzBudget {
  seed: number;
  runsPerOperation: number;
  seconds: number;
  prometheusSeconds: number;
  operation?: string;
  path?: string;
  verbose: boolean;
}

export function fuzzBudget(env: Record<string, string | undefined>): FuzzBudget {
  const blankless = Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('FUZZ_') && v !== undefined && v !== ''));
  const e = EnvSchema.parse(blankless);
  return {
    seed: e.FUZZ_SEED ?? (Date.now() ^ (process.pid << 16)) >>> 1,
    runsPerOperation: e.FUZZ_RUNS,
    seconds: e.FUZZ_SECONDS,
    prometheusSeconds: e.FUZZ_PROMETHEUS_SECONDS,
    ...(e.FUZZ_OPERATION ? { operation: e.FUZZ_OPERATION } : {}),
    ...(e.FUZZ_PATH ? { path: e.FUZZ_PATH } : {}),
    verbose: e.FUZZ_VERBOSE === '1',
  };
}

/** Splits a wall-clock budget over operations as they run: each gets an equal share of what is left. */
export function sliceClock(totalMs: number, count: number): { next(): number } {
  const deadline = Date.now() + totalMs;
  let left = count;
  return {
    next() {
      const share = Math.max(500, (deadline - Date.now()) / Math.max(1, left));
      left--;
      return share;
    },
  };
}
