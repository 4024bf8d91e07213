/**
 * Process entry point: read the configuration once, resolve the development key when nothing is
 * configured (never in production), build the app, listen, and drain on SIGTERM/SIGINT: first the
 * analysis runs (the server keeps answering), then the listener and the in-flight requests.
 */
import { ensureDevKeyPair } from './auth/dev-keys.js';
import { mintToken } from './auth/mint-token.js';
import { buildApp } from './app.js';
import { ConfigError, loadConfig, withJwtKey, type Config } from './config.js';

export const DEMO_WORKSPACE_ID = 'ws-demo';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`hexabase-aiops: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }

  let devToken: string | undefined;
  if (config.jwt.key.kind === 'none') {
    const pair = await ensureDevKeyPair(config.dataDir);
    config = withJwtKey(config, { kind: 'pem', pem: pair.publicKeyPem }, ['RS256']);
    devToken = await mintToken({
      privateKeyPem: pair.privateKeyPem,
      issuer: config.jwt.issuer,
      audience: config.jwt.audiences[0]!,
      sub: 'dev-user',
      workspaceId: DEMO_WORKSPACE_ID,
      // Enough to see the whole flow in the console: analyse, propose, approve (by a second user: four eyes).
      permissions: ['aiops:read', 'aiops:analyze', 'aiops:remediate'],
      ttlSeconds: Math.min(3600, config.jwt.maxAgeSeconds),
    });
  }

  const app = await buildApp(config);
  const shutdown = async (signal: string) => {
    app.log.info({ signal }, 'shutting down: no new analysis runs; waiting for the running ones');
    const force = setTimeout(() => {
      app.log.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.http.shutdownTimeoutMs);
    force.unref();
    // Still listening meanwhile: clients keep polling their runs here; new runs get 503 and go elsewhere.
    const runs = await app.drainRuns().catch((err: unknown) => app.log.error({ err }, 'error while draining analysis runs'));
    app.log.info({ runs }, 'shutting down: closing the listener, draining in-flight requests');
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'error while closing');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  const address = await app.listen({ port: config.http.port, host: config.http.host });
  if (devToken) {
    const base = `http://127.0.0.1:${config.http.port}`;
    process.stdout.write(
      [
        '',
        `Development mode: no JWT key configured, using the generated key under ${config.dataDir}/dev-keys.`,
        `The console, signed in to workspace ${DEMO_WORKSPACE_ID} for 1 h (the token is in the URL fragment, which the browser never sends):`,
        '',
        `  ${base}/ui#token=${devToken}`,
        '',
        `The API (more tokens with \`npm run token -- --workspace <id> --permissions …\`):`,
        '',
        `  curl -s -H "Authorization: Bearer ${devToken}" ${base}/workspaces/${DEMO_WORKSPACE_ID}/access`,
        '',
      ].join('\n'),
    );
  }
  app.log.info({ address }, 'hexabase-aiops listening');
}

main().catch((err: unknown) => {
  process.stderr.write(`hexabase-aiops: failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});
