import request from 'supertest';
import type { TestApp } from './support/app';
import { createOwnDatabase } from './support/own-database';

/**
 * /metrics (docs/operations.md §12): Prometheus text with per-route latency, pool, jobs, webhook
 * backlog, billing progress and ledger postings; never on the API's port unless configured.
 */
describe('Prometheus metrics', () => {
  let t: TestApp;
  let drop: () => Promise<void>;
  let metricsPort: number;
  const saved = { ...process.env };

  beforeAll(async () => {
    const db = await createOwnDatabase('metrics');
    drop = db.drop;
    process.env.DATABASE_URL = db.url;
    process.env.METRICS_PORT = '0'; // a listener of its own, on a free port of 127.0.0.1
    const { createTestApp } = await import('./support/app.js');
    t = await createTestApp();
    const { MetricsListener } = await import('../apps/api/src/metrics/metrics-listener.js');
    metricsPort = t.get(MetricsListener).address()!.port;
  });
  afterAll(async () => {
    await t?.close();
    for (const k of ['METRICS_PORT', 'METRICS_PUBLIC', 'METRICS_TOKEN']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    await drop?.();
  });

  /** The value of one sample line, e.g. `disty_db_pool_connections{state="total"}`. */
  const sample = (text: string, prefix: string) => {
    const line = text.split('\n').find((l) => l.startsWith(prefix + ' '));
    return line === undefined ? undefined : Number(line.slice(prefix.length + 1));
  };

  it('is a 404 on the API port by default (not the portal page)', async () => {
    delete process.env.METRICS_PUBLIC;
    delete process.env.METRICS_TOKEN;
    const res = await t.http().get('/metrics').expect(404);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.text).not.toMatch(/<html/i);
    const { PORTAL_ROUTES } = await import('../apps/api/src/portal/portal.module.js');
    expect(PORTAL_ROUTES.test('/metrics')).toBe(false); // the portal's index.html is never served there
    expect(PORTAL_ROUTES.test('/orders')).toBe(true);
  });

  it('scraped from METRICS_PORT after real traffic: routes by pattern, pool, backlog, billing progress, postings', async () => {
    const { createProduct, createReseller } = await import('./factories/commerce.js');
    const admin = 'Bearer test-bootstrap-admin-token';
    const product = await createProduct(t, { warrantyMonths: 12 });
    const reseller = await createReseller(t);
    const buyer = await t.user('buyer', reseller.id);
    const radmin = await t.user('reseller_admin', reseller.id);
    await t
      .http()
      .post('/api/v1/webhooks')
      .set('Authorization', radmin.auth)
      .send({ url: 'http://127.0.0.1:9/hook', events: ['invoice.issued'] })
      .expect(201);
    const order = await t
      .http()
      .post('/api/v1/orders')
      .set('Authorization', buyer.auth)
      .send({ endCustomer: { name: 'Metrics Co' }, lines: [{ sku: product.sku, quantity: 2 }] })
      .expect(201);
    for (let i = 0; i < 3; i++) await t.http().get(`/api/v1/orders/${order.body.id}`).set('Authorization', buyer.auth).expect(200);
    await t
      .http()
      .post(`/api/v1/orders/${order.body.id}/lines/${order.body.lines[0].id}/ship`)
      .set('Authorization', admin)
      .send({ shippedOn: t.clock.today() })
      .expect(200);
    const finance = (await t.user('finance')).auth;
    const { waitForRun } = await import('./support/billing.js');
    const started = await t
      .http()
      .post('/api/v1/billing-runs')
      .set('Authorization', finance)
      .send({ periodEnd: t.clock.today() })
      .expect(202);
    await waitForRun(t, started.body.id, finance);

    const res = await request(`http://127.0.0.1:${metricsPort}`).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.text;
    // Per route pattern, never the raw URL (the order id is not a label).
    expect(sample(text, 'disty_http_request_duration_seconds_count{method="GET",route="/api/v1/orders/:id",status="200"}')).toBe(3);
    expect(text).not.toContain(order.body.id);
    expect(text).toMatch(/disty_http_request_duration_seconds_bucket\{le="0\.005",method="POST",route="\/api\/v1\/orders",status="201"\}/);
    expect(sample(text, 'disty_db_pool_connections{state="total"}')).toBeGreaterThan(0);
    expect(sample(text, 'disty_db_pool_connections{state="waiting"}')).toBe(0);
    expect(sample(text, 'disty_db_pool_max')).toBeGreaterThan(0);
    // The invoice.issued event waits in the outbox (no delivery worker runs in tests).
    expect(sample(text, 'disty_webhook_backlog{state="pending"}')).toBe(1);
    const period = t.clock.today();
    expect(sample(text, `disty_billing_run_resellers{period_end="${period}",run_status="COMPLETED",state="done"}`)).toBe(1);
    expect(sample(text, `disty_billing_run_resellers{period_end="${period}",run_status="COMPLETED",state="pending"}`)).toBe(0);
    expect(sample(text, 'disty_ledger_postings_total{source_type="invoice"}')).toBeGreaterThanOrEqual(1);
    expect(text).toContain('disty_process_cpu_seconds_total');
    // The listener serves nothing else.
    await request(`http://127.0.0.1:${metricsPort}`).get('/api/v1/me').expect(404);
  });

  it('records scheduled job runs and their durations', async () => {
    // What JobScheduler does around every run (test/scheduled-jobs.e2e-spec.ts runs the queue itself).
    const { RenewalScanJob } = await import('../libs/renewal-alert/src/renewal-scan.job.js');
    const { observeJob } = await import('#disty/core');
    await observeJob('renewal-alert-scan', () => t.get(RenewalScanJob).tick());
    const text = (await request(`http://127.0.0.1:${metricsPort}`).get('/metrics').expect(200)).text;
    expect(sample(text, 'disty_job_runs_total{job="renewal-alert-scan",outcome="ok"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'disty_job_duration_seconds_count{job="renewal-alert-scan"}')).toBeGreaterThanOrEqual(1);
  });

  it('on the API port only with METRICS_PUBLIC=true, or METRICS_TOKEN as a bearer token', async () => {
    process.env.METRICS_TOKEN = 'a-metrics-token-of-enough-length';
    await t.http().get('/metrics').expect(401);
    await t.http().get('/metrics').set('Authorization', 'Bearer wrong-token-of-enough-length!!').expect(401);
    const ok = await t.http().get('/metrics').set('Authorization', 'Bearer a-metrics-token-of-enough-length').expect(200);
    expect(ok.text).toContain('disty_http_request_duration_seconds_bucket');
    delete process.env.METRICS_TOKEN;
    process.env.METRICS_PUBLIC = 'true';
    await t.http().get('/metrics').expect(200);
    delete process.env.METRICS_PUBLIC;
    await t.http().get('/metrics').expect(404);
  });
});
