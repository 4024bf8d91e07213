/**
 * `npm run bench:start`: start to first answer, and the files a start reads, for the built service
 * (dist/, embedded defaults, no Langfuse) against a bare Fastify app that verifies an RS256 token
 * (the floor), each started RUNS times in fresh processes, medians and the ratio from the same run.
 * Files are counted by a module loader hook (ESM and CommonJS alike), OpenTelemetry/Langfuse apart.
 *   npm run build && npm run bench:start [-- --runs 5]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;
const root = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'bench-start-'));

// Counts every module the process loads (the hook runs in the loader thread; totals go back on exit).
const hook = join(dir, 'count.mjs');
writeFileSync(
  hook,
  `import { createRequire, register } from 'node:module';
import { fileURLToPath } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
const { port1, port2 } = new MessageChannel();
const files = new Set();
port1.on('message', (url) => files.add(fileURLToPath(url)));
port1.unref();
register('data:text/javascript,' + encodeURIComponent(\`
let port;
export function initialize(data) { port = data.port; }
export async function load(url, context, next) {
  if (url.startsWith('file:')) port.postMessage(url);
  return next(url, context);
}\`), { data: { port: port2 }, transferList: [port2] });
// CommonJS modules required from CommonJS do not pass the ESM hook: the require cache has them all.
const cache = createRequire(import.meta.url).cache;
process.on('exit', () => {
  for (const path of Object.keys(cache)) files.add(path);
  const all = [...files];
  console.log('COUNTS ' + JSON.stringify({ files: all.length, tracing: all.filter((f) => /opentelemetry|langfuse/.test(f)).length }));
});
`,
);

const keyScript = `const { generateKeyPairSync } = await import('node:crypto');
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = publicKey.export({ type: 'spki', format: 'pem' });`;

const service = join(dir, 'service.mjs');
writeFileSync(
  service,
  `${keyScript}
const t0 = performance.now();
const { buildApp } = await import(${JSON.stringify(join(root, 'dist/src/app.js'))});
const { loadConfig } = await import(${JSON.stringify(join(root, 'dist/src/config.js'))});
const app = await buildApp(loadConfig({ NODE_ENV: 'development', JWT_PUBLIC_KEY: pem, AIOPS_DATA_DIR: ${JSON.stringify(join(dir, 'data'))},
  MONITOR_ENABLED: 'false', LOG_LEVEL: 'silent' }), { logger: false });
await app.ready();
const res = await app.inject({ url: '/health' });
if (res.statusCode !== 200) throw new Error('health answered ' + res.statusCode);
console.log('MS ' + (performance.now() - t0));
await app.close();
`,
);

const bare = join(dir, 'bare.mjs');
writeFileSync(
  bare,
  `${keyScript}
const t0 = performance.now();
const { default: Fastify } = await import(${JSON.stringify(join(root, 'node_modules/fastify/fastify.js'))});
const jose = await import(${JSON.stringify(join(root, 'node_modules/jose/dist/webapi/index.js'))});
const key = await jose.importSPKI(pem, 'RS256');
const app = Fastify();
app.get('/health', async (req) => { await jose.jwtVerify(req.headers.authorization.slice(7), key); return { ok: true }; });
await app.ready();
const token = await new jose.SignJWT({}).setProtectedHeader({ alg: 'RS256' }).setExpirationTime('1m').sign(privateKey);
const res = await app.inject({ url: '/health', headers: { authorization: 'Bearer ' + token } });
if (res.statusCode !== 200) throw new Error('bare answered ' + res.statusCode);
console.log('MS ' + (performance.now() - t0));
await app.close();
`,
);

function measure(script: string): { ms: number; files: number; tracing: number } {
  const out = spawnSync(process.execPath, ['--import', hook, script], { encoding: 'utf8', cwd: root });
  if (out.status !== 0) throw new Error(`${script} failed: ${out.stderr}`);
  const ms = Number(/MS ([\d.]+)/.exec(out.stdout)?.[1]);
  const counts = JSON.parse(/COUNTS (.*)/.exec(out.stdout)?.[1] ?? '{}') as { files: number; tracing: number };
  return { ms, ...counts };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const results = { service: [] as ReturnType<typeof measure>[], bare: [] as ReturnType<typeof measure>[] };
for (let i = 0; i < runs; i++) {
  // Interleaved, so a noisy moment hits both.
  results.bare.push(measure(bare));
  results.service.push(measure(service));
}
console.log(`start to first answer, ${runs} fresh processes each (medians):`);
for (const [name, rs] of Object.entries(results)) {
  console.log(
    `  ${name.padEnd(8)} ${median(rs.map((r) => r.ms))
      .toFixed(0)
      .padStart(6)} ms   files ${median(rs.map((r) => r.files))}` +
      `   of which OpenTelemetry/Langfuse ${median(rs.map((r) => r.tracing))}`,
  );
}
console.log(`  ratio service / bare: ${(median(results.service.map((r) => r.ms)) / median(results.bare.map((r) => r.ms))).toFixed(1)}×`);
