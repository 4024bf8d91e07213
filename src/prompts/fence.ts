/**
 * Fencing of untrusted text (label values, alert annotations, chat input, series names) before it
 * enters a prompt. The fence carries a nonce derived from the data itself (sha256), so the data
 * cannot know, and therefore cannot write, its own closing line; any fence-marker text inside the
 * data is neutralised as well. Deterministic: the same data always renders the same prompt.
 */
import { createHash } from 'node:crypto';

const MARKER = 'UNTRUSTED_DATA';
/** Marker-like sequences a payload could use to imitate a fence line. */
const MARKER_LIKE = /<<<|>>>|UNTRUSTED[\s_-]*DATA/gi;

/** Renders any value as the text that goes inside a fence (strings as is, the rest as JSON). */
export function untrustedText(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value, null, 2) ?? 'null';
}

/** Wraps `data` in a fence the data cannot close, labelled for the model (label: `[A-Za-z0-9_.-]`). */
export function fenceUntrusted(label: string, data: unknown): string {
  const safeLabel = label.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64) || 'data';
  const text = untrustedText(data).replace(MARKER_LIKE, (m) =>
    m.startsWith('<') || m.startsWith('>') ? m.replace(/[<>]/g, (c) => (c === '<' ? '‹' : '›')) : 'untrusted data',
  );
  const nonce = createHash('sha256').update(text).digest('hex').slice(0, 16);
  return `<<<${MARKER} label="${safeLabel}" id="${nonce}">>>\n${text}\n<<<END_${MARKER} id="${nonce}">>>`;
}
