import { Client } from 'pg';
import type { TestApp } from './support/app';
import { createOwnDatabase } from './support/own-database';

/** Liveness and readiness probes (docs/operations.md §11), beside the existing /health. */
describe('Health probes', () => {
  let t: TestApp;
  let drop: () => Promise<void>;
  let owner: Client;
  let removed: { id: number; timestamp: string; name: string };

  beforeAll(async () => {
    const db = await createOwnDatabase('health');
    drop = db.drop;
    process.env.DATABASE_URL = db.url;
    owner = new Client({ connectionString: db.ownerUrl });
    await owner.connect();
    // As if this build's newest migration had not run yet.
    [removed] = (await owner.query(`DELETE FROM schema_migrations WHERE id = (SELECT max(id) FROM schema_migrations) RETURNING *`)).rows;
    const { createTestApp } = await import('./support/app.js');
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
    await owner?.end();
    await drop?.();
  });

  it('is live but not ready while a migration is pending, then ready once it has run', async () => {
    const live = await t.http().get('/health/live').expect(200);
    expect(live.body).toMatchObject({ status: 'ok' });

    const notReady = await t.http().get('/health/ready').expect(503);
    expect(notReady.body.status).toBe('error');
    expect(notReady.body.error.migrations).toEqual({ status: 'down', message: 'migrations pending' });
    expect(notReady.body.info.database).toMatchObject({ status: 'up' });

    await owner.query(`INSERT INTO schema_migrations (id, timestamp, name) VALUES ($1, $2, $3)`, [
      removed.id,
      removed.timestamp,
      removed.name,
    ]);
    const ready = await t.http().get('/health/ready').expect(200);
    expect(ready.body).toMatchObject({
      status: 'ok',
      info: { instance: { status: 'up' }, database: { status: 'up' }, migrations: { status: 'up' } },
    });
    // The existing check is unchanged.
    await t.http().get('/health').expect(200);
  });

  it('needs no token and is not rate limited', async () => {
    for (let i = 0; i < 5; i++) await t.http().get('/health/live').expect(200);
    await t.http().get('/api/v1/health/live').expect(404);
  });
});
