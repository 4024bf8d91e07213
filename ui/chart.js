// Time-series charts of evidence and alerts, drawn with uPlot (served from node_modules at
// /ui/vendor/, loaded on the first chart). An evidence names its series as catalog query plus labels
// (`memory_usage_vs_limits{namespace="shop",pod="api-1",container="api"}`); the chart shows the group
// that query belongs to (chart-groups.js: memory beside its request and limit…) from ONE request
// (GET /metrics/query with `name` repeated), over the range the picker chose, the evidence point
// marked. A chart asks for its data only when it scrolls into view.
import { groupOf } from './chart-groups.js';
import { h, when } from './dom.js';
import { formatValue, tickIncrements, UNIT_NAMES } from './units.js';

const HEIGHT = 170;
const MAX_LINES = 8;
/** Range picker choices, seconds. */
export const RANGES = { '1h': 3600, '6h': 6 * 3600, '24h': 86_400, '7d': 7 * 86_400 };
const COLORS = { value: ['#1f5fbf', '#2a7d6f', '#7b4fb3', '#a35200', '#3d5a80', '#6b5b00'], limit: '#b3261e', request: '#5b6472' };
/** Labels that tell two series of one query apart, in the order worth showing. */
const DISTINCT = ['pod', 'container', 'persistentvolumeclaim', 'service', 'resource', 'phase'];

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

let uplotLoading;
/** uPlot's minified build, added once as a same-origin script (the CSP allows only 'self'). */
function loadUplot() {
  uplotLoading ??= new Promise((resolve, reject) => {
    if (globalThis.uPlot) return resolve(globalThis.uPlot);
    const script = h('script', {
      src: '/ui/vendor/uplot.min.js',
      onload: () => resolve(globalThis.uPlot),
      onerror: () => {
        uplotLoading = undefined;
        reject(new Error('the chart library did not load'));
      },
    });
    document.head.append(script);
  });
  return uplotLoading;
}

/** Whether a result series is the one the evidence or alert names (labels it does not carry cannot disagree). */
function agrees(metric, labels) {
  for (const [k, v] of Object.entries(labels)) {
    if (k === 'workload') {
      // Alerts name the workload; series name pods: api → api-7d9f…-x2k4
      if (metric.pod !== undefined && metric.pod !== v && !metric.pod.startsWith(`${v}-`)) return false;
    } else if (metric[k] !== undefined && metric[k] !== v) return false;
  }
  return true;
}

export function createCharts(api) {
  let catalog; // name → {filters, unit}, fetched once per token
  const cache = new Map(); // request URL → promise of its answer
  const live = new Set(); // charts drawn or waiting, so the range picker can redraw them
  let range = RANGES['6h'];
  const observer =
    'IntersectionObserver' in globalThis
      ? new globalThis.IntersectionObserver(
          (entries) => {
            for (const entry of entries) {
              if (!entry.isIntersecting) continue;
              observer.unobserve(entry.target);
              entry.target.chartLoad?.();
            }
          },
          { rootMargin: '200px 0px' },
        )
      : null;

  const catalogEntries = () => {
    catalog ??= api.get('/metrics/catalog').then((c) => new Map(c.queries.map((q) => [q.name, q])));
    return catalog;
  };

  /**
   * The window: ending now, or (for evidence in the past) a quarter of the range after it, so what
   * followed shows too. About 240 points, aligned to the step inside the range: the service aligns
   * the start down to the step, and a 7-day range must not become 7 days and a step (over the limit).
   */
  function windowFor(at) {
    const now = Date.now() / 1000; // nothing after now: a source must not be asked for the future
    const last = Number.isFinite(at) ? Math.min(now, at + range / 4) : now;
    const step = Math.max(15, Math.ceil(range / 240 / 15) * 15);
    const end = Math.floor(last / step) * step;
    return { start: Math.ceil((last - range) / step) * step, end, step };
  }

  /** Every series of the chart, from one request. */
  async function fetchGroup(ref, group, win) {
    const entries = await catalogEntries();
    const known = group.queries.filter((q) => entries.has(q.name));
    if (!known.length) return null; // not a catalog query: nothing to draw
    const filters = known.map((q) => entries.get(q.name).filters).reduce((a, b) => a.filter((f) => b.includes(f)));
    const params = new URLSearchParams();
    for (const q of known) params.append('name', q.name);
    for (const f of filters) if (ref.labels[f]) params.set(f, ref.labels[f]);
    params.set('start', String(win.start));
    params.set('end', String(win.end));
    params.set('step', String(win.step));
    const key = params.toString();
    if (!cache.has(key)) {
      const request = api.get(`/metrics/query?${key}`);
      request.catch(() => cache.delete(key)); // a failure is not remembered: the next draw asks again
      cache.set(key, request);
    }
    const { result } = (await cache.get(key)).data;
    const lines = [];
    for (const q of known) {
      // With one name the answer carries no __name__; with several, each series says which query it answers.
      const mine = result.filter((r) => (known.length === 1 || r.metric.__name__ === q.name) && agrees(r.metric, ref.labels));
      const differing = DISTINCT.filter((l) => new Set(mine.map((r) => r.metric[l])).size > 1);
      for (const r of mine) {
        const which = differing.map((l) => r.metric[l]).join('/');
        lines.push({ query: q, label: which ? `${q.label} ${which}` : q.label, points: r.values.map(([t, v]) => [Number(t), Number(v)]) });
      }
    }
    return { lines: lines.slice(0, MAX_LINES), unitOf: (name) => entries.get(name)?.unit };
  }

  /** A figure that fills itself in when it comes into view. */
  function chart(seriesRef, { atIso, value, caption } = {}) {
    const ref = typeof seriesRef === 'string' ? parseSeriesRef(seriesRef) : seriesRef;
    const at = atIso ? Date.parse(atIso) / 1000 : NaN;
    const where = ref
      ? Object.entries(ref.labels)
          .filter(([k]) => k !== 'workload' || !ref.labels.pod)
          .map(([, v]) => v)
          .join('/')
      : '';
    const group = ref ? groupOf(ref.name) : null;
    // The evidence value in its query's unit (99.6 %, 473 MiB) once the catalog says which unit that is.
    const valueText = Number.isFinite(value) ? h('span', { class: 'chart-value' }, String(value)) : null;
    if (valueText && ref)
      catalogEntries().then(
        (entries) => (valueText.textContent = formatValue(entries.get(ref.name)?.unit, value)),
        () => {}, // the chart itself reports an unavailable catalog
      );
    const plot = h('div', { class: 'chart-plot' }, h('span', { class: 'chart-wait' }, 'chart loads when shown…'));
    const figure = h(
      'figure',
      { class: 'chart', 'data-state': 'waiting', 'data-query': ref?.name },
      h(
        'figcaption',
        {},
        h('strong', { class: 'chart-title' }, group ? `${group.title}${where ? ` · ${where}` : ''}` : String(seriesRef)),
        caption ? h('span', { class: 'chart-caption' }, valueText, valueText ? ' ' : null, caption) : null,
      ),
      plot,
    );
    if (!ref) {
      figure.dataset.state = 'none';
      plot.replaceChildren(h('span', { class: 'chart-none' }, 'not a chartable series'));
      return figure;
    }
    let u; // the uPlot instance once drawn
    let seq = 0;
    const load = async () => {
      const mine = ++seq;
      const win = windowFor(at);
      figure.setAttribute('aria-busy', 'true');
      try {
        const [uPlot, data] = await Promise.all([loadUplot(), fetchGroup(ref, group, win)]);
        if (mine !== seq) return; // a newer range was asked for meanwhile
        u?.destroy();
        u = undefined;
        if (!data || !data.lines.some((l) => l.points.length > 1)) {
          figure.dataset.state = 'empty';
          plot.replaceChildren(h('span', { class: 'chart-none' }, `no data for this series in the last ${rangeText(range)}`));
          return;
        }
        u = draw(uPlot, plot, { group, ref, data, at, value, win });
        figure.dataset.state = 'drawn';
        figure.dataset.series = u.series
          .slice(1)
          .map((s) => s.label)
          .join('|');
        figure.dataset.points = String(u.data[0].length);
      } catch (err) {
        if (mine !== seq) return;
        figure.dataset.state = 'error';
        plot.replaceChildren(h('span', { class: 'chart-none' }, `chart unavailable: ${err.reason ?? err.message}`));
      } finally {
        if (mine === seq) figure.removeAttribute('aria-busy');
      }
    };
    figure.chartLoad = load;
    const controller = {
      figure,
      redraw: () => (figure.dataset.state === 'waiting' ? undefined : load()),
      resize: () => u?.setSize({ width: plotWidth(plot), height: HEIGHT }),
    };
    live.add(controller);
    if (observer) observer.observe(figure);
    else setTimeout(load);
    return figure;
  }

  // Charts follow their container's width (a column, a phone).
  let resizeTimer;
  globalThis.addEventListener?.('resize', () => {
    globalThis.clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => forLive((c) => c.resize()), 150);
  });

  function forLive(fn) {
    for (const c of live) {
      if (!c.figure.isConnected) live.delete(c);
      else fn(c);
    }
  }

  return {
    chart,
    /** A new range for every chart: the ones drawn ask again now, the others when they come into view. */
    setRange(seconds) {
      range = seconds;
      forLive((c) => c.redraw());
    },
    get range() {
      return range;
    },
    reset: () => {
      catalog = undefined;
      cache.clear();
      forLive(() => {});
    },
  };
}

const rangeText = (s) => (s >= 86_400 ? `${Math.round(s / 86_400)} d` : `${Math.round(s / 3600)} h`);
const plotWidth = (el) => Math.max(240, Math.floor(el.clientWidth || el.parentElement?.clientWidth || 320));

/** The uPlot chart: one x (local time) shared by every line, nulls where a series has no point; the evidence as a marked point. */
function draw(uPlot, el, { group, ref, data, at, value, win }) {
  const unit = group.unit;
  const xs = new Set();
  for (const l of data.lines) for (const [t] of l.points) xs.add(t);
  const markable = Number.isFinite(at) && at >= win.start && at <= win.end;
  if (markable) xs.add(at);
  const x = [...xs].sort((a, b) => a - b);
  const columns = data.lines.map((l) => {
    const byT = new Map(l.points.filter(([, v]) => Number.isFinite(v)).map(([t, v]) => [t, v]));
    return x.map((t) => byT.get(t) ?? null);
  });
  const palette = [...COLORS.value];
  const series = [
    {},
    ...data.lines.map((l) => ({
      label: l.label,
      stroke: l.query.role === 'value' ? (palette.shift() ?? COLORS.value[0]) : COLORS[l.query.role],
      width: l.query.role === 'value' ? 2 : 1.5,
      dash: l.query.role === 'limit' ? [6, 4] : l.query.role === 'request' ? [2, 3] : undefined,
      spanGaps: true,
      points: { show: false },
      value: (_u, v) => formatValue(unit, v),
    })),
  ];
  const summary = [`${group.title}${ref.labels.namespace ? ` in ${ref.labels.namespace}` : ''}, ${UNIT_NAMES[unit] ?? unit}`];
  summary.push(`from ${when(new Date(x[0] * 1000).toISOString())} to ${when(new Date(x[x.length - 1] * 1000).toISOString())}`);
  for (const [i, l] of data.lines.entries()) {
    const vs = columns[i].filter((v) => v !== null);
    if (vs.length)
      summary.push(
        `${l.label}: ${formatValue(unit, vs[0])} → ${formatValue(unit, vs[vs.length - 1])} (max ${formatValue(unit, Math.max(...vs))})`,
      );
  }
  if (markable) {
    // The evidence value is in its own query's unit; where that is not the chart's (a ratio on a bytes
    // chart), the mark sits on the first line at that time and the legend gives the evidence value.
    const evidenceUnit = data.unitOf(ref.name);
    const sameUnit = Number.isFinite(value) && evidenceUnit === unit;
    const i = x.indexOf(at);
    const first = columns[0] ?? [];
    let y = sameUnit ? value : first[i];
    for (let d = 1; !sameUnit && y == null && d < x.length; d++) y = first[i - d] ?? first[i + d];
    const text = Number.isFinite(value) ? formatValue(evidenceUnit ?? unit, value) : '';
    columns.push(x.map((t) => (t === at ? (y ?? null) : null)));
    series.push({
      label: 'evidence',
      stroke: COLORS.limit,
      fill: COLORS.limit,
      paths: () => null,
      points: { show: true, size: 10, fill: COLORS.limit, stroke: '#fff', width: 2 },
      value: (_u, v) => (v === null ? '' : text || formatValue(unit, v)),
    });
    summary.push(`evidence ${text} at ${when(new Date(at * 1000).toISOString())}`);
  }
  el.replaceChildren();
  el.setAttribute('role', 'img');
  el.setAttribute('aria-label', summary.join('; '));
  const axisFont = '11px system-ui, sans-serif';
  return new uPlot(
    {
      width: plotWidth(el),
      height: HEIGHT,
      series,
      cursor: { points: { size: 6 } },
      legend: { live: true },
      scales: {
        x: { time: true },
        y: { range: (_u, min, max) => [Math.min(0, min ?? 0), max > 0 ? max * 1.08 : 1] },
      },
      axes: [
        { font: axisFont, stroke: '#3a4350', grid: { stroke: '#e6e9ee' }, ticks: { stroke: '#c8ced6' } },
        {
          font: axisFont,
          stroke: '#3a4350',
          size: 64,
          incrs: tickIncrements(unit),
          values: (_u, splits) => splits.map((v) => formatValue(unit, v)),
          grid: { stroke: '#e6e9ee' },
          ticks: { stroke: '#c8ced6' },
        },
      ],
    },
    [x, ...columns],
    el,
  );
}
