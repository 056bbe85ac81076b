import 'reflect-metadata';
import * as path from 'path';
import { Client } from 'pg';
import { runMigrations } from '../../libs/core/src/database/database';
import { PROJECT_ROOT } from '../../libs/core/src/database/data-source';
import { freePort, startEmbeddedPostgres } from '../../libs/core/src/database/embedded-postgres';
// globalSetup runs outside jest's module mapper: relative imports only.

/**
 * One fresh database per test run: on DATABASE_URL's server when set, otherwise on an embedded
 * PostgreSQL started here (data under .data/pg-test) and stopped in global-teardown.
 */
export default async function globalSetup(): Promise<void> {
  const log = (l: string) => process.env.TEST_DB_LOG && process.stderr.write(`[test-db] ${l}\n`);
  let adminUrl: string;
  if (process.env.DATABASE_URL) {
    adminUrl = process.env.DATABASE_URL;
  } else {
    const pg = await startEmbeddedPostgres({
      // A fresh cluster per run (initdb takes about a second): parallel runs never share one.
      dataDir: path.join(PROJECT_ROOT, '.data', 'pg-test', `run-${process.pid}`),
      port: await freePort(),
      log,
    });
    (globalThis as Record<string, unknown>).__DISTY_PG__ = pg;
    adminUrl = pg.url('postgres');
  }
  const name = `disty_test_${Date.now().toString(36)}_${process.pid}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  process.env.DISTY_TEST_ADMIN_URL = adminUrl;
  process.env.DISTY_TEST_DB = name;
  process.env.DATABASE_URL = url.toString();
  await runMigrations(process.env.DATABASE_URL, log);
}
