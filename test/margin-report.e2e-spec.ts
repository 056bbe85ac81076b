import type { TestApp } from './support/app';
import type * as Commerce from './factories/commerce';
import { billPeriod, cents, money, startBillingTestApp } from './support/billing';

/**
 * The gross-margin report (docs/accounting.md §12) on the recognised basis: hardware at shipment,
 * cloud over its service days, purchase price variance from vendor bills. Per reseller it equals
 * revenue − cost as the ledger holds them (4000 + 4100 − 4900 against 5000 + 5100 + 5900). On a
 * database of its own: it runs a billing run and a recognition run.
 */
describe('margin report', () => {
  let t: TestApp;
  let f: typeof Commerce;
  let ADMIN: string;
  let finance: string;
  let close: () => Promise<void>;
  const resellers: Record<'a' | 'b', { id: string }> = {} as never;
  let hw: { sku: string };
  let cloud: { sku: string };

  const api = () => t.http();

  beforeAll(async () => {
    ({ t, f, admin: ADMIN, finance, close } = await startBillingTestApp('margin'));
    hw = await f.createProduct(t, {
      kind: 'HARDWARE',
      vendor: 'Lenovo',
      name: 'ThinkPad T14',
      prices: [{ currency: 'AUD', unitPrice: '1000.00', costPrice: '700.00' }],
    });
    cloud = await f.createProduct(t, {
      kind: 'CLOUD',
      vendor: 'Microsoft',
      name: 'Microsoft 365 E3',
      term: 'P1Y',
      billingFrequency: 'UPFRONT',
      prices: [{ currency: 'AUD', unitPrice: '36.50', costPrice: '29.20' }],
    });
    resellers.a = await f.createReseller(t, { name: 'Alpha IT' });
    resellers.b = await f.createReseller(t, { name: 'Beta Systems' });

    const order = async (resellerId: string, lines: Array<Record<string, unknown>>) => {
      const res = await api()
        .post('/api/v1/orders')
        .set('Authorization', ADMIN)
        .send({ resellerId, endCustomer: { name: 'End Co' }, lines });
      if (res.status !== 201) throw new Error(`order: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as { id: string; lines: Array<{ id: string; kind: string }> };
    };
    const ship = (o: { id: string; lines: Array<{ id: string; kind: string }> }) =>
      Promise.all(
        o.lines
          .filter((l) => l.kind === 'HARDWARE')
          .map((l) =>
            api()
              .post(`/api/v1/orders/${o.id}/lines/${l.id}/ship`)
              .set('Authorization', ADMIN)
              .send({ shippedOn: '2026-09-25' })
              .expect(200),
          ),
      );

    // Alpha: 2 laptops shipped 25 September and 10 seats of a 12-month prepaid plan from 16 September.
    await ship(
      await order(resellers.a.id, [
        { sku: hw.sku, quantity: 2 },
        { sku: cloud.sku, quantity: 10, startDate: '2026-09-16' },
      ]),
    );
    // Beta: 1 laptop, same day.
    await ship(await order(resellers.b.id, [{ sku: hw.sku, quantity: 1 }]));
    await billPeriod(t, '2026-09-30', finance);
    await api().post('/api/v1/ledger/recognition/run').set('Authorization', finance).send({ through: '2026-10-31' }).expect(200);

    // Lenovo bills the three laptops at 710.00 each in October: 30.00 over the accrued 2,100.00.
    const vendor = await api().post('/api/v1/vendors').set('Authorization', finance).send({ name: 'Lenovo' }).expect(201);
    await api()
      .post('/api/v1/vendor-bills')
      .set('Authorization', finance)
      .send({
        vendorId: vendor.body.id,
        number: 'LEN-0042',
        date: '2026-10-15',
        lines: [{ sku: hw.sku, description: 'ThinkPad T14', quantity: 3, unitCost: '710.00', tax: '213.00' }],
      })
      .expect(201);
  });
  afterAll(() => close?.());

  type Row = {
    key: string;
    label: string;
    currency: string;
    revenue: string;
    cost: string;
    margin: string;
    marginPercent: string | null;
  };
  const report = async (query: string) =>
    (await api().get(`/api/v1/reports/margin?${query}`).set('Authorization', finance).expect(200)).body as {
      items: Row[];
      totals: Row[];
    };

  /** What the ledger says a reseller earned and spent in the window: movements of the revenue and cost accounts. */
  async function ledgerMargin(resellerId: string, from: string, to: string) {
    const movement = async (code: string) => {
      const s = (
        await api()
          .get(`/api/v1/ledger/accounts/${code}/statement?from=${from}&to=${to}&resellerId=${resellerId}&currency=AUD`)
          .set('Authorization', finance)
          .expect(200)
      ).body as { openingBalance: string; closingBalance: string };
      return cents(s.closingBalance) - cents(s.openingBalance);
    };
    const revenue = (await movement('4000')) + (await movement('4100')) - (await movement('4900'));
    const cost = (await movement('5000')) + (await movement('5100')) + (await movement('5900'));
    return { revenue: money(revenue), cost: money(cost) };
  }

  it('per reseller, equals revenue − cost from the ledger, cloud counted by service days', async () => {
    const r = await report('from=2026-09-01&to=2026-10-31&groupBy=reseller');
    const alpha = r.items.find((x) => x.key === resellers.a.id)!;
    const beta = r.items.find((x) => x.key === resellers.b.id)!;
    expect(alpha.label).toBe('Alpha IT');
    // Beta: one laptop, its share of the variance (10.00).
    expect(beta).toMatchObject({
      revenue: '1000.00',
      cost: '710.00',
      margin: '290.00',
      marginPercent: '29.00',
    });
    // Alpha: 2 laptops (2,000.00, cost 1,400.00 + 20.00 variance) and 46 of the plan's 365 days (16 Sep – 31 Oct):
    // 10 seats × 36.50 × 12 = 4,380.00 a year → 552.00 earned, 441.60 of its 3,504.00 cost.
    expect(alpha).toMatchObject({ revenue: '2552.00', cost: '1861.60', margin: '690.40' });
    for (const row of [alpha, beta]) {
      expect({ revenue: row.revenue, cost: row.cost }).toEqual(await ledgerMargin(row.key, '2026-09-01', '2026-10-31'));
    }
    expect(r.totals).toEqual([expect.objectContaining({ currency: 'AUD', revenue: '3552.00', cost: '2571.60', margin: '980.40' })]);
  });

  it('groups by month, SKU and vendor with the same totals', async () => {
    const byMonth = await report('from=2026-09-01&to=2026-10-31&groupBy=month');
    expect(byMonth.items.map((x) => x.key)).toEqual(['2026-09', '2026-10']);
    // September: the three laptops and 15 days of the plan; October: 31 days and the variance.
    expect(byMonth.items[0]).toMatchObject({ revenue: '3180.00', cost: '2244.00' });
    expect(byMonth.items[1]).toMatchObject({ revenue: '372.00', cost: '327.60' });
    const bySku = await report('from=2026-09-01&to=2026-10-31&groupBy=sku');
    expect(bySku.items.find((x) => x.key === hw.sku)).toMatchObject({
      label: 'ThinkPad T14',
      revenue: '3000.00',
      cost: '2130.00',
    });
    expect(bySku.items.find((x) => x.key === cloud.sku)).toMatchObject({
      label: 'Microsoft 365 E3',
      revenue: '552.00',
      cost: '441.60',
    });
    const byVendor = await report('from=2026-09-01&to=2026-10-31&groupBy=vendor');
    expect(byVendor.items.map((x) => x.key).sort()).toEqual(['Lenovo', 'Microsoft']);
    for (const r of [byMonth, bySku, byVendor]) expect(r.totals[0]).toMatchObject({ revenue: '3552.00', cost: '2571.60' });
  });

  it('gives CSV with Accept: text/csv', async () => {
    const res = await api()
      .get('/api/v1/reports/margin?from=2026-09-01&to=2026-10-31&groupBy=vendor')
      .set('Authorization', finance)
      .set('Accept', 'text/csv')
      .expect(200);
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    const [header, ...rows] = res.text.trim().split('\n');
    expect(header).toBe('key,label,currency,revenue,cost,margin,marginPercent');
    expect(rows).toContain('Lenovo,Lenovo,AUD,3000.00,2130.00,870.00,29.00');
  });

  it('refuses bad windows and keeps reseller users out', async () => {
    const bad = await api().get('/api/v1/reports/margin?from=2026-10-31&to=2026-09-01').set('Authorization', finance).expect(400);
    expect(bad.body.errors[0].field).toBe('to');
    await api().get('/api/v1/reports/margin?from=2026-09-01&to=2026-10-31&groupBy=colour').set('Authorization', finance).expect(400);
    await api().get('/api/v1/reports/margin?to=2026-10-31').set('Authorization', finance).expect(400);
    const buyer = await t.user('reseller_admin', resellers.a.id);
    await api().get('/api/v1/reports/margin?from=2026-09-01&to=2026-10-31').set('Authorization', buyer.auth).expect(403);
  });
});
