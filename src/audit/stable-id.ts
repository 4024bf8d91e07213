/** Event ids derived from what they record, so a retried write records the same event (stored once). */
import { createHash } from 'node:crypto';

/** A UUID (version 8, RFC 9562 custom) derived from a name. */
export function stableUuid(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
