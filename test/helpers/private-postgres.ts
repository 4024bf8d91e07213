/**
 * A private, real PostgreSQL for tests that break it (stop, restart, kill its connections): its own
 * data directory (initdb) on a free port, run with the installed binaries (`pg_ctl`), as user
 * `postgres` when the tests run as root (PostgreSQL refuses to run as root), like
 * `scripts/test-services.sh`. Never the shared one on 5432.
 *
 *   const pg = await PrivatePostgres.start();   // initdb + start
 *   pg.url                                       // postgres://postgres@127.0.0.1:<port>/postgres
 *   await pg.terminateBackends();                // pg_terminate_backend on every other connection
 *   await pg.stop(); await pg.start();           // or pg.restart(): same port, same data
 *   await pg.destroy();                          // stop and remove the data directory
 */
import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './process.js';

const run = promisify(execFile);

/** The newest installed /usr/lib/postgresql/<version>/bin (override with TEST_PG_BIN). */
export function postgresBin(): string {
  if (process.env.TEST_PG_BIN) return process.env.TEST_PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(a) - Number(b));
  if (versions.length === 0) throw new Error(`no PostgreSQL under ${root}: install postgresql (scripts/test-services.sh does)`);
  return path.join(root, versions.at(-1)!, 'bin');
}

export class PrivatePostgres {
  readonly url: string;
  private running = false;

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {
    this.url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  }

  /** initdb in a fresh temporary directory, then start on a free port. */
  static async start(): Promise<PrivatePostgres> {
    const dir = mkdtempSync(path.join(tmpdir(), 'aiops-private-pg-'));
    const asRoot = userInfo().uid === 0;
    if (asRoot) chownSync(dir, ...(await postgresIds()));
    const instance = new PrivatePostgres(dir, await freePort());
    await instance.as(path.join(postgresBin(), 'initdb'), ['-D', instance.dataDir, '-U', 'postgres', '--auth=trust', '--no-sync']);
    await instance.start();
    return instance;
  }

  private get dataDir(): string {
    return path.join(this.dir, 'data');
  }

  /** Starts the server (again) on the same port and data; resolves when it accepts connections. */
  async start(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
    await this.as(path.join(postgresBin(), 'pg_ctl'), [
      '-D',
      this.dataDir,
      '-o',
      options,
      '-l',
      path.join(this.dir, 'pg.log'),
      '-w',
      '-t',
      '30',
      'start',
    ]);
    this.running = true;
  }

  /** Fast shutdown: open connections are closed by the server, as in a real restart or failover. */
  async stop(): Promise<void> {
    if (!this.running) return;
    await this.as(path.join(postgresBin(), 'pg_ctl'), ['-D', this.dataDir, '-m', 'fast', '-w', '-t', '30', 'stop']);
    this.running = false;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Runs one statement on a short-lived connection of its own. */
  async query<T extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('error', () => undefined); // this helper's own connection may be the one a test kills
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  /** Kills every other connection to the server (as an operator, a failover or a proxy's idle timeout would); returns how many. */
  async terminateBackends(): Promise<number> {
    const rows = await this.query<{ killed: boolean }>(
      "SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'",
    );
    return rows.filter((r) => r.killed).length;
  }

  /** Stops the server and removes its directory. */
  async destroy(): Promise<void> {
    await this.stop().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Runs a PostgreSQL binary, as user postgres when we are root. */
  private async as(binary: string, args: string[]): Promise<void> {
    const [cmd, argv] = userInfo().uid === 0 ? ['runuser', ['-u', 'postgres', '--', binary, ...args]] : [binary, args];
    try {
      await run(cmd, argv, { cwd: this.dir, timeout: 60_000 });
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`${path.basename(binary)} ${args.at(-1)} failed: ${e.stderr || e.message} (log: ${this.dir}/pg.log)`);
    }
  }
}

async function postgresIds(): Promise<[number, number]> {
  const { stdout } = await run('id', ['-u', 'postgres']);
  const { stdout: gid } = await run('id', ['-g', 'postgres']);
  return [Number(stdout.trim()), Number(gid.trim())];
}
