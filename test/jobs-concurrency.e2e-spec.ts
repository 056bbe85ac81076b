import * as http from 'http';
import type { AddressInfo } from 'net';
import type { TestApp } from './support/app';
import { tableChecksums } from './support/checksums';
import { createOwnDatabase } from './support/own-database';

/**
 * The concurrency sweep: every scheduled job (renewal-alert scan, webhook delivery, renewals,
 * billing, credit holds) started from two app instances on one database at the same moment does
 * the work of one run exactly, and running it again afterwards changes nothing.
 */
const RESELLERS = 6;

describe('Every scheduled job, started from two instances at once, does its work once', () => {
  let one: TestApp;
  let two: TestApp;
  let drop: () => Promise<void>;
  let admin: string;
  let finance: string;
  const resellers: string[] = [];
  const subscriptions: string[] = [];
  const received: string[] = [];
  let receiver: http.Server;

  beforeAll(async () => {
    const db = await createOwnDatabase('jobs');
    drop = db.drop;
    process.env.DATABASE_URL = db.url;
    process.env.WEBHOOK_BACKOFF_BASE_SECONDS = '0';
    const { createTestApp, ADMIN_TOKEN } = await import('./support/app.js');
    const { createProduct, createReseller } = await import('./factories/commerce.js');
    [one, two] = [await createTestApp(), await createTestApp()];
    admin = `Bearer ${ADMIN_TOKEN}`;
    finance = (await one.user('finance')).auth;

    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push(body);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

    const hw = await createProduct(one, { warrantyMonths: 12 });
    const cloud = await createProduct(one, { kind: 'CLOUD', term: 'P1M', billingFrequency: 'MONTHLY' });
    for (let i = 0; i < RESELLERS; i++) {
      const r = await createReseller(one, { paymentTermsDays: 30 });
      resellers.push(r.id);
      const buyer = await one.user('buyer', r.id);
      const radmin = await one.user('reseller_admin', r.id);
      await one
        .http()
        .post('/api/v1/webhooks')
        .set('Authorization', radmin.auth)
        .send({ url, events: ['renewal_alert.raised'] })
        .expect(201);
      one.clock.set('2026-01-01'); // a buyer starts a subscription from today on
      const order = await one
        .http()
        .post('/api/v1/orders')
        .set('Authorization', buyer.auth)
        .send({
          endCustomer: { name: `Customer ${i}` },
          lines: [
            { sku: hw.sku, quantity: 1 },
            { sku: cloud.sku, quantity: 2, startDate: '2026-01-01' },
          ],
        })
        .expect(201);
      one.clock.reset();
      subscriptions.push(order.body.lines[1].subscriptionId);
      await one
        .http()
        .post(`/api/v1/orders/${order.body.id}/lines/${order.body.lines[0].id}/ship`)
        .set('Authorization', admin)
        .send({ shippedOn: '2026-01-05' })
        .expect(200);
    }
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
    receiver?.close();
    await drop?.();
  });

  const both = <T>(call: (t: TestApp) => Promise<T>) => Promise.all([call(one), call(two)]);
  /** Runs `fn` and expects no table but job bookkeeping to change. */
  const unchangedBy = async (fn: () => Promise<unknown>) => {
    const before = await tableChecksums((sql) => one.db.query(sql));
    await fn();
    const after = await tableChecksums((sql) => one.db.query(sql));
    expect(Object.keys(after).filter((k) => after[k] !== before[k] && !/idempotency/.test(k))).toEqual([]);
  };
  const count = async (sql: string, params: unknown[] = []) => (await one.db.query(sql, params))[0].n as number;

  it('renewal-alert scan: each (term, threshold) raised once', async () => {
    // 15 days before the warranties end (2027-01-04): one 30-day alert per reseller. The P1M
    // subscriptions raise none (a month-to-month term has no threshold alerts).
    const results = await both((t) =>
      t.http().post('/api/v1/renewal-alerts/scan').set('Authorization', admin).send({ asOf: '2026-12-20' }),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    expect(results[0].body.raised + results[1].body.raised).toBe(RESELLERS);
    expect(await count(`SELECT count(*)::int AS n FROM renewal_alerts`)).toBe(RESELLERS);
    await unchangedBy(async () => {
      const again = await one
        .http()
        .post('/api/v1/renewal-alerts/scan')
        .set('Authorization', admin)
        .send({ asOf: '2026-12-20' })
        .expect(200);
      expect(again.body.raised).toBe(0);
    });
  });

  it('webhook delivery: each outbox event reaches the receiver once', async () => {
    const results = await both((t) => t.http().post('/api/v1/jobs/webhooks/deliver').set('Authorization', admin).send({}));
    expect(results.map((r) => r.status).every((s) => s < 300)).toBe(true);
    await unchangedBy(() => one.http().post('/api/v1/jobs/webhooks/deliver').set('Authorization', admin).send({}));
    const ids = received.map((b) => JSON.parse(b).id ?? b);
    expect(ids).toHaveLength(RESELLERS);
    expect(new Set(ids).size).toBe(RESELLERS);
  });

  it('renewals: each due subscription gets exactly one new term', async () => {
    const results = await both((t) =>
      t.http().post('/api/v1/jobs/renewals/run').query({ asOf: '2026-02-01' }).set('Authorization', admin).send({}),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    expect(results[0].body.renewed + results[1].body.renewed).toBe(RESELLERS);
    for (const id of subscriptions) {
      const sub = await one.http().get(`/api/v1/subscriptions/${id}`).set('Authorization', admin).expect(200);
      expect(sub.body.terms).toHaveLength(2);
    }
    await unchangedBy(() =>
      one.http().post('/api/v1/jobs/renewals/run').query({ asOf: '2026-02-01' }).set('Authorization', admin).send({}).expect(200),
    );
  });

  it('billing: one consolidated invoice per reseller, gapless numbers, one run', async () => {
    const { waitForRun } = await import('./support/billing.js');
    const results = await both((t) =>
      t.http().post('/api/v1/billing-runs').set('Authorization', finance).send({ periodEnd: '2026-01-31' }),
    );
    expect(results.map((r) => r.status)).toEqual([202, 202]);
    expect(results[0].body.id).toBe(results[1].body.id);
    const run = await waitForRun(one, results[0].body.id, finance);
    expect(run).toMatchObject({ status: 'COMPLETED', invoicesIssued: RESELLERS });
    const numbers: Array<{ number: string; reseller_id: string }> = await one.db.query(
      `SELECT number, reseller_id FROM invoices ORDER BY number`,
    );
    expect(numbers.map((n) => n.number)).toEqual(Array.from({ length: RESELLERS }, (_, i) => `INV-2026-${String(i + 1).padStart(6, '0')}`));
    expect(new Set(numbers.map((n) => n.reseller_id)).size).toBe(RESELLERS);
    await unchangedBy(async () => {
      const rerun = await one
        .http()
        .post('/api/v1/billing-runs')
        .set('Authorization', finance)
        .send({ periodEnd: '2026-01-31' })
        .expect(202);
      expect(rerun.body).toEqual({ id: run.id, status: 'COMPLETED' });
    });
  });

  it('credit holds: each overdue line put on hold once, and released once paid', async () => {
    const holds = (asOf: string) => (t: TestApp) =>
      t.http().post('/api/v1/jobs/credit-holds/run').query({ asOf }).set('Authorization', finance).send({});
    const onHold = async () => {
      const all: boolean[] = [];
      for (const id of resellers) {
        const lines = await one.http().get(`/api/v1/resellers/${id}/credit-lines`).set('Authorization', admin).expect(200);
        all.push(...lines.body.items.map((l: { onHold: boolean }) => l.onHold));
      }
      return all;
    };
    const placed = await both(holds('2026-04-15'));
    expect(placed.map((r) => r.status)).toEqual([200, 200]);
    expect(await onHold()).toEqual(Array(RESELLERS * 2).fill(true));
    await unchangedBy(() => holds('2026-04-15')(one).expect(200));

    for (const id of resellers) {
      const inv = await one.http().get(`/api/v1/invoices?resellerId=${id}`).set('Authorization', finance).expect(200);
      await one
        .http()
        .post('/api/v1/payments')
        .set('Authorization', finance)
        .send({
          resellerId: id,
          amount: inv.body.items[0].amountDue,
          currency: 'AUD',
          method: 'BANK_TRANSFER',
          reference: `pay ${id}`,
          receivedOn: '2026-04-16',
        })
        .expect(201);
    }
    const released = await both(holds('2026-04-16'));
    expect(released.map((r) => r.status)).toEqual([200, 200]);
    expect(await onHold()).toEqual(Array(RESELLERS * 2).fill(false));
    await unchangedBy(() => holds('2026-04-16')(one).expect(200));
  });
});
