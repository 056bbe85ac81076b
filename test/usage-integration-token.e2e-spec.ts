import { Dec } from '#disty/core';
import type { TestApp } from './support/app';
import { startBillingTestApp, verifyAllBooks } from './support/billing';
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
 * Integration tokens (docs/security.md, "Integration tokens"; docs/consumption.md): an admin
 * creates a distributor-level machine identity; with its token a vendor connector imports usage
 * files and follows them (progress, rejections), and is refused everything else, even the routes
 * open to any signed-in user. The import's progress shows its bytes, lines and phase.
 */
describe('usage: an integration token imports usage and nothing else', () => {
  let t: TestApp;
  let admin: string;
  let finance: string;
  let close: () => Promise<void>;
  let f: typeof import('./factories/commerce.js');
  let cat: Awaited<ReturnType<typeof consumptionCatalog>>;
  let reseller: { id: string };
  let integration: string;
  let integrationId: string;
  const tenant = `TEN-I-${Date.now().toString(36)}`;

  beforeAll(async () => {
    const s = await startBillingTestApp('usage-integration');
    ({ t, admin, finance, close, f } = s);
    t.clock.set('2026-11-05');
    cat = await consumptionCatalog(t, admin, f.uniq());
    reseller = await f.createReseller(t);
    await consumptionSubscription(t, admin, reseller.id, cat.sku, tenant);
  });
  afterAll(() => close());

  it('is created by an admin as distributor-level identity, never for a reseller nor by finance', async () => {
    const forReseller = await t
      .http()
      .post('/api/v1/users')
      .set('Authorization', admin)
      .send({ email: 'connector@reseller.example', role: 'integration', resellerId: reseller.id });
    expect(forReseller.status).toBe(400);
    await t
      .http()
      .post('/api/v1/users')
      .set('Authorization', finance)
      .send({ email: 'connector@disty.example', role: 'integration' })
      .expect(403);
    const created = await t
      .http()
      .post('/api/v1/users')
      .set('Authorization', admin)
      .send({ email: 'connector@disty.example', role: 'integration' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ role: 'integration', resellerId: null });
    expect(created.body.token).toMatch(/^dst_/);
    integration = `Bearer ${created.body.token as string}`;
    integrationId = created.body.id;
  });

  it('imports a usage file and reads its progress and rejections', async () => {
    const lines = monthOfUsage(tenant, cat.vm, cat.gb);
    const csv = usageCsv([...lines, { recordId: 'BAD-1', tenantId: 'NO-SUCH', meterId: cat.vm, usageDate: '2026-10-02', quantity: '1' }]);
    const res = await importUsage(t, integration, cat.vendor.id, csv);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: 'COMPLETED',
      phase: null,
      rowsRead: lines.length + 1,
      rowsAccepted: lines.length,
      rowsRejected: 1,
    });
    const shown = await t.http().get(`/api/v1/usage/imports/${res.body.id}`).set('Authorization', integration).expect(200);
    expect(shown.body).toMatchObject({
      id: res.body.id,
      status: 'COMPLETED',
      bytesRead: Buffer.byteLength(csv),
    });
    const [{ created_by }]: Array<{ created_by: string }> = await t.db.query(`SELECT created_by FROM usage_imports WHERE id = $1`, [
      res.body.id,
    ]);
    expect(created_by).toBe(integrationId);
    const rejections = await t.http().get(`/api/v1/usage/imports/${res.body.id}/rejections`).set('Authorization', integration).expect(200);
    expect(rejections.body.items).toEqual([
      {
        lineNo: lines.length + 2,
        recordId: 'BAD-1',
        reason: 'unknown-tenant',
        detail: 'tenant NO-SUCH has no consumption subscription with this vendor',
      },
    ]);
    const asCsv = await t
      .http()
      .get(`/api/v1/usage/imports/${res.body.id}/rejections`)
      .query({ format: 'csv' })
      .set('Authorization', integration)
      .expect(200);
    expect(asCsv.text).toContain(`${lines.length + 2},BAD-1,unknown-tenant`);
    // Staff see the connector's import too.
    await t.http().get(`/api/v1/usage/imports/${res.body.id}`).set('Authorization', finance).expect(200);
    expect(await verifyAllBooks(t)).toEqual([]);
  });

  it('sees only its own imports: another identity’s import is a 404', async () => {
    const mine = usageJsonl([{ recordId: 'FIN-1', tenantId: tenant, meterId: cat.vm, usageDate: '2026-10-03', quantity: '2' }]);
    const theirs = await importUsage(t, finance, cat.vendor.id, mine, 'application/x-ndjson');
    expect(theirs.body).toMatchObject({ status: 'COMPLETED', rowsAccepted: 1 });
    await t.http().get(`/api/v1/usage/imports/${theirs.body.id}`).set('Authorization', integration).expect(404);
    await t.http().get(`/api/v1/usage/imports/${theirs.body.id}/rejections`).set('Authorization', integration).expect(404);
    await t
      .http()
      .get(`/api/v1/usage/imports/${theirs.body.id}/rejections`)
      .query({ format: 'csv' })
      .set('Authorization', integration)
      .expect(404);
  });

  it('gets 403 everywhere else: orders, invoices, the ledger, users, subscriptions, even who-am-I', async () => {
    const refused: Array<[string, string]> = [
      ['get', '/api/v1/orders'],
      ['post', '/api/v1/orders'],
      ['get', '/api/v1/invoices'],
      ['get', '/api/v1/ledger/entries'],
      ['get', '/api/v1/ledger/accounts'],
      ['get', '/api/v1/users'],
      ['post', '/api/v1/users'],
      ['get', '/api/v1/consumption-subscriptions'],
      ['get', '/api/v1/catalog/consumption-products'],
      ['get', `/api/v1/resellers/${reseller.id}`],
      ['get', '/api/v1/me'],
    ];
    for (const [method, path] of refused) {
      const res = await (method === 'get' ? t.http().get(path) : t.http().post(path).send({})).set('Authorization', integration);
      expect([path, res.status]).toEqual([path, 403]);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    }
  });

  it('puts the rated usage in the margin report per reseller and vendor, as the ledger holds it', async () => {
    const revenue = new Dec(await accountBalance(t, '4100', reseller.id)).neg();
    const cost = new Dec(await accountBalance(t, '5100', reseller.id));
    expect(revenue.gt(0) && cost.gt(0)).toBe(true);
    const range = { from: '2026-10-01', to: '2026-10-31', currency: 'AUD' };
    const byReseller = await t
      .http()
      .get('/api/v1/reports/margin')
      .query({ ...range, groupBy: 'reseller' })
      .set('Authorization', finance)
      .expect(200);
    const row = byReseller.body.items.find((r: { key: string }) => r.key === reseller.id);
    expect(row).toBeDefined();
    expect([new Dec(row.revenue).eq(revenue), new Dec(row.cost).eq(cost), new Dec(row.margin).eq(revenue.minus(cost))]).toEqual([
      true,
      true,
      true,
    ]);
    const byVendor = await t
      .http()
      .get('/api/v1/reports/margin')
      .query({ ...range, groupBy: 'vendor' })
      .set('Authorization', finance)
      .expect(200);
    const vendorRow = byVendor.body.items.find((r: { key: string }) => r.key === cat.vendor.name);
    expect([new Dec(vendorRow.revenue).eq(revenue), new Dec(vendorRow.cost).eq(cost)]).toEqual([true, true]);
    const bySku = await t
      .http()
      .get('/api/v1/reports/margin')
      .query({ ...range, groupBy: 'sku' })
      .set('Authorization', finance)
      .expect(200);
    expect(new Dec(bySku.body.items.find((r: { key: string }) => r.key === cat.sku).revenue).eq(revenue)).toBe(true);
    // The integration token may not read it.
    await t
      .http()
      .get('/api/v1/reports/margin')
      .query({ ...range, groupBy: 'reseller' })
      .set('Authorization', integration)
      .expect(403);
  });
});
