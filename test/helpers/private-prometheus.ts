/**
 * A private, real Prometheus (Debian's binary) for tests that stop it: scenario series generated
 * in-process, backfilled with `promtool tsdb create-blocks-from openmetrics` (queryable at once, as
 * `scripts/test-services.sh` does for the shared one), served on a free port. It can be killed and
 * started again on the same port and data. Never the shared one on 19090.
 *
 *   const prom = await PrivatePrometheus.start([scenarioWorkspace('ws-x', [])], { hours: 1 });
 *   prom.url; prom.window                          // http://127.0.0.1:<port>, the sampled window
 *   await prom.stop(); await prom.start();         // SIGKILL, then the same data again
 *   await prom.destroy();
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { generateSeries, writeOpenMetrics, type TimeWindow, type WorkspaceScenario } from '../../src/metrics/scenarios/index.js';
import { freePort } from './process.js';

const run = promisify(execFile);
export const prometheusBinary = process.env.TEST_PROMETHEUS_BIN ?? 'prometheus';
export const promtoolBinary = process.env.TEST_PROMTOOL_BIN ?? 'promtool';

export class PrivatePrometheus {
  readonly url: string;
  private child: ChildProcess | undefined;

  private constructor(
    readonly dir: string,
    readonly port: number,
    readonly window: TimeWindow,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  /** Generates `hours` of the scenarios ending now, backfills them and starts the server. */
  static async start(scenarios: WorkspaceScenario[], options: { hours?: number; stepMs?: number } = {}): Promise<PrivatePrometheus> {
    const dir = mkdtempSync(path.join(tmpdir(), 'aiops-private-prometheus-'));
    const stepMs = options.stepMs ?? 30_000;
    const endMs = Math.floor(Date.now() / stepMs) * stepMs;
    const window: TimeWindow = { startMs: endMs - Math.floor(((options.hours ?? 1) * 3_600_000) / stepMs) * stepMs, endMs, stepMs };
    const data = path.join(dir, 'data.om');
    const fd = openSync(data, 'w');
    try {
      writeOpenMetrics(
        scenarios.flatMap((s) => generateSeries(s, window)),
        (chunk) => void writeSync(fd, chunk),
      );
    } finally {
      closeSync(fd);
    }
    mkdirSync(path.join(dir, 'tsdb'));
    await run(promtoolBinary, ['tsdb', 'create-blocks-from', 'openmetrics', data, path.join(dir, 'tsdb')], { timeout: 120_000 });
    rmSync(data);
    writeFileSync(path.join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1m\nscrape_configs: []\n');
    const instance = new PrivatePrometheus(dir, await freePort(), window);
    await instance.start();
    return instance;
  }

  /** Starts the server (again) on the same port and data; resolves when `/-/ready` answers 200. */
  async start(timeoutMs = 30_000): Promise<void> {
    if (this.child) return;
    const child = spawn(
      prometheusBinary,
      [
        `--config.file=${path.join(this.dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(this.dir, 'tsdb')}`,
        '--storage.tsdb.retention.time=30d',
        `--web.listen-address=127.0.0.1:${this.port}`,
      ],
      { stdio: ['ignore', 'ignore', openSync(path.join(this.dir, 'prometheus.log'), 'a')] },
    );
    this.child = child;
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (child.exitCode !== null)
        throw new Error(`prometheus exited with ${child.exitCode} (port ${this.port}); see ${this.dir}/prometheus.log`);
      if (await this.ready()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`prometheus did not become ready on ${this.url} within ${timeoutMs} ms`);
  }

  async ready(): Promise<boolean> {
    return fetch(`${this.url}/-/ready`, { signal: AbortSignal.timeout(500) }).then(
      (r) => r.ok,
      () => false,
    );
  }

  /** SIGKILL, as a crash or a lost node. Resolves once the process is gone. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
