import { Client } from 'pg';
import { runMigrations } from '../../libs/core/src/database/database';
import { prepareDatabaseRoles } from '../../libs/core/src/database/roles';
import { seedFxRates } from './fx-rates';

export interface OwnDatabase {
  /** The app role's URL (what the app connects with). */
  url: string;
  /** The owner role's URL (what migrations run with). */
  ownerUrl: string;
  name: string;
  drop: () => Promise<void>;
}

/**
 * A fresh, migrated database on the test server, for test files whose operations are global
 * (a billing run bills every reseller; reconciliation and ledger:verify look at the whole ledger),
 * so they neither disturb nor are disturbed by files running in parallel.
 */
export async function createOwnDatabase(tag: string): Promise<OwnDatabase> {
  const adminUrl = process.env.DISTY_TEST_ADMIN_URL;
  if (!adminUrl) throw new Error('DISTY_TEST_ADMIN_URL is not set (jest globalSetup sets it)');
  const name = `disty_test_${tag}_${Date.now().toString(36)}_${process.pid}`.toLowerCase();
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  const { appUrl: url, ownerUrl } = await prepareDatabaseRoles(adminUrl, name);
  await runMigrations(ownerUrl);
  await seedFxRates(ownerUrl);
  return {
    url,
    ownerUrl,
    name,
    drop: async () => {
      if (process.env.KEEP_TEST_DB) return;
      const c = new Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/**
 * Points this test file's app at its own database. Call it before the app module is imported
 * (import test/support/app and the factories dynamically afterwards): ConfigModule validates
 * DATABASE_URL when app.module is first loaded.
 */
export async function useOwnDatabase(tag: string): Promise<OwnDatabase> {
  const db = await createOwnDatabase(tag);
  process.env.DATABASE_URL = db.url;
  return db;
}
