import { ChildProcess, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { freePort, prepareDatabaseRoles, PROJECT_ROOT, RunningPostgres, runMigrations, startEmbeddedPostgres } from '#disty/core';
import { startReplica } from './replica';

/**
 * The scale-out stack (docs/operations.md §15): PostgreSQL 18 (the embedded binaries), pgbouncer in
 * transaction mode in front of it, a streaming replica the instances read their reports from
 * (DATABASE_READ_URL), N API instances connecting through pgbouncer, and HAProxy
 * balancing HTTP over the instances that answer /health/ready, all on 127.0.0.1, from Debian's
 * haproxy and pgbouncer packages (scripts/stack.sh installs them). Used by `npm run stack`, the
 * stack test (test/stack/) and the proxy benchmark.
 */
export interface StackOptions {
  instances: number;
  /** PostgreSQL's data; a fresh temporary folder when absent (removed on stop). */
  dataDir?: string;
  throttleLimit?: number;
  /** A streaming replica for the read-only reports (DATABASE_READ_URL); default true. */
  replica?: boolean;
  /** Extra environment for every API instance. */
  env?: Record<string, string>;
  log?: (line: string) => void;
}

export interface ApiInstance {
  port: number;
  child: ChildProcess;
}

export interface Stack {
  /** HAProxy's address: what clients use. */
  proxyUrl: string;
  /** The app role through pgbouncer (what the instances use). */
  pooledUrl: string;
  /** The app role and the owner role straight to PostgreSQL. */
  appUrl: string;
  ownerUrl: string;
  /** The superuser on the primary, and on the replica (when there is one). */
  primaryAdminUrl: string;
  replicaAdminUrl?: string;
  /** The app role on the replica: the instances' DATABASE_READ_URL. */
  readUrl?: string;
  adminToken: string;
  instances: ApiInstance[];
  pids: { pgbouncer: number; haproxy: number };
  stop(): Promise<void>;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

function which(binary: string): string {
  for (const dir of ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin']) {
    const p = path.join(dir, binary);
    if (fs.existsSync(p)) return p;
  }
  throw new Error(`${binary} is not installed: run scripts/stack.sh (it installs Debian's ${binary} package)`);
}

async function waitFor(what: string, ok: () => Promise<boolean>, ms: number, died?: () => string | null): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const dead = died?.();
    if (dead) throw new Error(`${what}: ${dead}`);
    if (await ok().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`${what}: not ready after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A child whose output is kept (the last 4 KB) for the error when it dies early. */
function supervise(name: string, child: ChildProcess) {
  let tail = '';
  let exit: string | null = null;
  const keep = (c: Buffer) => (tail = (tail + c.toString()).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.once('exit', (code, signal) => (exit = `${name} exited (${signal ?? code}):\n${tail}`));
  return {
    died: () => exit,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (exit !== null || child.exitCode !== null) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    },
  };
}

function pgbouncerConfig(dir: string, listen: number, pgPort: number): string {
  fs.writeFileSync(path.join(dir, 'userlist.txt'), '"disty_app" "disty"\n', { mode: 0o644 });
  const ini = path.join(dir, 'pgbouncer.ini');
  fs.writeFileSync(
    ini,
    [
      '[databases]',
      `disty = host=127.0.0.1 port=${pgPort} dbname=disty`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${listen}`,
      'unix_socket_dir =',
      'auth_type = scram-sha-256',
      `auth_file = ${path.join(dir, 'userlist.txt')}`,
      'pool_mode = transaction',
      'default_pool_size = 20',
      'max_client_conn = 1000',
      'ignore_startup_parameters = extra_float_digits,options',
      `logfile = ${path.join(dir, 'pgbouncer.log')}`,
      `pidfile = ${path.join(dir, 'pgbouncer.pid')}`,
      '',
    ].join('\n'),
    { mode: 0o644 },
  );
  return ini;
}

function haproxyConfig(dir: string, listen: number, ports: number[]): string {
  const cfg = path.join(dir, 'haproxy.cfg');
  fs.writeFileSync(
    cfg,
    [
      'global',
      '  maxconn 4096',
      'defaults',
      '  mode http',
      '  timeout connect 2s',
      '  timeout client 60s',
      '  timeout server 60s',
      '  option forwardfor',
      '  retries 2',
      '  option redispatch',
      'frontend api',
      `  bind 127.0.0.1:${listen}`,
      '  default_backend apis',
      'backend apis',
      '  balance roundrobin',
      '  option httpchk GET /health/ready',
      '  http-check expect status 200',
      '  default-server inter 500ms fall 2 rise 1',
      ...ports.map((p, i) => `  server api${i + 1} 127.0.0.1:${p} check`),
      '',
    ].join('\n'),
  );
  return cfg;
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  const log = opts.log ?? (() => undefined);
  const main = path.join(PROJECT_ROOT, 'dist', 'apps', 'api', 'src', 'main.js');
  if (!fs.existsSync(main)) throw new Error(`${main} is missing: run npm run build:api`);
  const pgbouncerBin = which('pgbouncer');
  const haproxyBin = which('haproxy');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'disty-stack-'));
  fs.chmodSync(dir, 0o777); // pgbouncer runs as `postgres` when we are root, and writes its log here
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((e: Error) => log(`stop: ${e.message}`));
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const pg: RunningPostgres = await startEmbeddedPostgres({
      dataDir: opts.dataDir ?? path.join(dir, 'pg'),
      port: await freePort(),
      log,
    });
    stops.push(pg.stop);
    const { appUrl, ownerUrl } = await prepareDatabaseRoles(pg.url(), 'disty');
    // Migrations go straight to PostgreSQL, never through the pooler (docs/operations.md §10).
    await runMigrations(ownerUrl, log);
    log(`PostgreSQL on 127.0.0.1:${pg.port}`);
    let readUrl: string | undefined;
    let replicaAdminUrl: string | undefined;
    if (opts.replica !== false) {
      const replica = await startReplica(pg, path.join(dir, 'replica'), log);
      stops.push(replica.stop);
      // Straight to the standby (no pooler): instances × DB_POOL_SIZE read connections (docs/operations.md §10).
      readUrl = `postgres://disty_app:disty@127.0.0.1:${replica.port}/disty`;
      replicaAdminUrl = replica.url('disty');
    }

    const bouncerPort = await freePort();
    const ini = pgbouncerConfig(dir, bouncerPort, pg.port);
    const bouncer = spawn(pgbouncerBin, isRoot() ? ['-u', 'postgres', ini] : [ini], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const bouncerWatch = supervise('pgbouncer', bouncer);
    stops.push(() => bouncerWatch.stop('SIGINT'));
    const pooledUrl = `postgres://disty_app:disty@127.0.0.1:${bouncerPort}/disty`;
    const { Client } = await import('pg');
    await waitFor(
      'pgbouncer',
      async () => {
        const c = new Client({ connectionString: pooledUrl });
        await c.connect();
        await c.query('SELECT 1');
        await c.end();
        return true;
      },
      15_000,
      bouncerWatch.died,
    );
    log(`pgbouncer (transaction mode) on 127.0.0.1:${bouncerPort}`);

    const adminToken = `stack-admin-${randomBytes(16).toString('hex')}`;
    const prefix = `disty:stack:${process.pid}:${Date.now().toString(36)}:`;
    const instances: ApiInstance[] = [];
    for (let i = 0; i < opts.instances; i++) {
      const port = await freePort();
      const inherited = { ...process.env };
      delete inherited.MIGRATION_DATABASE_URL;
      const child = spawn(process.execPath, [main], {
        cwd: PROJECT_ROOT,
        env: {
          ...inherited,
          NODE_ENV: 'production',
          PORT: String(port),
          DATABASE_URL: pooledUrl,
          ...(readUrl ? { DATABASE_READ_URL: readUrl } : {}),
          MIGRATE_ON_START: 'false',
          DB_PREPARED_STATEMENTS: 'off', // Debian's pgbouncer 1.18 does not track them
          DB_POOL_SIZE: '10',
          REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
          REDIS_KEY_PREFIX: prefix,
          THROTTLE_LIMIT: String(opts.throttleLimit ?? 1_000_000_000),
          BOOTSTRAP_ADMIN_TOKEN: adminToken,
          JOBS_ENABLED: 'true',
          RENEWAL_SCAN_ON_START: 'false',
          SEED_DEMO: 'false',
          LOG_LEVEL: 'warn',
          ...opts.env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const watch = supervise(`API instance ${i + 1}`, child);
      stops.push(() => watch.stop('SIGTERM'));
      instances.push({ port, child });
      await waitFor(`API instance ${i + 1}`, async () => (await fetch(`http://127.0.0.1:${port}/health/ready`)).ok, 90_000, watch.died);
      log(`API instance ${i + 1} on 127.0.0.1:${port} (pid ${child.pid})`);
    }

    const proxyPort = await freePort();
    const cfg = haproxyConfig(
      dir,
      proxyPort,
      instances.map((x) => x.port),
    );
    const haproxy = spawn(haproxyBin, ['-db', '-f', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
    const haproxyWatch = supervise('haproxy', haproxy);
    stops.push(() => haproxyWatch.stop('SIGTERM')); // stopped first: no new requests, then the instances drain
    const proxyUrl = `http://127.0.0.1:${proxyPort}`;
    // Every instance passed its first check: as many ready answers in a row as there are instances.
    await waitFor(
      'haproxy',
      async () => {
        for (let i = 0; i < opts.instances * 2; i++) if (!(await fetch(`${proxyUrl}/health/ready`)).ok) return false;
        return true;
      },
      15_000,
      haproxyWatch.died,
    );
    log(`HAProxy on ${proxyUrl} over ${opts.instances} instance(s)`);

    return {
      proxyUrl,
      pooledUrl,
      appUrl,
      ownerUrl,
      primaryAdminUrl: pg.url('disty'),
      replicaAdminUrl,
      readUrl,
      adminToken,
      instances,
      pids: { pgbouncer: bouncer.pid!, haproxy: haproxy.pid! },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
