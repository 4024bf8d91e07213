/** Key material and token builders for the auth tests: real keys, real signatures, hand-forged variants. */
import { createHmac, createSign } from 'node:crypto';
import { exportJWK, exportPKCS8, exportSPKI, generateKeyPair, SignJWT, type JWK } from 'jose';

export interface RsaKey {
  privatePem: string;
  publicPem: string;
  jwk: JWK;
  kid: string;
}

export async function rsaKey(kid = 'k1'): Promise<RsaKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { privatePem: await exportPKCS8(privateKey), publicPem: await exportSPKI(publicKey), jwk, kid };
}

export const ISSUER = 'hexabase-control-plane';
export const AUDIENCE = 'hexabase-aiops';

export interface ClaimOptions {
  workspaceId?: string;
  permissions?: unknown;
  sub?: string;
  ttlSeconds?: number;
  planType?: 'shared' | 'dedicated';
}

/** The standard contract claims for a workspace (now-relative times). */
export function contractClaims(o: ClaimOptions = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: o.sub ?? 'user-1',
    workspace_id: o.workspaceId ?? 'ws-a',
    permissions: o.permissions ?? ['aiops:read'],
    plan_type: o.planType ?? 'shared',
    iss: ISSUER,
    aud: AUDIENCE,
    iat: now,
    exp: now + (o.ttlSeconds ?? 600),
  };
}

const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/** Signs arbitrary header and payload with RS256 (or any RSA alg name given) — no claim validation. */
export function signRaw(header: Record<string, unknown>, payload: Record<string, unknown>, privatePem: string, alg = 'RS256'): string {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const hash = { RS256: 'RSA-SHA256', RS384: 'RSA-SHA384', RS512: 'RSA-SHA512' }[alg] ?? 'RSA-SHA256';
  const signature = createSign(hash).update(input).sign(privatePem);
  return `${input}.${b64url(signature)}`;
}

/** HS256 over header.payload with an arbitrary secret (the key-confusion attack uses the RSA public key PEM). */
export function signHmac(header: Record<string, unknown>, payload: Record<string, unknown>, secret: string | Buffer): string {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** An unsigned token. */
export function unsigned(payload: Record<string, unknown>, alg = 'none'): string {
  return `${b64url(JSON.stringify({ alg, typ: 'JWT' }))}.${b64url(JSON.stringify(payload))}.`;
}

/** A properly signed contract token. */
export async function contractToken(key: RsaKey, o: ClaimOptions = {}, kid?: string): Promise<string> {
  return signRaw({ alg: 'RS256', typ: 'JWT', ...(kid ? { kid } : {}) }, contractClaims(o), key.privatePem);
}

/** A token shaped like the one the Hexabase control plane issues (RS256, 10 s, internal-aiops-v1). */
export async function controlPlaneToken(key: RsaKey, workspaceId = 'ws-a'): Promise<string> {
  const { importPKCS8 } = await import('jose');
  return new SignJWT({ user_id: 'user-9', org_ids: ['org-1'], active_workspace_id: workspaceId, token_type: 'internal-aiops-v1' })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid })
    .setSubject('user-9')
    .setIssuer(ISSUER)
    .setAudience(['hexabase-aiops-service'])
    .setIssuedAt()
    .setExpirationTime('10s')
    .sign(await importPKCS8(key.privatePem, 'RS256'));
}
