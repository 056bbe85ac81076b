import * as path from 'path';
import { Client } from 'pg';
import { environment } from '../config/environment';
import { createDataSource, PROJECT_ROOT } from './data-source';
import { RunningPostgres, startEmbeddedPostgres } from './embedded-postgres';
import { prepareDatabaseRoles } from './roles';
import { installJobQueue } from '../jobs/job-queue-schema';

export const EMBEDDED_DEFAULT_PORT = 54329;

export interface ProvidedDatabase {
  /** The app role's URL (the API and the scripts' app contexts connect with it). */
  url: string;
  /** The owner role's URL: migrations run with it. */
  migrationUrl: string;
  embedded?: RunningPostgres;
  stop: () => Promise<void>;
}

/**
 * DATABASE_URL (the app role) and MIGRATION_DATABASE_URL (the owner role, default DATABASE_URL)
 * when set; otherwise an embedded PostgreSQL with data under .data/, a `disty` database and its
 * two roles (disty_owner, disty_app) created on first use.
 */
export async function provideDatabase(log: (l: string) => void = () => undefined): Promise<ProvidedDatabase> {
  const env = environment();
  if (env.DATABASE_URL) {
    return {
      url: env.DATABASE_URL,
      migrationUrl: env.MIGRATION_DATABASE_URL || env.DATABASE_URL,
      stop: async () => undefined,
    };
  }
  const pg = await startEmbeddedPostgres({
    dataDir: env.EMBEDDED_PG_DATA_DIR ?? path.join(PROJECT_ROOT, '.data', 'pg'),
    port: env.EMBEDDED_PG_PORT ?? EMBEDDED_DEFAULT_PORT,
    log,
  });
  try {
    const { appUrl, ownerUrl } = await prepareDatabaseRoles(pg.url(), 'disty');
    return { url: appUrl, migrationUrl: ownerUrl, embedded: pg, stop: pg.stop };
  } catch (e) {
    await pg.stop();
    throw e;
  }
}

/**
 * Runs pending migrations under an advisory lock, so several instances may start at once. The lock
 * is transaction-scoped, held by a transaction left open on a connection of its own while the
 * migrations run on others (no session-level lock: docs/operations.md §10).
 */
export async function runMigrations(url: string, log: (l: string) => void = () => undefined): Promise<string[]> {
  const lock = new Client({ connectionString: url });
  await lock.connect();
  try {
    await lock.query('BEGIN');
    await lock.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['disty:migrations']);
    const ds = createDataSource(url, { extra: { max: 2 } });
    await ds.initialize();
    try {
      const done = await ds.runMigrations({ transaction: 'each' });
      for (const m of done) log(`migration applied: ${m.name}`);
      // The job queue's schema (graphile-worker's own migrations), under the same lock.
      await installJobQueue(url);
      return done.map((m) => m.name);
    } finally {
      await ds.destroy();
    }
  } finally {
    await lock.query('COMMIT').catch(() => undefined);
    await lock.end();
  }
}

/** One line, no stack: what a person needs when the database cannot be reached. */
export function describeConnectionError(url: string, e: unknown): string {
  let where = url;
  try {
    const u = new URL(url);
    where = `${u.hostname}:${u.port || 5432}/${u.pathname.slice(1)}`;
  } catch {
    /* keep the raw string */
  }
  const err = e as { code?: string; message?: string };
  return `Disty cannot reach PostgreSQL at ${where}: ${err.code ? `${err.code} ` : ''}${(err.message ?? String(e)).split('\n')[0]}`;
}
