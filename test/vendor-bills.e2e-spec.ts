import { randomUUID } from 'crypto';
import type { TestApp } from './support/app';
import type { OwnDatabase } from './support/own-database';
import type * as CostFixtures from './support/cost-fixtures';
import { realToday, reconcile } from './support/billing';

type Row = { accountCode: string; debit: string; credit: string; balance: string };
type BillLine = {
  sku: string | null;
  quantity: string;
  net: string;
  matchedQuantity: string;
  matchedAmount: string;
  variance: string;
  matches: Array<{ accrualId: string; resellerId: string | null; amount: string }>;
};

/**
 * Vendors and vendor bills (docs/accounting.md §3): a bill matches the month's accrued costs by
 * vendor and SKU, the variance goes to 5900, 2050 goes back to zero for what it matched, 2000 holds
 * the gross until paid. On a database of its own: the trial balance and reconciliation are
 * compared to the cent, and nobody else's postings mix in.
 */
describe('Vendor bills', () => {
  let t: TestApp;
  let own: OwnDatabase;
  let fx: typeof CostFixtures;
  let finance: string;
  const today = realToday();
  const monthStart = `${today.slice(0, 8)}01`;
  const period = today.slice(0, 7);
  const lastMonth = (() => {
    const d = new Date(`${monthStart}T00:00:00Z`);
    d.setUTCDate(0);
    return d.toISOString().slice(0, 10);
  })();
  const r1 = randomUUID();
  const r2 = randomUUID();

  beforeAll(async () => {
    own = await (await import('./support/own-database.js')).useOwnDatabase('vendor_bills');
    const app = await import('./support/app.js');
    fx = await import('./support/cost-fixtures.js');
    t = await app.createTestApp();
    finance = (await t.user('finance')).auth;
  });
  afterAll(async () => {
    await t?.close();
    await own?.drop();
  });

  const trial = async () => {
    const res = await t
      .http()
      .get('/api/v1/ledger/trial-balance')
      .query({ asOf: today, currency: 'AUD' })
      .set('Authorization', finance)
      .expect(200);
    const rows = res.body.rows as Row[];
    return (code: string) => rows.find((r) => r.accountCode === code)?.balance ?? '0.00';
  };
  const createVendor = async (name = `Vendor ${randomUUID().slice(0, 8)}`) =>
    (await t.http().post('/api/v1/vendors').set('Authorization', finance).send({ name }).expect(201)).body as { id: string; name: string };
  const postBill = (body: Record<string, unknown>, key?: string) => {
    const req = t.http().post('/api/v1/vendor-bills').set('Authorization', finance);
    if (key) req.set('Idempotency-Key', key);
    return req.send(body);
  };
  const billCount = async () => (await t.http().get('/api/v1/vendor-bills').set('Authorization', finance).expect(200)).body.total as number;

  it('manages vendors: defaults, duplicate names ignoring case, updates, roles', async () => {
    const v = await createVendor('Acme Networks');
    expect(v).toMatchObject({ name: 'Acme Networks', currency: 'AUD', paymentTermsDays: 30, active: true });
    const dup = await t.http().post('/api/v1/vendors').set('Authorization', finance).send({ name: 'ACME networks' }).expect(409);
    expect(dup.body).toMatchObject({
      type: 'https://disty.dev/problems/duplicate-vendor',
      errors: [expect.objectContaining({ field: 'name' })],
    });
    const upd = await t
      .http()
      .patch(`/api/v1/vendors/${v.id}`)
      .set('Authorization', finance)
      .send({ paymentTermsDays: 45, currency: 'USD' })
      .expect(200);
    expect(upd.body).toMatchObject({ paymentTermsDays: 45, currency: 'USD', name: 'Acme Networks' });
    await t.http().patch(`/api/v1/vendors/${v.id}`).set('Authorization', finance).send({ name: 'Other' }).expect(400);
    const list = await t.http().get('/api/v1/vendors').query({ q: 'acme' }).set('Authorization', finance).expect(200);
    expect(list.body.items.map((i: { id: string }) => i.id)).toContain(v.id);
    expect((await t.http().get(`/api/v1/vendors/${v.id}`).set('Authorization', finance).expect(200)).body.paymentTermsDays).toBe(45);
    await t.http().get(`/api/v1/vendors/${randomUUID()}`).set('Authorization', finance).expect(404);
    await t.http().post('/api/v1/vendors').set('Authorization', finance).send({ name: 'Nul\u0000Vendor' }).expect(400);
    await t.http().get('/api/v1/vendors').query({ q: 'a\u0000' }).set('Authorization', finance).expect(400);
    const reseller = await (await import('./factories/commerce.js')).createReseller(t);
    const buyer = await t.user('buyer', reseller.id);
    await t.http().get('/api/v1/vendors').set('Authorization', buyer.auth).expect(403);
    await t.http().post('/api/v1/vendor-bills').set('Authorization', buyer.auth).send({}).expect(403);
  });

  it('matches a bill to the month’s accruals of two SKUs, posts the variance to 5900 and is paid off', async () => {
    const vendor = await createVendor();
    const skuA = `A-${randomUUID().slice(0, 8)}`;
    const skuB = `B-${randomUUID().slice(0, 8)}`;
    // SKU A: 2 units for r1 last month and 3 for r2 this month at 100.00; SKU B: 5 units for r1 at 10.00.
    await fx.accrueCost(t, {
      vendor: vendor.name,
      sku: skuA,
      resellerId: r1,
      quantity: '2',
      amount: '200.00',
      accruedOn: lastMonth,
    });
    await fx.accrueCost(t, {
      vendor: vendor.name.toUpperCase(),
      sku: skuA,
      resellerId: r2,
      quantity: '3',
      amount: '300.00',
      accruedOn: monthStart,
    });
    await fx.accrueCost(t, {
      vendor: vendor.name,
      sku: skuB,
      resellerId: r1,
      quantity: '5',
      amount: '50.00',
      accruedOn: today,
    });
    const before = await trial();
    expect(before('2050')).toBe('550.00');
    const matchingBefore = await t.http().get('/api/v1/vendor-bills/matching').query({ period }).set('Authorization', finance).expect(200);
    expect(matchingBefore.body.unmatchedAccruals.filter((a: { vendorId: string }) => a.vendorId === vendor.id)).toEqual(
      expect.arrayContaining([expect.objectContaining({ sku: skuB, quantity: '5', amount: '50.00', accruals: 1 })]),
    );

    const res = await postBill({
      vendorId: vendor.id,
      number: 'INV-1001',
      date: today,
      lines: [
        { sku: skuA, description: 'Switches', quantity: 5, unitCost: '105.00', tax: '52.50' },
        { sku: skuB, description: 'Cables', quantity: 5, unitCost: '9.50', tax: '4.75' },
      ],
    }).expect(201);
    const bill = res.body;
    expect(bill).toMatchObject({
      vendorId: vendor.id,
      number: 'INV-1001',
      date: today,
      currency: 'AUD',
      net: '572.50',
      tax: '57.25',
      gross: '629.75',
      matched: '550.00',
      variance: '22.50',
      paid: '0.00',
      open: '629.75',
      status: 'OPEN',
    });
    const [a, b] = bill.lines as BillLine[];
    expect(a).toMatchObject({
      sku: skuA,
      quantity: '5',
      net: '525.00',
      matchedQuantity: '5',
      matchedAmount: '500.00',
      variance: '25.00',
    });
    expect(a.matches.map((m) => [m.resellerId, m.amount])).toEqual([
      [r1, '200.00'],
      [r2, '300.00'],
    ]);
    expect(b).toMatchObject({
      sku: skuB,
      net: '47.50',
      matchedQuantity: '5',
      matchedAmount: '50.00',
      variance: '-2.50',
    });
    expect((await t.http().get(`/api/v1/vendor-bills/${bill.id}`).set('Authorization', finance).expect(200)).body).toEqual(bill);

    const after = await trial();
    expect(after('2050')).toBe('0.00');
    expect(after('2000')).toBe('629.75');
    expect(after('1300')).toBe('57.25');
    expect(after('5900')).toBe('22.50');
    expect(after('5000')).toBe(before('5000'));
    // The 2050 debit carries each accrual's reseller: per reseller 2050 is back to zero.
    for (const r of [r1, r2]) {
      const st = await t
        .http()
        .get('/api/v1/ledger/accounts/2050/statement')
        .query({ resellerId: r, from: lastMonth, to: today })
        .set('Authorization', finance)
        .expect(200);
      expect(st.body.closingBalance).toBe('0.00');
    }
    let rec = await reconcile(t, finance);
    expect(rec.differences).toEqual([]);
    expect(rec.reconciled).toBe(true);
    expect(rec.payables.totals).toEqual([
      expect.objectContaining({ account: '2000', currency: 'AUD', ledger: '629.75', subledger: '629.75' }),
    ]);

    const matching = await t.http().get('/api/v1/vendor-bills/matching').query({ period }).set('Authorization', finance).expect(200);
    expect(matching.body.unmatchedAccruals.filter((x: { vendorId: string }) => x.vendorId === vendor.id)).toEqual([]);
    expect(
      matching.body.billLines.filter((l: { billId: string }) => l.billId === bill.id).map((l: { variance: string }) => l.variance),
    ).toEqual(['25.00', '-2.50']);
    const listed = await t
      .http()
      .get('/api/v1/vendor-bills')
      .query({ vendorId: vendor.id, from: today, to: today })
      .set('Authorization', finance)
      .expect(200);
    expect(listed.body).toMatchObject({
      total: 1,
      items: [expect.objectContaining({ id: bill.id, status: 'OPEN' })],
    });

    const cash = before('1000');
    const pay = (amount: string, key?: string) => {
      const req = t.http().post(`/api/v1/vendor-bills/${bill.id}/payments`).set('Authorization', finance);
      if (key) req.set('Idempotency-Key', key);
      return req.send({ amount, paidOn: today, reference: `EFT ${amount}` });
    };
    const key = randomUUID();
    const p1 = await pay('600.00', key).expect(201);
    expect(p1.body.bill).toMatchObject({ paid: '600.00', open: '29.75', status: 'PARTIALLY_PAID' });
    const replay = await pay('600.00', key).expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.payment.id).toBe(p1.body.payment.id);
    const tooMuch = await pay('29.76').expect(422);
    expect(tooMuch.body).toMatchObject({
      type: 'https://disty.dev/problems/over-payment',
      open: '29.75',
      errors: [expect.objectContaining({ field: 'amount' })],
    });
    const p2 = await pay('29.75').expect(201);
    expect(p2.body.bill).toMatchObject({ paid: '629.75', open: '0.00', status: 'PAID' });
    await pay('0.01').expect(422);

    const paid = await trial();
    expect(paid('2000')).toBe('0.00');
    expect(Number(cash) - Number(paid('1000'))).toBeCloseTo(629.75, 6);
    const full = (await t.http().get(`/api/v1/vendor-bills/${bill.id}`).set('Authorization', finance).expect(200)).body;
    expect(full.payments.map((p: { amount: string }) => p.amount)).toEqual(['600.00', '29.75']);
    rec = await reconcile(t, finance);
    expect(rec.reconciled).toBe(true);
    expect((await reconcile(t, finance, today)).reconciled).toBe(true);
    expect((await reconcile(t, finance, lastMonth)).reconciled).toBe(true);
  });

  it('refuses bad bills naming the field, and writes nothing', async () => {
    const vendor = await createVendor();
    const sku = `C-${randomUUID().slice(0, 8)}`;
    await fx.accrueCost(t, {
      vendor: vendor.name,
      sku,
      resellerId: r1,
      quantity: '4',
      amount: '80.00',
      accruedOn: today,
    });
    const line = { sku, description: 'Licences', quantity: 4, unitCost: '20.00', tax: '8.00' };
    await postBill({ vendorId: vendor.id, number: 'X-1', date: today, lines: [line] }).expect(201);
    const bills = await billCount();
    const tb = await trial();
    const snapshot = ['2000', '2050', '1300', '5900'].map(tb);

    const unknown = await postBill({
      vendorId: randomUUID(),
      number: 'X-2',
      date: today,
      lines: [line],
    }).expect(422);
    expect(unknown.body).toMatchObject({
      type: 'https://disty.dev/problems/unknown-vendor',
      errors: [expect.objectContaining({ field: 'vendorId' })],
    });

    const dup = await postBill({
      vendorId: vendor.id,
      number: 'x-1',
      date: today,
      lines: [{ ...line, allowUnmatched: true }],
    }).expect(409);
    expect(dup.body).toMatchObject({
      type: 'https://disty.dev/problems/duplicate-vendor-bill',
      errors: [expect.objectContaining({ field: 'number' })],
    });

    await fx.accrueCost(t, {
      vendor: vendor.name,
      sku,
      resellerId: r2,
      quantity: '1',
      amount: '20.00',
      accruedOn: today,
    });
    const unmatched = await postBill({
      vendorId: vendor.id,
      number: 'X-3',
      date: today,
      lines: [
        { ...line, quantity: 1 },
        { sku: 'NO-SUCH-SKU', description: 'Unknown', quantity: 1, unitCost: '5.00', tax: '0.50' },
        { description: 'Freight', quantity: 1, unitCost: '15.00', tax: '1.50' },
      ],
    }).expect(422);
    expect(unmatched.body.type).toBe('https://disty.dev/problems/unmatched-bill-line');
    expect(unmatched.body.errors.map((e: { field: string }) => e.field)).toEqual(['lines.1', 'lines.2']);

    const future = await postBill({
      vendorId: vendor.id,
      number: 'X-4',
      date: '2999-01-01',
      lines: [line],
    }).expect(422);
    expect(future.body.errors).toEqual([expect.objectContaining({ field: 'date' })]);
    const malformed = await postBill({
      vendorId: vendor.id,
      number: 'X-5',
      date: today,
      lines: [{ ...line, unitCost: 20 }],
    }).expect(400);
    expect(malformed.body.errors).toEqual([expect.objectContaining({ field: 'lines.0.unitCost' })]);

    expect(await billCount()).toBe(bills);
    const now = await trial();
    // Only the second accrual (20.00 to 2050) moved the books.
    expect(['2000', '2050', '1300', '5900'].map(now)).toEqual([
      snapshot[0],
      (Number(snapshot[1]) + 20).toFixed(2),
      snapshot[2],
      snapshot[3],
    ]);
    const m = await t.http().get('/api/v1/vendor-bills/matching').query({ period }).set('Authorization', finance).expect(200);
    expect(m.body.unmatchedAccruals.filter((x: { vendorId: string }) => x.vendorId === vendor.id)).toEqual([
      expect.objectContaining({ sku, quantity: '1', amount: '20.00' }),
    ]);

    // The same bill with its unmatched lines allowed: their net is all variance (5900).
    const ok = await postBill({
      vendorId: vendor.id,
      number: 'X-3',
      date: today,
      lines: [
        { ...line, quantity: 1 },
        { description: 'Freight', quantity: 1, unitCost: '15.00', tax: '1.50', allowUnmatched: true },
      ],
    }).expect(201);
    expect(ok.body).toMatchObject({ gross: '44.50', matched: '20.00', variance: '15.00' });
    expect(ok.body.lines[1]).toMatchObject({
      sku: null,
      matchedQuantity: '0',
      variance: '15.00',
      allowUnmatched: true,
    });
    const m2 = await t.http().get('/api/v1/vendor-bills/matching').query({ period }).set('Authorization', finance).expect(200);
    expect(m2.body.billLines.filter((l: { billId: string }) => l.billId === ok.body.id)).toEqual([
      expect.objectContaining({ description: 'Freight', unmatched: true, variance: '15.00' }),
    ]);
    expect((await reconcile(t, finance)).reconciled).toBe(true);
  });

  it('lets racing bills match each accrual at most once', async () => {
    const vendor = await createVendor();
    const sku = `D-${randomUUID().slice(0, 8)}`;
    const accrued: string[] = [];
    for (let i = 0; i < 6; i++) {
      accrued.push(
        await fx.accrueCost(t, {
          vendor: vendor.name,
          sku,
          resellerId: i % 2 ? r1 : r2,
          quantity: '1',
          amount: '10.00',
          accruedOn: today,
        }),
      );
    }
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        postBill({
          vendorId: vendor.id,
          number: `RACE-${i}`,
          date: today,
          lines: [{ sku, description: 'Seats', quantity: 2, unitCost: '11.00', tax: '0.00', allowUnmatched: true }],
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    const matches = results.flatMap((r) => (r.body.lines as BillLine[]).flatMap((l) => l.matches.map((m) => m.accrualId)));
    expect(matches).toHaveLength(6);
    expect(new Set(matches).size).toBe(6);
    const matchedQty = results.map((r) => Number(r.body.lines[0].matchedQuantity)).sort();
    // Each bill locks every candidate oldest first: the first three take two each, the last two find none.
    expect(matchedQty).toEqual([0, 0, 2, 2, 2]);
    const rows: Array<{ n: string }> = await t.db.query(
      `SELECT count(*) AS n FROM cost_accruals WHERE lower(vendor) = lower($1) AND vendor_bill_line_id IS NOT NULL`,
      [vendor.name],
    );
    expect(Number(rows[0].n)).toBe(6);
    const rec = await reconcile(t, finance);
    expect(rec.differences).toEqual([]);
  });

  it('replays a bill under the same Idempotency-Key and refuses another body under it', async () => {
    const vendor = await createVendor();
    const sku = `E-${randomUUID().slice(0, 8)}`;
    await fx.accrueCost(t, {
      vendor: vendor.name,
      sku,
      resellerId: r1,
      quantity: '1',
      amount: '10.00',
      accruedOn: today,
    });
    const key = randomUUID();
    const body = {
      vendorId: vendor.id,
      number: 'IDEM-1',
      date: today,
      lines: [{ sku, description: 'x', quantity: 1, unitCost: '10.00', tax: '1.00' }],
    };
    const [a, b] = await Promise.all([postBill(body, key), postBill(body, key)]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.id).toBe(b.body.id);
    const other = await postBill({ ...body, number: 'IDEM-2' }, key).expect(409);
    expect(other.body.type).toBe('https://disty.dev/problems/idempotency-key-reuse');
    expect(
      (await t.http().get('/api/v1/vendor-bills').query({ vendorId: vendor.id }).set('Authorization', finance).expect(200)).body.total,
    ).toBe(1);
  });
  it('matches only accruals of the bill date’s month or earlier, and refuses a closed month for bills and payments', async () => {
    const vendor = await createVendor();
    const sku = `F-${randomUUID().slice(0, 8)}`;
    await fx.accrueCost(t, {
      vendor: vendor.name,
      sku,
      resellerId: r1,
      quantity: '1',
      amount: '10.00',
      accruedOn: today === monthStart ? today : monthStart,
    });
    const early = await postBill({
      vendorId: vendor.id,
      number: 'P-1',
      date: lastMonth,
      lines: [{ sku, description: 'x', quantity: 1, unitCost: '10.00', tax: '0' }],
    }).expect(422);
    expect(early.body.errors).toEqual([expect.objectContaining({ field: 'lines.0' })]);
    await fx.accrueCost(t, {
      vendor: vendor.name,
      sku,
      resellerId: r2,
      quantity: '1',
      amount: '9.00',
      accruedOn: lastMonth,
    });
    const old = await postBill({
      vendorId: vendor.id,
      number: 'P-1',
      date: lastMonth,
      lines: [{ sku, description: 'x', quantity: 1, unitCost: '10.00', tax: '0' }],
    }).expect(201);
    expect(old.body.lines[0].matches).toEqual([expect.objectContaining({ resellerId: r2, amount: '9.00' })]);

    await t
      .http()
      .post(`/api/v1/ledger/periods/${lastMonth.slice(0, 7)}/close`)
      .set('Authorization', finance)
      .expect(200);
    const closed = await postBill({
      vendorId: vendor.id,
      number: 'P-2',
      date: lastMonth,
      lines: [{ sku, description: 'x', quantity: 1, unitCost: '10.00', tax: '0' }],
    }).expect(422);
    expect(closed.body).toMatchObject({
      type: 'https://disty.dev/problems/period-closed',
      errors: [expect.objectContaining({ field: 'date' })],
    });
    const pay = await t
      .http()
      .post(`/api/v1/vendor-bills/${old.body.id}/payments`)
      .set('Authorization', finance)
      .send({ amount: '10.00', paidOn: lastMonth, reference: 'late' })
      .expect(422);
    expect(pay.body).toMatchObject({
      type: 'https://disty.dev/problems/period-closed',
      errors: [expect.objectContaining({ field: 'paidOn' })],
    });
    const before = await t
      .http()
      .post(`/api/v1/vendor-bills/${old.body.id}/payments`)
      .set('Authorization', finance)
      .send({ amount: '10.00', paidOn: '2000-01-01', reference: 'early' })
      .expect(422);
    expect(before.body.errors).toEqual([expect.objectContaining({ field: 'paidOn' })]);
    await t
      .http()
      .post(`/api/v1/vendor-bills/${randomUUID()}/payments`)
      .set('Authorization', finance)
      .send({ amount: '10.00', paidOn: today, reference: 'x' })
      .expect(404);
    expect((await reconcile(t, finance)).reconciled).toBe(true);
  });
});
