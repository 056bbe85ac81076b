import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Role } from '@disty/core';
import { IdentityService } from '@disty/identity';

export interface SeedResult {
  created: boolean;
  tokens: Array<{ role: Role; email: string; token: string }>;
}

/** Demo tokens are fixed so that start-up can print them on every run; demo data only. */
const demoToken = (who: string) => `demo_${who.replace(/[^a-z0-9]+/gi, '_')}_token`;

/**
 * Loads the demo data set into an empty database (no users yet). Runs under an advisory lock so
 * two instances starting together seed once.
 */
export async function seedDemoData(app: INestApplication): Promise<SeedResult> {
  const db = app.get(DataSource);
  const identity = app.get(IdentityService);
  const distributorUsers: Array<{ email: string; role: Role }> = [
    { email: 'admin@disty.demo', role: 'admin' },
    { email: 'finance@disty.demo', role: 'finance' },
  ];
  const tokens = distributorUsers.map((u) => ({ ...u, token: demoToken(u.email.split('@')[0]) }));

  const runner = db.createQueryRunner();
  await runner.connect();
  try {
    await runner.query(`SELECT pg_advisory_lock(hashtext('disty:seed'))`);
    const [{ n }] = await runner.query(`SELECT count(*)::int AS n FROM users WHERE email NOT LIKE 'bootstrap-admin@%'`);
    if (n > 0) return { created: false, tokens };
    for (const t of tokens) await identity.createUser({ email: t.email, role: t.role }, t.token);
    return { created: true, tokens };
  } finally {
    await runner.query(`SELECT pg_advisory_unlock(hashtext('disty:seed'))`).catch(() => undefined);
    await runner.release();
  }
}
