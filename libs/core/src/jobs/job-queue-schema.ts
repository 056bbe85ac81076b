import { Client } from 'pg';
import { runMigrations as runQueueMigrations } from 'graphile-worker';
import { APP_ROLE } from '../database/roles';
import { quietGraphileLogger } from './graphile-logger';

/** The PostgreSQL schema graphile-worker keeps its queue and its crontab state in. */
export const JOB_QUEUE_SCHEMA = 'graphile_worker';

/**
 * Installs or upgrades graphile-worker's schema as the owner role (it runs its own numbered
 * migrations, idempotently), then grants the app role what the workers need: DML on its tables,
 * its sequences and its functions, and a policy on each of its row-level-secured tables (it enables
 * RLS on its private tables, which only their owner bypasses). Nothing is granted when there is no separate app role
 * (a single DATABASE_URL: README, "Database roles"). Called by runMigrations after Disty's own.
 */
export async function installJobQueue(ownerUrl: string): Promise<void> {
  await runQueueMigrations({
    connectionString: ownerUrl,
    schema: JOB_QUEUE_SCHEMA,
    logger: quietGraphileLogger(),
  });
  const c = new Client({ connectionString: ownerUrl });
  await c.connect();
  try {
    const app = await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [APP_ROLE]);
    const me = await c.query('SELECT current_user AS name');
    if (!app.rowCount || me.rows[0].name === APP_ROLE) return;
    const s = c.escapeIdentifier(JOB_QUEUE_SCHEMA);
    const r = c.escapeIdentifier(APP_ROLE);
    await c.query(`GRANT USAGE ON SCHEMA ${s} TO ${r}`);
    await c.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${s} TO ${r}`);
    await c.query(`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA ${s} TO ${r}`);
    await c.query(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ${s} TO ${r}`);
    const secured = await c.query(
      `SELECT t.relname FROM pg_class t JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = $1 AND t.relkind = 'r' AND t.relrowsecurity
          AND NOT EXISTS (SELECT 1 FROM pg_policies p WHERE p.schemaname = n.nspname AND p.tablename = t.relname AND p.policyname = 'disty_app_all')`,
      [JOB_QUEUE_SCHEMA],
    );
    for (const { relname } of secured.rows) {
      await c.query(`CREATE POLICY disty_app_all ON ${s}.${c.escapeIdentifier(relname)} FOR ALL TO ${r} USING (true) WITH CHECK (true)`);
    }
  } finally {
    await c.end();
  }
}
