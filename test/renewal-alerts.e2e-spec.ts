import * as http from 'http';
import { AddressInfo } from 'net';
import { addDays } from '#disty/core';
import { RenewalAlertService } from '#disty/renewal-alert';
import { verifySignature, WebhookService } from '#disty/webhooks';
import type { TestApp } from './support/app';
import type * as Commerce from './factories/commerce';
import type { OwnDatabase } from './support/own-database';

type Auth = { auth: string; id: string };
interface Alert {
  id: string;
  source: string;
  subscriptionId: string | null;
  orderLineId: string | null;
  termEnd: string;
  threshold: number;
  daysLeft: number;
  raisedAsOf: string;
  renewalValue: string;
  currency: string;
  status: string;
  assigneeId: string | null;
  notes: Array<{ authorId: string; body: string; createdAt: string }>;
  endCustomer: { name: string; reference: string | null };
  sku: string;
}

/**
 * Renewal alerts: the 90/60/30 scan, the sales pipeline, and signed webhooks from an outbox. On a
 * database of its own: its scans and its renewal run (as of 2032) act on every subscription there,
 * and would renew, and reserve credit for, other files' subscriptions in a shared one.
 */
describe('Renewal alerts', () => {
  let t: TestApp;
  let f: typeof Commerce;
  let own: OwnDatabase;
  let adminHeader: Record<string, string>;
  beforeAll(async () => {
    own = await (await import('./support/own-database.js')).useOwnDatabase('renewal_alerts');
    const app = await import('./support/app.js');
    f = await import('./factories/commerce.js');
    adminHeader = app.bearer(app.ADMIN_TOKEN);
    t = await app.createTestApp();
  });
  afterAll(async () => {
    await t?.close();
    await own?.drop();
  });

  const admin = () => adminHeader;
  const scan = async (asOf: string) => {
    const res = await t.http().post('/api/v1/renewal-alerts/scan').set(admin()).send({ asOf }).expect(200);
    return res.body as { asOf: string; raised: number; webhookDeliveries: number; closedRenewed: number };
  };
  const alertsOf = async (who: Auth | null, query: Record<string, string | number> = {}): Promise<Alert[]> => {
    const res = await t
      .http()
      .get('/api/v1/renewal-alerts')
      .query({ pageSize: 200, ...query })
      .set(who ? { Authorization: who.auth } : admin())
      .expect(200);
    return res.body.items;
  };

  /** A reseller with a buyer and a sales user, and a P1Y monthly cloud product at 10.00 AUD a month. */
  async function shop() {
    const reseller = await f.createReseller(t);
    const buyer = await t.user('buyer', reseller.id);
    const sales = await t.user('sales', reseller.id);
    const cloud = await f.createProduct(t, {
      kind: 'CLOUD',
      term: 'P1Y',
      billingFrequency: 'MONTHLY',
      prices: [{ currency: 'AUD', unitPrice: '10.00' }],
    });
    return { reseller, buyer, sales, cloud };
  }

  /** Orders `quantity` seats of `sku` starting `startDate` through POST /orders; returns the subscription id. */
  async function subscribe(buyer: Auth, sku: string, startDate: string, quantity = 5, customer = 'Acme Dental'): Promise<string> {
    t.clock.set(startDate); // a buyer starts a subscription from today on
    const res = await t
      .http()
      .post('/api/v1/orders')
      .set('Authorization', buyer.auth)
      .send({ endCustomer: { name: customer, reference: 'AC-1' }, lines: [{ sku, quantity, startDate }] });
    t.clock.reset();
    if (res.status !== 201) throw new Error(`order: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.lines[0].subscriptionId;
  }

  describe('the threshold rule, by scan date', () => {
    it('walks one subscription from 100 days to 0 day by day and raises 90, 60 and 30 exactly once each, at the current price', async () => {
      const { buyer, sales, cloud } = await shop();
      const subscriptionId = await subscribe(buyer, cloud.sku, '2031-03-01');
      const termEnd = '2032-02-29'; // P1Y from 2031-03-01, last day covered
      // A price change after ordering: the renewal is valued at the price in force now.
      await t
        .http()
        .patch(`/api/v1/catalog/products/${cloud.sku}`)
        .set(admin())
        .send({ prices: [{ currency: 'AUD', unitPrice: '12.00' }] })
        .expect(200);
      const seen: Array<{ day: number; thresholds: number[] }> = [];
      for (let day = 100; day >= 0; day--) {
        await scan(addDays(termEnd, -day));
        const now = (await alertsOf(sales)).filter((a) => a.subscriptionId === subscriptionId).map((a) => a.threshold);
        seen.push({ day, thresholds: now });
      }
      const firstSeen = (th: number) => seen.find((s) => s.thresholds.includes(th))?.day;
      expect([firstSeen(90), firstSeen(60), firstSeen(30)]).toEqual([90, 60, 30]);
      const alerts = (await alertsOf(sales, { asOf: addDays(termEnd, -10) })).filter((a) => a.subscriptionId === subscriptionId);
      expect(alerts.map((a) => a.threshold).sort((a, b) => b - a)).toEqual([90, 60, 30]);
      for (const a of alerts) {
        expect(a).toMatchObject({
          source: 'SUBSCRIPTION',
          orderLineId: null,
          sku: cloud.sku,
          termEnd,
          currency: 'AUD',
          status: 'OPEN',
          daysLeft: 10,
          raisedAsOf: addDays(termEnd, -a.threshold),
          renewalValue: '720.00', // 12.00 × 12 months × 5 seats
          endCustomer: { name: 'Acme Dental', reference: 'AC-1' },
          notes: [],
          assigneeId: null,
        });
      }
    });

    it('raises no threshold alert for a month-to-month (P1M) term, however many of its terms end, and still alerts the annual term beside it', async () => {
      const { buyer, sales, cloud } = await shop();
      const monthly = await f.createProduct(t, {
        kind: 'CLOUD',
        term: 'P1M',
        billingFrequency: 'MONTHLY',
        prices: [{ currency: 'AUD', unitPrice: '10.00' }],
      });
      const monthlyId = await subscribe(buyer, monthly.sku, '2031-09-01');
      const annualId = await subscribe(buyer, cloud.sku, '2031-09-01');
      // Every day from 95 days before the monthly term's end (2031-09-30) to its last day, renewing it monthly meanwhile.
      for (let day = 95; day >= 0; day--) await scan(addDays('2031-09-30', -day));
      await t.http().post('/api/v1/jobs/renewals/run').query({ asOf: '2031-10-01' }).set(admin()).expect(200);
      for (let day = 30; day >= 0; day--) await scan(addDays('2031-10-31', -day));
      const mine = (await alertsOf(sales)).filter((a) => a.subscriptionId === monthlyId || a.subscriptionId === annualId);
      expect(mine.filter((a) => a.subscriptionId === monthlyId)).toEqual([]);
      // The annual term (ends 2032-08-31) is not yet in its window: nothing either, until it is.
      expect(mine).toEqual([]);
      await scan('2032-06-10'); // 82 days before 2032-08-31
      const annual = (await alertsOf(sales)).filter((a) => a.subscriptionId === annualId);
      expect(annual.map((a) => a.threshold)).toEqual([90]);
      const db = await t.db.query(`SELECT count(*)::int AS n FROM renewal_alerts WHERE subscription_id = $1`, [monthlyId]);
      expect(db[0].n).toBe(0);
    });

    it('gives a term first seen at 45 days its 60-day alert, later its 30-day one, and never a 90', async () => {
      const { buyer, sales, cloud } = await shop();
      const subscriptionId = await subscribe(buyer, cloud.sku, '2031-05-10');
      const termEnd = '2032-05-09';
      const mine = async () => (await alertsOf(sales)).filter((a) => a.subscriptionId === subscriptionId).map((a) => a.threshold);
      await scan(addDays(termEnd, -45));
      expect(await mine()).toEqual([60]);
      await scan(addDays(termEnd, -80)); // an earlier date re-run later: the 90 is never due after a 60
      await scan(addDays(termEnd, -45));
      expect(await mine()).toEqual([60]);
      for (let day = 44; day >= 0; day--) await scan(addDays(termEnd, -day));
      expect((await mine()).sort((a, b) => b - a)).toEqual([60, 30]);
      await scan(addDays(termEnd, 1)); // past the end: nothing
      expect((await mine()).length).toBe(2);
    });

    it('alerts a subscription cancelled at term end (the reseller may win it back)', async () => {
      const { buyer, sales, cloud } = await shop();
      const subscriptionId = await subscribe(buyer, cloud.sku, '2031-07-01');
      await t
        .http()
        .post(`/api/v1/subscriptions/${subscriptionId}/cancel`)
        .set('Authorization', buyer.auth)
        .send({ when: 'END_OF_TERM', asOf: '2031-12-01' })
        .expect(200);
      await scan('2032-06-01'); // 29 days before 2032-06-30
      const alerts = (await alertsOf(sales)).filter((a) => a.subscriptionId === subscriptionId);
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({ threshold: 30, termEnd: '2032-06-30', daysLeft: expect.any(Number) });
    });

    it('starts a renewed term afresh: its new term end raises its own 90, 60 and 30', async () => {
      const { buyer, sales, cloud } = await shop();
      const subscriptionId = await subscribe(buyer, cloud.sku, '2031-08-01');
      await scan('2032-07-01'); // 30 days before 2032-07-31
      await t.http().post('/api/v1/jobs/renewals/run').query({ asOf: '2032-08-01' }).set(admin()).expect(200);
      const sub = await t.http().get(`/api/v1/subscriptions/${subscriptionId}`).set(admin()).expect(200);
      expect(sub.body.termEnd).toBe('2033-07-31');
      await scan('2032-08-01'); // the old term is gone from the running terms: nothing more for it
      for (const day of [90, 60, 30]) await scan(addDays('2033-07-31', -day));
      const alerts = (await alertsOf(sales)).filter((a) => a.subscriptionId === subscriptionId);
      expect(alerts.map((a) => `${a.termEnd}:${a.threshold}`).sort()).toEqual([
        '2032-07-31:30',
        '2033-07-31:30',
        '2033-07-31:60',
        '2033-07-31:90',
      ]);
    });

    it('raises a warranty alert for shipped hardware, valued at the linked extended-warranty price, else the line net', async () => {
      const { reseller, buyer, sales } = await shop();
      const ew = await f.createProduct(t, {
        prices: [{ currency: 'AUD', unitPrice: '45.00' }],
        warrantyMonths: 0,
      });
      const laptop = await f.createProduct(t, {
        prices: [{ currency: 'AUD', unitPrice: '1000.00' }],
        warrantyMonths: 12,
        extendedWarrantySku: ew.sku,
      });
      const dock = await f.createProduct(t, {
        prices: [{ currency: 'AUD', unitPrice: '200.00' }],
        warrantyMonths: 12,
      });
      const order = await t
        .http()
        .post('/api/v1/orders')
        .set('Authorization', buyer.auth)
        .send({
          endCustomer: { name: 'Beta Clinic' },
          lines: [
            { sku: laptop.sku, quantity: 2 },
            { sku: dock.sku, quantity: 3 },
          ],
        })
        .expect(201);
      for (const line of order.body.lines) {
        await t
          .http()
          .post(`/api/v1/orders/${order.body.id}/lines/${line.id}/ship`)
          .set(admin())
          .send({ shippedOn: '2019-09-10' })
          .expect(200);
      }
      await scan('2020-06-12'); // warranty ends 2020-09-09: 89 days left (ship dates are never in the future)
      const alerts = (await alertsOf(sales, { source: 'WARRANTY' })).filter((a) => a.endCustomer.name === 'Beta Clinic');
      expect(alerts).toHaveLength(2);
      const bySku = Object.fromEntries(alerts.map((a) => [a.sku, a]));
      expect(bySku[laptop.sku]).toMatchObject({
        source: 'WARRANTY',
        subscriptionId: null,
        orderLineId: order.body.lines[0].id,
        termEnd: '2020-09-09',
        threshold: 90,
        renewalValue: '90.00',
        currency: 'AUD',
        status: 'OPEN',
      });
      expect(bySku[dock.sku]).toMatchObject({
        orderLineId: order.body.lines[1].id,
        threshold: 90,
        renewalValue: '600.00',
      });
      expect(reseller.id).toBeTruthy();
    });
  });

  describe('exactly once under concurrency', () => {
    async function manyTerms(n: number, start: string) {
      const s = await shop();
      const ids: string[] = [];
      for (let i = 0; i < n; i++) ids.push(await subscribe(s.buyer, s.cloud.sku, start, 1 + i));
      return { ...s, ids };
    }
    /** Alerts raised by scans of that date (no other test file scans these dates). */
    const raisedOn = async (asOf: string) =>
      (await t.db.query(`SELECT count(*)::int AS n FROM renewal_alerts WHERE raised_as_of = $1`, [asOf]))[0].n as number;

    it('two scans posted at once raise each alert once', async () => {
      const { sales, ids } = await manyTerms(12, '2033-02-01');
      const [a, b] = await Promise.all([scan('2033-12-01'), scan('2033-12-01')]); // term end 2034-01-31: 61 days → 90
      expect(a.raised + b.raised).toBe(await raisedOn('2033-12-01'));
      expect(Math.min(a.raised, b.raised)).toBe(0); // serialised: the second scan finds everything raised
      const mine = (await alertsOf(sales)).filter((x) => ids.includes(x.subscriptionId!));
      expect(mine).toHaveLength(12);
      expect(new Set(mine.map((x) => x.subscriptionId)).size).toBe(12);
    });

    it('two scan statements on two connections, with no lock between them, still raise each alert once (unique key)', async () => {
      const { sales, ids } = await manyTerms(12, '2033-03-01');
      const svc = t.get(RenewalAlertService);
      const run = () => t.db.transaction((em) => svc.scanIn(em, '2034-01-31')); // term end 2034-02-28: 28 days → 30
      const [a, b] = await Promise.all([run(), run()]);
      expect(a.raised + b.raised).toBe(await raisedOn('2034-01-31'));
      const mine = (await alertsOf(sales)).filter((x) => ids.includes(x.subscriptionId!));
      expect(mine.map((x) => x.threshold)).toEqual(new Array(12).fill(30));
    });
  });

  describe('the scan in parts', () => {
    it('raises exactly what one statement over the whole window raises, for terms ending on every day of it', async () => {
      const asOf = '2036-06-01';
      const s = await shop();
      // P1Y terms ending 0 to 91 days after asOf, a week apart: both halves of the window, every threshold.
      const ids: string[] = [];
      for (let k = 0; k <= 13; k++) ids.push(await subscribe(s.buyer, s.cloud.sku, addDays('2035-06-02', 7 * k)));
      const svc = t.get(RenewalAlertService);
      const raised = (db: { query: (sql: string, params: unknown[]) => Promise<Array<{ subscription_id: string; threshold: number }>> }) =>
        db
          .query(`SELECT subscription_id, threshold FROM renewal_alerts WHERE subscription_id = ANY($1::uuid[]) ORDER BY 1, 2`, [ids])
          .then((rows) => rows.map((r) => `${r.subscription_id}:${r.threshold}`));

      // One statement over [asOf, asOf + 90], in a transaction rolled back after reading what it raised.
      let oneStatement: string[] = [];
      await t.db
        .transaction(async (em) => {
          await svc.scanIn(em, asOf);
          oneStatement = await raised(em);
          throw new Error('roll back');
        })
        .catch((e: Error) => expect(e.message).toBe('roll back'));
      expect(await raised(t.db)).toEqual([]);

      const summary = await scan(asOf);
      expect(await raised(t.db)).toEqual(oneStatement);
      expect(oneStatement).toHaveLength(13); // the term 91 days out is beyond every threshold
      expect(summary.raised).toBe(13);
      const thresholds = (await alertsOf(s.sales)).filter((x) => ids.includes(x.subscriptionId!)).map((x) => x.threshold);
      expect(new Set(thresholds)).toEqual(new Set([30, 60, 90]));
    });
  });

  describe('the sales pipeline', () => {
    /** Reseller A with two subscriptions alerted at 90 and one at 30; reseller B with one. */
    async function pipelineFixture() {
      const a = await shop();
      const b = await shop();
      const s1 = await subscribe(a.buyer, a.cloud.sku, '2034-03-01', 2, 'Gamma Pty');
      const s2 = await subscribe(a.buyer, a.cloud.sku, '2034-03-01', 3, '=cmd|calc');
      const s3 = await subscribe(a.buyer, a.cloud.sku, '2034-01-20', 1, 'Delta');
      const sb = await subscribe(b.buyer, b.cloud.sku, '2034-03-01', 4, 'Other reseller customer');
      await scan('2034-12-15'); // A: s1, s2 end 2035-02-28 (75 days → 90); s3 ends 2035-01-19 (35 days → 60)
      const alerts = await alertsOf(a.sales);
      const byId = (sub: string) => alerts.find((x) => x.subscriptionId === sub)!;
      return { a, b, s1, s2, s3, sb, alertA: byId(s1), alertA2: byId(s2), alertA3: byId(s3) };
    }

    it('keeps reseller B’s sales user out of reseller A’s alerts: 404 on GET and PATCH, absent from the list, the CSV and the pipeline', async () => {
      const f = await pipelineFixture();
      const bAlerts = await alertsOf(f.b.sales);
      expect(bAlerts.map((x) => x.subscriptionId)).toEqual([f.sb]);
      await t.http().get(`/api/v1/renewal-alerts/${f.alertA.id}`).set('Authorization', f.b.sales.auth).expect(404);
      await t
        .http()
        .patch(`/api/v1/renewal-alerts/${f.alertA.id}`)
        .set('Authorization', f.b.sales.auth)
        .send({ status: 'CONTACTED' })
        .expect(404);
      const csv = await t.http().get('/api/v1/renewal-alerts').set('Authorization', f.b.sales.auth).set('Accept', 'text/csv').expect(200);
      expect(csv.text).not.toContain(f.alertA.id);
      expect(csv.text).toContain(bAlerts[0].id);
      // A reseller user cannot widen the scope with resellerId.
      const widened = await t
        .http()
        .get('/api/v1/renewal-alerts')
        .query({ resellerId: f.a.reseller.id })
        .set('Authorization', f.b.sales.auth)
        .expect(200);
      expect(widened.body.items.map((x: Alert) => x.id)).toEqual([bAlerts[0].id]);
      const pipe = await t.http().get('/api/v1/renewal-alerts/pipeline').set('Authorization', f.b.sales.auth).expect(200);
      expect(pipe.body.total).toEqual([{ currency: 'AUD', count: 1, value: '480.00' }]);
      // Still A's, unchanged.
      expect(
        (await t.http().get(`/api/v1/renewal-alerts/${f.alertA.id}`).set('Authorization', f.a.sales.auth).expect(200)).body.status,
      ).toBe('OPEN');
      await t.http().get('/api/v1/renewal-alerts/not-a-uuid').set('Authorization', f.a.sales.auth).expect(404);
      await t.http().get('/api/v1/renewal-alerts').set('Authorization', f.a.buyer.auth).expect(403);
    });

    it('moves an alert OPEN → CONTACTED → WON with an assignee and append-only notes, refusing invalid moves', async () => {
      const f = await pipelineFixture();
      const colleague = await t.user('sales', f.a.reseller.id);
      const url = `/api/v1/renewal-alerts/${f.alertA.id}`;
      const patch = (who: Auth, body: object) => t.http().patch(url).set('Authorization', who.auth).send(body);

      const contacted = await patch(f.a.sales, {
        status: 'CONTACTED',
        assigneeId: colleague.id,
        note: 'Called the IT manager',
      }).expect(200);
      expect(contacted.body).toMatchObject({ status: 'CONTACTED', assigneeId: colleague.id });
      expect(contacted.body.notes).toEqual([
        {
          id: expect.any(String),
          authorId: f.a.sales.id,
          body: 'Called the IT manager',
          createdAt: expect.any(String),
        },
      ]);

      const back = await patch(f.a.sales, { status: 'OPEN' }).expect(409);
      expect(back.headers['content-type']).toContain('application/problem+json');
      expect(back.body).toMatchObject({
        type: 'https://disty.dev/problems/invalid-status-transition',
        from: 'CONTACTED',
        to: 'OPEN',
      });

      const won = await patch(colleague, { status: 'WON', note: 'Renewed for 3 years' }).expect(200);
      expect(won.body.status).toBe('WON');
      expect(won.body.notes.map((n: { body: string; authorId: string }) => [n.authorId, n.body])).toEqual([
        [f.a.sales.id, 'Called the IT manager'],
        [colleague.id, 'Renewed for 3 years'],
      ]);
      await patch(f.a.sales, { status: 'LOST' }).expect(409);
      const noted = await patch(f.a.sales, { status: 'WON', note: 'PO received' }).expect(200);
      expect(noted.body.notes).toHaveLength(3);
      await expect(t.db.query(`UPDATE renewal_alert_notes SET body = 'x' WHERE alert_id = $1`, [f.alertA.id])).rejects.toThrow(
        /append-only/,
      );

      // Assignee must be a sales user of the same reseller.
      const url2 = `/api/v1/renewal-alerts/${f.alertA2.id}`;
      const other = await t
        .http()
        .patch(url2)
        .set('Authorization', f.a.sales.auth)
        .send({ status: 'OPEN', assigneeId: f.b.sales.id })
        .expect(422);
      expect(other.body.type).toBe('https://disty.dev/problems/invalid-assignee');
      await t.http().patch(url2).set('Authorization', f.a.sales.auth).send({ status: 'OPEN', assigneeId: f.a.buyer.id }).expect(422);
      await t.http().patch(url2).set('Authorization', f.a.sales.auth).send({ status: 'OPEN', assigneeId: 'nope' }).expect(400);
      await t.http().patch(url2).set('Authorization', f.a.sales.auth).send({ status: 'REOPENED' }).expect(400);
      await t.http().patch(url2).set('Authorization', f.a.sales.auth).send({ status: 'OPEN', note: '   ' }).expect(400);
      await t.http().patch(url2).set('Authorization', f.a.sales.auth).send({ status: 'OPEN', extra: 1 }).expect(400);
      await t.http().patch(url2).set('Authorization', f.a.sales.auth).send({ status: 'DISMISSED' }).expect(200);

      const assigned = await alertsOf(f.a.sales, { assigneeId: colleague.id });
      expect(assigned.map((x) => x.id)).toEqual([f.alertA.id]);
      expect((await alertsOf(f.a.sales, { status: 'DISMISSED' })).map((x) => x.id)).toEqual([f.alertA2.id]);
      expect((await alertsOf(f.a.sales, { threshold: 60 })).map((x) => x.id)).toEqual([f.alertA3.id]);
      expect((await alertsOf(f.a.sales, { termEndBefore: '2035-02-01' })).map((x) => x.id)).toEqual([f.alertA3.id]);
    });

    it('totals count and value per threshold and per status', async () => {
      const f = await pipelineFixture();
      await t
        .http()
        .patch(`/api/v1/renewal-alerts/${f.alertA.id}`)
        .set('Authorization', f.a.sales.auth)
        .send({ status: 'CONTACTED' })
        .expect(200);
      const res = await t.http().get('/api/v1/renewal-alerts/pipeline').set('Authorization', f.a.sales.auth).expect(200);
      // Renewal values: 10.00 × 12 × quantity → s1 240.00, s2 360.00, s3 120.00.
      expect(res.body.byThreshold).toEqual([
        { threshold: 90, currency: 'AUD', count: 2, value: '600.00' },
        { threshold: 60, currency: 'AUD', count: 1, value: '120.00' },
        { threshold: 30, currency: 'AUD', count: 0, value: '0.00' },
      ]);
      expect(res.body.byStatus).toEqual([
        { status: 'OPEN', currency: 'AUD', count: 2, value: '480.00' },
        { status: 'CONTACTED', currency: 'AUD', count: 1, value: '240.00' },
        { status: 'WON', currency: 'AUD', count: 0, value: '0.00' },
        { status: 'LOST', currency: 'AUD', count: 0, value: '0.00' },
        { status: 'DISMISSED', currency: 'AUD', count: 0, value: '0.00' },
      ]);
      expect(res.body.total).toEqual([{ currency: 'AUD', count: 3, value: '720.00' }]);
      const forAdmin = await t
        .http()
        .get('/api/v1/renewal-alerts/pipeline')
        .query({ resellerId: f.a.reseller.id })
        .set(admin())
        .expect(200);
      expect(forAdmin.body).toEqual(res.body);
    });

    it('exports the same rows as CSV for Accept: text/csv, guarding against formula injection', async () => {
      const f = await pipelineFixture();
      const json = await alertsOf(f.a.sales, { asOf: '2034-12-20' });
      const res = await t
        .http()
        .get('/api/v1/renewal-alerts')
        .query({ asOf: '2034-12-20' })
        .set('Authorization', f.a.sales.auth)
        .set('Accept', 'text/csv')
        .expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      const lines = res.text.trim().split('\n');
      expect(lines[0]).toBe(
        'id,resellerId,source,subscriptionId,orderLineId,endCustomer,endCustomerReference,sku,quantity,termEnd,threshold,daysLeft,renewalValue,currency,status,assigneeId,notes,raisedAt,productName,kind',
      );
      expect(lines).toHaveLength(1 + json.length);
      for (const [i, a] of json.entries()) {
        const cells = lines[1 + i].split(',');
        expect(cells[0]).toBe(a.id);
        expect(cells[9]).toBe(a.termEnd);
        expect(Number(cells[10])).toBe(a.threshold);
        expect(Number(cells[11])).toBe(a.daysLeft);
        expect(cells[12]).toBe(a.renewalValue);
      }
      expect(res.text).toContain(`'=cmd|calc`);
    });
  });

  describe('the renewal desk: one card per renewal', () => {
    interface Card extends Alert {
      alertIds: string[];
      thresholds: number[];
      productName: string | null;
    }
    const cardsOf = async (who: Auth, query: Record<string, string | number> = {}): Promise<Card[]> =>
      (await alertsOf(who, { view: 'renewals', ...query })) as Card[];
    const pipelineOf = async (who: Auth) =>
      (await t.http().get('/api/v1/renewal-alerts/pipeline').set('Authorization', who.auth).expect(200)).body as {
        byThreshold: Array<{ threshold: number; currency: string; count: number; value: string }>;
        byStatus: Array<{ status: string; currency: string; count: number; value: string }>;
        total: Array<{ currency: string; count: number; value: string }>;
      };

    it('counts each renewal once, closes every threshold of a renewal won straight from OPEN, and raises nothing more for it', async () => {
      const s = await shop();
      // Three subscriptions ending 2038-02-28; renewal values 10.00 × 12 × quantity: 120.00, 240.00, 360.00.
      const subs = [
        await subscribe(s.buyer, s.cloud.sku, '2037-03-01', 1, 'One Pty'),
        await subscribe(s.buyer, s.cloud.sku, '2037-03-01', 2, 'Two Pty'),
        await subscribe(s.buyer, s.cloud.sku, '2037-03-01', 3, 'Three Pty'),
      ];
      const termEnd = '2038-02-28';
      await scan(addDays(termEnd, -90));
      await scan(addDays(termEnd, -60));
      expect((await alertsOf(s.sales)).filter((a) => subs.includes(a.subscriptionId!))).toHaveLength(6); // the alerts view: one per threshold

      let pipe = await pipelineOf(s.sales);
      expect(pipe.total).toEqual([{ currency: 'AUD', count: 3, value: '720.00' }]); // not 6 cards, not 1440.00
      expect(pipe.byThreshold).toEqual([
        { threshold: 90, currency: 'AUD', count: 0, value: '0.00' },
        { threshold: 60, currency: 'AUD', count: 3, value: '720.00' },
        { threshold: 30, currency: 'AUD', count: 0, value: '0.00' },
      ]);

      // OPEN → WON on the 90-day alert of the first renewal: its 60-day alert closes too, with a note.
      const first = (await alertsOf(s.sales)).filter((a) => a.subscriptionId === subs[0]);
      const a90 = first.find((a) => a.threshold === 90)!;
      const a60 = first.find((a) => a.threshold === 60)!;
      const won = await t
        .http()
        .patch(`/api/v1/renewal-alerts/${a90.id}`)
        .set('Authorization', s.sales.auth)
        .send({ status: 'WON', note: 'Customer renewed through the portal' })
        .expect(200);
      expect(won.body.status).toBe('WON');
      const sibling = (await t.http().get(`/api/v1/renewal-alerts/${a60.id}`).set('Authorization', s.sales.auth).expect(200)).body as Alert;
      expect(sibling.status).toBe('WON');
      expect(sibling.notes).toEqual([
        expect.objectContaining({
          authorId: s.sales.id,
          body: expect.stringMatching(/^Closed as WON with the renewal: its 90-day alert/),
        }),
      ]);
      // A final alert stays final; the others of the renewal too.
      await t.http().patch(`/api/v1/renewal-alerts/${a60.id}`).set('Authorization', s.sales.auth).send({ status: 'CONTACTED' }).expect(409);

      pipe = await pipelineOf(s.sales);
      expect(pipe.total).toEqual([{ currency: 'AUD', count: 3, value: '720.00' }]);
      expect(pipe.byStatus.filter((b) => b.count > 0)).toEqual([
        { status: 'OPEN', currency: 'AUD', count: 2, value: '600.00' }, // dropped by exactly the won renewal's 120.00
        { status: 'WON', currency: 'AUD', count: 1, value: '120.00' },
      ]);

      // The 30-day scan raises the open renewals' 30-day alerts, none for the closed one.
      await scan(addDays(termEnd, -30));
      const all = (await alertsOf(s.sales)).filter((a) => subs.includes(a.subscriptionId!));
      expect(
        all
          .filter((a) => a.subscriptionId === subs[0])
          .map((a) => a.threshold)
          .sort(),
      ).toEqual([60, 90]);
      expect(all).toHaveLength(8);

      const cards = (await cardsOf(s.sales, { asOf: addDays(termEnd, -20) })).filter((c) => subs.includes(c.subscriptionId!));
      expect(cards).toHaveLength(3);
      const bySub = Object.fromEntries(cards.map((c) => [c.subscriptionId!, c]));
      expect(bySub[subs[0]]).toMatchObject({
        id: a60.id,
        status: 'WON',
        threshold: 60,
        thresholds: [90, 60],
        daysLeft: 20,
        renewalValue: '120.00',
      });
      expect(bySub[subs[0]].notes.map((n) => n.body)).toEqual([
        'Customer renewed through the portal',
        expect.stringMatching(/^Closed as WON/),
      ]);
      expect(bySub[subs[1]]).toMatchObject({
        status: 'OPEN',
        threshold: 30,
        thresholds: [90, 60, 30],
        daysLeft: 20,
        renewalValue: '240.00',
      });
      expect(bySub[subs[1]].alertIds).toHaveLength(3);
      expect(bySub[subs[1]].alertIds[2]).toBe(bySub[subs[1]].id);
      expect((await cardsOf(s.sales, { status: 'WON' })).map((c) => c.subscriptionId)).toEqual([subs[0]]);
      expect((await cardsOf(s.sales, { threshold: 30 })).map((c) => c.subscriptionId).sort()).toEqual([subs[1], subs[2]].sort());

      // CONTACTED on one threshold shows on the card; LOST on another closes the whole renewal.
      const second = all.filter((a) => a.subscriptionId === subs[1]);
      await t
        .http()
        .patch(`/api/v1/renewal-alerts/${second.find((a) => a.threshold === 90)!.id}`)
        .set('Authorization', s.sales.auth)
        .send({ status: 'CONTACTED' })
        .expect(200);
      expect((await cardsOf(s.sales, { status: 'CONTACTED' })).map((c) => c.subscriptionId)).toEqual([subs[1]]);
      await t
        .http()
        .patch(`/api/v1/renewal-alerts/${second.find((a) => a.threshold === 30)!.id}`)
        .set('Authorization', s.sales.auth)
        .send({ status: 'LOST' })
        .expect(200);
      const statuses = (await alertsOf(s.sales)).filter((a) => a.subscriptionId === subs[1]).map((a) => a.status);
      expect(statuses).toEqual(['LOST', 'LOST', 'LOST']);
      pipe = await pipelineOf(s.sales);
      expect(pipe.byThreshold.find((b) => b.threshold === 30)).toEqual({
        threshold: 30,
        currency: 'AUD',
        count: 2,
        value: '600.00',
      });
      expect(pipe.byStatus.filter((b) => b.count > 0).map((b) => [b.status, b.count, b.value])).toEqual([
        ['OPEN', 1, '360.00'],
        ['WON', 1, '120.00'],
        ['LOST', 1, '240.00'],
      ]);
    });

    it('closes a renewal once when two of its alerts are closed at the same time: one wins, the other is refused', async () => {
      const s = await shop();
      const subscriptionId = await subscribe(s.buyer, s.cloud.sku, '2037-07-01'); // term ends 2038-06-30
      await scan('2038-04-15'); // 76 days → 90
      await scan('2038-05-15'); // 46 days → 60
      const [a90, a60] = (await alertsOf(s.sales)).filter((a) => a.subscriptionId === subscriptionId);
      expect([a90.threshold, a60.threshold]).toEqual([90, 60]);
      const [r1, r2] = await Promise.all([
        t.http().patch(`/api/v1/renewal-alerts/${a90.id}`).set('Authorization', s.sales.auth).send({ status: 'WON' }),
        t.http().patch(`/api/v1/renewal-alerts/${a60.id}`).set('Authorization', s.sales.auth).send({ status: 'LOST' }),
      ]);
      expect([r1.status, r2.status].sort()).toEqual([200, 409]);
      const winner = r1.status === 200 ? 'WON' : 'LOST';
      const after = (await alertsOf(s.sales)).filter((a) => a.subscriptionId === subscriptionId);
      expect(after.map((a) => a.status)).toEqual([winner, winner]);
      expect(after.flatMap((a) => a.notes)).toHaveLength(1); // the closing note on the sibling, once
    });

    it('closes the open alerts of a renewed term as WON by the system', async () => {
      const s = await shop();
      const subscriptionId = await subscribe(s.buyer, s.cloud.sku, '2031-09-01'); // term ends 2032-08-31
      await scan('2032-07-01'); // 61 days → 90
      await scan('2032-08-01'); // 30 days → 30
      const before = (await alertsOf(s.sales)).filter((a) => a.subscriptionId === subscriptionId);
      expect(before.map((a) => [a.threshold, a.status])).toEqual([
        [90, 'OPEN'],
        [30, 'OPEN'],
      ]);
      await t
        .http()
        .patch(`/api/v1/renewal-alerts/${before[0].id}`)
        .set('Authorization', s.sales.auth)
        .send({ status: 'CONTACTED' })
        .expect(200);
      await t.http().post('/api/v1/jobs/renewals/run').query({ asOf: '2032-09-01' }).set(admin()).expect(200);
      const sub = await t.http().get(`/api/v1/subscriptions/${subscriptionId}`).set(admin()).expect(200);
      expect(sub.body.termEnd).toBe('2033-08-31');
      const r = await scan('2032-09-01');
      expect(r.closedRenewed).toBeGreaterThanOrEqual(2);
      const after = (await alertsOf(s.sales)).filter((a) => a.subscriptionId === subscriptionId);
      expect(after.map((a) => a.status)).toEqual(['WON', 'WON']);
      for (const a of after) {
        expect(a.notes.at(-1)).toMatchObject({
          authorId: '00000000-0000-0000-0000-000000000000',
          body: 'Closed as WON by the system: the subscription renewed into a new term after 2032-08-31.',
        });
      }
      expect((await scan('2032-09-01')).closedRenewed).toBe(0); // once
      const [card] = (await cardsOf(s.sales)).filter((c) => c.subscriptionId === subscriptionId);
      expect(card).toMatchObject({ status: 'WON', threshold: 30, thresholds: [90, 30] });
    });

    it('carries the product name and the end customer name in JSON and CSV, for alerts and cards', async () => {
      const s = await shop();
      const named = await f.createProduct(t, {
        kind: 'CLOUD',
        term: 'P1Y',
        billingFrequency: 'MONTHLY',
        name: 'Office Suite Business',
        prices: [{ currency: 'AUD', unitPrice: '10.00' }],
      });
      const subscriptionId = await subscribe(s.buyer, named.sku, '2037-05-01', 2, 'Kappa Dental');
      await scan('2038-04-01'); // 29 days → 30
      for (const view of ['alerts', 'renewals']) {
        const [a] = (await alertsOf(s.sales, { view })).filter((x) => x.subscriptionId === subscriptionId) as Card[];
        expect(a).toMatchObject({
          productName: 'Office Suite Business',
          endCustomer: { name: 'Kappa Dental', reference: 'AC-1' },
        });
        const csv = await t
          .http()
          .get('/api/v1/renewal-alerts')
          .query({ view })
          .set('Authorization', s.sales.auth)
          .set('Accept', 'text/csv')
          .expect(200);
        const lines = csv.text.trim().split('\n');
        const header = lines[0].split(',');
        const row = lines.find((l) => l.startsWith(a.id))!.split(',');
        expect(row[header.indexOf('productName')]).toBe('Office Suite Business');
        expect(row[header.indexOf('endCustomer')]).toBe('Kappa Dental');
      }
    });
  });

  describe('webhooks', () => {
    interface Received {
      headers: http.IncomingHttpHeaders;
      body: string;
    }
    /** A real HTTP receiver on 127.0.0.1 answering each request with the next scripted status (then 200). */
    async function receiver(script: number[] = []) {
      const received: Received[] = [];
      const server = http.createServer((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          received.push({ headers: req.headers, body });
          res.statusCode = script.shift() ?? 200;
          res.end('ok');
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const { port } = server.address() as AddressInfo;
      return {
        url: `http://127.0.0.1:${port}/hooks/disty`,
        received,
        close: () => new Promise((r) => server.close(r)),
      };
    }

    /** A reseller whose admin registers `url`, and one subscription alerted by a scan. */
    async function hooked(url: string, startDate: string, scanOn: string) {
      const s = await shop();
      const radmin = await t.user('reseller_admin', s.reseller.id);
      const created = await t
        .http()
        .post('/api/v1/webhooks')
        .set('Authorization', radmin.auth)
        .send({ url, events: ['renewal_alert.raised'] })
        .expect(201);
      expect(created.body.secret).toMatch(/^whsec_/);
      const subscriptionId = await subscribe(s.buyer, s.cloud.sku, startDate);
      const r = await scan(scanOn);
      expect(r.webhookDeliveries).toBeGreaterThanOrEqual(1);
      const deliveries = async () =>
        (await t.http().get(`/api/v1/webhooks/${created.body.id}/deliveries`).set('Authorization', radmin.auth).expect(200)).body.items;
      return {
        ...s,
        radmin,
        webhook: created.body as { id: string; secret: string },
        subscriptionId,
        deliveries,
      };
    }
    const deliver = (now: Date) => t.get(WebhookService).deliverDue({ now });

    it('delivers renewal_alert.raised signed with the webhook secret; the secret is shown only once', async () => {
      const rx = await receiver();
      try {
        const h = await hooked(rx.url, '2035-01-10', '2035-11-10'); // term end 2036-01-09: 60 days → 60
        const list = await t.http().get('/api/v1/webhooks').set('Authorization', h.radmin.auth).expect(200);
        expect(list.body.items).toEqual([
          expect.objectContaining({
            id: h.webhook.id,
            url: rx.url,
            events: ['renewal_alert.raised'],
            active: true,
          }),
        ]);
        expect(list.body.items[0].secret).toBeUndefined();

        const res = await t.http().post('/api/v1/jobs/webhooks/deliver').set(admin()).expect(200);
        expect(res.body).toEqual({
          claimed: expect.any(Number),
          delivered: expect.any(Number),
          retrying: expect.any(Number),
          failed: expect.any(Number),
        });
        expect(rx.received).toHaveLength(1);
        const { headers, body } = rx.received[0];
        const sig = String(headers['disty-signature']);
        expect(sig).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
        expect(verifySignature(sig, h.webhook.secret, body)).toBe(true);
        expect(verifySignature(sig, 'whsec_wrong', body)).toBe(false);
        const event = JSON.parse(body);
        const [alert] = (await alertsOf(h.sales)).filter((a) => a.subscriptionId === h.subscriptionId);
        expect(event).toMatchObject({
          id: headers['disty-event-id'],
          type: 'renewal_alert.raised',
          data: {
            id: alert.id,
            source: 'SUBSCRIPTION',
            subscriptionId: h.subscriptionId,
            threshold: 60,
            termEnd: '2036-01-09',
            renewalValue: '600.00',
            currency: 'AUD',
          },
        });
        expect(headers['content-type']).toBe('application/json');
        const [d] = await h.deliveries();
        expect(d).toMatchObject({
          status: 'DELIVERED',
          attempts: 1,
          lastResponseStatus: 200,
          event: 'renewal_alert.raised',
          nextAttemptAt: null,
        });
      } finally {
        await rx.close();
      }
    });

    it('retries a receiver failing twice with backoff and delivers on the third try', async () => {
      const rx = await receiver([500, 503]);
      try {
        const h = await hooked(rx.url, '2035-02-10', '2035-12-12'); // 59 days → 60
        const t0 = Date.now();
        await deliver(new Date(t0));
        let [d] = await h.deliveries();
        expect(d).toMatchObject({
          status: 'PENDING',
          attempts: 1,
          lastResponseStatus: 500,
          lastError: 'HTTP 500',
        });
        const next1 = Date.parse(d.nextAttemptAt);
        expect(next1).toBeGreaterThan(t0);
        await deliver(new Date(next1 - 1000)); // not due yet
        expect(rx.received).toHaveLength(1);
        await deliver(new Date(next1));
        [d] = await h.deliveries();
        expect(d).toMatchObject({ status: 'PENDING', attempts: 2, lastResponseStatus: 503 });
        const next2 = Date.parse(d.nextAttemptAt);
        expect(next2 - next1).toBeGreaterThan(next1 - t0); // exponential: the second wait is longer
        await deliver(new Date(next2));
        [d] = await h.deliveries();
        expect(d).toMatchObject({ status: 'DELIVERED', attempts: 3, lastResponseStatus: 200 });
        expect(rx.received).toHaveLength(3);
        expect(new Set(rx.received.map((r) => r.headers['disty-event-id'])).size).toBe(1);
        for (const r of rx.received)
          expect(
            verifySignature(String(r.headers['disty-signature']), h.webhook.secret, r.body, {
              toleranceSeconds: 10 ** 6,
            }),
          ).toBe(true);
      } finally {
        await rx.close();
      }
    });

    it('gives up on an unreachable URL after the bound of attempts and shows it as FAILED', async () => {
      const h = await hooked('http://127.0.0.1:1/', '2035-03-10', '2036-01-10'); // 59 days → 60
      let now = Date.now();
      for (let i = 0; i < 8; i++) {
        await deliver(new Date(now));
        now += 7 * 24 * 3600 * 1000; // past any backoff
      }
      const [d] = await h.deliveries();
      expect(d).toMatchObject({
        status: 'FAILED',
        attempts: 8,
        lastResponseStatus: null,
        nextAttemptAt: null,
      });
      expect(d.lastError).toMatch(/bad port|ECONNREFUSED|fetch failed/i);
      await deliver(new Date(now));
      expect((await h.deliveries())[0].attempts).toBe(8);
      const failed = await t
        .http()
        .get(`/api/v1/webhooks/${h.webhook.id}/deliveries`)
        .query({ status: 'FAILED' })
        .set('Authorization', h.radmin.auth)
        .expect(200);
      expect(failed.body.total).toBe(1);
    });

    it('delivers each queued event once when several workers run at once (SKIP LOCKED claims)', async () => {
      const rx = await receiver();
      try {
        const s = await shop();
        const radmin = await t.user('reseller_admin', s.reseller.id);
        const hook = await t
          .http()
          .post('/api/v1/webhooks')
          .set('Authorization', radmin.auth)
          .send({ url: rx.url, events: ['renewal_alert.raised'] })
          .expect(201);
        for (let i = 0; i < 6; i++) await subscribe(s.buyer, s.cloud.sku, '2035-04-10', 1 + i);
        expect((await scan('2036-02-09')).webhookDeliveries).toBeGreaterThanOrEqual(6); // 59 days → 60
        const svc = t.get(WebhookService);
        const now = new Date(Date.now() + 30 * 24 * 3600 * 1000); // past any backoff left by other tests
        await Promise.all([svc.deliverDue({ now }), svc.deliverDue({ now }), svc.deliverDue({ now })]);
        const items = (await t.http().get(`/api/v1/webhooks/${hook.body.id}/deliveries`).set('Authorization', radmin.auth).expect(200)).body
          .items;
        expect(items).toHaveLength(6);
        expect(items.every((d: { status: string; attempts: number }) => d.status === 'DELIVERED' && d.attempts === 1)).toBe(true);
        const ids = rx.received.map((r) => r.headers['disty-event-id']);
        expect(ids).toHaveLength(6);
        expect(new Set(ids).size).toBe(6);
      } finally {
        await rx.close();
      }
    });

    it('enforces roles, tenancy and validation on webhook registration', async () => {
      const a = await shop();
      const b = await shop();
      const aAdmin = await t.user('reseller_admin', a.reseller.id);
      const bAdmin = await t.user('reseller_admin', b.reseller.id);
      const created = await t
        .http()
        .post('/api/v1/webhooks')
        .set('Authorization', aAdmin.auth)
        .send({ url: 'https://crm.example.com/hook', events: ['renewal_alert.raised', 'invoice.issued'] })
        .expect(201);
      await t
        .http()
        .post('/api/v1/webhooks')
        .set('Authorization', a.sales.auth)
        .send({ url: 'https://x.example.com', events: ['invoice.issued'] })
        .expect(403);
      await t
        .http()
        .post('/api/v1/webhooks')
        .set('Authorization', aAdmin.auth)
        .send({ url: 'ftp://x.example.com', events: ['invoice.issued'] })
        .expect(400);
      await t
        .http()
        .post('/api/v1/webhooks')
        .set('Authorization', aAdmin.auth)
        .send({ url: 'https://x.example.com', events: ['order.placed'] })
        .expect(400);
      await t
        .http()
        .post('/api/v1/webhooks')
        .set('Authorization', aAdmin.auth)
        .send({ url: 'https://x.example.com', events: [] })
        .expect(400);
      await t
        .http()
        .post('/api/v1/webhooks')
        .set(admin())
        .send({ url: 'https://x.example.com', events: ['invoice.issued'] })
        .expect(400);
      const unknown = await t
        .http()
        .post('/api/v1/webhooks')
        .set(admin())
        .send({
          url: 'https://x.example.com',
          events: ['invoice.issued'],
          resellerId: '00000000-0000-4000-8000-000000000000',
        })
        .expect(422);
      expect(unknown.body.type).toBe('https://disty.dev/problems/unknown-reseller');
      const byAdmin = await t
        .http()
        .post('/api/v1/webhooks')
        .set(admin())
        .send({ url: 'https://x.example.com', events: ['invoice.issued'], resellerId: b.reseller.id })
        .expect(201);
      expect(byAdmin.body.resellerId).toBe(b.reseller.id);

      await t.http().get(`/api/v1/webhooks/${created.body.id}`).set('Authorization', bAdmin.auth).expect(404);
      await t.http().get(`/api/v1/webhooks/${created.body.id}/deliveries`).set('Authorization', bAdmin.auth).expect(404);
      await t.http().delete(`/api/v1/webhooks/${created.body.id}`).set('Authorization', bAdmin.auth).expect(404);
      expect(
        (await t.http().get('/api/v1/webhooks').set('Authorization', bAdmin.auth).expect(200)).body.items.map((w: { id: string }) => w.id),
      ).toEqual([byAdmin.body.id]);
      await t.http().delete(`/api/v1/webhooks/${created.body.id}`).set('Authorization', aAdmin.auth).expect(204);
      await t.http().delete(`/api/v1/webhooks/${created.body.id}`).set('Authorization', aAdmin.auth).expect(404);
      expect((await t.http().get('/api/v1/webhooks').set('Authorization', aAdmin.auth).expect(200)).body.items).toEqual([]);
      await t.http().post('/api/v1/jobs/webhooks/deliver').set('Authorization', aAdmin.auth).expect(403);
      await t.http().post('/api/v1/renewal-alerts/scan').set('Authorization', a.sales.auth).send({}).expect(403);
      await t.http().post('/api/v1/renewal-alerts/scan').set(admin()).send({ asOf: '2035-02-30' }).expect(400);
    });

    it('WebhookService.enqueue queues an event for subscribed webhooks only, inside the caller’s transaction', async () => {
      const s = await shop();
      const radmin = await t.user('reseller_admin', s.reseller.id);
      const rx = await receiver();
      try {
        const hook = await t
          .http()
          .post('/api/v1/webhooks')
          .set('Authorization', radmin.auth)
          .send({ url: rx.url, events: ['invoice.issued'] })
          .expect(201);
        const svc = t.get(WebhookService);
        expect(await t.db.transaction((em) => svc.enqueue(em, s.reseller.id, 'renewal_alert.raised', { x: 1 }))).toBe(0);
        await expect(
          t.db.transaction(async (em) => {
            await svc.enqueue(em, s.reseller.id, 'invoice.issued', { invoiceId: 'rolled-back' });
            throw new Error('rollback');
          }),
        ).rejects.toThrow('rollback');
        expect(await t.db.transaction((em) => svc.enqueue(em, s.reseller.id, 'invoice.issued', { invoiceId: `INV-${f.uniq()}` }))).toBe(1);
        const items = (await t.http().get(`/api/v1/webhooks/${hook.body.id}/deliveries`).set('Authorization', radmin.auth).expect(200)).body
          .items;
        expect(items).toHaveLength(1);
        expect(items[0]).toMatchObject({ event: 'invoice.issued', status: 'PENDING', attempts: 0 });
      } finally {
        await rx.close();
      }
    });
  });
});
