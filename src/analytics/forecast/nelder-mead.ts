/**
 * A plain Nelder-Mead simplex minimiser, enough to fit the 2-4 smoothing parameters of Holt-Winters
 * without pulling in a numerical library. Parameters are unconstrained; callers map them into their
 * valid ranges (e.g. with a logistic function).
 */

export interface NelderMeadOptions {
  /** Maximum objective evaluations (default 200 × dimension). */
  maxEvaluations?: number;
  /** Stop when the simplex's objective values differ by less than this (relative, default 1e-8). */
  tolerance?: number;
  /** Initial step added to each coordinate to build the simplex (default 1). */
  step?: number;
}

export interface NelderMeadResult {
  x: number[];
  value: number;
  evaluations: number;
}

/** Minimises `f` starting from `start`. Non-finite objective values are treated as +Infinity. */
export function nelderMead(f: (x: number[]) => number, start: number[], options: NelderMeadOptions = {}): NelderMeadResult {
  const dim = start.length;
  const maxEvaluations = options.maxEvaluations ?? 200 * dim;
  const tolerance = options.tolerance ?? 1e-8;
  const step = options.step ?? 1;
  let evaluations = 0;
  const evaluate = (x: number[]): number => {
    evaluations++;
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };
  const simplex: { x: number[]; v: number }[] = [{ x: [...start], v: evaluate(start) }];
  for (let i = 0; i < dim; i++) {
    const x = [...start];
    x[i] = x[i]! + step;
    simplex.push({ x, v: evaluate(x) });
  }
  const combine = (a: number[], b: number[], t: number): number[] => a.map((ai, i) => ai + t * (b[i]! - ai));
  while (evaluations < maxEvaluations) {
    simplex.sort((p, q) => p.v - q.v);
    const best = simplex[0]!;
    const worst = simplex[dim]!;
    const secondWorst = simplex[dim - 1]!;
    if (Math.abs(worst.v - best.v) <= tolerance * (Math.abs(best.v) + 1e-12)) break;
    const centroid = new Array<number>(dim).fill(0);
    for (let i = 0; i < dim; i++) for (let j = 0; j < dim; j++) centroid[j]! += simplex[i]!.x[j]! / dim;
    const reflected = combine(centroid, worst.x, -1);
    const vr = evaluate(reflected);
    if (vr < best.v) {
      const expanded = combine(centroid, worst.x, -2);
      const ve = evaluate(expanded);
      simplex[dim] = ve < vr ? { x: expanded, v: ve } : { x: reflected, v: vr };
    } else if (vr < secondWorst.v) {
      simplex[dim] = { x: reflected, v: vr };
    } else {
      const outside = vr < worst.v;
      const contracted = combine(centroid, worst.x, outside ? -0.5 : 0.5);
      const vc = evaluate(contracted);
      if (vc < (outside ? vr : worst.v)) {
        simplex[dim] = { x: contracted, v: vc };
      } else {
        // Shrink everything towards the best point.
        for (let i = 1; i <= dim; i++) {
          const x = combine(best.x, simplex[i]!.x, 0.5);
          simplex[i] = { x, v: evaluate(x) };
        }
      }
    }
  }
  simplex.sort((p, q) => p.v - q.v);
  return { x: simplex[0]!.x, value: simplex[0]!.v, evaluations };
}
