/**
 * Development signing keys, so `npm start` works with nothing configured. Only the composition
 * root calls this, and only outside production (config refuses production without a key).
 */
/* eslint-disable security/detect-non-literal-fs-filename -- every path is under the configured AIOPS_DATA_DIR */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { exportPKCS8, exportSPKI, generateKeyPair } from 'jose';

export interface DevKeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
  privateKeyPath: string;
  created: boolean;
}

export function devKeyPaths(dataDir: string) {
  const dir = path.join(dataDir, 'dev-keys');
  return { dir, privateKeyPath: path.join(dir, 'jwt-private.pem'), publicKeyPath: path.join(dir, 'jwt-public.pem') };
}

/** Loads the RSA key pair under `<dataDir>/dev-keys`, creating it (private key mode 0600) on first use. */
export async function ensureDevKeyPair(dataDir: string): Promise<DevKeyPair> {
  const { dir, privateKeyPath, publicKeyPath } = devKeyPaths(dataDir);
  try {
    const [privateKeyPem, publicKeyPem] = await Promise.all([readFile(privateKeyPath, 'utf8'), readFile(publicKeyPath, 'utf8')]);
    return { privateKeyPem, publicKeyPem, privateKeyPath, created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const privateKeyPem = await exportPKCS8(privateKey);
  const publicKeyPem = await exportSPKI(publicKey);
  await writeFile(privateKeyPath, privateKeyPem, { mode: 0o600, flag: 'wx' });
  await writeFile(publicKeyPath, publicKeyPem, { mode: 0o644, flag: 'wx' });
  return { privateKeyPem, publicKeyPem, privateKeyPath, created: true };
}

/** Reads the existing development private key, or explains how to create it. */
export async function readDevPrivateKey(dataDir: string): Promise<string> {
  const { privateKeyPath } = devKeyPaths(dataDir);
  try {
    return await readFile(privateKeyPath, 'utf8');
  } catch {
    throw new Error(`no development key at ${privateKeyPath}: run \`npm start\` once (outside production) to create it`);
  }
}
