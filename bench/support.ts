import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createDataSource, freePort, PROJECT_ROOT, runMigrations, RunningPostgres, startEmbeddedPostgres } from '#disty/core';

export interface BenchResult {
  benchmark: string;
  metric: string;
  value: number | null;
  unit: string;
  goal?: string;
  pass?: boolean | null;
  note?: string;
}

export interface BenchContext {
  /** A fresh, migrated database for one benchmark. */
  freshDatabase(name: string): Promise<{ url: string; ds: DataSource; close: () => Promise<void> }>;
  adminUrl: string;
  log: (line: string) => void;
  /**
   * pgbench TPC-B-like tps (scale 1, 8 clients, 20 s) on this server, measured once per run on a
   * database of its own (the yardstick the goals are relative to); null when pgbench is not installed.
   */
  pgbenchTps(): Promise<number | null>;
}

/** The server the benchmarks run on: DATABASE_URL's, or a throw-away embedded PostgreSQL. */
export async function benchServer(): Promise<{ ctx: BenchContext; stop: () => Promise<void> }> {
  const log = (l: string) => process.stderr.write(`[bench] ${l}\n`);
  let pg: RunningPostgres | undefined;
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const dataDir = path.join(PROJECT_ROOT, '.data', 'pg-bench', `run-${process.pid}`);
    pg = await startEmbeddedPostgres({ dataDir, port: await freePort(), log });
    adminUrl = pg.url('postgres');
  }
  const created: string[] = [];
  let pgbench: Promise<number | null> | undefined;
  const ctx: BenchContext = {
    adminUrl,
    log,
    pgbenchTps: () => (pgbench ??= createDatabase('pgbench').then((url) => runPgbench(log, url))),
    freshDatabase: async (name) => {
      const url = await createDatabase(name);
      await runMigrations(url);
      const ds = createDataSource(url, { extra: { max: 12 } });
      await ds.initialize();
      return { url, ds, close: () => ds.destroy() };
    },
  };
  /** An empty database on the bench server, dropped when the run stops. */
  async function createDatabase(name: string): Promise<string> {
    const db = `bench_${name}_${process.pid}`;
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${db}`);
    await admin.end();
    created.push(db);
    const u = new URL(adminUrl!);
    u.pathname = `/${db}`;
    return u.toString();
  }
  return {
    ctx,
    stop: async () => {
      const admin = new Client({ connectionString: adminUrl });
      await admin.connect();
      for (const db of created) await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch(() => undefined);
      await admin.end();
      if (pg) {
        await pg.stop();
        fs.rmSync(pg.dataDir, { recursive: true, force: true });
        fs.rmSync(`${pg.dataDir}.log`, { force: true });
      }
    },
  };
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function runPgbench(log: (line: string) => void, url: string): number | null {
  const u = new URL(url);
  const env = {
    ...process.env,
    PGPASSWORD: decodeURIComponent(u.password),
    PGHOST: u.hostname,
    PGPORT: u.port || '5432',
    PGUSER: decodeURIComponent(u.username),
  };
  const db = u.pathname.slice(1);
  try {
    execFileSync('pgbench', ['--version'], { stdio: 'ignore' });
  } catch {
    return null;
  }
  log('pgbench: initialising (scale 1) and running 20 s with 8 clients');
  execFileSync('pgbench', ['-i', '-q', '-s', '1', db], { env, stdio: 'ignore' });
  const out = execFileSync('pgbench', ['-c', '8', '-j', '2', '-T', '20', '-n', db], { env }).toString();
  const m = /tps = ([\d.]+)/.exec(out);
  return m ? Number(m[1]) : null;
}
