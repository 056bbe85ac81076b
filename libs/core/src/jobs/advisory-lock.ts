import { sqlState } from '../errors/problem';
import { DataSource, EntityManager } from 'typeorm';

/**
 * Runs `fn` in a transaction holding a transaction-scoped advisory lock named `name`, or returns
 * `null` at once when another instance holds it. Scheduled jobs use this so that several API
 * instances firing the same cron run it once.
 */
export async function tryWithAdvisoryLock<T>(db: DataSource, name: string, fn: (em: EntityManager) => Promise<T>): Promise<T | null> {
  return db.transaction(async (em) => {
    const [{ locked }] = await em.query('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked', [name]);
    if (!locked) return null;
    return fn(em);
  });
}

/** Like tryWithAdvisoryLock but waits for the lock. */
export async function withAdvisoryLock<T>(db: DataSource, name: string, fn: (em: EntityManager) => Promise<T>): Promise<T> {
  return db.transaction(async (em) => {
    await em.query('SELECT pg_advisory_xact_lock(hashtext($1))', [name]);
    return fn(em);
  });
}

/** An advisory lock held by an open transaction on a connection of its own; release() commits it. */
export interface HeldAdvisoryLock {
  release(): Promise<void>;
}

/**
 * Takes the transaction-scoped advisory lock `name` in a transaction opened on a connection of its
 * own and keeps that transaction open (idle, holding no snapshot) until release(), for work that
 * spans many transactions of other connections (a billing run, the demo seed). Never a
 * session-level lock: behind a pooler in transaction mode a session lock stays on whichever server
 * connection took it, while an open transaction keeps its server connection until it ends, and a
 * client that dies ends it (docs/operations.md §10). `wait: false` answers null at once when
 * another holder has the lock.
 */
export async function holdAdvisoryLock(db: DataSource, name: string, opts: { wait: boolean }): Promise<HeldAdvisoryLock | null> {
  const qr = db.createQueryRunner();
  await qr.connect();
  try {
    await qr.startTransaction();
    if (opts.wait) {
      await qr.query('SELECT pg_advisory_xact_lock(hashtext($1))', [name]);
    } else {
      const [{ locked }] = await qr.query('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked', [name]);
      if (!locked) {
        await qr.rollbackTransaction();
        await qr.release();
        return null;
      }
    }
  } catch (e) {
    if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
    await qr.release();
    throw e;
  }
  let released = false;
  return {
    release: async () => {
      if (released) return;
      released = true;
      try {
        await qr.commitTransaction();
      } finally {
        await qr.release();
      }
    },
  };
}

/** Retries a transaction on serialization failures and deadlocks (40001, 40P01). */
export async function retryOnConflict<T>(fn: () => Promise<T>, attempts = 8): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      const code = sqlState(e);
      if (i >= attempts || (code !== '40001' && code !== '40P01')) throw e;
      await new Promise((r) => setTimeout(r, Math.random() * 10 * i));
    }
  }
}
