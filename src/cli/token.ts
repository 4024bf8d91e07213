/**
 * `npm run token -- --workspace <id> [--permissions aiops:read,aiops:analyze] [--ttl 1h] [--sub user] [--plan shared]`
 * Mints a development token from the key `npm start` generated under AIOPS_DATA_DIR.
 */
import { parseArgs } from 'node:util';
import { readDevPrivateKey } from '../auth/dev-keys.js';
import { mintToken, parseTtl } from '../auth/mint-token.js';
import { isPermission, PERMISSIONS } from '../auth/permissions.js';
import { WorkspaceIdSchema } from '../auth/token-claims.js';
import { loadConfig } from '../config.js';

const USAGE =
  'usage: npm run token -- --workspace <id> [--permissions aiops:read,aiops:analyze] [--ttl 1h] [--sub dev-user] [--plan shared|dedicated]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      workspace: { type: 'string' },
      permissions: { type: 'string', default: 'aiops:read,aiops:analyze' },
      ttl: { type: 'string', default: '1h' },
      sub: { type: 'string', default: 'dev-user' },
      plan: { type: 'string', default: 'shared' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  if (!values.workspace) throw new Error(`--workspace is required\n${USAGE}`);
  const ws = WorkspaceIdSchema.safeParse(values.workspace);
  if (!ws.success) throw new Error(`--workspace ${ws.error.issues[0]?.message}`);
  const permissions = values.permissions
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const unknown = permissions.filter((p) => !isPermission(p));
  if (unknown.length > 0) throw new Error(`unknown permission(s) ${unknown.join(', ')}; choose from ${PERMISSIONS.join(', ')}`);
  if (values.plan !== 'shared' && values.plan !== 'dedicated') throw new Error('--plan must be shared or dedicated');

  const config = loadConfig(process.env);
  const ttlSeconds = parseTtl(values.ttl);
  if (ttlSeconds > config.jwt.maxAgeSeconds) {
    process.stderr.write(
      `note: the service refuses tokens older than JWT_MAX_AGE_SECONDS=${config.jwt.maxAgeSeconds}s, whatever their exp\n`,
    );
  }
  const token = await mintToken({
    privateKeyPem: await readDevPrivateKey(config.dataDir),
    issuer: config.jwt.issuer,
    audience: config.jwt.audiences[0]!,
    sub: values.sub,
    workspaceId: ws.data,
    permissions: permissions.filter(isPermission),
    planType: values.plan,
    ttlSeconds,
  });
  process.stdout.write(`${token}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`token: ${(err as Error).message}\n`);
  process.exit(2);
});
