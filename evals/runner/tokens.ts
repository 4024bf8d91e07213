/**
 * Real tokens for the app under test: an RSA key generated in-process for the eval run (never
 * written anywhere), AIOps contract tokens signed with it (src/auth/mint-token.ts) for the issuer and
 * audience of the app's own configuration, and the key lookup handed to buildApp, so every request
 * goes through the real verifier and route guard.
 */
import { exportPKCS8, generateKeyPair, type JWTVerifyGetKey } from 'jose';
import type { Permission } from '../../src/auth/permissions.js';
import { mintToken } from '../../src/auth/mint-token.js';
import type { Config } from '../../src/config.js';

export interface TokenClaims {
  workspace: string;
  permissions: readonly Permission[];
  sub: string;
}

export interface EvalKeys {
  getKey: JWTVerifyGetKey;
  /** A token for `claims` that the app configured with `jwt` accepts. */
  mint(claims: TokenClaims, jwt: Pick<Config['jwt'], 'issuer' | 'audiences'>): Promise<string>;
}

export async function createEvalKeys(): Promise<EvalKeys> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const privateKeyPem = await exportPKCS8(privateKey);
  return {
    getKey: async () => publicKey,
    mint: (c, jwt) =>
      mintToken({
        privateKeyPem,
        issuer: jwt.issuer,
        audience: jwt.audiences[0]!,
        sub: c.sub,
        workspaceId: c.workspace,
        permissions: c.permissions,
        ttlSeconds: 900,
      }),
  };
}
