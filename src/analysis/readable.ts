/**
 * Values and subjects as people read them: a catalog value in its unit (MiB/GiB, millicores, %,
 * req/s, ms), and the Kubernetes object a series is about (container of pod in namespace), so an
 * evidence point or a title says `473 MiB` for `cart in shop/cart-7d9f8-x2x7q`, not `= 473000000` on a
 * PromQL-style selector. The structured selector and the raw value stay in their own fields.
 */
import { QUERY_CATALOG, type CatalogEntry } from '../metrics/catalog/catalog.js';

type Unit = CatalogEntry['unit'];

const KIB = 1024;
const MIB = 1024 * KIB;
const GIB = 1024 * MIB;

/** Three significant digits at most, no trailing zeros: 473, 1.21, 0.0521. */
function sig(x: number): string {
  if (x === 0) return '0';
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(x))));
  return String(Number(x.toFixed(Math.min(digits, 6))));
}

function bytes(v: number): string {
  const a = Math.abs(v);
  if (a >= GIB) return `${sig(v / GIB)} GiB`;
  if (a >= MIB) return `${sig(v / MIB)} MiB`;
  if (a >= KIB) return `${sig(v / KIB)} KiB`;
  return `${sig(v)} B`;
}

/** A value in its catalog unit, for people; NaN and infinities as themselves. */
export function formatValue(value: number, unit: Unit | undefined): string {
  if (!Number.isFinite(value)) return String(value);
  switch (unit) {
    case 'bytes':
      return bytes(value);
    case 'bytes_per_second':
      return `${bytes(value)}/s`;
    case 'cores':
      return Math.abs(value) < 1 ? `${sig(value * 1000)} millicores` : `${sig(value)} cores`;
    case 'ratio':
      return `${sig(value * 100)} %`;
    case 'requests_per_second':
      return `${sig(value)} req/s`;
    case 'seconds':
      return Math.abs(value) < 1 ? `${sig(value * 1000)} ms` : `${sig(value)} s`;
    default:
      return sig(value);
  }
}

/** The unit of a catalog query (undefined for anything else, e.g. an event count). */
export function unitOf(query: string): Unit | undefined {
  return QUERY_CATALOG.get(query)?.unit;
}

/** `container cart of pod cart-7d9f8-x2x7q in shop`, `PVC data-postgres-0 in data`, `service api in shop`, `quota cpu of namespace shop`. */
export function subjectOf(labels: Readonly<Record<string, string>>): string {
  const ns = labels.namespace ? ` in ${labels.namespace}` : '';
  if (labels.container && labels.pod) return `container ${labels.container} of pod ${labels.pod}${ns}`;
  if (labels.pod) return `pod ${labels.pod}${ns}`;
  if (labels.persistentvolumeclaim) return `PVC ${labels.persistentvolumeclaim}${ns}`;
  if (labels.service) return `service ${labels.service}${ns}`;
  if (labels.resource && labels.namespace) return `quota ${labels.resource} of namespace ${labels.namespace}`;
  return labels.namespace ? `namespace ${labels.namespace}` : 'the workspace';
}

/**
 * Untrusted text (an event message, a log line) as one line of at most `max` characters: control
 * characters become spaces, the ends are trimmed, a longer text ends with "…". Shown as data, never parsed.
 */
export function oneLine(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}
