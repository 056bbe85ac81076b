import { LedgerService } from '#disty/ledger';
import type { TestApp } from './support/app';
import { billPeriod, FORCED_CLOSE, startBillingTestApp } from './support/billing';
import {
  accountBalance,
  consumptionCatalog,
  consumptionSubscription,
  importUsage,
  monthOfUsage,
  usageCsv,
  usageJsonl,
} from './support/usage';

/**
 * Cloud consumption, end to end (docs/consumption.md): a month of daily usage for two tenants is
 * imported, re-imported (nothing changes), corrected, partly rejected, rated with a tier crossed
 * mid-month, posted daily, and billed in arrears on the consolidated invoice.
 */
describe('usage: import, rating, posting and billing in arrears', () => {
  let t: TestApp;
  let admin: string;
  let finance: string;
  let close: () => Promise<void>;
  let f: typeof import('./factories/commerce.js');
  let cat: Awaited<ReturnType<typeof consumptionCatalog>>;
  let resellerA: { id: string };
  let resellerB: { id: string };
  const tenantA = `TEN-A-${Date.now().toString(36)}`;
  const tenantB = `TEN-B-${Date.now().toString(36)}`;
  let firstImport: string;

  const usageEntries = async () => {
    const [r]: Array<{ n: number }> = await t.db.query(`SELECT count(*)::int AS n FROM journal_entries WHERE source_type = 'usage'`);
    return r.n;
  };

  beforeAll(async () => {
    const s = await startBillingTestApp('usage');
    ({ t, admin, finance, close, f } = s);
    t.clock.set('2026-11-05');
    cat = await consumptionCatalog(t, admin, f.uniq());
    resellerA = await f.createReseller(t);
    resellerB = await f.createReseller(t);
    await consumptionSubscription(t, admin, resellerA.id, cat.sku, tenantA);
    await consumptionSubscription(t, admin, resellerB.id, cat.sku, tenantB);
  });
  afterAll(() => close());

  it('refuses a tenant id a vendor already maps, and a product that is not a consumption product', async () => {
    const customer = (
      await t
        .http()
        .post('/api/v1/end-customers')
        .set('Authorization', admin)
        .send({ name: 'Dup tenant', resellerId: resellerB.id })
        .expect(201)
    ).body;
    const dup = await t
      .http()
      .post('/api/v1/consumption-subscriptions')
      .set('Authorization', admin)
      .send({ resellerId: resellerB.id, endCustomerId: customer.id, sku: cat.sku, tenantId: tenantA });
    expect(dup.status).toBe(409);
    const unknown = await t
      .http()
      .post('/api/v1/consumption-subscriptions')
      .set('Authorization', admin)
      .send({ resellerId: resellerB.id, endCustomerId: customer.id, sku: 'NOPE-1', tenantId: 'x-1' });
    expect(unknown.status).toBe(422);
    const product = await t.http().get(`/api/v1/catalog/consumption-products/${cat.sku}`).set('Authorization', admin).expect(200);
    expect(product.body).toMatchObject({ kind: 'CONSUMPTION', creditLine: 'CLOUD', vendorId: cat.vendor.id });
    expect(product.body.meters.find((m: { meterId: string }) => m.meterId === cat.gb).prices[0].tiers).toEqual([
      { from: '0', upTo: '1000', unitPrice: '0.02' },
      { from: '1000', upTo: null, unitPrice: '0.01' },
    ]);
  });

  it('imports a month of daily usage for two tenants and posts it per day; the same file again changes nothing', async () => {
    const lines = [...monthOfUsage(tenantA, cat.vm, cat.gb), ...monthOfUsage(tenantB, cat.vm, cat.gb)];
    const res = await importUsage(t, finance, cat.vendor.id, usageCsv(lines));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: 'COMPLETED',
      rowsRead: 124,
      rowsAccepted: 124,
      rowsRejected: 0,
      rowsDuplicate: 0,
    });
    firstImport = res.body.id;
    const progress = await t.http().get(`/api/v1/usage/imports/${firstImport}`).set('Authorization', finance).expect(200);
    expect(progress.body.rowsAccepted).toBe(124);

    // VM 744 h × 0.10 = 74.40; storage 1860 GB: 1000 × 0.02 + 860 × 0.01 = 28.60 → 103.00 per tenant, posted to 1190.
    expect(await accountBalance(t, '1190', resellerA.id)).toBe('103.0000');
    expect(await accountBalance(t, '4100', resellerA.id)).toBe('-103.0000');
    // Cost: 744 × 0.07 + 1860 × 0.005 = 52.08 + 9.30.
    expect(await accountBalance(t, '5100', resellerA.id)).toBe('61.3800');
    expect(await accountBalance(t, '2050', resellerA.id)).toBe('-61.3800');
    const entries = await usageEntries();
    expect(entries).toBe(62); // one per reseller and day

    const again = await importUsage(t, finance, cat.vendor.id, usageCsv(lines));
    expect(again.body).toMatchObject({
      status: 'COMPLETED',
      rowsRead: 124,
      rowsAccepted: 0,
      rowsDuplicate: 124,
    });
    expect(await usageEntries()).toBe(entries);
    expect(await accountBalance(t, '1190', resellerA.id)).toBe('103.0000');
  });

  it('prices the storage tier crossed on the 17th by the month’s running volume', async () => {
    const rows: Array<{ usage_date: string; rated_net: string }> = await t.db.query(
      `SELECT to_char(usage_date, 'YYYY-MM-DD') AS usage_date, rated_net::text FROM usage_records
        WHERE record_id LIKE $1 AND superseded_at IS NULL ORDER BY usage_date`,
      [`${tenantB}-%-gb`],
    );
    expect(rows[0].rated_net).toBe('1.2000'); // 60 × 0.02
    expect(rows[16].rated_net).toBe('1.0000'); // 960 → 1020: 40 × 0.02 + 20 × 0.01
    expect(rows[17].rated_net).toBe('0.6000'); // 60 × 0.01
  });

  it('replaces a corrected record (a higher version) by an adjustment, and posts only the difference', async () => {
    const before = await usageEntries();
    const res = await importUsage(
      t,
      finance,
      cat.vendor.id,
      usageJsonl([
        {
          recordId: `${tenantA}-2026-10-05-gb`,
          version: 2,
          tenantId: tenantA,
          meterId: cat.gb,
          usageDate: '2026-10-05',
          quantity: '100',
          unit: 'GB',
        },
      ]),
      'application/x-ndjson',
    );
    expect(res.body).toMatchObject({ status: 'COMPLETED', rowsAccepted: 1, rowsCorrected: 1 });
    const versions: Array<{ version: number; superseded: boolean; quantity: string }> = await t.db.query(
      `SELECT version, superseded_at IS NOT NULL AS superseded, quantity::text FROM usage_records WHERE record_id = $1 ORDER BY version`,
      [`${tenantA}-2026-10-05-gb`],
    );
    expect(versions).toEqual([
      { version: 1, superseded: true, quantity: '60.000000' },
      { version: 2, superseded: false, quantity: '100.000000' },
    ]);
    // Storage now 1900 GB: 1000 × 0.02 + 900 × 0.01 = 29.00 (was 28.60); cost +0.20.
    expect(await accountBalance(t, '1190', resellerA.id)).toBe('103.4000');
    expect(await accountBalance(t, '5100', resellerA.id)).toBe('61.5800');
    // The 5th moves by +0.80 and the days whose tier moved (the crossing moved from the 17th to the 16th) by their difference.
    expect(await usageEntries()).toBeGreaterThan(before);
  });

  it('lists rejected lines with reason and line number, as JSON and CSV, and still imports the good ones', async () => {
    const close = await t.http().post('/api/v1/ledger/periods/2026-09/close').set('Authorization', finance).send(FORCED_CLOSE);
    expect(close.status).toBeLessThan(300);
    const csv = usageCsv([
      { recordId: 'R-OK', tenantId: tenantB, meterId: cat.vm, usageDate: '2026-10-31', quantity: '1' },
      {
        recordId: 'R-TEN',
        tenantId: 'NO-SUCH-TENANT',
        meterId: cat.vm,
        usageDate: '2026-10-31',
        quantity: '1',
      },
      {
        recordId: 'R-MET',
        tenantId: tenantB,
        meterId: 'NO-SUCH-METER',
        usageDate: '2026-10-31',
        quantity: '1',
      },
      { recordId: 'R-NUM', tenantId: tenantB, meterId: cat.vm, usageDate: '2026-10-31', quantity: '1,5' },
      { recordId: 'R-DATE', tenantId: tenantB, meterId: cat.vm, usageDate: '2026-02-30', quantity: '1' },
      { recordId: 'R-CLOSED', tenantId: tenantB, meterId: cat.vm, usageDate: '2026-09-15', quantity: '1' },
    ])
      .replace('R-NUM,1,', 'R-NUM,1,')
      .replace(',1,5,', ',"1,5",');
    const res = await importUsage(t, finance, cat.vendor.id, csv);
    expect(res.body).toMatchObject({ status: 'COMPLETED', rowsRead: 6, rowsAccepted: 1, rowsRejected: 5 });
    const list = await t.http().get(`/api/v1/usage/imports/${res.body.id}/rejections`).set('Authorization', finance).expect(200);
    expect(list.body.items.map((r: { lineNo: number; reason: string }) => [r.lineNo, r.reason])).toEqual([
      [3, 'unknown-tenant'],
      [4, 'unknown-meter'],
      [5, 'bad-quantity'],
      [6, 'bad-date'],
      [7, 'closed-month'],
    ]);
    const asCsv = await t
      .http()
      .get(`/api/v1/usage/imports/${res.body.id}/rejections`)
      .query({ format: 'csv' })
      .set('Authorization', finance)
      .expect(200);
    expect(asCsv.headers['content-type']).toMatch(/text\/csv/);
    expect(asCsv.text.split('\n')[0]).toBe('line,recordId,reason,detail');
    expect(asCsv.text).toContain('3,R-TEN,unknown-tenant');
    const viaAccept = await t
      .http()
      .get(`/api/v1/usage/imports/${res.body.id}/rejections`)
      .set('Accept', 'text/csv')
      .set('Authorization', finance)
      .expect(200);
    expect(viaAccept.text).toBe(asCsv.text);
  });

  it('refuses a file whole when its header lacks a required column, and a non-finance user', async () => {
    const bad = await importUsage(t, finance, cat.vendor.id, 'RecordId,TenantId\nx,y\n');
    expect(bad.status).toBe(400);
    const buyer = await t.user('buyer', resellerA.id);
    expect((await importUsage(t, buyer.auth, cat.vendor.id, usageCsv([]))).status).toBe(403);
    expect((await importUsage(t, finance, cat.vendor.id, '{}', 'application/pdf')).status).toBe(415);
    const nul = await importUsage(
      t,
      finance,
      cat.vendor.id,
      `{"recordId":"N\\u0000UL","tenantId":"${tenantB}","meterId":"${cat.vm}","usageDate":"2026-10-30","quantity":"1"}\n`,
      'application/x-ndjson',
    );
    expect(nul.body).toMatchObject({ status: 'COMPLETED', rowsRejected: 1, rowsAccepted: 0 });
  });

  it('bills the month’s usage in arrears, one line per subscription and meter, with its daily detail, once', async () => {
    const { UsageBillingService } = await import('#disty/usage');
    const unbilled = async () => (await t.get(UsageBillingService).unbilledUsage(resellerA.id)).map((u) => [u.currency, u.net.toFixed(2)]);
    expect(await unbilled()).toEqual([['AUD', '103.40']]); // what the CLOUD credit line is to count
    const run = await billPeriod(t, '2026-10-31', finance);
    expect(run.status).toBe('COMPLETED');
    const list = await t.http().get('/api/v1/invoices').query({ resellerId: resellerA.id }).set('Authorization', finance).expect(200);
    expect(list.body.items).toHaveLength(1);
    const inv = (await t.http().get(`/api/v1/invoices/${list.body.items[0].id}`).set('Authorization', finance).expect(200)).body;
    const usage = inv.lines.filter((l: { source: { type: string } }) => l.source.type === 'usage');
    expect(usage).toHaveLength(2);
    const vm = usage.find((l: { description: string }) => l.description.includes(cat.vm));
    const gb = usage.find((l: { description: string }) => l.description.includes(cat.gb));
    expect(vm).toMatchObject({
      creditLine: 'CLOUD',
      net: '74.40',
      usage: { quantity: '744', unit: 'hour', unitPrice: '0.1' },
    });
    expect(gb).toMatchObject({ net: '29.00', usage: { quantity: '1900', unit: 'GB' } });
    expect(gb.tax).toBe('2.90');
    expect(await accountBalance(t, '1190', resellerA.id)).toBe('0.0000');
    expect(await accountBalance(t, '1110', resellerA.id)).toBe('113.7400');

    const detail = await t.http().get(`/api/v1/invoices/${inv.id}/lines/${gb.id}/usage.csv`).set('Authorization', finance).expect(200);
    const rows = detail.text.trim().split('\n');
    expect(rows[0]).toBe('date,records,quantity,net');
    expect(rows).toHaveLength(32);
    expect(rows[5]).toBe('2026-10-05,1,100,2.00');
    const other = await t.user('reseller_finance', resellerB.id);
    await t.http().get(`/api/v1/invoices/${inv.id}/lines/${gb.id}/usage.csv`).set('Authorization', other.auth).expect(404);

    // Billed once: a second run for a later period finds nothing more for this usage.
    const [{ n }]: Array<{ n: number }> = await t.db.query(
      `SELECT count(*)::int AS n FROM usage_records WHERE reseller_id = $1 AND superseded_at IS NULL AND billed_net <> rated_net`,
      [resellerA.id],
    );
    expect(n).toBe(0);
    expect(await unbilled()).toEqual([['AUD', '0.00']]);
  });

  it('keeps the ledger verified and reconciled (1190 and 2050 against their subledgers)', async () => {
    const { ReconciliationService, verifyBooks } = await import('#disty/payments');
    expect(await verifyBooks(t.get(LedgerService), t.get(ReconciliationService))).toEqual([]);
  });
});
