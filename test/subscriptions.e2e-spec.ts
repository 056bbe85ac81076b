import { randomUUID } from 'crypto';
import { Dec } from '#disty/core';
import { ProvisionInput, SubscriptionProvisioningService, SubscriptionService } from '#disty/subscription';
import type * as Commerce from './factories/commerce';
import type * as AppSupport from './support/app';
import type { TestApp } from './support/app';
import type { OwnDatabase } from './support/own-database';

// The app and the factories load after the file's own database is set (see beforeAll).
let createProduct: typeof Commerce.createProduct;
let createReseller: typeof Commerce.createReseller;
let creditLines: typeof Commerce.creditLines;
let uniq: typeof Commerce.uniq;
let ADMIN_TOKEN: string;
let bearer: typeof AppSupport.bearer;

/*
 * Dates are explicit and deliberately in the past (2020–2024). The file has a database of its own:
 * the renewal job renews every due subscription in the database.
 */
type Charge = {
  id: string;
  kind: string;
  amount: string;
  billingDate: string;
  periodStart: string;
  periodEnd: string;
  status: string;
  quantity: number;
  creditLine: string;
};

const sum = (charges: Array<{ amount: string }>) => charges.reduce((s, c) => s.plus(c.amount), new Dec(0)).toFixed(2);

// Renewals run for a database of its own and take long on a busy machine: 5 minutes per test and hook.
jest.setTimeout(300_000);

describe('Subscriptions: terms, charges, seat changes, cancellation and renewal', () => {
  let t: TestApp;
  let subs: SubscriptionService;
  let provisioning: SubscriptionProvisioningService;
  let own: OwnDatabase;
  beforeAll(async () => {
    // A database of its own: the renewal job renews every due subscription in the database, and
    // the shared one holds other files' subscriptions (a slow, load-dependent catch-up).
    own = await (await import('./support/own-database.js')).useOwnDatabase('subscriptions');
    const app = await import('./support/app.js');
    ({ createProduct, createReseller, creditLines, uniq } = await import('./factories/commerce.js'));
    ({ ADMIN_TOKEN, bearer } = app);
    t = await app.createTestApp();
    subs = t.get(SubscriptionService);
    provisioning = t.get(SubscriptionProvisioningService);
  });
  afterAll(async () => {
    await t?.close();
    await own?.drop();
  });
  // Changes take effect "today" (the server clock): each test sets today to the date it acts on.
  afterEach(() => t.clock.reset());

  const provision = (resellerId: string, over: Partial<ProvisionInput> = {}) =>
    t.db.transaction((em) =>
      provisioning.provision(em, {
        resellerId,
        orderLineId: randomUUID(),
        sku: `CL-${uniq()}`,
        quantity: 10,
        unitPrice: new Dec('12.35'),
        taxRate: new Dec('0.10'),
        currency: 'AUD',
        term: 'P1Y',
        billingFrequency: 'MONTHLY',
        startDate: '2024-01-15',
        endCustomer: { name: 'Acme Pty Ltd', reference: 'AC-1' },
        ...over,
      }),
    );
  const detail = async (id: string) =>
    (await t.http().get(`/api/v1/subscriptions/${id}`).set(bearer(ADMIN_TOKEN)).expect(200)).body as {
      quantity: number;
      status: string;
      autoRenew: boolean;
      cancelAtTermEnd: boolean;
      termStart: string;
      termEnd: string;
      unitPrice: string;
      terms: Array<{
        termNo: number;
        startDate: string;
        endDate: string;
        unitPrice: string;
        quantity: number;
      }>;
      charges: Charge[];
    };
  const renew = (asOf: string) => t.http().post(`/api/v1/jobs/renewals/run?asOf=${asOf}`).set(bearer(ADMIN_TOKEN)).expect(200);

  describe('billing schedules', () => {
    it('bills a MONTHLY P1Y term in 12 monthly charges summing exactly to price × quantity × 12', async () => {
      const r = await createReseller(t);
      const p = await provision(r.id);
      expect(p.firstCharge).toMatchObject({ periodStart: '2024-01-15', periodEnd: '2024-02-14' });
      expect(p.firstCharge.net.toFixed(2)).toBe('123.50');
      const s = await detail(p.subscriptionId);
      expect(s).toMatchObject({
        id: p.subscriptionId,
        resellerId: r.id,
        quantity: 10,
        status: 'ACTIVE',
        autoRenew: true,
        cancelAtTermEnd: false,
        termStart: '2024-01-15',
        termEnd: '2025-01-14',
        unitPrice: '12.35',
        currency: 'AUD',
        billingFrequency: 'MONTHLY',
        endCustomer: { name: 'Acme Pty Ltd', reference: 'AC-1' },
      });
      expect(s.terms).toEqual([expect.objectContaining({ termNo: 1, startDate: '2024-01-15', endDate: '2025-01-14', quantity: 10 })]);
      expect(s.charges).toHaveLength(12);
      expect(sum(s.charges)).toBe('1482.00');
      expect(s.charges.every((c) => c.billingDate === c.periodStart && c.creditLine === 'CLOUD' && c.status === 'UNBILLED')).toBe(true);
      expect(s.charges.map((c) => c.periodStart).slice(0, 3)).toEqual(['2024-01-15', '2024-02-15', '2024-03-15']);
    });

    it('bills an ANNUAL P1Y term once and an UPFRONT P1Y term once', async () => {
      const r = await createReseller(t);
      const annual = await detail((await provision(r.id, { billingFrequency: 'ANNUAL' })).subscriptionId);
      expect(annual.charges.map((c) => [c.periodStart, c.periodEnd, c.amount])).toEqual([['2024-01-15', '2025-01-14', '1482.00']]);
      const upfront = await detail((await provision(r.id, { billingFrequency: 'UPFRONT' })).subscriptionId);
      expect(upfront.charges.map((c) => [c.periodStart, c.periodEnd, c.amount])).toEqual([['2024-01-15', '2025-01-14', '1482.00']]);
    });

    it('bills a P3Y ANNUAL term in 3 yearly charges and a P3Y UPFRONT term once for 36 months', async () => {
      const r = await createReseller(t);
      const annual = await detail((await provision(r.id, { term: 'P3Y', billingFrequency: 'ANNUAL' })).subscriptionId);
      expect(annual.termEnd).toBe('2027-01-14');
      expect(annual.charges.map((c) => [c.periodStart, c.periodEnd, c.amount])).toEqual([
        ['2024-01-15', '2025-01-14', '1482.00'],
        ['2025-01-15', '2026-01-14', '1482.00'],
        ['2026-01-15', '2027-01-14', '1482.00'],
      ]);
      const upfront = await detail((await provision(r.id, { term: 'P3Y', billingFrequency: 'UPFRONT' })).subscriptionId);
      expect(upfront.charges.map((c) => c.amount)).toEqual(['4446.00']);
    });

    it('follows month ends from a 31 January anchor in a leap year', async () => {
      const r = await createReseller(t);
      const s = await detail((await provision(r.id, { startDate: '2024-01-31', unitPrice: new Dec('10'), quantity: 1 })).subscriptionId);
      expect(s.termEnd).toBe('2025-01-30');
      expect(s.charges.slice(0, 4).map((c) => [c.periodStart, c.periodEnd])).toEqual([
        ['2024-01-31', '2024-02-28'],
        ['2024-02-29', '2024-03-30'],
        ['2024-03-31', '2024-04-29'],
        ['2024-04-30', '2024-05-30'],
      ]);
      expect(sum(s.charges)).toBe('120.00');
    });

    it('renews monthly terms anchored on 31 January as Jan 31–Feb 27, Feb 28–Mar 30, Mar 31–Apr 29, catching up missed terms', async () => {
      const r = await createReseller(t);
      const p = await provision(r.id, {
        startDate: '2023-01-31',
        term: 'P1M',
        unitPrice: new Dec('10'),
        quantity: 2,
      });
      await renew('2023-04-15');
      const s = await detail(p.subscriptionId);
      expect(s.terms.map((x) => [x.termNo, x.startDate, x.endDate])).toEqual([
        [1, '2023-01-31', '2023-02-27'],
        [2, '2023-02-28', '2023-03-30'],
        [3, '2023-03-31', '2023-04-29'],
      ]);
      expect(s).toMatchObject({ termStart: '2023-03-31', termEnd: '2023-04-29', status: 'ACTIVE' });
      expect(s.charges.map((c) => c.amount)).toEqual(['20.00', '20.00', '20.00']);
      // Re-running for the same date changes nothing.
      const again = await renew('2023-04-15');
      expect((await detail(p.subscriptionId)).terms).toHaveLength(3);
      expect(again.body.asOf).toBe('2023-04-15');
    });

    it('renews a term anchored on 29 February to 28 February, and back to 29 February in the next leap year', async () => {
      const r = await createReseller(t);
      const p = await provision(r.id, {
        startDate: '2020-02-29',
        billingFrequency: 'ANNUAL',
        unitPrice: new Dec('1'),
        quantity: 1,
      });
      await renew('2024-03-01');
      const s = await detail(p.subscriptionId);
      expect(s.terms.map((x) => [x.startDate, x.endDate])).toEqual([
        ['2020-02-29', '2021-02-27'],
        ['2021-02-28', '2022-02-27'],
        ['2022-02-28', '2023-02-27'],
        ['2023-02-28', '2024-02-28'],
        ['2024-02-29', '2025-02-27'],
      ]);
    });
  });

  describe('seat changes', () => {
    it('prorates an increase for the rest of the period, reschedules later months, and reserves the gross on CLOUD', async () => {
      const r = await createReseller(t);
      const p = await provision(r.id, { unitPrice: new Dec('10.00'), quantity: 5 });
      const before = await creditLines(t, r.id);
      const buyer = await t.user('buyer', r.id);
      t.clock.set('2024-03-10');
      const res = await t
        .http()
        .patch(`/api/v1/subscriptions/${p.subscriptionId}`)
        .set('Authorization', buyer.auth)
        .send({ quantity: 8, asOf: '2024-03-10' })
        .expect(200);
      expect(res.body.quantity).toBe(8);
      const charges = res.body.charges as Charge[];
      // Period 2024-02-15 – 2024-03-14 has 29 days; 10.00 × 3 × 5/29 = 5.1724…
      const proration = charges.filter((c) => c.kind === 'PRORATION');
      expect(proration.map((c) => [c.periodStart, c.periodEnd, c.amount, c.quantity])).toEqual([['2024-02-15', '2024-03-14', '5.17', 3]]);
      const term = charges.filter((c) => c.kind === 'TERM');
      expect(term.filter((c) => c.periodStart < '2024-03-10').every((c) => c.amount === '50.00')).toBe(true);
      expect(term.filter((c) => c.periodStart > '2024-03-10').every((c) => c.amount === '80.00' && c.quantity === 8)).toBe(true);
      const after = await creditLines(t, r.id);
      expect(new Dec(after.CLOUD.reserved).minus(before.CLOUD.reserved).toFixed(2)).toBe('5.69'); // 5.17 + tax 0.52
    });

    it('refuses an increase the CLOUD line cannot cover with 422 credit-limit-exceeded, changing nothing', async () => {
      const r = await createReseller(t, { cloudLimit: '100.00' });
      const p = await provision(r.id, { unitPrice: new Dec('10.00'), quantity: 5 });
      const before = await detail(p.subscriptionId);
      t.clock.set('2024-01-20');
      const res = await t
        .http()
        .patch(`/api/v1/subscriptions/${p.subscriptionId}`)
        .set(bearer(ADMIN_TOKEN))
        .send({ quantity: 500, asOf: '2024-01-20' })
        .expect(422);
      expect(res.body).toMatchObject({
        type: 'https://disty.dev/problems/credit-limit-exceeded',
        creditLine: 'CLOUD',
      });
      const after = await detail(p.subscriptionId);
      expect(after.quantity).toBe(5);
      expect(after.charges).toEqual(before.charges);
      expect((await creditLines(t, r.id)).CLOUD.reserved).toBe('0.00');
    });

    it('credits a decrease as a negative proration charge', async () => {
      const r = await createReseller(t);
      const p = await provision(r.id, {
        unitPrice: new Dec('10.00'),
        quantity: 5,
        billingFrequency: 'ANNUAL',
      });
      t.clock.set('2024-07-15');
      const res = await t
        .http()
        .patch(`/api/v1/subscriptions/${p.subscriptionId}`)
        .set(bearer(ADMIN_TOKEN))
        .send({ quantity: 3, asOf: '2024-07-15' })
        .expect(200);
      // Annual period 2024-01-15 – 2025-01-14 has 366 days; 2024-07-15 – 2025-01-14 is 184 of them.
      // 10.00 × 12 × −2 × 184/366 = −120.6557…
      expect((res.body.charges as Charge[]).filter((c) => c.kind === 'PRORATION').map((c) => [c.amount, c.quantity])).toEqual([
        ['-120.66', -2],
      ]);
    });

    it('nets several changes on one day exactly: +5 then −5 is zero, +3 then −1 is what +2 would be', async () => {
      const r = await createReseller(t);
      const a = await provision(r.id, { unitPrice: new Dec('9.99'), quantity: 4 });
      for (const q of [9, 4]) {
        t.clock.set('2024-04-03');
        await t
          .http()
          .patch(`/api/v1/subscriptions/${a.subscriptionId}`)
          .set(bearer(ADMIN_TOKEN))
          .send({ quantity: q, asOf: '2024-04-03' })
          .expect(200);
      }
      const sa = await detail(a.subscriptionId);
      expect(sum(sa.charges.filter((c) => c.kind === 'PRORATION'))).toBe('0.00');
      expect(sum(sa.charges)).toBe(new Dec('9.99').times(4 * 12).toFixed(2));

      const b = await provision(r.id, { unitPrice: new Dec('9.99'), quantity: 4 });
      const c = await provision(r.id, { unitPrice: new Dec('9.99'), quantity: 4 });
      for (const q of [7, 6]) {
        t.clock.set('2024-04-03');
        await t
          .http()
          .patch(`/api/v1/subscriptions/${b.subscriptionId}`)
          .set(bearer(ADMIN_TOKEN))
          .send({ quantity: q, asOf: '2024-04-03' })
          .expect(200);
      }
      t.clock.set('2024-04-03');
      await t
        .http()
        .patch(`/api/v1/subscriptions/${c.subscriptionId}`)
        .set(bearer(ADMIN_TOKEN))
        .send({ quantity: 6, asOf: '2024-04-03' })
        .expect(200);
      expect(sum((await detail(b.subscriptionId)).charges)).toBe(sum((await detail(c.subscriptionId)).charges));
    });

    it('serialises concurrent seat changes on one subscription: the day still nets to one rounding', async () => {
      const r = await createReseller(t);
      const p = await provision(r.id, { unitPrice: new Dec('9.99'), quantity: 5 });
      t.clock.set('2024-06-20');
      const results = await Promise.all(
        [6, 9, 7, 11].map((q) =>
          t.http().patch(`/api/v1/subscriptions/${p.subscriptionId}`).set(bearer(ADMIN_TOKEN)).send({ quantity: q, asOf: '2024-06-20' }),
        ),
      );
      expect(results.map((x) => x.status)).toEqual([200, 200, 200, 200]);
      const s = await detail(p.subscriptionId);
      const finalQty = s.quantity;
      const ref = await provision(r.id, { unitPrice: new Dec('9.99'), quantity: 5 });
      t.clock.set('2024-06-20');
      await t
        .http()
        .patch(`/api/v1/subscriptions/${ref.subscriptionId}`)
        .set(bearer(ADMIN_TOKEN))
        .send({ quantity: finalQty, asOf: '2024-06-20' })
        .expect(200);
      expect(sum(s.charges)).toBe(sum((await detail(ref.subscriptionId)).charges));
    });

    it('refuses a back-dated change and a change after the term ended', async () => {
      const r = await createReseller(t);
      const p = await provision(r.id, { unitPrice: new Dec('10.00'), quantity: 5 });
      t.clock.set('2024-05-01');
      await t
        .http()
        .patch(`/api/v1/subscriptions/${p.subscriptionId}`)
        .set(bearer(ADMIN_TOKEN))
        .send({ quantity: 6, asOf: '2024-05-01' })
        .expect(200);
      t.clock.set('2024-04-01');
      const back = await t
        .http()
        .patch(`/api/v1/subscriptions/${p.subscriptionId}`)
        .set(bearer(ADMIN_TOKEN))
        .send({ quantity: 7, asOf: '2024-04-01' })
        .expect(409);
      expect(back.body.type).toBe('https://disty.dev/problems/change-out-of-order');
      t.clock.set('2025-02-01');
      await t
        .http()
        .patch(`/api/v1/subscriptions/${p.subscriptionId}`)
        .set(bearer(ADMIN_TOKEN))
        .send({ quantity: 7, asOf: '2025-02-01' })
        .expect(409);
      await t.http().patch(`/api/v1/subscriptions/${p.subscriptionId}`).set(bearer(ADMIN_TOKEN)).send({ quantity: 0 }).expect(400);
      await t.http().patch(`/api/v1/subscriptions/${p.subscriptionId}`).set(bearer(ADMIN_TOKEN)).send({ quantity: '7' }).expect(400);
    });
  });

  describe('cancellation', () => {
    it('cancels immediately with a credit for the unused part of the period, voiding later unbilled months', async () => {
      const r = await createReseller(t);
      const p = await provision(r.id, { unitPrice: new Dec('10.00'), quantity: 3 });
      t.clock.set('2024-03-10');
      const res = await t
        .http()
        .post(`/api/v1/subscriptions/${p.subscriptionId}/cancel`)
        .set(bearer(ADMIN_TOKEN))
        .send({ when: 'IMMEDIATE', asOf: '2024-03-10' })
        .expect(200);
      expect(res.body).toMatchObject({
        status: 'CANCELLED',
        cancelAtTermEnd: false,
        autoRenew: false,
        cancelledOn: '2024-03-10',
      });
      const charges = res.body.charges as Charge[];
      // 30.00 × 5/29 = 5.1724… credited
      expect(charges.filter((c) => c.kind === 'CANCELLATION_CREDIT').map((c) => [c.periodStart, c.amount])).toEqual([
        ['2024-02-15', '-5.17'],
      ]);
      expect(charges.filter((c) => c.kind === 'TERM' && c.periodStart > '2024-03-10').every((c) => c.status === 'VOID')).toBe(true);
      const live = charges.filter((c) => c.status === 'UNBILLED');
      expect(sum(live)).toBe('54.83'); // one month used in full, then 24 of 29 days of the next
      t.clock.set('2024-03-11');
      await t
        .http()
        .post(`/api/v1/subscriptions/${p.subscriptionId}/cancel`)
        .set(bearer(ADMIN_TOKEN))
        .send({ when: 'IMMEDIATE', asOf: '2024-03-11' })
        .expect(409);
      t.clock.set('2024-03-11');
      await t
        .http()
        .patch(`/api/v1/subscriptions/${p.subscriptionId}`)
        .set(bearer(ADMIN_TOKEN))
        .send({ quantity: 9, asOf: '2024-03-11' })
        .expect(409);
    });

    it('cancels at the end of term: it stays CANCELLED with cancelAtTermEnd and does not renew', async () => {
      const r = await createReseller(t);
      const p = await provision(r.id, { term: 'P1M', startDate: '2022-06-01' });
      t.clock.set('2022-06-10');
      const res = await t
        .http()
        .post(`/api/v1/subscriptions/${p.subscriptionId}/cancel`)
        .set(bearer(ADMIN_TOKEN))
        .send({ when: 'END_OF_TERM', asOf: '2022-06-10' })
        .expect(200);
      expect(res.body).toMatchObject({ status: 'CANCELLED', cancelAtTermEnd: true, termEnd: '2022-06-30' });
      await renew('2022-06-30');
      expect(await detail(p.subscriptionId)).toMatchObject({
        status: 'CANCELLED',
        cancelAtTermEnd: true,
        cancelledOn: null,
      });
      await renew('2022-07-05');
      const s = await detail(p.subscriptionId);
      expect(s).toMatchObject({
        status: 'CANCELLED',
        cancelAtTermEnd: false,
        cancelledOn: '2022-07-01',
        termEnd: '2022-06-30',
      });
      expect(s.terms).toHaveLength(1);
    });

    it('rejects an unknown cancellation mode with 400', async () => {
      const r = await createReseller(t);
      const p = await provision(r.id);
      await t.http().post(`/api/v1/subscriptions/${p.subscriptionId}/cancel`).set(bearer(ADMIN_TOKEN)).send({ when: 'NOW' }).expect(400);
    });
  });

  describe('renewal', () => {
    it('renews at term end at the current catalog price and reserves the first charge even past the CLOUD limit', async () => {
      const r = await createReseller(t, { cloudLimit: '10.00' });
      const product = await createProduct(t, {
        kind: 'CLOUD',
        term: 'P1Y',
        billingFrequency: 'ANNUAL',
        prices: [{ currency: 'AUD', unitPrice: '20.00' }],
      });
      const p = await provision(r.id, {
        sku: product.sku,
        unitPrice: new Dec('20.00'),
        quantity: 2,
        billingFrequency: 'ANNUAL',
        startDate: '2021-05-01',
      });
      await t
        .http()
        .patch(`/api/v1/catalog/products/${product.sku}`)
        .set(bearer(ADMIN_TOKEN))
        .send({ prices: [{ currency: 'AUD', unitPrice: '25.00' }] })
        .expect(200);
      const run = await renew('2022-05-01');
      expect(run.body.renewed).toBeGreaterThanOrEqual(1);
      const s = await detail(p.subscriptionId);
      expect(s).toMatchObject({
        status: 'ACTIVE',
        termStart: '2022-05-01',
        termEnd: '2023-04-30',
        unitPrice: '25.00',
      });
      expect(s.terms.map((x) => x.unitPrice)).toEqual(['20.00', '25.00']);
      const renewed = s.charges.filter((c) => c.periodStart === '2022-05-01');
      expect(renewed.map((c) => c.amount)).toEqual(['600.00']);
      const lines = await creditLines(t, r.id);
      expect(lines.CLOUD.reserved).toBe('660.00');
      expect(new Dec(lines.CLOUD.available).isNegative()).toBe(true);
    });

    it('keeps the old price when the catalog has none, and expires a subscription whose autoRenew is off', async () => {
      const r = await createReseller(t);
      const keep = await provision(r.id, {
        term: 'P1M',
        startDate: '2021-09-01',
        unitPrice: new Dec('7.77'),
        quantity: 1,
      });
      const stop = await provision(r.id, {
        term: 'P1M',
        startDate: '2021-09-01',
        unitPrice: new Dec('7.77'),
        quantity: 1,
      });
      const off = await t
        .http()
        .patch(`/api/v1/subscriptions/${stop.subscriptionId}`)
        .set(bearer(ADMIN_TOKEN))
        .send({ autoRenew: false })
        .expect(200);
      expect(off.body.autoRenew).toBe(false);
      // Not yet due: a run on the last day of the term changes nothing.
      await renew('2021-09-30');
      expect((await detail(stop.subscriptionId)).status).toBe('ACTIVE');
      await renew('2021-10-01');
      expect(await detail(keep.subscriptionId)).toMatchObject({
        status: 'ACTIVE',
        termStart: '2021-10-01',
        unitPrice: '7.77',
      });
      const expired = await detail(stop.subscriptionId);
      expect(expired).toMatchObject({ status: 'EXPIRED', termEnd: '2021-09-30' });
      expect(expired.terms).toHaveLength(1);
    });

    it('two concurrent renewal runs over 1,000 expiring subscriptions create exactly one new term each', async () => {
      const r = await createReseller(t, { cloudLimit: '1.00' });
      const sku = `CL-${uniq()}`;
      const ids = await t.db.transaction(async (em) => {
        const out: string[] = [];
        for (let i = 0; i < 1000; i++) {
          const p = await provisioning.provision(em, {
            resellerId: r.id,
            orderLineId: randomUUID(),
            sku,
            quantity: 1 + (i % 5),
            unitPrice: new Dec('3.00'),
            taxRate: new Dec('0.10'),
            currency: 'AUD',
            term: 'P1M',
            billingFrequency: 'MONTHLY',
            startDate: '2020-03-01',
            endCustomer: { name: `Customer ${i}` },
          });
          out.push(p.subscriptionId);
        }
        return out;
      });
      const started = Date.now();
      const [a, b] = await Promise.all([renew('2020-04-01'), renew('2020-04-01')]);
      const elapsed = Date.now() - started;
      const rows: Array<{ n: number; terms: number }> = await t.db.query(
        `SELECT count(*)::int AS n, min(c)::int AS terms FROM (
           SELECT count(*) AS c FROM subscription_terms WHERE subscription_id = ANY($1::uuid[]) GROUP BY subscription_id) x
         GROUP BY c`,
        [ids],
      );
      expect(rows).toEqual([{ n: 1000, terms: 2 }]);
      const [{ charges }] = await t.db.query(
        `SELECT count(*)::int AS charges FROM subscription_charges WHERE subscription_id = ANY($1::uuid[]) AND period_start = '2020-04-01'`,
        [ids],
      );
      expect(charges).toBe(1000);
      expect(a.body.renewed + b.body.renewed).toBeGreaterThanOrEqual(1000);
      const [{ reservations }] = await t.db.query(`SELECT count(*)::int AS reservations FROM credit_reservations WHERE reseller_id = $1`, [
        r.id,
      ]);
      expect(reservations).toBe(1000);
      expect(elapsed).toBeLessThan(30_000);
    });
  });

  describe('reads and tenancy', () => {
    it('lists with filters, and hides another reseller’s subscriptions (404)', async () => {
      const mine = await createReseller(t);
      const other = await createReseller(t);
      const sku = `CL-${uniq()}`;
      const a = await provision(mine.id, { sku, startDate: '2024-02-01' });
      const b = await provision(other.id, { sku, startDate: '2024-02-01' });
      const buyer = await t.user('buyer', mine.id);
      const list = await t.http().get(`/api/v1/subscriptions?sku=${sku}`).set('Authorization', buyer.auth).expect(200);
      expect(list.body).toMatchObject({ total: 1, page: 1 });
      expect(list.body.items.map((x: { id: string }) => x.id)).toEqual([a.subscriptionId]);
      const admin = await t
        .http()
        .get(`/api/v1/subscriptions?sku=${sku}&status=ACTIVE&endsBefore=2025-02-01`)
        .set(bearer(ADMIN_TOKEN))
        .expect(200);
      expect(admin.body.total).toBe(2);
      const scoped = await t.http().get(`/api/v1/subscriptions?sku=${sku}&resellerId=${other.id}`).set(bearer(ADMIN_TOKEN)).expect(200);
      expect(scoped.body.items.map((x: { id: string }) => x.id)).toEqual([b.subscriptionId]);
      const ignored = await t
        .http()
        .get(`/api/v1/subscriptions?sku=${sku}&resellerId=${other.id}`)
        .set('Authorization', buyer.auth)
        .expect(200);
      expect(ignored.body.items.map((x: { id: string }) => x.id)).toEqual([a.subscriptionId]);
      const none = await t.http().get(`/api/v1/subscriptions?sku=${sku}&endsBefore=2025-01-31`).set(bearer(ADMIN_TOKEN)).expect(200);
      expect(none.body.total).toBe(0);
      for (const req of [
        t.http().get(`/api/v1/subscriptions/${b.subscriptionId}`),
        t.http().patch(`/api/v1/subscriptions/${b.subscriptionId}`).send({ quantity: 2, asOf: '2024-03-01' }),
        t.http().post(`/api/v1/subscriptions/${b.subscriptionId}/cancel`).send({ when: 'IMMEDIATE', asOf: '2024-03-01' }),
      ]) {
        const res = await req.set('Authorization', buyer.auth).expect(404);
        expect(res.body.type).toBe('https://disty.dev/problems/not-found');
      }
      expect((await detail(b.subscriptionId)).quantity).toBe(10);
      await t.http().get('/api/v1/subscriptions/not-a-uuid').set('Authorization', buyer.auth).expect(404);
      await t.http().get('/api/v1/subscriptions?status=NOPE').set('Authorization', buyer.auth).expect(400);
    });

    it('allows sales and finance to read but not to change; only admin runs renewals', async () => {
      const r = await createReseller(t);
      const p = await provision(r.id);
      const sales = await t.user('sales', r.id);
      const finance = await t.user('finance');
      await t.http().get(`/api/v1/subscriptions/${p.subscriptionId}`).set('Authorization', sales.auth).expect(200);
      await t.http().get(`/api/v1/subscriptions/${p.subscriptionId}`).set('Authorization', finance.auth).expect(200);
      await t
        .http()
        .patch(`/api/v1/subscriptions/${p.subscriptionId}`)
        .set('Authorization', sales.auth)
        .send({ autoRenew: false })
        .expect(403);
      await t.http().post('/api/v1/jobs/renewals/run?asOf=2020-01-01').set('Authorization', finance.auth).expect(403);
      await t.http().post('/api/v1/jobs/renewals/run?asOf=2020-13-01').set(bearer(ADMIN_TOKEN)).expect(400);
    });
  });

  describe('through orders', () => {
    it('a cloud order line provisions a subscription whose first charge the order reserved; a seat change and a renewal follow', async () => {
      const r = await createReseller(t);
      const buyer = await t.user('buyer', r.id);
      const product = await createProduct(t, {
        kind: 'CLOUD',
        term: 'P1Y',
        billingFrequency: 'ANNUAL',
        prices: [{ currency: 'AUD', unitPrice: '4.00' }],
      });
      t.clock.set('2023-08-31');
      const order = await t
        .http()
        .post('/api/v1/orders')
        .set('Authorization', buyer.auth)
        .send({
          endCustomer: { name: 'Bayside Clinic' },
          lines: [{ sku: product.sku, quantity: 10, startDate: '2023-08-31' }],
        })
        .expect(201);
      const line = order.body.lines[0];
      expect(line).toMatchObject({ net: '480.00', tax: '48.00', gross: '528.00' });
      const s = await detail(line.subscriptionId);
      expect(s).toMatchObject({
        orderLineId: line.id,
        sku: product.sku,
        quantity: 10,
        termStart: '2023-08-31',
        termEnd: '2024-08-30',
        unitPrice: '4.00',
        billingFrequency: 'ANNUAL',
        endCustomer: { name: 'Bayside Clinic' },
      });
      expect(s.charges.map((c) => [c.periodStart, c.amount])).toEqual([['2023-08-31', '480.00']]);
      expect((await creditLines(t, r.id)).CLOUD.reserved).toBe('528.00');

      // +2 seats on 2024-02-29 for 184 of 366 days: 4.00 × 12 × 2 × 184/366 = 48.2622… → 48.26 (+ 4.83 tax reserved)
      t.clock.set('2024-02-29');
      const changed = await t
        .http()
        .patch(`/api/v1/subscriptions/${line.subscriptionId}`)
        .set('Authorization', buyer.auth)
        .send({ quantity: 12, asOf: '2024-02-29' })
        .expect(200);
      expect((changed.body.charges as Charge[]).filter((c) => c.kind === 'PRORATION').map((c) => c.amount)).toEqual(['48.26']);
      expect((await creditLines(t, r.id)).CLOUD.reserved).toBe('581.09');

      await renew('2024-08-31');
      const renewed = await detail(line.subscriptionId);
      expect(renewed).toMatchObject({ termStart: '2024-08-31', termEnd: '2025-08-30', quantity: 12 });
      expect(renewed.charges.filter((c) => c.periodStart === '2024-08-31').map((c) => c.amount)).toEqual(['576.00']);
      expect((await creditLines(t, r.id)).CLOUD.reserved).toBe('1214.69'); // + 576.00 + 57.60 tax
    });
  });

  describe('invoicing interface', () => {
    it('takes the unbilled charges up to a date onto an invoice, each charge once', async () => {
      const r = await createReseller(t);
      await provision(r.id, { startDate: '2024-01-15', unitPrice: new Dec('10.00'), quantity: 1 });
      const take = (periodEnd: string) => t.db.transaction((em) => subs.takeUnbilledCharges(em, r.id, periodEnd, randomUUID()));
      const due = await take('2024-03-31');
      expect(due.map((c) => [c.periodStart, c.net.toFixed(2), c.creditLine, c.source.type])).toEqual([
        ['2024-01-15', '10.00', 'CLOUD', 'subscription_charge'],
        ['2024-02-15', '10.00', 'CLOUD', 'subscription_charge'],
        ['2024-03-15', '10.00', 'CLOUD', 'subscription_charge'],
      ]);
      // Taken charges are on their invoice: a second take (another run, another invoice) finds none of them.
      expect(await take('2024-03-31')).toEqual([]);
      expect((await take('2024-04-15')).map((c) => c.periodStart)).toEqual(['2024-04-15']);
    });

    it('adjusts a later month already invoiced instead of rewriting it', async () => {
      const r = await createReseller(t);
      const p = await provision(r.id, { startDate: '2024-01-15', unitPrice: new Dec('10.00'), quantity: 1 });
      await t.db.transaction((em) => subs.takeUnbilledCharges(em, r.id, '2024-04-15', randomUUID()));
      t.clock.set('2024-03-30');
      const res = await t
        .http()
        .patch(`/api/v1/subscriptions/${p.subscriptionId}`)
        .set(bearer(ADMIN_TOKEN))
        .send({ quantity: 2, asOf: '2024-03-30' })
        .expect(200);
      const charges = res.body.charges as Charge[];
      // 2024-03-15 – 2024-04-14 (31 days): 16 days left → 5.16; 2024-04-15 was billed → a full +10.00 adjustment.
      expect(charges.filter((c) => c.kind === 'PRORATION').map((c) => [c.periodStart, c.amount])).toEqual([
        ['2024-03-15', '5.16'],
        ['2024-04-15', '10.00'],
      ]);
      expect(charges.find((c) => c.kind === 'TERM' && c.periodStart === '2024-04-15')!.amount).toBe('10.00');
      expect(charges.find((c) => c.kind === 'TERM' && c.periodStart === '2024-05-15')!.amount).toBe('20.00');
    });
  });

  describe('provisioning several order lines at once', () => {
    const input = (resellerId: string, over: Partial<ProvisionInput> = {}): ProvisionInput => ({
      resellerId,
      orderLineId: randomUUID(),
      sku: `CL-${uniq()}`,
      quantity: 3,
      unitPrice: new Dec('10.00'),
      taxRate: new Dec('0.10'),
      currency: 'AUD',
      term: 'P1Y',
      billingFrequency: 'MONTHLY',
      startDate: '2024-02-29',
      endCustomer: { name: 'Acme Pty Ltd' },
      ...over,
    });

    it('writes each subscription, its first term and its charges, as provision() does one by one', async () => {
      const r = await createReseller(t);
      const inputs = [input(r.id), input(r.id, { term: 'P3Y', billingFrequency: 'ANNUAL', quantity: 2 }), input(r.id, { term: 'P1M' })];
      const many = await t.db.transaction((em) => provisioning.provisionMany(em, inputs));
      expect(many).toHaveLength(3);
      expect(many.map((m) => [m.firstCharge.periodStart, m.firstCharge.periodEnd, m.firstCharge.net.toFixed(2)])).toEqual([
        ['2024-02-29', '2024-03-28', '30.00'],
        ['2024-02-29', '2025-02-27', '240.00'],
        ['2024-02-29', '2024-03-28', '30.00'],
      ]);
      const one = await provision(r.id, { ...inputs[1], orderLineId: randomUUID() });
      const [a, b] = await Promise.all([detail(many[1].subscriptionId), detail(one.subscriptionId)]);
      const strip = (s: typeof a) => ({
        ...s,
        id: undefined,
        orderLineId: undefined,
        createdAt: undefined,
        updatedAt: undefined,
        terms: s.terms.map((x) => ({ ...x, id: undefined })),
        charges: s.charges.map((c) => ({
          ...c,
          id: undefined,
          termId: undefined,
          subscriptionId: undefined,
          source: undefined,
        })),
      });
      expect(strip(a)).toEqual(strip(b));
      expect(a.charges.find((c) => c.periodStart === '2024-02-29')!.id).toBe(many[1].firstCharge.id);
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM subscription_charges WHERE subscription_id = ANY($1::uuid[])`, [
        many.map((m) => m.subscriptionId),
      ]);
      expect(n).toBe(12 + 3 + 1);
    });

    it('returns the existing subscription for an order line already provisioned, or repeated in the same call', async () => {
      const r = await createReseller(t);
      const first = input(r.id);
      const [p] = await t.db.transaction((em) => provisioning.provisionMany(em, [first]));
      const other = input(r.id);
      const again = await t.db.transaction((em) => provisioning.provisionMany(em, [first, other, { ...other }]));
      expect(again[0]).toEqual(p);
      expect(again[2]).toEqual(again[1]);
      expect(again[1].subscriptionId).not.toBe(p.subscriptionId);
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM subscriptions WHERE order_line_id = ANY($1::uuid[])`, [
        [first.orderLineId, other.orderLineId],
      ]);
      expect(n).toBe(2);
      const stranger = await createReseller(t);
      await expect(t.db.transaction((em) => provisioning.provisionMany(em, [{ ...first, resellerId: stranger.id }]))).rejects.toMatchObject(
        {
          status: 422,
        },
      );
    });
  });
});
