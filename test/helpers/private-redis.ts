/**
 * A private, real Redis for tests that break it: the installed `redis-server` as a child process on
 * a free port (no persistence), which a test may stop, start again on the same port, or restart.
 * Never the shared one on 6379.
 *
 *   const redis = await PrivateRedis.start();
 *   redis.url                                  // redis://127.0.0.1:<port>
 *   await redis.stop(); await redis.start();   // or redis.restart()
 *   await redis.destroy();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './process.js';

export const redisBinary = process.env.TEST_REDIS_SERVER_BIN ?? 'redis-server';

export class PrivateRedis {
  readonly url: string;
  private child: ChildProcess | undefined;

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {
    this.url = `redis://127.0.0.1:${port}`;
  }

  static async start(): Promise<PrivateRedis> {
    const instance = new PrivateRedis(mkdtempSync(path.join(tmpdir(), 'aiops-private-redis-')), await freePort());
    await instance.start();
    return instance;
  }

  /** Starts the server (again) on the same port; resolves when it answers PING. */
  async start(timeoutMs = 10_000): Promise<void> {
    if (this.child) return;
    const child = spawn(
      redisBinary,
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir],
      { stdio: 'ignore' },
    );
    this.child = child;
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode} (port ${this.port})`);
      if (await this.ping()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`redis-server did not answer on ${this.url} within ${timeoutMs} ms`);
  }

  /** SIGKILL, as a crash or a lost node: clients see their connections reset. Resolves once the process is gone. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Whether the server answers PING now. */
  ping(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = connect(this.port, '127.0.0.1');
      const done = (ok: boolean) => {
        socket.destroy();
        resolve(ok);
      };
      socket.setTimeout(500, () => done(false));
      socket.once('error', () => done(false));
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (d) => done(d.toString().startsWith('+PONG')));
    });
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
