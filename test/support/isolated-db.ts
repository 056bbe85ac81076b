import { Client } from 'pg';
import { runMigrations } from '../../libs/core/src/database/database';

/**
 * A database of the test's own (on the run's server), for suites that compare whole-database
 * checksums and so must not see other files' writes. Set DATABASE_URL to it before importing the app.
 */
export async function createIsolatedDatabase(tag: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const adminUrl = process.env.DISTY_TEST_ADMIN_URL!;
  const name = `${process.env.DISTY_TEST_DB}_${tag}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  await runMigrations(u.toString());
  return {
    url: u.toString(),
    drop: async () => {
      const c = new Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** One md5 per table of the public schema, in one statement. */
export async function tableChecksums(query: (sql: string) => Promise<Array<Record<string, string>>>): Promise<Record<string, string>> {
  const tables = await query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  if (!tables.length) return {};
  const sql = tables
    .map(({ table_name: t }) => `SELECT '${t}' AS t, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM "${t}" x`)
    .join(' UNION ALL ');
  const rows = await query(sql);
  return Object.fromEntries(rows.map((r) => [r.t, r.h]));
}
