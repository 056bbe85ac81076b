import type { TestApp } from './support/app';
import { createOwnDatabase } from './support/own-database';

/**
 * Jobs that catch up (docs/operations.md §4): the schedule lives in PostgreSQL (graphile-worker's
 * crontab state), so a monthly billing run whose time passed while no instance was up runs once
 * when instances come back, even two of them starting together, and never again after a restart.
 */
const DAY = 86_400_000;

/** The latest billing occurrence (03:00 UTC on the 1st, BILLING_CRON's default) at or before now. */
function latestBillingOccurrence(now = new Date()): Date {
  let d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1, 3, 0, 0));
  if (d > now) d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1, 3, 0, 0));
  return d;
}

describe('A billing run scheduled while no instance was up', () => {
  let one: TestApp;
  let two: TestApp;
  let drop: () => Promise<void>;
  let admin: string;
  const occurrence = latestBillingOccurrence();
  const periodEnd = new Date(+occurrence - 3 * 3_600_000 - 1).toISOString().slice(0, 10); // the day before the 1st

  beforeAll(async () => {
    const db = await createOwnDatabase('sched');
    drop = db.drop;
    process.env.DATABASE_URL = db.url;
    const { createTestApp, ADMIN_TOKEN } = await import('./support/app.js');
    const { createProduct, createReseller } = await import('./factories/commerce.js');
    [one, two] = [await createTestApp(), await createTestApp()];
    admin = `Bearer ${ADMIN_TOKEN}`;

    // Something to bill in the missed period: hardware shipped ten days before its end.
    const shipped = new Date(Date.parse(`${periodEnd}T00:00:00Z`) - 10 * DAY).toISOString().slice(0, 10);
    const product = await createProduct(one, { warrantyMonths: 12 });
    const reseller = await createReseller(one, { paymentTermsDays: 30 });
    const buyer = await one.user('buyer', reseller.id);
    one.clock.set(shipped);
    const order = await one
      .http()
      .post('/api/v1/orders')
      .set('Authorization', buyer.auth)
      .send({ endCustomer: { name: 'Catch-up Co' }, lines: [{ sku: product.sku, quantity: 1 }] })
      .expect(201);
    await one
      .http()
      .post(`/api/v1/orders/${order.body.id}/lines/${order.body.lines[0].id}/ship`)
      .set('Authorization', admin)
      .send({ shippedOn: shipped })
      .expect(200);
    one.clock.reset();

    // The schedule was known, and last fired, well before the occurrence: no instance was up at it.
    const before = new Date(+occurrence - 10 * DAY);
    await one.db.query(
      `INSERT INTO graphile_worker._private_known_crontabs (identifier, known_since, last_execution) VALUES ('billing-run', $1, $1)`,
      [before],
    );
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
    await drop?.();
  });

  const q = async (sql: string, params: unknown[] = []) => (await one.db.query(sql, params)) as Array<Record<string, unknown>>;
  const billingJobRuns = () => q(`SELECT status, backfilled, scheduled_for, attempts, summary FROM job_runs WHERE job = 'billing-run'`);
  const waitFor = async (what: () => Promise<boolean>, ms = 60_000) => {
    const end = Date.now() + ms;
    while (!(await what())) {
      if (Date.now() > end) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it('runs once when two instances start together, and not again after a restart', async () => {
    const { JobScheduler } = await import('#disty/core');
    await Promise.all([one, two].map((t) => t.get(JobScheduler).start({ pollIntervalMs: 200 })));
    await waitFor(async () => (await billingJobRuns()).some((r) => r.status === 'SUCCEEDED'));

    const runs = await billingJobRuns();
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'SUCCEEDED', backfilled: true, attempts: 1 });
    expect((runs[0].scheduled_for as Date).toISOString()).toBe(occurrence.toISOString());
    expect(runs[0].summary).toMatchObject({ periodEnd, status: 'COMPLETED', invoicesIssued: 1 });
    expect(await q(`SELECT period_end::text, status FROM billing_runs`)).toEqual([{ period_end: periodEnd, status: 'COMPLETED' }]);
    expect(await q(`SELECT count(*)::int AS n FROM invoices`)).toEqual([{ n: 1 }]);
    const [known] = await q(`SELECT last_execution FROM graphile_worker._private_known_crontabs WHERE identifier = 'billing-run'`);
    expect((known.last_execution as Date).toISOString()).toBe(occurrence.toISOString());

    // Both instances restart: the occurrence is done, nothing is enqueued or run again.
    await Promise.all([one, two].map((t) => t.get(JobScheduler).beforeApplicationShutdown()));
    await Promise.all([one, two].map((t) => t.get(JobScheduler).start({ pollIntervalMs: 200 })));
    await new Promise((r) => setTimeout(r, 3000));
    expect(await billingJobRuns()).toHaveLength(1);
    expect(await q(`SELECT count(*)::int AS n FROM billing_runs`)).toEqual([{ n: 1 }]);
    expect(await q(`SELECT count(*)::int AS n FROM invoices`)).toEqual([{ n: 1 }]);
    expect(await q(`SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE task_identifier = 'billing-run'`)).toEqual([{ n: 0 }]);
  });

  it('shows the run to admins at GET /jobs/runs, paged, with problem+json for bad queries', async () => {
    const res = await one.http().get('/api/v1/jobs/runs').query({ job: 'billing-run' }).set('Authorization', admin).expect(200);
    expect(res.body).toMatchObject({ total: 1, page: 1, pageSize: 50 });
    expect(res.body.items[0]).toMatchObject({
      job: 'billing-run',
      scheduledFor: occurrence.toISOString(),
      backfilled: true,
      status: 'SUCCEEDED',
      attempts: 1,
      summary: { periodEnd, invoicesIssued: 1 },
      error: null,
    });
    const all = await one.http().get('/api/v1/jobs/runs').query({ pageSize: 1 }).set('Authorization', admin).expect(200);
    expect(all.body.items).toHaveLength(1);
    for (const bad of [{ status: 'BOGUS' }, { pageSize: 0 }, { job: 'Not A Job!' }]) {
      const r = await one.http().get('/api/v1/jobs/runs').query(bad).set('Authorization', admin).expect(400);
      expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
    }
    const finance = (await one.user('finance')).auth;
    await one.http().get('/api/v1/jobs/runs').set('Authorization', finance).expect(403);
    await one.http().get('/api/v1/jobs/runs').expect(401);
  });
});
