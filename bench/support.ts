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
    pg = await startEmbeddedPostgres({ dataDir, port: await freePort(), log, settings: statementStatsSettings() });
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

/**
 * BENCH_PG_STATEMENTS=1 loads pg_stat_statements into the embedded server (statements run by
 * triggers and functions included), for a benchmark to print where PostgreSQL's time goes.
 * BENCH_PG_SETTINGS adds server settings, `;`-separated (e.g. auto_explain's, to a log_directory).
 */
export function statementStatsEnabled(): boolean {
  return Boolean(process.env.BENCH_PG_STATEMENTS) && process.env.BENCH_PG_STATEMENTS !== '0';
}

function statementStatsSettings(): string[] {
  const extra = (process.env.BENCH_PG_SETTINGS ?? '').split(';').filter((s) => s.trim());
  const stats = ['shared_preload_libraries=pg_stat_statements', 'pg_stat_statements.track=all', 'pg_stat_statements.track_planning=on'];
  return [...(statementStatsEnabled() ? stats : []), ...extra];
}

/** Resets pg_stat_statements (creating the extension in this database); false when it is not loaded. */
export async function resetStatementStats(ds: DataSource): Promise<boolean> {
  if (!statementStatsEnabled()) return false;
  await ds.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  await ds.query('SELECT pg_stat_statements_reset()');
  await ds.query('SELECT pg_stat_reset()');
  return true;
}

/** The `limit` statements with the most execution time since the reset, as log lines. */
export async function topStatements(ds: DataSource, limit = 25): Promise<string[]> {
  const rows: Array<{ calls: string; total: number; mean: number; plan: number; query: string }> = await ds.query(
    `SELECT calls, round(total_exec_time::numeric, 1)::float AS total, round(mean_exec_time::numeric, 3)::float AS mean,
            round(total_plan_time::numeric, 1)::float AS plan,
            regexp_replace(query, '\\s+', ' ', 'g') AS query
       FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
      ORDER BY total_exec_time + total_plan_time DESC LIMIT $1`,
    [limit],
  );
  const [sum]: Array<{ calls: string; exec: number; plan: number }> = await ds.query(
    `SELECT sum(calls)::text AS calls, round(sum(total_exec_time)::numeric, 1)::float AS exec, round(sum(total_plan_time)::numeric, 1)::float AS plan
       FROM pg_stat_statements WHERE toplevel AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
  );
  const total = `top-level statements: ${sum.calls} calls, ${sum.exec} ms executing, ${sum.plan} ms planning`;
  return [
    total,
    ...rows.map(
      (r) =>
        `${String(r.total).padStart(9)} ms ${String(r.calls).padStart(7)} calls ${String(r.mean).padStart(8)} ms/call (planning ${r.plan} ms)  ${r.query.slice(0, 200)}`,
    ),
  ];
}

/**
 * The tables written since the reset, as log lines: rows inserted, updated (of which HOT, i.e. with
 * no new index entries) and deleted. Backends publish their table counters when idle, within a second.
 */
export async function tableWrites(ds: DataSource, limit = 12): Promise<string[]> {
  await new Promise((r) => setTimeout(r, 1_500));
  const rows: Array<{ relname: string; ins: string; upd: string; hot: string; del: string; indexes: number }> = await ds.query(
    `SELECT t.relname, t.n_tup_ins::text AS ins, t.n_tup_upd::text AS upd, t.n_tup_hot_upd::text AS hot, t.n_tup_del::text AS del,
            (SELECT count(*) FROM pg_index i WHERE i.indrelid = t.relid)::int AS indexes
       FROM pg_stat_user_tables t WHERE t.n_tup_ins + t.n_tup_upd + t.n_tup_del > 0
      ORDER BY t.n_tup_ins + t.n_tup_upd + t.n_tup_del DESC LIMIT $1`,
    [limit],
  );
  return rows.map(
    (r) =>
      `${r.relname.padEnd(28)} ${r.indexes} indexes: ${r.ins.padStart(8)} inserted ${r.upd.padStart(8)} updated (${r.hot} HOT) ${r.del.padStart(6)} deleted`,
  );
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

/** CPU seconds (user + system) of this database's PostgreSQL backends, from /proc (Linux; null elsewhere). */
export async function backendCpu(ds: DataSource): Promise<Map<number, number> | null> {
  if (!fs.existsSync('/proc/self/stat')) return null;
  const rows: Array<{ pid: number }> = await ds.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`);
  const now = new Map<number, number>();
  for (const { pid } of rows) {
    const ms = processCpuMs(pid);
    if (ms !== null) now.set(pid, ms / 1000);
  }
  return now;
}

/** utime + stime of a process from /proc/<pid>/stat, in ms (clock ticks of 10 ms); null when it is gone. */
export function processCpuMs(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return null;
  }
}

/** CPU the backends used since `before` (backends that appeared meanwhile count whole). */
export function cpuSince(before: Map<number, number> | null, after: Map<number, number> | null): number | null {
  if (!before || !after) return null;
  let total = 0;
  for (const [pid, cpu] of after) total += cpu - (before.get(pid) ?? 0);
  return total;
}
