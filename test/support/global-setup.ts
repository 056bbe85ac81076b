import 'reflect-metadata';
import * as path from 'path';
import { Client } from 'pg';
import { runMigrations } from '../../libs/core/src/database/database';
import { PROJECT_ROOT } from '../../libs/core/src/database/data-source';
import { prepareDatabaseRoles } from '../../libs/core/src/database/roles';
import { freePort, startEmbeddedPostgres } from '../../libs/core/src/database/embedded-postgres';
import { seedFxRates } from './fx-rates';
// globalSetup runs outside jest's module mapper: relative imports only.

/**
 * One fresh database per test run: on DATABASE_URL's server when set (a superuser: it creates the
 * disty_owner and disty_app roles), otherwise on an embedded PostgreSQL started here (data under
 * .data/pg-test) and stopped in global-teardown. Tests connect as disty_app.
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
  // As in production: migrations run as the owner role, the app connects as the app role.
  const { appUrl, ownerUrl } = await prepareDatabaseRoles(adminUrl, name);
  process.env.DISTY_TEST_ADMIN_URL = adminUrl;
  process.env.DISTY_TEST_DB = name;
  process.env.DATABASE_URL = appUrl;
  await runMigrations(ownerUrl, log);
  await seedFxRates(ownerUrl);
}
