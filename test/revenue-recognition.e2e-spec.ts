import Decimal from 'decimal.js';
import type { TestApp } from './support/app';
import type * as Commerce from './factories/commerce';
import { billPeriod, FORCED_CLOSE, realToday, reconcile, startBillingTestApp } from './support/billing';

/**
 * Cloud revenue follows service (docs/accounting.md §3): a 12-month prepaid charge is invoiced to
 * deferred revenue (2400) and released to 4100 day by day, month by month, by the recognition run;
 * credit notes take what is still deferred from 2400. Its own database: recognition, billing runs,
 * the trial balance and reconciliation are global.
 */
describe('revenue recognition (E2E)', () => {
  let t: TestApp;
  let f: typeof Commerce;
  let ADMIN: string;
  let finance: string;
  let close: () => Promise<void>;
  const api = () => t.http();

  beforeAll(async () => {
    ({ t, f, admin: ADMIN, finance, close } = await startBillingTestApp('recognition'));
  });
  afterAll(() => close?.());

  const run = (through?: string) =>
    api()
      .post('/api/v1/ledger/recognition/run')
      .set('Authorization', finance)
      .send(through ? { through } : {});
  const balances = async (asOf: string) => {
    const tb = await api().get(`/api/v1/ledger/trial-balance?asOf=${asOf}&currency=AUD`).set('Authorization', finance).expect(200);
    expect(tb.body.balanced).toBe(true);
    const of = (code: string) => tb.body.rows.find((r: { accountCode: string }) => r.accountCode === code)?.balance ?? '0.00';
    return { revenue: of('4100'), deferred: of('2400'), cost: of('5100'), accrued: of('2050') };
  };
  const daysFrom = (a: string, b: string) => Math.round((Date.parse(b) - Date.parse(a)) / 86_400_000) + 1;
  const monthEnd = (y: number, m0: number) => new Date(Date.UTC(y, m0 + 1, 0)).toISOString().slice(0, 10);
  /** Cumulative rounding: what N days of `net` over `days` release, half-up to the cent. */
  const earned = (net: string, d: number, days: number) => new Decimal(net).times(d).div(days).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);

  let subscriptionId: string;
  let resellerId: string;
  let cloudLineId: string;
  let invoiceId: string;
  const start = '2025-11-16';
  const end = '2026-11-15';
  const net = '399.96'; // 33.33 × 12 months, one seat
  const cost = '300.00';

  it('a 12-month prepaid charge bought on the 16th is deferred when invoiced and released day by day: each month end shows exactly the earned part in 4100', async () => {
    const cloud = await f.createProduct(t, {
      kind: 'CLOUD',
      term: 'P1Y',
      billingFrequency: 'UPFRONT',
      vendor: 'Microsoft',
      prices: [{ currency: 'AUD', unitPrice: '33.33' }],
    });
    const reseller = await f.createReseller(t);
    resellerId = reseller.id;
    t.clock.set(start);
    const order = await api()
      .post('/api/v1/orders')
      .set('Authorization', ADMIN)
      .send({
        resellerId,
        endCustomer: { name: 'Prepaid Co' },
        lines: [{ sku: cloud.sku, quantity: 1, startDate: start }],
      });
    t.clock.reset();
    expect(order.status).toBe(201);
    subscriptionId = order.body.lines[0].subscriptionId;
    // The vendor's cost of the charge (written by the catalog's cost prices once they exist).
    await t.db.query(`UPDATE subscription_charges SET unit_cost = 25, cost = $2 WHERE subscription_id = $1`, [subscriptionId, cost]);

    await billPeriod(t, '2025-11-30', finance);
    const list = await api().get(`/api/v1/invoices?resellerId=${resellerId}`).set('Authorization', finance).expect(200);
    invoiceId = list.body.items[0].id;
    const inv = (await api().get(`/api/v1/invoices/${invoiceId}`).set('Authorization', finance).expect(200)).body;
    expect(inv.totals.CLOUD).toEqual({ net, tax: '40.00', gross: '439.96' });
    cloudLineId = inv.lines[0].id;
    const entries = await api()
      .get(`/api/v1/ledger/entries?sourceType=invoice&resellerId=${resellerId}`)
      .set('Authorization', finance)
      .expect(200);
    const posted = Object.fromEntries(
      entries.body.items[0].lines.map((l: { accountCode: string; debit: string; credit: string }) => [
        l.accountCode,
        l.debit !== '0.00' ? `D ${l.debit}` : `C ${l.credit}`,
      ]),
    );
    expect(posted).toEqual({ '1110': 'D 439.96', '2400': 'C 399.96', '2100': 'C 40.00' });
    // Invoiced, nothing earned yet in the books.
    expect(await balances('2025-11-30')).toEqual({
      revenue: '0.00',
      deferred: net,
      cost: '0.00',
      accrued: '0.00',
    });

    const days = daysFrom(start, end);
    expect(days).toBe(365);
    for (let i = 0; i < 12; i++) {
      const through = monthEnd(2025, 10 + i);
      const res = await run(through);
      expect(res.status).toBe(200);
      expect(res.body.slices).toBe(1);
      expect(res.body.entries).toHaveLength(1);
      expect(res.body.entries[0].entryDate).toBe(through);
      const d = daysFrom(start, through);
      const rev = earned(net, d, days);
      expect(await balances(through)).toEqual({
        revenue: rev.toFixed(2),
        deferred: new Decimal(net).minus(rev).toFixed(2),
        cost: earned(cost, d, days).toFixed(2),
        accrued: earned(cost, d, days).toFixed(2),
      });
    }
    // Mid-term, 2400 is what the subledger says is still deferred, now and as of an earlier month end.
    const midway = new Decimal(net).minus(earned(net, daysFrom(start, '2026-10-31'), days)).toFixed(2);
    const now = await reconcile(t, finance);
    expect(now.differences).toEqual([]);
    expect(now.deferredRevenue.totals).toEqual([expect.objectContaining({ account: '2400', ledger: midway, subledger: midway })]);
    const asOfMarch = await reconcile(t, finance, '2026-03-31');
    expect(asOfMarch.differences).toEqual([]);
    const march = new Decimal(net).minus(earned(net, daysFrom(start, '2026-03-31'), days)).toFixed(2);
    expect(asOfMarch.deferredRevenue.totals).toEqual([expect.objectContaining({ ledger: march, subledger: march })]);
    // November 2025 had 15 service days (16th–30th): 399.96 × 15 / 365 = 16.44.
    expect((await balances('2025-11-30')).revenue).toBe('16.44');

    // The rest, through the term's end: everything released, to the cent.
    const last = await run('2026-11-20');
    expect(last.status).toBe(200);
    expect(last.body.entries[0].entryDate).toBe('2026-11-20');
    expect(await balances('2026-11-20')).toEqual({ revenue: net, deferred: '0.00', cost, accrued: cost });

    // The subledger: one row per charge and month, no day twice, adding up to the net and cost.
    const rows: Array<{
      days: number;
      revenue: string;
      cost: string;
      from_date: string;
      to_date: string;
      entry_source_id: string | null;
      vendor: string;
    }> = await t.db.query(
      `SELECT days, revenue::text, cost::text, to_char(from_date, 'YYYY-MM-DD') AS from_date, to_char(to_date, 'YYYY-MM-DD') AS to_date,
                               entry_source_id, vendor FROM revenue_recognitions WHERE subscription_id = $1 ORDER BY from_date`,
      [subscriptionId],
    );
    expect(rows).toHaveLength(13);
    expect(rows.reduce((s, r) => s + r.days, 0)).toBe(365);
    expect(rows.reduce((s, r) => s.plus(r.revenue), new Decimal(0)).toFixed(2)).toBe(net);
    expect(rows.reduce((s, r) => s.plus(r.cost), new Decimal(0)).toFixed(2)).toBe(cost);
    expect(rows[0]).toMatchObject({ from_date: start, to_date: '2025-11-30', days: 15, vendor: 'Microsoft' });
    expect(rows.every((r) => r.entry_source_id)).toBe(true);
    for (let i = 1; i < rows.length; i++) {
      expect(Date.parse(rows[i].from_date) - Date.parse(rows[i - 1].to_date)).toBe(86_400_000);
    }
    // Cost accrued for the vendor, one row per slice (2050's subledger).
    const [acc] = await t.db.query(
      `SELECT count(*)::int AS n, sum(amount)::text AS amount FROM cost_accruals WHERE source_type = 'recognition' AND reseller_id = $1`,
      [resellerId],
    );
    expect(acc).toEqual({ n: 13, amount: '300.0000' });

    const rec = await reconcile(t, finance);
    expect(rec.differences).toEqual([]);
    expect(rec.deferredRevenue.totals).toEqual([]); // nothing deferred, on both sides
  });

  it('a run with the same through posts nothing; a later one releases only what is new', async () => {
    const count = async () =>
      (await t.db.query(`SELECT count(*)::int AS n FROM journal_entries WHERE source_type = 'recognition'`))[0].n as number;
    const before = await count();
    const again = await run('2026-11-20');
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ slices: 0, entries: [] });
    const earlier = await run('2026-03-31');
    expect(earlier.body).toMatchObject({ slices: 0, entries: [] });
    expect(await count()).toBe(before);
  });

  it('shows the revenue schedule per charge and month (tenant-scoped) and the deferred-revenue roll-forward', async () => {
    const res = await api().get(`/api/v1/subscriptions/${subscriptionId}/revenue-schedule`).set('Authorization', finance).expect(200);
    expect(res.body.charges).toHaveLength(1);
    const c = res.body.charges[0];
    expect(c).toMatchObject({
      periodStart: start,
      periodEnd: end,
      days: 365,
      net,
      recognised: net,
      deferred: '0.00',
      creditedFromDeferred: '0.00',
    });
    expect(c.months).toHaveLength(13);
    expect(c.months[0]).toMatchObject({
      period: '2025-11',
      days: 15,
      amount: '16.44',
      recognised: true,
      recognisedDays: 15,
      remainingDeferred: '383.52',
    });
    expect(c.months.every((m: { recognised: boolean; entries: string[] }) => m.recognised && m.entries.length === 1)).toBe(true);
    expect(c.months.at(-1)).toMatchObject({ period: '2026-11', days: 15, remainingDeferred: '0.00' });
    expect(c.months.reduce((s: Decimal, m: { amount: string }) => s.plus(m.amount), new Decimal(0)).toFixed(2)).toBe(net);

    const other = await f.createReseller(t);
    const outsider = await t.user('reseller_admin', other.id);
    await api().get(`/api/v1/subscriptions/${subscriptionId}/revenue-schedule`).set('Authorization', outsider.auth).expect(404);
    const insider = await t.user('reseller_admin', resellerId);
    await api().get(`/api/v1/subscriptions/${subscriptionId}/revenue-schedule`).set('Authorization', insider.auth).expect(200);

    const report = await api()
      .get(`/api/v1/reports/deferred-revenue?asOf=2026-03-31&byReseller=true`)
      .set('Authorization', finance)
      .expect(200);
    const opening = new Decimal(net).minus(earned(net, daysFrom(start, '2026-02-28'), 365));
    const closing = new Decimal(net).minus(earned(net, daysFrom(start, '2026-03-31'), 365));
    expect(report.body.totals).toEqual([
      {
        currency: 'AUD',
        opening: opening.toFixed(2),
        invoiced: '0.00',
        credited: '0.00',
        released: opening.minus(closing).toFixed(2),
        closing: closing.toFixed(2),
        ledgerClosing: closing.toFixed(2),
        difference: '0.00',
      },
    ]);
    const nov = await api().get(`/api/v1/reports/deferred-revenue?asOf=2025-11-30`).set('Authorization', finance).expect(200);
    expect(nov.body.totals[0]).toMatchObject({
      opening: '0.00',
      invoiced: net,
      released: '16.44',
      closing: '383.52',
      ledgerClosing: '383.52',
    });
    await api().get(`/api/v1/reports/deferred-revenue?asOf=2026-13-01`).set('Authorization', finance).expect(400);
    await api().get(`/api/v1/reports/deferred-revenue`).set('Authorization', insider.auth).expect(403);
  });

  it('a credit note takes what is still deferred from 2400 and the rest from 4900; the charge then releases only what stays deferred', async () => {
    // The fully served charge: nothing is deferred any more, so all of it is 4900's.
    const full = await api()
      .post(`/api/v1/invoices/${invoiceId}/credit-notes`)
      .set('Authorization', finance)
      .send({ reason: 'goodwill', lines: [{ invoiceLineId: cloudLineId, amount: '10.00' }] });
    expect(full.status).toBe(201);
    const lines = async (sourceId: string) => {
      const e = await api()
        .get(`/api/v1/ledger/entries?sourceType=credit_note&resellerId=${resellerId}`)
        .set('Authorization', finance)
        .expect(200);
      const entry =
        e.body.items.find((x: { sourceId?: string; source?: { id: string } }) => (x.sourceId ?? x.source?.id) === sourceId) ??
        e.body.items[0];
      return Object.fromEntries(
        entry.lines.map((l: { accountCode: string; debit: string; credit: string }) => [
          l.accountCode,
          l.debit !== '0.00' ? `D ${l.debit}` : `C ${l.credit}`,
        ]),
      );
    };
    expect(await lines(full.body.id)).toEqual({ '4900': 'D 10.00', '2100': 'D 1.00', '1110': 'C 11.00' });

    // A charge half served: the credited part comes from 2400 and is no longer released.
    const cloud = await f.createProduct(t, {
      kind: 'CLOUD',
      term: 'P1Y',
      billingFrequency: 'UPFRONT',
      prices: [{ currency: 'AUD', unitPrice: '100.00' }],
    });
    const reseller = await f.createReseller(t);
    const s2 = '2026-01-10';
    t.clock.set(s2);
    const order = await api()
      .post('/api/v1/orders')
      .set('Authorization', ADMIN)
      .send({
        resellerId: reseller.id,
        endCustomer: { name: 'Half Co' },
        lines: [{ sku: cloud.sku, quantity: 1, startDate: s2 }],
      });
    t.clock.reset();
    expect(order.status).toBe(201);
    const sub2 = order.body.lines[0].subscriptionId;
    await billPeriod(t, '2026-01-31', finance);
    const inv2 = (await api().get(`/api/v1/invoices?resellerId=${reseller.id}`).set('Authorization', finance).expect(200)).body.items[0];
    const line2 = (await api().get(`/api/v1/invoices/${inv2.id}`).set('Authorization', finance).expect(200)).body.lines[0];
    expect(line2.net).toBe('1200.00');
    const through = (await run('2026-06-30')).body;
    expect(through.slices).toBe(6);
    const released = earned('1200.00', daysFrom(s2, '2026-06-30'), 365);
    const cn = await api()
      .post(`/api/v1/invoices/${inv2.id}/credit-notes`)
      .set('Authorization', finance)
      .send({ reason: 'seats never used', lines: [{ invoiceLineId: line2.id, amount: '200.00' }] });
    expect(cn.status).toBe(201);
    const e = await api()
      .get(`/api/v1/ledger/entries?sourceType=credit_note&resellerId=${reseller.id}`)
      .set('Authorization', finance)
      .expect(200);
    const posted = Object.fromEntries(
      e.body.items[0].lines.map((l: { accountCode: string; debit: string; credit: string }) => [
        l.accountCode,
        l.debit !== '0.00' ? `D ${l.debit}` : `C ${l.credit}`,
      ]),
    );
    expect(posted).toEqual({ '2400': 'D 200.00', '2100': 'D 20.00', '1110': 'C 220.00' });

    // Crediting more than what is still deferred: the deferred part from 2400, the rest from 4900.
    const deferredNow = new Decimal('1000.00').minus(released);
    const big = await api()
      .post(`/api/v1/invoices/${inv2.id}/credit-notes`)
      .set('Authorization', finance)
      .send({ reason: 'cancelled', lines: [{ invoiceLineId: line2.id, amount: '1000.00' }] });
    expect(big.status).toBe(201);
    const e2 = await api()
      .get(`/api/v1/ledger/entries?sourceType=credit_note&resellerId=${reseller.id}`)
      .set('Authorization', finance)
      .expect(200);
    const bigEntry = e2.body.items.find((x: { memo: string }) => x.memo.includes('cancelled'));
    const bigPosted = Object.fromEntries(
      bigEntry.lines.map((l: { accountCode: string; debit: string; credit: string }) => [
        l.accountCode,
        l.debit !== '0.00' ? `D ${l.debit}` : `C ${l.credit}`,
      ]),
    );
    expect(bigPosted).toEqual({
      '2400': `D ${deferredNow.toFixed(2)}`,
      '4900': `D ${new Decimal('1000.00').minus(deferredNow).toFixed(2)}`,
      '2100': 'D 100.00',
      '1110': 'C 1100.00',
    });

    // Nothing stays deferred: later runs release nothing more for it; per charge recognised + deferred = net − credited from 2400.
    expect((await run()).status).toBe(200); // through yesterday, the default
    const sched = (await api().get(`/api/v1/subscriptions/${sub2}/revenue-schedule`).set('Authorization', finance).expect(200)).body
      .charges[0];
    expect(sched).toMatchObject({
      net: '1200.00',
      recognised: released.toFixed(2),
      deferred: '0.00',
      creditedFromDeferred: new Decimal('200.00').plus(deferredNow).toFixed(2),
    });
    expect(new Decimal(sched.recognised).plus(sched.deferred).plus(sched.creditedFromDeferred).toFixed(2)).toBe('1200.00');
    const rec = await reconcile(t, finance);
    expect(rec.differences).toEqual([]);
  });

  it('a partial credit on a running charge spreads what stays deferred over its remaining days', async () => {
    const cloud = await f.createProduct(t, {
      kind: 'CLOUD',
      term: 'P1Y',
      billingFrequency: 'UPFRONT',
      prices: [{ currency: 'AUD', unitPrice: '10.01' }],
    });
    const reseller = await f.createReseller(t);
    const s3 = '2026-02-03';
    t.clock.set(s3);
    const order = await api()
      .post('/api/v1/orders')
      .set('Authorization', ADMIN)
      .send({
        resellerId: reseller.id,
        endCustomer: { name: 'Part Co' },
        lines: [{ sku: cloud.sku, quantity: 3, startDate: s3 }],
      });
    t.clock.reset();
    const sub3 = order.body.lines[0].subscriptionId;
    await billPeriod(t, '2026-02-28', finance);
    const inv = (await api().get(`/api/v1/invoices?resellerId=${reseller.id}`).set('Authorization', finance).expect(200)).body.items[0];
    const line = (await api().get(`/api/v1/invoices/${inv.id}`).set('Authorization', finance).expect(200)).body.lines[0];
    expect(line.net).toBe('360.36');
    await run('2026-04-30');
    await api()
      .post(`/api/v1/invoices/${inv.id}/credit-notes`)
      .set('Authorization', finance)
      .send({ reason: 'one seat back', lines: [{ invoiceLineId: line.id, amount: '77.77' }] })
      .expect(201);
    await run('2026-09-30');
    await run('2026-10-31');
    const c = (await api().get(`/api/v1/subscriptions/${sub3}/revenue-schedule`).set('Authorization', finance).expect(200)).body.charges[0];
    expect(c.creditedFromDeferred).toBe('77.77');
    expect(new Decimal(c.recognised).plus(c.deferred).toFixed(2)).toBe(new Decimal('360.36').minus('77.77').toFixed(2));
    // The schedule's months (recognised and projected) add up to what the charge releases in all.
    expect(c.months.reduce((s: Decimal, m: { amount: string }) => s.plus(m.amount), new Decimal(0)).toFixed(2)).toBe('282.59');
    expect(c.months.at(-1).remainingDeferred).toBe('0.00');
    expect((await reconcile(t, finance)).differences).toEqual([]);
  });

  it('concurrent runs (several instances, or the daily job beside a manual run) release each day once', async () => {
    const cloud = await f.createProduct(t, {
      kind: 'CLOUD',
      term: 'P1Y',
      billingFrequency: 'UPFRONT',
      prices: [{ currency: 'AUD', unitPrice: '7.77' }],
    });
    const reseller = await f.createReseller(t);
    t.clock.set('2026-03-05');
    const order = await api()
      .post('/api/v1/orders')
      .set('Authorization', ADMIN)
      .send({
        resellerId: reseller.id,
        endCustomer: { name: 'Race Co' },
        lines: [{ sku: cloud.sku, quantity: 5, startDate: '2026-03-05' }],
      });
    t.clock.reset();
    const sub = order.body.lines[0].subscriptionId;
    await billPeriod(t, '2026-03-31', finance);
    const results = await Promise.all([run('2026-08-31'), run('2026-08-31'), run('2026-08-31')]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(results.reduce((s, r) => s + r.body.slices, 0)).toBe(6); // March to August, once
    const { RevenueRecognitionJob } = await import('../libs/invoicing/src/revenue-recognition.job.js');
    const job = t.get(RevenueRecognitionJob);
    await Promise.all([job.daily(), job.daily()]);
    const [row] = await t.db.query(
      `SELECT sum(days)::int AS days, sum(revenue)::text AS revenue FROM revenue_recognitions WHERE subscription_id = $1`,
      [sub],
    );
    const yesterday = new Date(Date.parse(realToday()) - 86_400_000).toISOString().slice(0, 10);
    const d = Math.min(365, daysFrom('2026-03-05', yesterday));
    expect(row.days).toBe(d);
    expect(new Decimal(row.revenue).toFixed(2)).toBe(earned('466.20', d, 365).toFixed(2));
    expect((await reconcile(t, finance)).differences).toEqual([]);
  });

  it('refuses a run through a closed month or a future date (422 naming through), and writes nothing', async () => {
    const runs = async () => (await t.db.query(`SELECT count(*)::int AS n FROM revenue_recognition_runs`))[0].n as number;
    const before = await runs();
    await api()
      .post('/api/v1/ledger/periods/2025-12/close')
      .set('Authorization', finance)
      .send(FORCED_CLOSE)
      .expect((r) => expect(r.status).toBeLessThan(300));
    const closed = await run('2025-12-15');
    expect(closed.status).toBe(422);
    expect(closed.body).toMatchObject({
      type: expect.stringContaining('period-closed'),
      field: 'through',
      through: '2025-12-15',
    });
    const future = await run('2999-01-01');
    expect(future.status).toBe(422);
    expect(future.body).toMatchObject({ field: 'through' });
    const bad = await run('2026-02-30');
    expect(bad.status).toBe(400);
    await api()
      .post('/api/v1/ledger/recognition/run')
      .set('Authorization', (await t.user('reseller_admin', resellerId)).auth)
      .send({})
      .expect(403);
    expect(await runs()).toBe(before);
  });

  it('releases days of a month closed meanwhile on the first day of the first open month', async () => {
    const cloud = await f.createProduct(t, {
      kind: 'CLOUD',
      term: 'P1Y',
      billingFrequency: 'UPFRONT',
      prices: [{ currency: 'AUD', unitPrice: '20.00' }],
    });
    const reseller = await f.createReseller(t);
    t.clock.set('2026-04-05');
    const order = await api()
      .post('/api/v1/orders')
      .set('Authorization', ADMIN)
      .send({
        resellerId: reseller.id,
        endCustomer: { name: 'Late Co' },
        lines: [{ sku: cloud.sku, quantity: 1, startDate: '2026-04-05' }],
      });
    t.clock.reset();
    const sub = order.body.lines[0].subscriptionId;
    await billPeriod(t, '2026-04-30', finance);
    await api()
      .post('/api/v1/ledger/periods/2026-04/close')
      .set('Authorization', finance)
      .send(FORCED_CLOSE)
      .expect((r) => expect(r.status).toBeLessThan(300));
    const res = await run('2026-05-31');
    expect(res.status).toBe(200);
    expect(res.body.entries.map((e: { entryDate: string }) => e.entryDate)).toEqual(['2026-05-01', '2026-05-31']);
    const rows = await t.db.query(
      `SELECT to_char(period, 'YYYY-MM') AS period, days, to_char(recognised_on, 'YYYY-MM-DD') AS on FROM revenue_recognitions WHERE subscription_id = $1 ORDER BY from_date`,
      [sub],
    );
    expect(rows).toEqual([
      { period: '2026-04', days: 26, on: '2026-05-01' },
      { period: '2026-05', days: 31, on: '2026-05-31' },
    ]);
    expect((await reconcile(t, finance)).differences).toEqual([]);
  });
});
