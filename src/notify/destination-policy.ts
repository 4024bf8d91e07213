/**
 * Where a tenant's notifications may go: only to hosts the operator allowed (NOTIFY_ALLOWED_HOSTS:
 * `host`, `host:port`, `*.example.com`), and never, through DNS, into loopback, private, link-local
 * or unspecified addresses unless that exact host (or host:port) is listed: a tenant's settings must
 * not become a way into the cluster's own network (SSRF). Checked when a channel is saved and again
 * before every delivery (DNS answers change).
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

export class DestinationRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DestinationRefused';
  }
}

const INTERNAL = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  INTERNAL.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  INTERNAL.addSubnet(net, prefix, 'ipv6');

/** True for an address no tenant may reach by default (IPv4-mapped IPv6 judged as its IPv4). */
export function isInternalAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return INTERNAL.check(mapped[1]!, 'ipv4');
  const family = isIP(address);
  if (family === 0) return true; // not an address: refuse rather than guess
  return INTERNAL.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export type Resolve = (host: string) => Promise<string[]>;
const resolveAll: Resolve = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

export class DestinationPolicy {
  private readonly patterns: readonly string[];

  constructor(
    allowedHosts: readonly string[],
    private readonly resolve: Resolve = resolveAll,
  ) {
    this.patterns = allowedHosts.map((p) => p.trim().toLowerCase()).filter(Boolean);
  }

  /** Resolves when `url` may receive a delivery now; otherwise throws DestinationRefused saying why. */
  async check(url: string): Promise<void> {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new DestinationRefused('not a URL');
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:')
      throw new DestinationRefused(`${u.protocol} is not allowed: use https (or http)`);
    if (u.username || u.password) throw new DestinationRefused('credentials in the URL are not allowed: use the channel secret');
    const host = u.hostname.toLowerCase().replace(/^\[|\]$/g, '');
    const port = u.port || (u.protocol === 'https:' ? '443' : '80');
    const exact = this.patterns.includes(host) || this.patterns.includes(`${host}:${port}`) || this.patterns.includes(`[${host}]:${port}`);
    const matched = exact || this.patterns.some((p) => p.startsWith('*.') && host.endsWith(p.slice(1)) && host.length > p.length - 1);
    if (!matched) {
      throw new DestinationRefused(
        this.patterns.length === 0
          ? 'no notification destination is allowed on this service (the operator sets NOTIFY_ALLOWED_HOSTS)'
          : `${host}:${port} is not in the operator's allow-list (NOTIFY_ALLOWED_HOSTS)`,
      );
    }
    if (exact) return; // listed by name (or address) on purpose: the operator vouches for where it points
    const addresses = isIP(host) ? [host] : await this.resolve(host).catch(() => [] as string[]);
    if (addresses.length === 0) throw new DestinationRefused(`${host} does not resolve`);
    const internal = addresses.find(isInternalAddress);
    if (internal) {
      throw new DestinationRefused(
        `${host} resolves to ${internal}, an internal address: list ${host} or ${host}:${port} explicitly in NOTIFY_ALLOWED_HOSTS to allow it`,
      );
    }
  }
}
