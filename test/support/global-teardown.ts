import { rmSync } from 'fs';
import { Client } from 'pg';
import type { RunningPostgres } from '../../libs/core/src/database/embedded-postgres';

export default async function globalTeardown(): Promise<void> {
  const pg = (globalThis as Record<string, unknown>).__DISTY_PG__ as RunningPostgres | undefined;
  if (process.env.DISTY_TEST_ADMIN_URL && process.env.DISTY_TEST_DB && !process.env.KEEP_TEST_DB) {
    const admin = new Client({ connectionString: process.env.DISTY_TEST_ADMIN_URL });
    try {
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(process.env.DISTY_TEST_DB)} WITH (FORCE)`);
    } finally {
      await admin.end().catch(() => undefined);
    }
  }
  if (pg) {
    await pg.stop();
    rmSync(pg.dataDir, { recursive: true, force: true });
    rmSync(`${pg.dataDir}.log`, { force: true });
  }
}
