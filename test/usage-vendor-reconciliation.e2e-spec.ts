import type { TestApp } from './support/app';
import { billPeriod, startBillingTestApp } from './support/billing';
import { consumptionCatalog, consumptionSubscription, importUsage, monthOfUsage, usageCsv } from './support/usage';

/**
 * Vendor invoice reconciliation (docs/consumption.md §9): the vendor's October invoice file is
 * compared with the usage Disty rated and accrued for October, tenant by tenant and meter by meter,
 * and with the seats whose cost was accrued as recognised, SKU by SKU;
 * the one seeded difference is found with the totals; accepting it records the vendor bill (2050
 * matched · 5900 variance · 1300 tax / 2000 gross) and clears the month's accruals.
 */
describe('usage: vendor invoice reconciliation', () => {
  let t: TestApp;
  let admin: string;
  let finance: string;
  let close: () => Promise<void>;
  let f: typeof import('./factories/commerce.js');
  let cat: Awaited<ReturnType<typeof consumptionCatalog>>;
  const tenantA = `REC-A-${Date.now().toString(36)}`;
  const tenantB = `REC-B-${Date.now().toString(36)}`;
  let reconciliationId: string;
  let seats: { sku: string };

  const vendorFile = (lines: string[][]) => ['Tenant,MeterOrSku,Quantity,Cost', ...lines.map((l) => l.join(','))].join('\n') + '\n';
  const upload = (body: string, auth = finance) =>
    t
      .http()
      .post('/api/v1/vendor-reconciliations')
      .query({ vendorId: cat.vendor.id, month: '2026-10', currency: 'AUD', fileName: 'october.csv' })
      .set('Authorization', auth)
      .set('Content-Type', 'text/csv')
      .send(body);
  const unmatched = async () => {
    const [r]: Array<{ n: number; amount: string }> = await t.db.query(
      `SELECT count(*)::int AS n, coalesce(sum(amount), 0)::text AS amount FROM cost_accruals
        WHERE lower(vendor) = lower($1) AND period = '2026-10-01' AND vendor_bill_line_id IS NULL`,
      [cat.vendor.name],
    );
    return r;
  };

  beforeAll(async () => {
    const s = await startBillingTestApp('usage-reconciliation');
    ({ t, admin, finance, close, f } = s);
    t.clock.set('2026-11-05');
    cat = await consumptionCatalog(t, admin, f.uniq());
    const a = await f.createReseller(t);
    const b = await f.createReseller(t);
    await consumptionSubscription(t, admin, a.id, cat.sku, tenantA);
    await consumptionSubscription(t, admin, b.id, cat.sku, tenantB);
    const res = await importUsage(
      t,
      finance,
      cat.vendor.id,
      usageCsv([...monthOfUsage(tenantA, cat.vm, cat.gb), ...monthOfUsage(tenantB, cat.vm, cat.gb)]),
    );
    expect(res.body).toMatchObject({ status: 'COMPLETED', rowsAccepted: 124 });
    // Seats of the same vendor: 5 seats at 10.00 (cost 7.00) from 1 October, billed monthly; October's cost is accrued as it is recognised.
    seats = await f.createProduct(t, {
      kind: 'CLOUD',
      vendor: cat.vendor.name,
      term: 'P1Y',
      billingFrequency: 'MONTHLY',
      prices: [{ currency: 'AUD', unitPrice: '10.00', costPrice: '7.00' }],
    });
    t.clock.set('2026-10-01');
    await t
      .http()
      .post('/api/v1/orders')
      .set('Authorization', admin)
      .send({
        resellerId: a.id,
        endCustomer: { name: 'Seats Co' },
        lines: [{ sku: seats.sku, quantity: 5, startDate: '2026-10-01' }],
      })
      .expect(201);
    t.clock.set('2026-11-05');
    await billPeriod(t, '2026-10-31', finance);
    await t.http().post('/api/v1/ledger/recognition/run').set('Authorization', finance).send({ through: '2026-10-31' }).expect(200);
  });
  afterAll(() => close());

  it('finds the seeded price difference between the vendor file and the accrued usage and seats, with totals', async () => {
    // Accrued per tenant: VM 744 h × 0.07 = 52.08, storage 1860 GB × 0.005 = 9.30. The vendor bills tenant B's storage at 9.90.
    const res = await upload(
      vendorFile([
        [tenantA, cat.vm, '744', '52.08'],
        [tenantA, cat.gb, '1000', '5.00'],
        [tenantA, cat.gb, '860', '4.30'],
        [tenantB, cat.vm, '744', '52.08'],
        [tenantB, cat.gb, '1860', '9.90'],
        ['', seats.sku, '5', '35.00'],
      ]),
    );
    expect(res.status).toBe(201);
    reconciliationId = res.body.id;
    expect(res.body).toMatchObject({
      month: '2026-10',
      currency: 'AUD',
      linesRead: 6,
      status: 'OPEN',
      vendorBillId: null,
      totals: {
        vendor: '158.36',
        accrued: '157.76',
        difference: '0.60',
        counts: {
          MATCHED: 4,
          PRICE_DIFFERENCE: 1,
          QUANTITY_DIFFERENCE: 0,
          MISSING_IN_DISTY: 0,
          MISSING_AT_VENDOR: 0,
        },
      },
    });
    expect(res.body.items[0]).toEqual({
      kind: 'PRICE_DIFFERENCE',
      tenantId: tenantB,
      item: cat.gb,
      sku: cat.sku,
      vendorQuantity: '1860.000000',
      vendorCost: '9.90',
      accruedQuantity: '1860.000000',
      accruedCost: '9.30',
      difference: '0.60',
    });
    expect(res.body.items.slice(1).every((i: { kind: string }) => i.kind === 'MATCHED')).toBe(true);
    expect(res.body.items.find((i: { item: string }) => i.item === seats.sku)).toMatchObject({
      kind: 'MATCHED',
      tenantId: null,
      vendorQuantity: '5.000000',
      vendorCost: '35.00',
      accruedCost: '35.00',
    });
    const list = await t
      .http()
      .get('/api/v1/vendor-reconciliations')
      .query({ vendorId: cat.vendor.id })
      .set('Authorization', finance)
      .expect(200);
    expect(list.body.items[0]).toMatchObject({
      id: reconciliationId,
      differences: 1,
      vendorTotal: '158.36',
      accruedTotal: '157.76',
    });
  });

  it('lists a tenant the vendor bills that Disty never saw, and usage the vendor did not bill, and quantity differences', async () => {
    const res = await upload(
      vendorFile([
        [tenantA, cat.vm, '740', '51.80'],
        ['GHOST-TENANT', cat.vm, '10', '0.70'],
        ['', 'SEAT-SKU-X', '3', '30.00'],
      ]),
    );
    expect(res.status).toBe(201);
    const kinds = Object.fromEntries(
      res.body.items.map((i: { tenantId: string | null; item: string; kind: string }) => [`${i.tenantId ?? ''}/${i.item}`, i.kind]),
    );
    expect(kinds).toMatchObject({
      [`${tenantA}/${cat.vm}`]: 'QUANTITY_DIFFERENCE',
      [`GHOST-TENANT/${cat.vm}`]: 'MISSING_IN_DISTY',
      '/SEAT-SKU-X': 'MISSING_IN_DISTY',
      [`${tenantA}/${cat.gb}`]: 'MISSING_AT_VENDOR',
      [`${tenantB}/${cat.vm}`]: 'MISSING_AT_VENDOR',
    });
  });

  it('refuses a file without its required columns or with a bad number, and a reseller user', async () => {
    const noCost = await upload('Tenant,MeterOrSku,Quantity\nx,y,1\n');
    expect(noCost.status).toBe(400);
    expect(noCost.body.detail).toMatch(/Cost/);
    const badNumber = await upload(vendorFile([[tenantA, cat.vm, '1,5', '1.00']]).replace('1,5', '"1,5"'));
    expect(badNumber.status).toBe(400);
    expect(badNumber.body.detail).toMatch(/Line 2/);
    const r = await f.createReseller(t);
    const rf = (await t.user('reseller_finance', r.id)).auth;
    expect((await upload(vendorFile([[tenantA, cat.vm, '1', '1.00']]), rf)).status).toBe(403);
    expect((await t.http().get(`/api/v1/vendor-reconciliations/${reconciliationId}`).set('Authorization', rf)).status).toBe(403);
  });

  it('accepting it records the vendor bill (2050 matched, 5900 the difference, 1300 tax, 2000 gross) and clears the accruals, once', async () => {
    expect((await unmatched()).amount).toBe('157.7600');
    const res = await t
      .http()
      .post(`/api/v1/vendor-reconciliations/${reconciliationId}/accept`)
      .set('Authorization', finance)
      .send({ number: 'CLOUD-2026-10', date: '2026-11-05', taxRate: '10' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ACCEPTED', vendorBillId: expect.any(String) });
    const bill = await t.http().get(`/api/v1/vendor-bills/${res.body.vendorBillId}`).set('Authorization', finance).expect(200);
    // Usage 123.36 (tax 12.34) and seats 35.00 (tax 3.50), one line each.
    expect(bill.body).toMatchObject({
      number: 'CLOUD-2026-10',
      currency: 'AUD',
      net: '158.36',
      tax: '15.84',
      gross: '174.20',
    });
    expect(await unmatched()).toEqual({ n: 0, amount: '0' });
    const lines: Array<{ account_code: string; amount: string }> = await t.db.query(
      `SELECT l.account_code, sum(l.debit - l.credit)::text AS amount FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
        WHERE e.source_type = 'vendor_bill' AND e.source_id = $1 GROUP BY l.account_code ORDER BY l.account_code`,
      [res.body.vendorBillId],
    );
    expect(lines).toEqual([
      { account_code: '1300', amount: '15.8400' },
      { account_code: '2000', amount: '-174.2000' },
      { account_code: '2050', amount: '157.7600' },
      { account_code: '5900', amount: '0.6000' },
    ]);
    const again = await t
      .http()
      .post(`/api/v1/vendor-reconciliations/${reconciliationId}/accept`)
      .set('Authorization', finance)
      .send({ number: 'CLOUD-2026-10-B', date: '2026-11-05' });
    expect(again.status).toBe(409);
    const bad = await t
      .http()
      .post(`/api/v1/vendor-reconciliations/${reconciliationId}/accept`)
      .set('Authorization', finance)
      .send({ number: 'X', date: 'soon' });
    expect(bad.status).toBe(400);
  });
});
