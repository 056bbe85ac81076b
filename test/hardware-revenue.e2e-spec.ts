import { addDays, addMonthsClamped } from '#disty/core';
import type { TestApp } from './support/app';
import type * as Commerce from './factories/commerce';
import { billPeriod, invoicesOf, realToday, reconcile, startBillingTestApp } from './support/billing';

/**
 * Hardware revenue follows delivery (docs/accounting.md §3): shipping posts 1190 / 4000 and the cost
 * 5000 / 2050 on the ship date, with the vendor's cost accrued (cost_accruals); invoicing later moves
 * the net from 1190 to 1100. Costs in force when ordered stay on order lines, charges and invoice
 * lines. Its own database: billing runs and reconciliation look at every reseller, in date order.
 */
describe('hardware revenue at shipment, and costs in force (E2E)', () => {
  let t: TestApp;
  let f: typeof Commerce;
  let ADMIN: string;
  let finance: string;
  let close: () => Promise<void>;

  // Months in the past relative to the real today (no entry may be dated later).
  const firstOf = (d: string) => `${d.slice(0, 7)}-01`;
  const monthEnd = (first: string) => addDays(addMonthsClamped(first, 1), -1);
  const shipMonth = firstOf(addMonthsClamped(firstOf(realToday()), -2));
  const shipDate = `${shipMonth.slice(0, 7)}-25`;
  const shipMonthEnd = monthEnd(shipMonth);
  const billMonthEnd = monthEnd(addMonthsClamped(shipMonth, 1));

  beforeAll(async () => {
    ({ t, f, admin: ADMIN, finance, close } = await startBillingTestApp('hwrev'));
  });
  afterAll(() => close?.());

  const trialBalance = async (asOf: string) => {
    const res = await t
      .http()
      .get('/api/v1/ledger/trial-balance')
      .query({ asOf, currency: 'AUD' })
      .set('Authorization', finance)
      .expect(200);
    expect(res.body.balanced).toBe(true);
    const rows = res.body.rows as Array<{ accountCode: string; balance: string }>;
    return (code: string) => rows.find((r) => r.accountCode === code)?.balance ?? '0.00';
  };
  const entriesOf = async (sourceType: string, resellerId: string) =>
    (await t.http().get('/api/v1/ledger/entries').query({ sourceType, resellerId }).set('Authorization', finance).expect(200)).body
      .items as Array<{
      entryDate: string;
      source: { type: string; id: string };
      lines: Array<{ accountCode: string; resellerId: string | null; debit: string; credit: string }>;
    }>;
  const sides = (lines: Array<{ accountCode: string; debit: string; credit: string }>) =>
    Object.fromEntries(lines.map((l) => [l.accountCode, l.debit !== '0.00' ? `D ${l.debit}` : `C ${l.credit}`]));
  const order = async (resellerId: string, lines: Array<{ sku: string; quantity: number }>) => {
    const buyer = await t.user('buyer', resellerId);
    const res = await t
      .http()
      .post('/api/v1/orders')
      .set('Authorization', buyer.auth)
      .send({ endCustomer: { name: 'Acme Pty Ltd' }, lines });
    expect(res.status).toBe(201);
    return res.body as {
      id: string;
      lines: Array<{ id: string; sku: string; kind: string; quantity: number }>;
    };
  };
  const ship = (orderId: string, lineId: string, body: Record<string, unknown>) =>
    t.http().post(`/api/v1/orders/${orderId}/lines/${lineId}/ship`).set('Authorization', ADMIN).send(body);

  it('is revenue in the ship month (1190 / 4000, cost 5000 / 2050) and moves to 1100 when invoiced the next month', async () => {
    const hw = await f.createProduct(t, {
      vendor: 'Lenovo',
      prices: [{ currency: 'AUD', unitPrice: '1000.00', costPrice: '640.00' }],
    });
    const reseller = await f.createReseller(t, {});
    const o = await order(reseller.id, [{ sku: hw.sku, quantity: 3 }]);
    const line = o.lines[0];
    const [stored] = await t.db.query(`SELECT unit_cost::text, cost::text FROM order_lines WHERE id = $1`, [line.id]);
    expect(stored).toEqual({ unit_cost: '640.0000', cost: '1920.0000' });

    expect((await ship(o.id, line.id, { shippedOn: shipDate, serialNumbers: ['S1', 'S2', 'S3'] })).status).toBe(200);

    // One entry, dated the ship date, source `shipment` / the line, reseller on every line.
    const [entry, ...more] = await entriesOf('shipment', reseller.id);
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ entryDate: shipDate, source: { type: 'shipment', id: line.id } });
    expect(sides(entry.lines)).toEqual({
      '1190': 'D 3000.00',
      '4000': 'C 3000.00',
      '5000': 'D 1920.00',
      '2050': 'C 1920.00',
    });
    expect(entry.lines.every((l) => l.resellerId === reseller.id)).toBe(true);
    // The vendor's cost is accrued for its bill to match (2050's subledger).
    expect(
      await t.db.query(
        `SELECT vendor, sku, reseller_id, currency, to_char(accrued_on, 'YYYY-MM-DD') AS accrued_on, quantity::int, amount::text
         FROM cost_accruals WHERE source_type = 'shipment' AND source_id = $1`,
        [line.id],
      ),
    ).toEqual([
      {
        vendor: 'Lenovo',
        sku: hw.sku,
        reseller_id: reseller.id,
        currency: 'AUD',
        accrued_on: shipDate,
        quantity: 3,
        amount: '1920.0000',
      },
    ]);

    // At the ship month's end: revenue and cost are in the ship month.
    let tb = await trialBalance(shipMonthEnd);
    expect([tb('4000'), tb('1190'), tb('5000'), tb('2050'), tb('1100')]).toEqual(['3000.00', '3000.00', '1920.00', '1920.00', '0.00']);
    const then = await reconcile(t, finance, shipMonthEnd);
    expect(then).toMatchObject({ reconciled: true, differences: [] });
    expect(then.unbilled.items).toEqual([
      expect.objectContaining({
        resellerId: reseller.id,
        currency: 'AUD',
        account: '1190',
        ledger: '3000.00',
        subledger: '3000.00',
        difference: '0.00',
      }),
    ]);

    // Invoiced next month: 1190 is cleared into 1100 gross, revenue does not move.
    const run = await billPeriod(t, billMonthEnd, finance);
    expect(run).toMatchObject({ status: 'COMPLETED', invoicesIssued: 1 });
    const [inv] = await invoicesOf<{
      id: string;
      issueDate: string;
      totals: { HARDWARE: { gross: string } };
    }>(t, reseller.id, finance);
    expect(inv).toMatchObject({ issueDate: billMonthEnd, totals: { HARDWARE: { gross: '3300.00' } } });
    const [invoiceEntry] = await entriesOf('invoice', reseller.id);
    expect(sides(invoiceEntry.lines)).toEqual({
      '1100': 'D 3300.00',
      '1190': 'C 3000.00',
      '2100': 'C 300.00',
    });
    // The invoice line keeps the cost in force when ordered.
    expect(await t.db.query(`SELECT unit_cost::text, cost::text FROM invoice_lines WHERE invoice_id = $1`, [inv.id])).toEqual([
      { unit_cost: '640.0000', cost: '1920.0000' },
    ]);
    tb = await trialBalance(billMonthEnd);
    expect([tb('1190'), tb('1100'), tb('4000'), tb('5000'), tb('2050'), tb('2100')]).toEqual([
      '0.00',
      '3300.00',
      '3000.00',
      '1920.00',
      '1920.00',
      '300.00',
    ]);
    // The ship month is unchanged by the later invoice.
    tb = await trialBalance(shipMonthEnd);
    expect([tb('4000'), tb('1190')]).toEqual(['3000.00', '3000.00']);

    const now = await reconcile(t, finance);
    expect(now).toMatchObject({ reconciled: true, differences: [] });
    expect(now.unbilled.items).toEqual([]);
    expect((await reconcile(t, finance, billMonthEnd)).reconciled).toBe(true);
  });

  it('posts each part of a partial shipment on its own (the split line has its own id), costs split like the amounts', async () => {
    const hw = await f.createProduct(t, {
      vendor: 'HP',
      prices: [{ currency: 'AUD', unitPrice: '99.99', costPrice: '33.33' }],
    });
    const reseller = await f.createReseller(t, {});
    const o = await order(reseller.id, [{ sku: hw.sku, quantity: 5 }]);
    const first = o.lines[0];
    const part = await ship(o.id, first.id, { shippedOn: shipDate, quantity: 2 });
    expect(part.status).toBe(200);
    const rest = (part.body.lines as Array<{ id: string; status: string; quantity: number }>).find((l) => l.status === 'PENDING')!;
    expect(rest.quantity).toBe(3);
    expect((await ship(o.id, rest.id, { shippedOn: addDays(shipDate, 2) })).status).toBe(200);

    const entries = await entriesOf('shipment', reseller.id);
    const byLine = Object.fromEntries(entries.map((e) => [e.source.id, { date: e.entryDate, lines: sides(e.lines) }]));
    expect(byLine).toEqual({
      [first.id]: {
        date: shipDate,
        lines: { '1190': 'D 199.98', '4000': 'C 199.98', '5000': 'D 66.66', '2050': 'C 66.66' },
      },
      [rest.id]: {
        date: addDays(shipDate, 2),
        lines: { '1190': 'D 299.97', '4000': 'C 299.97', '5000': 'D 99.99', '2050': 'C 99.99' },
      },
    });
    const accrued = await t.db.query(
      `SELECT source_id, quantity::int, amount::text FROM cost_accruals WHERE source_type = 'shipment' AND reseller_id = $1 ORDER BY quantity`,
      [reseller.id],
    );
    expect(accrued).toEqual([
      { source_id: first.id, quantity: 2, amount: '66.6600' },
      { source_id: rest.id, quantity: 3, amount: '99.9900' },
    ]);
    // Shipping a shipped line again is refused and posts nothing more.
    expect((await ship(o.id, rest.id, { shippedOn: addDays(shipDate, 3) })).status).toBe(409);
    expect(await entriesOf('shipment', reseller.id)).toHaveLength(2);
    expect((await reconcile(t, finance)).reconciled).toBe(true);
  });

  it('keeps crediting 4000 at invoicing for lines shipped before revenue was posted at shipment', async () => {
    const hw = await f.createProduct(t, {
      prices: [{ currency: 'AUD', unitPrice: '200.00', costPrice: '150.00' }],
    });
    const reseller = await f.createReseller(t, {});
    const o = await order(reseller.id, [
      { sku: hw.sku, quantity: 1 },
      { sku: hw.sku, quantity: 2 },
    ]);
    const [legacy, current] = o.lines;
    // The state the migration leaves a line shipped and not invoiced before it: no shipment entry, shipment_posted false.
    await t.db.query(`UPDATE order_lines SET status = 'SHIPPED', shipped_on = $2 WHERE id = $1`, [legacy.id, shipDate]);
    await t.db.query(`UPDATE orders SET status = 'PARTIALLY_SHIPPED' WHERE id = $1`, [o.id]);
    expect((await ship(o.id, current.id, { shippedOn: shipDate })).status).toBe(200);
    expect((await reconcile(t, finance)).reconciled).toBe(true);

    // Billing runs go in date order: the day after the month billed above (still on or before today).
    const run = await billPeriod(t, addDays(billMonthEnd, 1), finance);
    expect(run.status).toBe('COMPLETED');
    const [invoiceEntry] = await entriesOf('invoice', reseller.id);
    expect(sides(invoiceEntry.lines)).toEqual({
      '1100': 'D 660.00',
      '1190': 'C 400.00',
      '4000': 'C 200.00',
      '2100': 'C 60.00',
    });
    const rec = await reconcile(t, finance);
    expect(rec).toMatchObject({ reconciled: true, differences: [] });
  });

  it('keeps the cost in force on every subscription charge: first term, seat changes, cancellation credits, renewals', async () => {
    const cloud = await f.createProduct(t, {
      kind: 'CLOUD',
      vendor: 'Microsoft',
      term: 'P1M',
      billingFrequency: 'MONTHLY',
      prices: [{ currency: 'AUD', unitPrice: '20.00', costPrice: '15.00' }],
    });
    const reseller = await f.createReseller(t, {});
    const buyer = await t.user('buyer', reseller.id);
    t.clock.set('2026-06-01');
    try {
      const res = await t
        .http()
        .post('/api/v1/orders')
        .set('Authorization', buyer.auth)
        .send({
          endCustomer: { name: 'Acme' },
          lines: [
            { sku: cloud.sku, quantity: 10, startDate: '2026-06-01' },
            { sku: cloud.sku, quantity: 2, startDate: '2026-06-01' },
          ],
        });
      expect(res.status).toBe(201);
      const [lineA, lineB] = res.body.lines as Array<{ id: string; subscriptionId: string }>;
      expect(await t.db.query(`SELECT unit_cost::text, cost::text FROM order_lines WHERE id = $1`, [lineA.id])).toEqual([
        { unit_cost: '15.0000', cost: '150.0000' },
      ]);
      const subA = lineA.subscriptionId;
      // +3 seats on the 16th (15 of 30 days left): 30.00, cost 22.50; then 13 → 12 the same day: −10.00, cost −7.50.
      t.clock.set('2026-06-16');
      await t.http().patch(`/api/v1/subscriptions/${subA}`).set('Authorization', buyer.auth).send({ quantity: 13 }).expect(200);
      await t.http().patch(`/api/v1/subscriptions/${subA}`).set('Authorization', buyer.auth).send({ quantity: 12 }).expect(200);
      // Cancelled on the 21st: the 10 days left of 12 seats are credited (−80.00, cost −60.00).
      t.clock.set('2026-06-21');
      await t.http().post(`/api/v1/subscriptions/${subA}/cancel`).set('Authorization', buyer.auth).send({ when: 'IMMEDIATE' }).expect(200);
      const charges: Array<{ kind: string; amount: string; unit_cost: string; cost: string }> = await t.db.query(
        `SELECT kind, amount::text, unit_cost::text, cost::text FROM subscription_charges WHERE subscription_id = $1 AND voided_at IS NULL
          ORDER BY created_at, id`,
        [subA],
      );
      expect(charges.length).toBeGreaterThanOrEqual(3);
      for (const c of charges) {
        // Same months, seats, days and sign as the amount: 15/20 of it.
        expect(c.unit_cost).toBe('15.0000');
        expect(Number(c.cost)).toBeCloseTo(Number(c.amount) * 0.75, 4);
        expect(Math.sign(Number(c.cost))).toBe(Math.sign(Number(c.amount)));
      }
      const kinds = charges.map((c) => [c.kind, Number(c.amount).toFixed(2), Number(c.cost).toFixed(2)]);
      expect(kinds).toEqual(
        expect.arrayContaining([
          ['PRORATION', '30.00', '22.50'],
          ['PRORATION', '-10.00', '-7.50'],
        ]),
      );
      const net = charges.reduce((s, c) => s + Math.round(Number(c.amount) * 100), 0);
      const cost = charges.reduce((s, c) => s + Math.round(Number(c.cost) * 100), 0);
      expect([net, cost]).toEqual([200_00 + 30_00 - 10_00 - 80_00, 150_00 + 22_50 - 7_50 - 60_00]);

      // A renewal takes the catalog's price and cost in force then; the first term keeps its own.
      await t
        .http()
        .patch(`/api/v1/catalog/products/${cloud.sku}`)
        .set('Authorization', ADMIN)
        .send({ prices: [{ currency: 'AUD', unitPrice: '20.00', costPrice: '16.00' }] })
        .expect(200);
      t.clock.set('2026-07-02');
      await t
        .http()
        .post('/api/v1/jobs/renewals/run')
        .query({ asOf: '2026-07-02' })
        .set('Authorization', ADMIN)
        .expect((r) => expect(r.status).toBeLessThan(300));
      const b: Array<{ period_start: string; amount: string; unit_cost: string; cost: string }> = await t.db.query(
        `SELECT to_char(period_start, 'YYYY-MM-DD') AS period_start, amount::text, unit_cost::text, cost::text
           FROM subscription_charges WHERE subscription_id = $1 ORDER BY period_start`,
        [lineB.subscriptionId],
      );
      expect(b).toEqual([
        { period_start: '2026-06-01', amount: '40.0000', unit_cost: '15.0000', cost: '30.0000' },
        { period_start: '2026-07-01', amount: '40.0000', unit_cost: '16.0000', cost: '32.0000' },
      ]);
      expect(await t.db.query(`SELECT unit_cost::text FROM subscriptions WHERE id = $1`, [lineB.subscriptionId])).toEqual([
        { unit_cost: '16.0000' },
      ]);
    } finally {
      t.clock.reset();
    }
  });

  it('lets an order through for a price whose cost is not known: cost null (counted as 0), no cost lines at shipment', async () => {
    const hw = await f.createProduct(t, { prices: [{ currency: 'AUD', unitPrice: '80.00' }] });
    await t.db.query(`UPDATE product_prices SET unit_cost = NULL WHERE sku = $1`, [hw.sku]);
    const reseller = await f.createReseller(t, {});
    const o = await order(reseller.id, [{ sku: hw.sku, quantity: 1 }]);
    expect(await t.db.query(`SELECT unit_cost, cost FROM order_lines WHERE id = $1`, [o.lines[0].id])).toEqual([
      { unit_cost: null, cost: null },
    ]);
    expect((await ship(o.id, o.lines[0].id, { shippedOn: realToday() })).status).toBe(200);
    const [entry] = await entriesOf('shipment', reseller.id);
    expect(sides(entry.lines)).toEqual({ '1190': 'D 80.00', '4000': 'C 80.00' });
    expect(await t.db.query(`SELECT 1 FROM cost_accruals WHERE source_id = $1`, [o.lines[0].id])).toEqual([]);
    const missing = await t.http().get('/api/v1/catalog/products/missing-costs').set('Authorization', finance).expect(200);
    expect(missing.body.items).toEqual([expect.objectContaining({ sku: hw.sku, currency: 'AUD' })]);
  });
});
