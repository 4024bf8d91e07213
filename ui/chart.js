// Small inline SVG sparklines of evidence series. An evidence names its series as catalog query
// plus labels (`memory_usage_vs_limits{namespace="shop",pod="api-1",container="api"}`); the chart
// asks GET /metrics/query for that catalog query, filtered by the labels the catalog accepts, over a
// window around the evidence time, and marks the evidence point.
import { fmt, h, s } from './dom.js';

const W = 220;
const H = 44;
const PAD = 3;
const BEFORE_S = 2 * 3600;
const AFTER_S = 3600; // evidence often marks a start ("start of the steady rise"): show what followed too

/** `name{a="x",b="y"}` → {name, labels}; null when the text is not a series reference. */
function parseSeriesRef(ref) {
  const text = String(ref ?? '').trim();
  const open = text.indexOf('{');
  const name = open < 0 ? text : text.slice(0, open);
  if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name) || (open >= 0 && !text.endsWith('}'))) return null;
  const labels = {};
  const body = open < 0 ? '' : text.slice(open + 1, -1);
  for (const [, key, value] of body.matchAll(/([a-zA-Z_]\w*)="([^"]*)"/g)) labels[key] = value;
  return { name, labels };
}

export function createCharts(api) {
  let catalog; // name → filters, fetched once per token
  const cache = new Map();

  const filtersOf = async (name) => {
    catalog ??= api.get('/metrics/catalog').then((c) => new Map(c.queries.map((q) => [q.name, q.filters])));
    return (await catalog).get(name);
  };

  async function fetchSeries(ref, startS, endS) {
    const filters = await filtersOf(ref.name);
    if (!filters) return null; // not a catalog query: nothing to draw
    const params = new URLSearchParams({ name: ref.name, start: String(Math.floor(startS)), end: String(Math.ceil(endS)) });
    for (const f of filters) if (ref.labels[f]) params.set(f, ref.labels[f]);
    const key = params.toString();
    if (!cache.has(key)) cache.set(key, api.get(`/metrics/query?${key}`));
    const result = (await cache.get(key)).data.result;
    // The series whose labels agree with every label the evidence names (others were not filterable).
    const match =
      result.find((r) => Object.entries(ref.labels).every(([k, v]) => r.metric[k] === undefined || r.metric[k] === v)) ?? result[0];
    return match ? match.values.map(([t, v]) => [Number(t), Number(v)]) : [];
  }

  /** A figure that fills itself in: the series around `atIso` (or the last 3 h), evidence point marked. */
  function chart(seriesRef, { atIso, value, caption } = {}) {
    const ref = typeof seriesRef === 'string' ? parseSeriesRef(seriesRef) : seriesRef;
    const at = atIso ? Date.parse(atIso) / 1000 : NaN;
    const now = Date.now() / 1000; // nothing after now: a source must not be asked for the future
    const end = Number.isFinite(at) ? Math.min(at + AFTER_S, Math.max(at, now)) : now;
    const start = (Number.isFinite(at) ? at : end - AFTER_S) - BEFORE_S;
    const label = ref
      ? `${ref.name} ${Object.entries(ref.labels)
          .filter(([k]) => k !== 'workload')
          .map(([, v]) => v)
          .join('/')}`
      : String(seriesRef);
    const figure = h(
      'figure',
      { class: 'spark', 'aria-busy': 'true' },
      h('span', { class: 'spark-wait' }, 'loading chart…'),
      h('figcaption', {}, h('code', {}, label), caption ? h('span', {}, caption) : null),
    );
    if (!ref) return figure;
    fetchSeries(ref, start, end)
      .then(
        (points) => {
          figure.firstChild.replaceWith(
            points && points.length > 1
              ? sparkline(points, { label, markAt: at, markValue: value })
              : h('span', { class: 'spark-none' }, 'no chart for this series'),
          );
        },
        (err) => figure.firstChild.replaceWith(h('span', { class: 'spark-none' }, `chart unavailable: ${err.reason ?? err.message}`)),
      )
      .finally(() => figure.removeAttribute('aria-busy'));
    return figure;
  }

  return {
    chart,
    reset: () => {
      catalog = undefined;
      cache.clear();
    },
  };
}

/** points: [[unixSeconds, value]…] ascending. */
function sparkline(points, { label, markAt, markValue } = {}) {
  const finite = points.filter(([, v]) => Number.isFinite(v));
  const t0 = finite[0][0];
  const t1 = finite[finite.length - 1][0];
  let lo = Math.min(...finite.map(([, v]) => v));
  let hi = Math.max(...finite.map(([, v]) => v));
  if (Number.isFinite(markValue)) {
    lo = Math.min(lo, markValue);
    hi = Math.max(hi, markValue);
  }
  if (hi === lo) {
    hi += 1;
    lo -= 1;
  }
  const x = (t) => PAD + ((t - t0) / Math.max(1, t1 - t0)) * (W - 2 * PAD);
  const y = (v) => H - PAD - ((v - lo) / (hi - lo)) * (H - 2 * PAD);
  const d = finite.map(([t, v], i) => `${i ? 'L' : 'M'}${x(t).toFixed(1)} ${y(v).toFixed(1)}`).join(' ');
  const description = `${label}: ${finite.length} points from ${fmt(Math.min(...finite.map(([, v]) => v)))} to ${fmt(Math.max(...finite.map(([, v]) => v)))}`;
  // Range ends are aligned to the step, so the evidence time may fall just past the last point.
  const slack = (2 * (t1 - t0)) / Math.max(1, finite.length - 1);
  const mark =
    Number.isFinite(markAt) && markAt >= t0 - slack && markAt <= t1 + slack && Number.isFinite(markValue)
      ? s('circle', { class: 'spark-mark', cx: x(Math.min(t1, Math.max(t0, markAt))).toFixed(1), cy: y(markValue).toFixed(1), r: 3 })
      : null;
  return s(
    'svg',
    { class: 'spark-svg', viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': description },
    s('title', {}, description),
    s('path', { class: 'spark-line', d }),
    mark,
  );
}
