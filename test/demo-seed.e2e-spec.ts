import { seedDemoData } from '../apps/api/src/seed/demo-seed';
import type { TestApp } from './support/app';
import { createOwnDatabase, OwnDatabase } from './support/own-database';

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/**
 * The demo data set on its own empty database (the shared test database already has users, so
 * the seed would rightly skip it): loads once, through the services, and is idempotent.
 * The app module is imported after DATABASE_URL points at that database.
 */
describe('Demo seed', () => {
  const sharedUrl = process.env.DATABASE_URL!;
  let t: TestApp;
  let db: OwnDatabase;

  beforeAll(async () => {
    db = await createOwnDatabase('seed');
    process.env.DATABASE_URL = db.url;
    // Imported only now: the app reads DATABASE_URL when its module is first loaded.
    const { createTestApp } = await import('./support/app');
    t = await createTestApp();
  });

  afterAll(async () => {
    await t?.close();
    process.env.DATABASE_URL = sharedUrl;
    await db?.drop();
  });

  it('loads a catalog, three resellers with both credit lines and every reseller role, and orders; once', async () => {
    const first = await seedDemoData(t.app);
    expect(first.created).toBe(true);
    const roles = first.tokens.map((x) => x.role);
    expect(roles.filter((r) => r === 'buyer')).toHaveLength(3);
    expect(first.tokens.map((x) => x.token)).toEqual(
      expect.arrayContaining(['demo_admin_token', 'demo_finance_token', 'demo_harbour_buyer_token', 'demo_kiwi_reseller_admin_token', 'demo_pacific_sales_token']),
    );

    const admin = bearer('demo_admin_token');
    const resellers = await t.http().get('/api/v1/resellers').set(admin).expect(200);
    expect(resellers.body.items.map((r: { currency: string }) => r.currency).sort()).toEqual(['AUD', 'NZD', 'USD']);

    const products = await t.http().get('/api/v1/catalog/products').query({ pageSize: 200 }).set(admin).expect(200);
    const vendors = new Set(products.body.items.map((p: { vendor: string }) => p.vendor));
    expect([...vendors].sort()).toEqual(['Adobe', 'Cisco', 'Dell', 'HP', 'Lenovo', 'Microsoft']);
    for (const p of products.body.items) {
      expect(p.prices.map((x: { currency: string }) => x.currency).sort()).toEqual(['AUD', 'NZD', 'USD']);
    }
    expect(new Set(products.body.items.map((p: { kind: string }) => p.kind))).toEqual(new Set(['HARDWARE', 'CLOUD']));

    // every reseller token works, sees its own reseller only, and the kiwi hardware line is nearly used up
    for (const slug of ['harbour', 'kiwi', 'pacific']) {
      for (const role of ['reseller_admin', 'buyer', 'sales', 'reseller_finance']) {
        const own = await t.http().get('/api/v1/resellers').set(bearer(`demo_${slug}_${role}_token`)).expect(200);
        expect(own.body.total).toBe(1);
      }
    }
    const kiwiBuyer = bearer('demo_kiwi_buyer_token');
    const kiwi = (await t.http().get('/api/v1/resellers').set(kiwiBuyer).expect(200)).body.items[0];
    const lines = await t.http().get(`/api/v1/resellers/${kiwi.id}/credit-lines`).set(kiwiBuyer).expect(200);
    expect(lines.body.items[0]).toMatchObject({ line: 'HARDWARE', reserved: '56231.55', available: '3768.45' });
    const orders = await t.http().get('/api/v1/orders').set(kiwiBuyer).expect(200);
    expect(orders.body.total).toBe(2);

    const second = await seedDemoData(t.app);
    expect(second.created).toBe(false);
    expect(second.tokens).toEqual(first.tokens);
    const again = await t.http().get('/api/v1/resellers').set(admin).expect(200);
    expect(again.body.total).toBe(3);
  });
});
