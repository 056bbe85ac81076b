import * as fs from 'fs';
import * as path from 'path';
import { Client } from 'pg';
import { freePort, RunningPostgres, startEmbeddedPostgres } from '#disty/core';

/**
 * A streaming replica of the stack's PostgreSQL (docs/operations.md §15), from the same PostgreSQL
 * 18 binaries. The embedded package ships `initdb`, `pg_ctl` and `postgres` but not `pg_basebackup`
 * (and Debian 12's is 15, which refuses an 18 server), so the base backup is PostgreSQL's documented
 * low-level one: a physical replication slot keeps the WAL from before the copy, `pg_backup_start`,
 * a copy of the data directory, `pg_backup_stop` (whose label file goes into the copy), then
 * `standby.signal` and `primary_conninfo`: what `pg_basebackup -R` writes. The replica streams
 * from the primary and answers read-only queries (`hot_standby`).
 */
export const REPLICA_SLOT = 'disty_replica';

/** Contents left out of a base backup (recreated empty, or meaningless on a copy). */
const SKIP_CONTENTS = new Set([
  'pg_wal',
  'pg_replslot',
  'pg_dynshmem',
  'pg_notify',
  'pg_serial',
  'pg_snapshots',
  'pg_stat_tmp',
  'pg_subtrans',
]);
const SKIP_FILES = new Set(['postmaster.pid', 'postmaster.opts', 'pg_internal.init', 'backup_label', 'tablespace_map', 'standby.signal']);

/** Copies a live data directory: a file that vanishes while copied (a temporary one) is skipped. */
function copyDataDir(from: string, to: string, owner: { uid: number; gid: number } | null): void {
  fs.mkdirSync(to, { mode: 0o700 });
  if (owner) fs.chownSync(to, owner.uid, owner.gid);
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    if (SKIP_FILES.has(entry.name) || entry.name.startsWith('pgsql_tmp')) continue;
    try {
      if (entry.isDirectory()) {
        if (SKIP_CONTENTS.has(entry.name)) {
          fs.mkdirSync(dst, { mode: 0o700 });
          if (owner) fs.chownSync(dst, owner.uid, owner.gid);
        } else {
          copyDataDir(src, dst, owner);
        }
      } else if (entry.isSymbolicLink()) {
        fs.symlinkSync(fs.readlinkSync(src), dst);
      } else {
        fs.copyFileSync(src, dst);
        fs.chmodSync(dst, 0o600);
        if (owner) fs.chownSync(dst, owner.uid, owner.gid);
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
}

export interface RunningReplica extends RunningPostgres {
  /** How the primary sees it (pg_stat_replication's application_name). */
  applicationName: string;
}

/** Base-backs-up `primary` into `dataDir` and starts it as a hot standby streaming from it. */
export async function startReplica(
  primary: RunningPostgres,
  dataDir: string,
  log: (l: string) => void = () => undefined,
): Promise<RunningReplica> {
  const admin = new Client({ connectionString: primary.url() });
  await admin.connect();
  try {
    await admin.query(`SELECT pg_create_physical_replication_slot($1, true)`, [REPLICA_SLOT]);
    await admin.query(`SELECT pg_backup_start('disty stack replica', true)`);
    const st = fs.statSync(primary.dataDir);
    const root = typeof process.getuid === 'function' && process.getuid() === 0;
    try {
      copyDataDir(primary.dataDir, dataDir, root ? { uid: st.uid, gid: st.gid } : null);
    } finally {
      const { rows } = await admin.query(`SELECT labelfile, spcmapfile FROM pg_backup_stop(false)`);
      if (fs.existsSync(dataDir)) {
        fs.writeFileSync(path.join(dataDir, 'backup_label'), rows[0].labelfile, { mode: 0o600 });
        if (rows[0].spcmapfile) fs.writeFileSync(path.join(dataDir, 'tablespace_map'), rows[0].spcmapfile, { mode: 0o600 });
      }
    }
  } finally {
    await admin.end();
  }
  const applicationName = 'disty_replica';
  const conninfo = `host=127.0.0.1 port=${primary.port} user=postgres password=disty application_name=${applicationName}`;
  fs.appendFileSync(
    path.join(dataDir, 'postgresql.auto.conf'),
    [`primary_conninfo = '${conninfo}'`, `primary_slot_name = '${REPLICA_SLOT}'`, 'hot_standby = on', ''].join('\n'),
  );
  fs.writeFileSync(path.join(dataDir, 'standby.signal'), '', { mode: 0o600 });
  const st = fs.statSync(dataDir);
  for (const f of ['backup_label', 'tablespace_map', 'standby.signal', 'postgresql.auto.conf']) {
    const p = path.join(dataDir, f);
    if (fs.existsSync(p)) fs.chownSync(p, st.uid, st.gid);
  }
  const replica = await startEmbeddedPostgres({ dataDir, port: await freePort(), log });
  log(`streaming replica on 127.0.0.1:${replica.port} (slot ${REPLICA_SLOT})`);
  return { ...replica, applicationName };
}

/** Waits until the replica has replayed everything the primary had written when called; its lag in ms. */
export async function waitForReplay(primaryUrl: string, replicaUrl: string, timeoutMs = 30_000): Promise<number> {
  const started = Date.now();
  const p = new Client({ connectionString: primaryUrl });
  const r = new Client({ connectionString: replicaUrl });
  await p.connect();
  await r.connect();
  try {
    const { rows } = await p.query(`SELECT pg_current_wal_lsn()::text AS lsn`);
    for (;;) {
      const { rows: done } = await r.query(`SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok`, [rows[0].lsn]);
      if (done[0].ok) return Date.now() - started;
      if (Date.now() - started > timeoutMs) throw new Error(`the replica has not replayed ${rows[0].lsn} after ${timeoutMs} ms`);
      await new Promise((res) => setTimeout(res, 5));
    }
  } finally {
    await p.end();
    await r.end();
  }
}
