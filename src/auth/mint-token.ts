/** Signs AIOps contract tokens with a PEM private key: for the dev `npm run token` CLI and for tests. */
import { importPKCS8, SignJWT } from 'jose';
import type { Permission } from './permissions.js';

export interface MintOptions {
  privateKeyPem: string;
  issuer: string;
  audience: string | string[];
  sub: string;
  workspaceId: string;
  permissions: readonly Permission[];
  planType?: 'shared' | 'dedicated';
  ttlSeconds: number;
  algorithm?: 'RS256';
}

export async function mintToken(o: MintOptions): Promise<string> {
  const alg = o.algorithm ?? 'RS256';
  const key = await importPKCS8(o.privateKeyPem, alg);
  return new SignJWT({ workspace_id: o.workspaceId, permissions: [...o.permissions], plan_type: o.planType ?? 'shared' })
    .setProtectedHeader({ alg, typ: 'JWT' })
    .setSubject(o.sub)
    .setIssuer(o.issuer)
    .setAudience(o.audience)
    .setIssuedAt()
    .setExpirationTime(`${o.ttlSeconds}s`)
    .setJti(crypto.randomUUID())
    .sign(key);
}

/** Parses a duration such as `90`, `15m`, `1h` or `2d` into seconds. */
export function parseTtl(text: string): number {
  const m = /^(\d+)\s*([smhd]?)$/.exec(text.trim());
  if (!m) throw new Error(`invalid --ttl "${text}": use e.g. 900, 15m, 1h or 1d`);
  const n = Number(m[1]);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  const seconds = n * unit;
  if (seconds < 1) throw new Error('--ttl must be at least 1 second');
  return seconds;
}
