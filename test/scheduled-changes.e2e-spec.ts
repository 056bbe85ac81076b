import type { TestApp } from './support/app';
import type * as Commerce from './factories/commerce';
import { startBillingTestApp } from './support/billing';

/*
 * Issue 17, scheduled changes (docs/money-integrity.md, "Scheduled changes"): changes at renewal
 * applied exactly once by the renewal job, cancellable while pending; autoRenew off ends the
 * subscription at term end; the price lock. A database of its own: renewal runs are global.
 */
type Charge = {
  kind: string;
  amount: string;
  unitPrice: string;
  quantity: number;
  periodStart: string;
  sku?: string;
};
type Scheduled = {
  id: string;
  kind: string;
  at: string;
  quantity: number | null;
  sku: string | null;
  effectiveDate: string;
  status: string;
  failureReason: string | null;
};
type Term = {
  termNo: number;
  startDate: string;
  endDate: string;
  unitPrice: string;
  quantity: number;
  billingFrequency: string;
};
type Sub = {
  id: string;
  sku: string;
  quantity: number;
  status: string;
  unitPrice: string;
  charges: Charge[];
  terms: Term[];
  scheduledChanges: Scheduled[];
};

describe('scheduled changes, autoRenew and the price lock (issue 17)', () => {
  let t: TestApp;
  let f: typeof Commerce;
  let ADMIN: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ t, f, admin: ADMIN, close } = await startBillingTestApp('scheduled_changes'));
  }, 120_000);
  afterAll(() => close?.());
  afterEach(() => t.clock.reset());

  const api = () => t.http();
  const detail = async (id: string) => (await api().get(`/api/v1/subscriptions/${id}`).set('Authorization', ADMIN).expect(200)).body as Sub;
  const renew = (asOf: string) => api().post(`/api/v1/jobs/renewals/run?asOf=${asOf}`).set('Authorization', ADMIN);

  async function setup(opts: {
    startDate: string;
    term?: 'P1M' | 'P1Y';
    frequency?: 'MONTHLY' | 'ANNUAL';
    price?: string;
    quantity?: number;
  }) {
    const reseller = await f.createReseller(t, { cloudLimit: '500000.00' });
    const buyer = await t.user('buyer', reseller.id);
    const cloud = await f.createProduct(t, {
      kind: 'CLOUD',
      term: opts.term ?? 'P1Y',
      billingFrequency: opts.frequency ?? 'MONTHLY',
      prices: [{ currency: 'AUD', unitPrice: opts.price ?? '100.00' }],
    });
    const order = await api()
      .post('/api/v1/orders')
      .set('Authorization', ADMIN)
      .send({
        resellerId: reseller.id,
        endCustomer: { name: 'End Co' },
        lines: [{ sku: cloud.sku, quantity: opts.quantity ?? 10, startDate: opts.startDate }],
      });
    if (order.status !== 201) throw new Error(`order: ${order.status} ${JSON.stringify(order.body)}`);
    return { reseller, buyer, cloud, subscriptionId: order.body.lines[0].subscriptionId as string };
  }

  it('applies a quantity and SKU change at RENEWAL exactly once, with two renewal runs at once', async () => {
    t.clock.set('2025-06-15');
    const s = await setup({ startDate: '2025-01-01', quantity: 10 });
    const bigger = await f.createProduct(t, {
      kind: 'CLOUD',
      term: 'P1Y',
      billingFrequency: 'MONTHLY',
      prices: [{ currency: 'AUD', unitPrice: '150.00' }],
    });
    const url = `/api/v1/subscriptions/${s.subscriptionId}/scheduled-changes`;

    const created = await api()
      .post(url)
      .set('Authorization', s.buyer.auth)
      .send({ at: 'RENEWAL', quantity: 12, sku: bigger.sku })
      .expect(201);
    expect(created.body).toMatchObject({
      kind: 'RENEWAL',
      at: 'RENEWAL',
      quantity: 12,
      sku: bigger.sku,
      effectiveDate: '2026-01-01',
      status: 'PENDING',
    });
    // One pending change at renewal per subscription.
    const again = await api().post(url).set('Authorization', s.buyer.auth).send({ at: 'RENEWAL', quantity: 3 }).expect(409);
    expect(again.headers['content-type']).toMatch(/problem\+json/);
    const listed = await api().get(url).set('Authorization', s.buyer.auth).expect(200);
    expect(listed.body.items.map((c: Scheduled) => [c.id, c.status])).toEqual([[created.body.id, 'PENDING']]);
    // Nothing changes before the renewal.
    expect(await detail(s.subscriptionId)).toMatchObject({
      quantity: 10,
      sku: s.cloud.sku,
      unitPrice: '100.00',
    });

    const [a, b] = await Promise.all([renew('2026-01-01'), renew('2026-01-01')]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.renewed + b.body.renewed).toBe(1);

    const after = await detail(s.subscriptionId);
    expect(after).toMatchObject({ quantity: 12, sku: bigger.sku, unitPrice: '150.00', status: 'ACTIVE' });
    expect(after.terms.map((x) => [x.termNo, x.quantity, x.unitPrice])).toEqual([
      [1, 10, '100.00'],
      [2, 12, '150.00'],
    ]);
    const term2 = after.charges.filter((c) => c.kind === 'TERM' && c.periodStart >= '2026-01-01');
    expect(term2).toHaveLength(12);
    expect(new Set(term2.map((c) => c.amount))).toEqual(new Set(['1800.00']));
    const applied = after.scheduledChanges.find((c) => c.id === created.body.id)!;
    expect(applied.status).toBe('APPLIED');

    // A third run finds nothing to do; the change stays applied once.
    expect((await renew('2026-01-01').expect(200)).body.renewed).toBe(0);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM subscription_terms WHERE subscription_id = $1`, [s.subscriptionId]);
    expect(n).toBe(2);
  });

  it('cancels a pending change (DELETE or POST …/cancel); a cancelled change is not applied', async () => {
    t.clock.set('2025-06-15');
    const s = await setup({ startDate: '2025-01-02', quantity: 5 });
    const url = `/api/v1/subscriptions/${s.subscriptionId}/scheduled-changes`;
    // Bad input names the field and writes nothing.
    const none = await api().post(url).set('Authorization', s.buyer.auth).send({ at: 'RENEWAL' }).expect(400);
    expect(none.body.errors[0].field).toBe('quantity');
    const skuOnDate = await api().post(url).set('Authorization', s.buyer.auth).send({ at: '2025-09-01', sku: s.cloud.sku }).expect(400);
    expect(skuOnDate.body.errors[0].field).toBe('sku');
    const past = await api().post(url).set('Authorization', s.buyer.auth).send({ at: '2025-06-01', quantity: 2 }).expect(400);
    expect(past.body.errors[0].field).toBe('at');
    const badSku = await api().post(url).set('Authorization', s.buyer.auth).send({ at: 'RENEWAL', sku: 'NOPE-1' }).expect(400);
    expect(badSku.body.errors[0].field).toBe('sku');
    expect((await api().get(url).set('Authorization', s.buyer.auth).expect(200)).body.items).toEqual([]);

    const atRenewal = await api().post(url).set('Authorization', s.buyer.auth).send({ at: 'RENEWAL', quantity: 2 }).expect(201);
    const onDate = await api().post(url).set('Authorization', s.buyer.auth).send({ at: '2025-09-01', quantity: 7 }).expect(201);
    expect(onDate.body).toMatchObject({
      kind: 'QUANTITY',
      at: 'DATE',
      effectiveDate: '2025-09-01',
      status: 'PENDING',
    });

    await api().delete(`${url}/${atRenewal.body.id}`).set('Authorization', s.buyer.auth).expect(200);
    await api().post(`${url}/${onDate.body.id}/cancel`).set('Authorization', s.buyer.auth).expect(200);
    // Only while PENDING.
    await api().delete(`${url}/${atRenewal.body.id}`).set('Authorization', s.buyer.auth).expect(404);

    expect((await renew('2026-01-02').expect(200)).status).toBe(200);
    const after = await detail(s.subscriptionId);
    expect(after.quantity).toBe(5);
    expect(after.terms.map((x) => x.quantity)).toEqual([5, 5]);
    expect(after.scheduledChanges.map((c) => c.status).sort()).toEqual(['CANCELLED', 'CANCELLED']);
  });

  it('autoRenew false: not renewed at term end (EXPIRED); its pending change at renewal FAILS; no change at renewal can be asked', async () => {
    t.clock.set('2025-06-15');
    const s = await setup({ startDate: '2025-01-03', quantity: 4 });
    const url = `/api/v1/subscriptions/${s.subscriptionId}/scheduled-changes`;
    await api().post(url).set('Authorization', s.buyer.auth).send({ at: 'RENEWAL', quantity: 6 }).expect(201);
    const off = await api()
      .patch(`/api/v1/subscriptions/${s.subscriptionId}`)
      .set('Authorization', s.buyer.auth)
      .send({ autoRenew: false })
      .expect(200);
    expect(off.body.autoRenew).toBe(false);
    await api().post(url).set('Authorization', s.buyer.auth).send({ at: 'RENEWAL', quantity: 8 }).expect(409);

    await renew('2026-01-03').expect(200);
    const after = await detail(s.subscriptionId);
    expect(after.status).toBe('EXPIRED');
    expect(after.terms).toHaveLength(1);
    expect(after.charges.some((c) => c.periodStart >= '2026-01-03')).toBe(false);
    expect(after.scheduledChanges[0]).toMatchObject({
      status: 'FAILED',
      failureReason: expect.stringMatching(/not-renewed/),
    });
  });

  it('price lock: an annual term keeps its price through a catalog price change; a monthly term follows the catalog at its next charge', async () => {
    t.clock.set('2026-01-10');
    const annual = await setup({
      startDate: '2026-01-05',
      term: 'P1Y',
      frequency: 'MONTHLY',
      price: '100.00',
      quantity: 2,
    });
    const monthly = await setup({
      startDate: '2026-01-05',
      term: 'P1M',
      frequency: 'MONTHLY',
      price: '100.00',
      quantity: 2,
    });
    for (const s of [annual, monthly]) {
      await api()
        .patch(`/api/v1/catalog/products/${s.cloud.sku}`)
        .set('Authorization', ADMIN)
        .send({ prices: [{ currency: 'AUD', unitPrice: '130.00', costPrice: '90.00' }] })
        .expect(200);
    }

    await renew('2026-02-05').expect(200);
    const a = await detail(annual.subscriptionId);
    // Every charge of the locked term stays at the term's price, also those not billed yet.
    const aTerm1 = a.charges.filter((c) => c.kind === 'TERM');
    expect(aTerm1).toHaveLength(12);
    expect(new Set(aTerm1.map((c) => c.amount))).toEqual(new Set(['200.00']));
    expect(a.terms).toHaveLength(1);

    const m = await detail(monthly.subscriptionId);
    expect(m.terms.map((x) => x.unitPrice)).toEqual(['100.00', '130.00']);
    expect(m.charges.filter((c) => c.kind === 'TERM').map((c) => [c.periodStart, c.amount])).toEqual([
      ['2026-01-05', '200.00'],
      ['2026-02-05', '260.00'],
    ]);

    // At its renewal the annual subscription takes the catalog price for the new term.
    await renew('2027-01-05').expect(200);
    const a2 = await detail(annual.subscriptionId);
    expect(a2.terms.map((x) => x.unitPrice)).toEqual(['100.00', '130.00']);
  });
});
