import type { TestApp } from './support/app';
import { billPeriod, startBillingTestApp } from './support/billing';
import { consumptionCatalog, consumptionSubscription, importUsage, UsageLine, usageCsv } from './support/usage';

/**
 * Credit exposure and budgets of cloud consumption (docs/consumption.md §7, §8): unbilled usage
 * counts against the CLOUD line; 80 % raises an alert (record and webhook) once; 100 % holds the
 * line for new cloud orders while hardware still orders and usage still imports; billing and a
 * payment bring it back. A budget's run-rate forecast raises its alert once per month.
 */
describe('usage: credit exposure, hold, budgets and forecasts', () => {
  let t: TestApp;
  let admin: string;
  let finance: string;
  let close: () => Promise<void>;
  let f: typeof import('./factories/commerce.js');
  let cat: Awaited<ReturnType<typeof consumptionCatalog>>;
  let reseller: { id: string };
  let rfinance: string;
  let buyer: string;
  let hw: { sku: string };
  let cloud: { sku: string };
  let sub: { id: string };
  let quiet: { id: string };
  const tenant = `TEN-X-${Date.now().toString(36)}`;
  const tenantQuiet = `TEN-Q-${Date.now().toString(36)}`;

  /** 100 VM hours (10.00 at 0.10) a day, for these days of November 2026. */
  const days = (from: number, to: number, who = tenant): UsageLine[] =>
    Array.from({ length: to - from + 1 }, (_, i) => {
      const d = `2026-11-${String(from + i).padStart(2, '0')}`;
      return {
        recordId: `${who}-${d}`,
        tenantId: who,
        meterId: cat.vm,
        usageDate: d,
        quantity: '100',
        unit: 'hour',
      };
    });
  const cloudLine = async () => {
    const res = await t.http().get(`/api/v1/resellers/${reseller.id}/credit-lines`).set('Authorization', admin).expect(200);
    return res.body.items.find((l: { line: string }) => l.line === 'CLOUD');
  };
  const alerts = async (auth = rfinance) =>
    (await t.http().get('/api/v1/credit-exposure/alerts').set('Authorization', auth).expect(200)).body;
  const deliveries = async (event: string) => {
    const [r]: Array<{ n: number }> = await t.db.query(
      `SELECT count(*)::int AS n FROM webhook_deliveries WHERE reseller_id = $1 AND event = $2`,
      [reseller.id, event],
    );
    return r.n;
  };
  const order = (sku: string) =>
    t
      .http()
      .post('/api/v1/orders')
      .set('Authorization', buyer)
      .send({
        endCustomer: { name: 'Acme Dental', reference: 'ACME-1' },
        poNumber: 'PO-X',
        lines: [{ sku, quantity: 1 }],
      });

  beforeAll(async () => {
    const s = await startBillingTestApp('usage-exposure');
    ({ t, admin, finance, close, f } = s);
    t.clock.set('2026-11-21');
    cat = await consumptionCatalog(t, admin, f.uniq());
    reseller = await f.createReseller(t, { cloudLimit: '100.00' });
    rfinance = (await t.user('reseller_finance', reseller.id)).auth;
    buyer = (await t.user('buyer', reseller.id)).auth;
    const radmin = (await t.user('reseller_admin', reseller.id)).auth;
    await t
      .http()
      .post('/api/v1/webhooks')
      .set('Authorization', radmin)
      .send({
        url: 'https://hooks.example.com/disty',
        events: ['credit.threshold_crossed', 'consumption.forecast_over_budget'],
      })
      .expect(201);
    hw = await f.createProduct(t, { prices: [{ currency: 'AUD', unitPrice: '500.00' }] });
    cloud = await f.createProduct(t, {
      kind: 'CLOUD',
      prices: [{ currency: 'AUD', unitPrice: '15.00' }],
      term: 'P1M',
      billingFrequency: 'MONTHLY',
    });
    sub = await consumptionSubscription(t, admin, reseller.id, cat.sku, tenant);
    quiet = await consumptionSubscription(t, admin, reseller.id, cat.sku, tenantQuiet);
  });
  afterAll(() => close());

  it('sets a monthly budget per subscription, and refuses bad amounts and other resellers’ subscriptions', async () => {
    const set = await t
      .http()
      .put(`/api/v1/consumption-subscriptions/${sub.id}/budget`)
      .set('Authorization', rfinance)
      .send({ monthlyAmount: '250.00' })
      .expect(200);
    expect(set.body).toEqual({ subscriptionId: sub.id, currency: 'AUD', monthlyAmount: '250.00' });
    await t
      .http()
      .put(`/api/v1/consumption-subscriptions/${quiet.id}/budget`)
      .set('Authorization', admin)
      .send({ monthlyAmount: '1000' })
      .expect(200);
    await t
      .http()
      .put(`/api/v1/consumption-subscriptions/${sub.id}/budget`)
      .set('Authorization', rfinance)
      .send({ monthlyAmount: '-5' })
      .expect(400);
    await t
      .http()
      .put(`/api/v1/consumption-subscriptions/${sub.id}/budget`)
      .set('Authorization', rfinance)
      .send({ monthlyAmount: '1.001' })
      .expect(400);
    const other = await f.createReseller(t);
    const stranger = (await t.user('reseller_finance', other.id)).auth;
    await t
      .http()
      .put(`/api/v1/consumption-subscriptions/${sub.id}/budget`)
      .set('Authorization', stranger)
      .send({ monthlyAmount: '1.00' })
      .expect(404);
    const got = await t.http().get(`/api/v1/consumption-subscriptions/${sub.id}/budget`).set('Authorization', rfinance).expect(200);
    expect(got.body.monthlyAmount).toBe('250.00');
  });

  it('counts unbilled usage against the CLOUD line and alerts at 80 % once (record and webhook), with the forecast alert', async () => {
    const res = await importUsage(t, finance, cat.vendor.id, usageCsv([...days(1, 8), ...days(1, 1, tenantQuiet)]));
    expect(res.body).toMatchObject({ status: 'COMPLETED', rowsAccepted: 9 });
    // 8 days × 10.00 + 10.00 of the quiet tenant = 90.00 of 100.00: the 80 % threshold.
    expect(await cloudLine()).toMatchObject({
      limit: '100.00',
      unbilledUsage: '90.00',
      available: '10.00',
      exposureHold: false,
      onHold: false,
    });
    const list = await alerts();
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({
      creditLine: 'CLOUD',
      period: '2026-11',
      threshold: '80',
      limit: '100.00',
      exposure: '90.00',
      holdPlaced: false,
    });
    expect((await alerts(finance)).items.filter((a: { resellerId: string }) => a.resellerId === reseller.id)).toHaveLength(1);
    expect(await deliveries('credit.threshold_crossed')).toBe(1);

    // Forecast: 80.00 over 8 days of a 30-day month = 300.00, above the 250.00 budget.
    const summary = await t
      .http()
      .get(`/api/v1/consumption-subscriptions/${sub.id}/usage-summary`)
      .query({ month: '2026-11' })
      .set('Authorization', rfinance)
      .expect(200);
    expect(summary.body).toMatchObject({
      month: '2026-11',
      currency: 'AUD',
      monthToDate: '80.00',
      daysElapsed: 8,
      daysInMonth: 30,
      forecast: '300.00',
      budget: '250.00',
      overBudget: true,
      meters: [{ meterId: cat.vm, unit: 'hour', quantity: '800.000000', monthToDate: '80.00', forecast: '300.00' }],
    });
    const budgetAlerts = await t.http().get('/api/v1/consumption-budget-alerts').set('Authorization', rfinance).expect(200);
    expect(budgetAlerts.body.items).toHaveLength(1);
    expect(budgetAlerts.body.items[0]).toMatchObject({
      subscriptionId: sub.id,
      tenantId: tenant,
      month: '2026-11',
      budget: '250.00',
      monthToDate: '80.00',
      forecast: '300.00',
    });
    expect(await deliveries('consumption.forecast_over_budget')).toBe(1);

    // The usage takes the line's room: a cloud order of 16.50 (15.00 + tax) no longer fits in 10.00.
    const refused = await order(cloud.sku);
    expect(refused.status).toBe(422);
    expect(refused.body.type).toMatch(/credit-limit-exceeded/);
  });

  it('raises nothing twice: the same file again changes no alert and queues no event', async () => {
    const again = await importUsage(t, finance, cat.vendor.id, usageCsv(days(1, 8)));
    expect(again.body).toMatchObject({ rowsDuplicate: 8, rowsAccepted: 0 });
    const ev = await t
      .http()
      .post('/api/v1/credit-exposure/evaluate')
      .set('Authorization', finance)
      .send({ resellerId: reseller.id })
      .expect(200);
    expect(ev.body).toMatchObject({
      unbilledUsage: '90.00',
      exposure: '90.00',
      percent: '90.00',
      exposureHold: false,
      alertsRaised: [],
    });
    expect((await alerts()).items).toHaveLength(1);
    expect(await deliveries('credit.threshold_crossed')).toBe(1);
    expect(await deliveries('consumption.forecast_over_budget')).toBe(1);
  });

  it('holds the CLOUD line at 100 %: a cloud order is refused naming the hold, hardware is placed, usage still imports', async () => {
    const res = await importUsage(t, finance, cat.vendor.id, usageCsv(days(9, 9)));
    expect(res.body.rowsAccepted).toBe(1);
    expect(await cloudLine()).toMatchObject({
      unbilledUsage: '100.00',
      available: '0.00',
      exposureHold: true,
      onHold: false,
    });
    const list = await alerts();
    expect(list.items.map((a: { threshold: string }) => a.threshold)).toEqual(['100', '80']);
    expect(list.items[0]).toMatchObject({ exposure: '100.00', holdPlaced: true });
    expect(await deliveries('credit.threshold_crossed')).toBe(2);

    const refused = await order(cloud.sku);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({
      type: 'https://disty.dev/problems/credit-hold',
      creditLine: 'CLOUD',
      hold: 'credit-exposure',
    });
    expect(refused.body.detail).toMatch(/credit-exposure hold/);
    const placed = await order(hw.sku);
    expect(placed.status).toBe(201);

    const later = await importUsage(t, finance, cat.vendor.id, usageCsv(days(10, 10)));
    expect(later.body).toMatchObject({ status: 'COMPLETED', rowsAccepted: 1 });
    expect(await cloudLine()).toMatchObject({ unbilledUsage: '110.00', exposureHold: true });
    expect((await alerts()).items).toHaveLength(2);
  });

  it('keeps the hold through billing (the usage is an open invoice now) and lifts it when the invoice is paid', async () => {
    await billPeriod(t, '2026-11-20', finance);
    // 110.00 of usage + 10 % tax = 121.00 open on the CLOUD line; nothing unbilled.
    expect(await cloudLine()).toMatchObject({
      unbilledUsage: '0.00',
      openReceivables: '121.00',
      exposureHold: true,
    });
    expect((await order(cloud.sku)).status).toBe(422);
    await t
      .http()
      .post('/api/v1/payments')
      .set('Authorization', finance)
      .send({
        resellerId: reseller.id,
        amount: '121.00',
        currency: 'AUD',
        method: 'BANK_TRANSFER',
        reference: 'usage-nov',
        receivedOn: '2026-11-21',
      })
      .expect(201);
    expect(await cloudLine()).toMatchObject({
      unbilledUsage: '0.00',
      openReceivables: '0.00',
      available: '100.00',
      exposureHold: false,
    });
    const ok = await order(cloud.sku);
    expect(ok.status).toBe(201);
    // The month's alerts are not raised again on the way back.
    expect((await alerts()).items).toHaveLength(2);
  });

  it('configures thresholds per reseller and globally, refusing bad ones; only distributor finance may', async () => {
    expect(
      (
        await t
          .http()
          .get('/api/v1/credit-exposure/thresholds')
          .query({ resellerId: reseller.id })
          .set('Authorization', finance)
          .expect(200)
      ).body,
    ).toEqual({ resellerId: reseller.id, percents: ['80', '100'], inherited: true });
    const own = await t
      .http()
      .put('/api/v1/credit-exposure/thresholds')
      .set('Authorization', finance)
      .send({ resellerId: reseller.id, percents: ['100', '50', '90'] })
      .expect(200);
    expect(own.body).toEqual({ resellerId: reseller.id, percents: ['50', '90', '100'], inherited: false });
    await t
      .http()
      .put('/api/v1/credit-exposure/thresholds')
      .set('Authorization', finance)
      .send({ percents: ['0'] })
      .expect(400);
    await t.http().put('/api/v1/credit-exposure/thresholds').set('Authorization', finance).send({ percents: [] }).expect(400);
    await t
      .http()
      .put('/api/v1/credit-exposure/thresholds')
      .set('Authorization', rfinance)
      .send({ percents: ['70'] })
      .expect(403);
    // The ordered cloud line (16.50 reserved) is 16.5 %: under 50 %, no new alert.
    const ev = await t
      .http()
      .post('/api/v1/credit-exposure/evaluate')
      .set('Authorization', finance)
      .send({ resellerId: reseller.id })
      .expect(200);
    expect(ev.body).toMatchObject({ reserved: '16.50', exposure: '16.50', alertsRaised: [] });
  });

  it('raises each threshold once and holds once when imports and evaluations of one reseller race', async () => {
    const other = await f.createReseller(t, { cloudLimit: '100.00' });
    const tenants = [`RACE-1-${Date.now().toString(36)}`, `RACE-2-${Date.now().toString(36)}`];
    for (const tn of tenants) await consumptionSubscription(t, admin, other.id, cat.sku, tn);
    // Each file alone is 90.00 (80 % crossed); both make 180.00 (100 % crossed, hold).
    const files = tenants.map((tn) => usageCsv(days(1, 9, tn)));
    const evaluate = () => t.http().post('/api/v1/credit-exposure/evaluate').set('Authorization', finance).send({ resellerId: other.id });
    const answers = await Promise.all([
      importUsage(t, finance, cat.vendor.id, files[0]),
      importUsage(t, finance, cat.vendor.id, files[1]),
      evaluate(),
      evaluate(),
      evaluate(),
    ]);
    expect(answers.map((a) => a.status)).toEqual([201, 201, 200, 200, 200]);
    await evaluate().expect(200);
    const list = (
      await t.http().get('/api/v1/credit-exposure/alerts').query({ resellerId: other.id }).set('Authorization', finance).expect(200)
    ).body;
    expect(list.items.map((a: { threshold: string }) => a.threshold).sort()).toEqual(['100', '80']);
    expect(list.items.filter((a: { holdPlaced: boolean }) => a.holdPlaced).length).toBeLessThanOrEqual(1);
    const [line] = (
      await t.http().get(`/api/v1/resellers/${other.id}/credit-lines`).set('Authorization', admin).expect(200)
    ).body.items.filter((l: { line: string }) => l.line === 'CLOUD');
    expect(line).toMatchObject({ unbilledUsage: '180.00', exposureHold: true });
    // Raising the limit above the exposure lifts the hold at once.
    const raised = await t
      .http()
      .put(`/api/v1/resellers/${other.id}/credit-lines/CLOUD`)
      .set('Authorization', admin)
      .send({ limit: '500.00', reason: 'test: raised above the exposure' })
      .expect(200);
    expect(raised.body).toMatchObject({ available: '320.00', exposureHold: false });
  });
});
