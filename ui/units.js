// Values in the units the catalog names (GET /metrics/catalog `unit`), as people read them:
// bytes → KiB/MiB/GiB, cores → millicores, ratios → %, rates per second. Also the axis ticks that fit them.
const nf = new Intl.NumberFormat(undefined, { maximumSignificantDigits: 3 });
const IEC = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

function bytes(v) {
  let i = 0;
  let x = Math.abs(v);
  while (x >= 1024 && i < IEC.length - 1) {
    x /= 1024;
    i++;
  }
  return `${nf.format(Math.sign(v) * x)} ${IEC[i]}`;
}

/** One value, with its unit; "—" for a missing point. */
export function formatValue(unit, v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  switch (unit) {
    case 'bytes':
      return bytes(v);
    case 'bytes_per_second':
      return `${bytes(v)}/s`;
    case 'cores':
      return `${nf.format(v * 1000)}m`; // Kubernetes' own notation: 250m = a quarter core
    case 'ratio':
      return `${nf.format(v * 100)} %`;
    case 'requests_per_second':
      return `${nf.format(v)} req/s`;
    case 'seconds':
      return Math.abs(v) < 1 ? `${nf.format(v * 1000)} ms` : `${nf.format(v)} s`;
    default:
      return nf.format(v);
  }
}

/** What the unit is called, for a chart's accessible description. */
export const UNIT_NAMES = {
  bytes: 'bytes',
  bytes_per_second: 'bytes per second',
  cores: 'CPU (millicores)',
  ratio: 'percent',
  requests_per_second: 'requests per second',
  seconds: 'seconds',
  count: 'count',
};

/**
 * Tick increments for the y axis, so ticks land on round numbers of the unit shown: powers of two
 * of KiB/MiB/GiB for bytes, 1-2-5 steps otherwise (uPlot picks the first that spaces ticks well).
 */
export function tickIncrements(unit) {
  const steps = [1, 2, 5];
  const out = [];
  if (unit === 'bytes' || unit === 'bytes_per_second') {
    for (let p = 0; p <= 5; p++) for (const m of [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]) out.push(m * 1024 ** p);
    return out;
  }
  for (let e = -6; e <= 12; e++) for (const m of steps) out.push(Number((m * 10 ** e).toPrecision(6)));
  return out;
}
