import * as fs from 'fs';
import * as path from 'path';
import type { TestApp } from './support/app';

/**
 * Pooler-safe database use (docs/operations.md §10): with DB_PREPARED_STATEMENTS=off no named
 * statement is left on a server connection (a transaction pooler would hand it to another client),
 * and advisory locks live only inside transactions.
 */
describe('Behind a transaction pooler', () => {
  let t: TestApp;
  let createTestApp: typeof import('./support/app').createTestApp;
  const saved = {
    pool: process.env.DB_POOL_SIZE,
    prepared: process.env.DB_PREPARED_STATEMENTS,
    cache: process.env.TOKEN_CACHE_SECONDS,
  };

  beforeAll(async () => {
    // One connection, so what a request prepared is visible to the next query on that connection.
    process.env.DB_POOL_SIZE = '1';
    // Every request looks its token up (the token cache would answer repeated requests without a
    // query; behind a transaction pooler it is off, as LISTEN needs a session: docs/operations.md §10).
    process.env.TOKEN_CACHE_SECONDS = '0';
    // Read once, when an instance starts: this one runs as it would behind the pooler.
    process.env.DB_PREPARED_STATEMENTS = 'off';
    ({ createTestApp } = await import('./support/app.js'));
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
    for (const [k, v] of [
      ['DB_POOL_SIZE', saved.pool],
      ['DB_PREPARED_STATEMENTS', saved.prepared],
      ['TOKEN_CACHE_SECONDS', saved.cache],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  /** Statements prepared on the instance's one connection (pg_prepared_statements is per session). */
  const named = async (app: TestApp) =>
    (await app.db.query(`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name = 'identity.user-by-token'`))[0].n as number;

  it('with DB_PREPARED_STATEMENTS=off an authenticated request prepares no named statement; on, it does', async () => {
    const user = await t.user('admin');
    for (let i = 0; i < 3; i++) await t.http().get('/api/v1/me').set('Authorization', user.auth).expect(200);
    expect(await named(t)).toBe(0);

    process.env.DB_PREPARED_STATEMENTS = 'on';
    const on = await createTestApp();
    try {
      await on.http().get('/api/v1/me').set('Authorization', user.auth).expect(200);
      await on.http().get('/api/v1/me').set('Authorization', user.auth).expect(200);
      expect(await named(on)).toBe(1);
    } finally {
      await on.close();
      process.env.DB_PREPARED_STATEMENTS = 'off';
    }
  });

  it('an advisory lock is held by an open transaction, and freed when it ends', async () => {
    const { holdAdvisoryLock } = await import('#disty/core');
    const { Client } = await import('pg');
    const other = new Client({ connectionString: process.env.DATABASE_URL });
    await other.connect();
    try {
      const held = await holdAdvisoryLock(t.db, 'disty:test:pooler', { wait: false });
      expect(held).not.toBeNull();
      const holders = await other.query(
        `SELECT a.state FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE l.locktype = 'advisory' AND l.objid = hashtext('disty:test:pooler')::oid`,
      );
      expect(holders.rows).toEqual([{ state: 'idle in transaction' }]);
      const busy = await other.query(`SELECT pg_try_advisory_xact_lock(hashtext('disty:test:pooler')) AS locked`);
      expect(busy.rows[0].locked).toBe(false);
      await held!.release();
      const free = await other.query(`SELECT pg_try_advisory_xact_lock(hashtext('disty:test:pooler')) AS locked`);
      expect(free.rows[0].locked).toBe(true);
    } finally {
      await other.end();
    }
  });

  it('no code takes a session-level advisory lock', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts') && /pg_(try_)?advisory_lock(_shared)?\s*\(/.test(fs.readFileSync(p, 'utf8'))) offenders.push(p);
      }
    };
    for (const d of ['apps', 'libs', 'scripts', 'migrations', 'bench']) walk(path.join(__dirname, '..', d));
    expect(offenders).toEqual([]);
  });
});
