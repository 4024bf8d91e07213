/**
 * A private, real ClickHouse server (Debian's 18.16) for tests that need to kill it: its own data
 * directory and free ports (HTTP, native and interserver all moved, so it never collides with a
 * server already running), started from the installed binary with a sed'd copy of the packaged
 * config. `scripts/test-services.sh` makes sure the binary is installed and exports where it is.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from './process.js';

export const clickhouseBinary = process.env.TEST_CLICKHOUSE_SERVER_BIN ?? 'clickhouse-server';
export const clickhouseConfigTemplate = process.env.TEST_CLICKHOUSE_CONFIG ?? '/etc/clickhouse-server/config.xml';
const usersTemplate = path.join(path.dirname(clickhouseConfigTemplate), 'users.xml');

export class ClickHouseServer {
  private child: ChildProcess | undefined;
  readonly url: string;

  private constructor(
    readonly dir: string,
    readonly httpPort: number,
    private readonly configPath: string,
  ) {
    this.url = `http://127.0.0.1:${httpPort}`;
  }

  static async create(dir: string): Promise<ClickHouseServer> {
    const [http, tcp, interserver] = [await freePort(), await freePort(), await freePort()];
    mkdirSync(path.join(dir, 'data'), { recursive: true });
    mkdirSync(path.join(dir, 'log'), { recursive: true });
    const config = readFileSync(clickhouseConfigTemplate, 'utf8')
      .replaceAll('/var/lib/clickhouse/', `${dir}/data/`)
      .replaceAll('/var/log/clickhouse-server/', `${dir}/log/`)
      .replace(/<http_port>\d+<\/http_port>/, `<http_port>${http}</http_port>`)
      .replace(/<tcp_port>\d+<\/tcp_port>/, `<tcp_port>${tcp}</tcp_port>`)
      .replace(/<interserver_http_port>\d+<\/interserver_http_port>/, `<interserver_http_port>${interserver}</interserver_http_port>`)
      .replace(/<listen_host>::1<\/listen_host>/, '');
    const configPath = path.join(dir, 'config.xml');
    writeFileSync(configPath, config);
    writeFileSync(path.join(dir, 'users.xml'), readFileSync(usersTemplate, 'utf8'));
    return new ClickHouseServer(dir, http, configPath);
  }

  async start(timeoutMs = 20_000): Promise<void> {
    this.child = spawn(clickhouseBinary, [`--config-file=${this.configPath}`], { cwd: this.dir, stdio: 'ignore' });
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (this.child.exitCode !== null) throw new Error(`clickhouse-server exited with ${this.child.exitCode}; see ${this.dir}/log`);
      if (await this.ping()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`clickhouse-server did not answer on ${this.url} within ${timeoutMs} ms`);
  }

  async ping(): Promise<boolean> {
    try {
      const res = await fetch(`${this.url}/ping`, { signal: AbortSignal.timeout(500) });
      return res.ok && (await res.text()).startsWith('Ok');
    } catch {
      return false;
    }
  }

  /** kill -9, and wait until the process is gone. */
  async kill9(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  }

  /** Runs SQL over HTTP (tests only; values here are test constants). */
  async query(sql: string): Promise<string> {
    const res = await fetch(`${this.url}/?query=${encodeURIComponent(sql)}`);
    const text = await res.text();
    if (!res.ok) throw new Error(text);
    return text;
  }

  async stop(): Promise<void> {
    await this.kill9();
  }
}
