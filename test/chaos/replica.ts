/**
 * One replica of the service for the fault matrix: the real entry point (`src/server.ts`) as a child
 * process with its own port and data directory (its audit spool and lock), sharing the dependencies
 * with the other replica. It knows which of its exits were asked for (SIGKILL, SIGTERM) so that any
 * other exit counts as a process death.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { freePort, runTs } from '../helpers/process.js';

export interface ReplicaExit {
  replica: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The harness sent the signal that ended it. */
  intended: boolean;
  /** The last lines it printed (stderr and stdout), to say why. */
  tail: string;
}

const TAIL_CHARS = 4000;

export class Replica {
  readonly base: string;
  private child: ChildProcessWithoutNullStreams | undefined;
  private intended = false;
  private output = '';
  private exitedPromise: Promise<ReplicaExit> | undefined;
  /** Every exit of this replica so far (across restarts). */
  readonly exits: ReplicaExit[] = [];
  /** false while it is stopped or being stopped on purpose: the load balancer sends it nothing new. */
  accepting = false;

  private constructor(
    readonly name: string,
    readonly port: number,
    private env: Record<string, string>,
    readonly logFile: string,
  ) {
    this.base = `http://127.0.0.1:${port}`;
  }

  /** `logFile` receives everything the process prints, across restarts (JSON log lines). */
  static async create(name: string, env: Record<string, string>, logFile: string): Promise<Replica> {
    return new Replica(name, await freePort(), env, logFile);
  }

  /** Merges settings into the environment of the next start. */
  configure(extra: Record<string, string>): void {
    this.env = { ...this.env, ...extra };
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the process and resolves once `/health` answers; returns how long that took (ms). */
  async start(timeoutMs = 90_000): Promise<number> {
    const started = Date.now();
    const child = runTs('src/server.ts', [], { ...this.env, PORT: String(this.port), HOST: '127.0.0.1' });
    this.child = child;
    this.intended = false;
    this.output = '';
    const keep = (d: Buffer) => {
      this.output = (this.output + d.toString()).slice(-TAIL_CHARS);
      appendFileSync(this.logFile, d);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    this.exitedPromise = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        const exit = { replica: this.name, code, signal, intended: this.intended, tail: this.output };
        this.exits.push(exit);
        this.accepting = false;
        resolve(exit);
      });
    });
    while (Date.now() - started < timeoutMs) {
      if (!this.running) throw new Error(`${this.name} exited during start: ${this.output}`);
      if (
        await fetch(`${this.base}/health`, { signal: AbortSignal.timeout(1000) }).then(
          (r) => r.ok,
          () => false,
        )
      ) {
        this.accepting = true;
        return Date.now() - started;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGKILL');
    throw new Error(`${this.name} did not answer /health within ${timeoutMs} ms: ${this.output}`);
  }

  /** kill -9: no drain, nothing flushed. */
  async kill(): Promise<ReplicaExit> {
    return this.signal('SIGKILL');
  }

  /** SIGTERM, as Kubernetes sends it; resolves when the process has exited (with its code). */
  async terminate(): Promise<ReplicaExit> {
    return this.signal('SIGTERM');
  }

  /** Sends a signal the harness means; the load balancer keeps sending until `accepting` is cleared by the caller or the exit. */
  private async signal(signal: NodeJS.Signals): Promise<ReplicaExit> {
    const child = this.child;
    if (!child || !this.running || !this.exitedPromise) throw new Error(`${this.name} is not running`);
    this.intended = true;
    if (signal === 'SIGKILL') this.accepting = false;
    child.kill(signal);
    return this.exitedPromise;
  }

  /** The exits nobody asked for: process deaths. */
  deaths(): ReplicaExit[] {
    return this.exits.filter((e) => !e.intended);
  }

  logTail(): string {
    return this.output;
  }
}
