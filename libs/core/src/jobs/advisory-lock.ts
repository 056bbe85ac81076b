import { sqlState } from '../errors/problem';
import { DataSource, EntityManager } from 'typeorm';

/**
 * Runs `fn` in a transaction holding a transaction-scoped advisory lock named `name`, or returns
 * `null` at once when another instance holds it. Scheduled jobs use this so that several API
 * instances firing the same cron run it once.
 */
export async function tryWithAdvisoryLock<T>(
  db: DataSource,
  name: string,
  fn: (em: EntityManager) => Promise<T>,
): Promise<T | null> {
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
