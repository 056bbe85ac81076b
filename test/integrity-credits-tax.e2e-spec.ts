import { addDays } from '#disty/core';
import type { TestApp } from './support/app';
import type * as Commerce from './factories/commerce';
import { billPeriod, cents, realToday, startBillingTestApp } from './support/billing';

/** Issue 13, leak 4: the tax rate in force when a line was ordered is the one invoiced. Its own database (billing runs are global). */

describe('issue 13: the tax rate in force (leak 4)', () => {
  let t: TestApp;
  let f: typeof Commerce;
  let ADMIN: string;
  let finance: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ t, f, admin: ADMIN, finance, close } = await startBillingTestApp('taxrate'));
  });
  afterAll(() => close?.());

  it('leak 4: a tax change does not rewrite old orders: lines ordered at NZ GST 15 % are invoiced at 15 %, a renewal takes the new code', async () => {
    const T = realToday();
    const D0 = addDays(T, -2);
    const hw = await f.createProduct(t, {
      kind: 'HARDWARE',
      prices: [{ currency: 'AUD', unitPrice: '6354.00' }],
    });
    const cloud = await f.createProduct(t, {
      kind: 'CLOUD',
      term: 'P1M',
      billingFrequency: 'MONTHLY',
      prices: [{ currency: 'AUD', unitPrice: '100.00' }],
    });
    const reseller = await f.createReseller(t, { country: 'NZ' });
    const placed = await t
      .http()
      .post('/api/v1/orders')
      .set('Authorization', ADMIN)
      .send({
        resellerId: reseller.id,
        endCustomer: { name: 'Tax Co' },
        lines: [
          { sku: hw.sku, quantity: 1 },
          { sku: cloud.sku, quantity: 10, startDate: D0 },
        ],
      });
    expect(placed.status).toBe(201);
    expect(placed.body.reserved).toEqual({ HARDWARE: '7307.10', CLOUD: '1150.00' });
    const hwLine = placed.body.lines.find((l: { kind: string }) => l.kind === 'HARDWARE');
    const subId = placed.body.lines.find((l: { kind: string }) => l.kind === 'CLOUD').subscriptionId;

    await t.http().patch(`/api/v1/resellers/${reseller.id}`).set('Authorization', ADMIN).send({ country: 'US' }).expect(200); // now a GST-free export
    // A seat increase of the running term adjusts charges ordered at 15 %: it is taxed (and reserved) at 15 % too.
    await t.http().patch(`/api/v1/subscriptions/${subId}`).set('Authorization', ADMIN).send({ quantity: 11 }).expect(200);
    await t
      .http()
      .post(`/api/v1/orders/${placed.body.id}/lines/${hwLine.id}/ship`)
      .set('Authorization', ADMIN)
      .send({ shippedOn: D0 })
      .expect((r) => expect(r.status).toBeLessThan(300));
    const run = await billPeriod(t, T, finance);
    expect(run.status).toBe('COMPLETED');
    const list = await t.http().get(`/api/v1/invoices?resellerId=${reseller.id}`).set('Authorization', finance).expect(200);
    const inv = (await t.http().get(`/api/v1/invoices/${list.body.items[0].id}`).set('Authorization', finance).expect(200)).body;
    expect(inv.totals.HARDWARE).toEqual({ net: '6354.00', tax: '953.10', gross: '7307.10' });
    expect(inv.taxRate).toBe('0.15');
    for (const l of inv.lines as Array<{ net: string; tax: string; taxCode: string }>) {
      expect(cents(l.tax)).toBe(Math.round(cents(l.net) * 0.15));
      expect(l.taxCode).toBe('NZ-GST');
    }
    expect(cents(inv.totals.CLOUD.tax)).toBeGreaterThan(0);

    // A new order after the change is taxed at the new rate.
    const later = await t
      .http()
      .post('/api/v1/orders')
      .set('Authorization', ADMIN)
      .send({
        resellerId: reseller.id,
        endCustomer: { name: 'Tax Co' },
        lines: [{ sku: hw.sku, quantity: 1 }],
      });
    expect(later.body.reserved.HARDWARE).toBe('6354.00');
    // A renewal term takes the rate in force at renewal.
    const sub = (await t.http().get(`/api/v1/subscriptions/${subId}`).set('Authorization', ADMIN).expect(200)).body;
    await t
      .http()
      .post(`/api/v1/jobs/renewals/run?asOf=${addDays(sub.termEnd, 1)}`)
      .set('Authorization', ADMIN)
      .expect(200);
    const [renewed] = await t.db.query(
      `SELECT t.tax_rate::text AS rate, t.tax_code FROM subscription_terms t WHERE t.subscription_id = $1 AND t.term_no = 2`,
      [subId],
    );
    expect([Number(renewed.rate), renewed.tax_code]).toEqual([0, 'EXPORT']);
    const [first] = await t.db.query(
      `SELECT t.tax_rate::text AS rate, t.tax_code FROM subscription_terms t WHERE t.subscription_id = $1 AND t.term_no = 1`,
      [subId],
    );
    expect([Number(first.rate), first.tax_code]).toEqual([0.15, 'NZ-GST']);
  });
});
