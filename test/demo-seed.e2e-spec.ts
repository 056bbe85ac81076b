import { addDays, addMonthsClamped, daysBetween } from '#disty/core';
import { RenewalAlertService } from '#disty/renewal-alert';
import { seedDemoData } from '../apps/api/src/seed/demo-seed';
import { renewalScanOnStart, runStartupRenewalScan } from '../apps/api/src/seed/startup-scan';
import type { TestApp } from './support/app';
import { createOwnDatabase, OwnDatabase } from './support/own-database';

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
/** The seed's tokens by email (random per database: docs/security.md, "Demo credentials"). */
const tokens: Record<string, string> = {};
const demo = (email: string) => {
  if (!tokens[email]) throw new Error(`no demo token for ${email}`);
  return bearer(tokens[email]);
};

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
    const { createTestApp } = await import('./support/app.js');
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
    expect(first.tokens.map((x) => x.email)).toEqual(
      expect.arrayContaining([
        'admin@disty.demo',
        'finance@disty.demo',
        'buyer@harbour.demo',
        'reseller_admin@kiwi.demo',
        'sales@pacific.demo',
      ]),
    );
    for (const x of first.tokens) tokens[x.email] = x.token;
    // Random, distinct, never the fixed tokens of earlier versions (which never authenticate).
    expect(new Set(first.tokens.map((x) => x.token)).size).toBe(first.tokens.length);
    for (const x of first.tokens) expect(x.token).toMatch(/^dst_[\w-]{32}$/);
    await t.http().get('/api/v1/resellers').set(bearer('demo_admin_token')).expect(401);
    // Each demo user has a random password too (docs/security.md §1, §6): it signs in to the portal.
    expect(new Set(first.tokens.map((x) => x.password)).size).toBe(first.tokens.length);
    for (const x of first.tokens) expect(x.password.length).toBeGreaterThanOrEqual(12);
    const demoAdmin = first.tokens.find((x) => x.email === 'admin@disty.demo')!;
    const signedIn = await t.http().post('/api/v1/auth/sign-in').send({ email: demoAdmin.email, password: demoAdmin.password }).expect(200);
    expect(signedIn.body.user.role).toBe('admin');

    const admin = demo('admin@disty.demo');
    const resellers = await t.http().get('/api/v1/resellers').set(admin).expect(200);
    expect(resellers.body.items.map((r: { currency: string }) => r.currency).sort()).toEqual(['AUD', 'NZD', 'USD']);

    const products = await t.http().get('/api/v1/catalog/products').query({ pageSize: 200 }).set(admin).expect(200);
    const vendors = new Set(products.body.items.map((p: { vendor: string }) => p.vendor));
    expect([...vendors].sort()).toEqual(['Adobe', 'Cisco', 'Dell', 'HP', 'Lenovo', 'Microsoft']);
    for (const p of products.body.items) {
      expect(p.prices.map((x: { currency: string }) => x.currency).sort()).toEqual(['AUD', 'NZD', 'USD']);
    }
    expect(new Set(products.body.items.map((p: { kind: string }) => p.kind))).toEqual(new Set(['HARDWARE', 'CLOUD']));
    // Microsoft's seats follow the NCE-like commitment rules (a 7-day window); every other product has none.
    const packs = Object.fromEntries(products.body.items.map((p: { sku: string; commitmentPack: string }) => [p.sku, p.commitmentPack]));
    expect(
      Object.entries(packs)
        .filter(([, pack]) => pack === 'NCE_LIKE')
        .map(([sku]) => sku)
        .sort(),
    ).toEqual(['MS-M365-BP-P1Y', 'MS-M365-BS-P1M', 'MS-TEAMS-PHONE-P1Y']);
    expect(new Set(Object.values(packs))).toEqual(new Set(['NCE_LIKE', 'NO_COMMITMENT']));
    const nce = (await t.http().get('/api/v1/catalog/commitment-packs').set(admin).expect(200)).body.items.find(
      (c: { code: string }) => c.code === 'NCE_LIKE',
    );
    expect(nce).toMatchObject({ windowHours: 168, priceLock: true });
    // So a demo Microsoft subscription bought months ago is past its window: a seat decrease is refused.
    const harbourAdmin = demo('reseller_admin@harbour.demo');
    const subs = (await t.http().get('/api/v1/subscriptions').query({ pageSize: 200 }).set(harbourAdmin).expect(200)).body.items;
    const m365 = subs.find((x: { sku: string }) => x.sku === 'MS-M365-BP-P1Y');
    const refused = await t
      .http()
      .patch(`/api/v1/subscriptions/${m365.id}`)
      .set(harbourAdmin)
      .send({ quantity: m365.quantity - 1 })
      .expect(422);
    expect(refused.body).toMatchObject({ commitmentPack: 'NCE_LIKE', alternative: 'scheduled-change' });
    expect(refused.body.type).toMatch(/outside-commitment-window$/);

    // every reseller token works, sees its own reseller only, and the kiwi hardware line is nearly used up
    for (const slug of ['harbour', 'kiwi', 'pacific']) {
      for (const role of ['reseller_admin', 'buyer', 'sales', 'reseller_finance']) {
        const own = await t
          .http()
          .get('/api/v1/resellers')
          .set(demo(`${role}@${slug}.demo`))
          .expect(200);
        expect(own.body.total).toBe(1);
      }
    }
    const kiwiBuyer = demo('buyer@kiwi.demo');
    const kiwi = (await t.http().get('/api/v1/resellers').set(kiwiBuyer).expect(200)).body.items[0];
    const lines = await t.http().get(`/api/v1/resellers/${kiwi.id}/credit-lines`).set(kiwiBuyer).expect(200);
    expect(lines.body.items[0]).toMatchObject({
      line: 'HARDWARE',
      reserved: '56231.55',
      available: '3768.45',
    });
    const orders = await t.http().get('/api/v1/orders').set(kiwiBuyer).expect(200);
    expect(orders.body.total).toBe(2);

    const second = await seedDemoData(t.app);
    expect(second.created).toBe(false);
    expect(second.tokens).toEqual([]); // printed once: a second start knows no token
    const again = await t.http().get('/api/v1/resellers').set(admin).expect(200);
    expect(again.body.total).toBe(3);
  }, 300_000); // argon2 hashes every demo user's password: slow on a loaded machine

  it('includes renewals due in the next 90 days (terms and warranties), and the start-up scan fills the pipeline, once across instances', async () => {
    const today = t.clock.today();
    const harbourSales = demo('sales@harbour.demo');
    // Before any scan: subscription terms and warranties ending within 90 days of the real today.
    const subs = await t.http().get('/api/v1/subscriptions').query({ pageSize: 200 }).set(demo('reseller_admin@harbour.demo')).expect(200);
    const soon = subs.body.items.filter((x: { termEnd: string }) => x.termEnd <= addDays(today, 90));
    expect(soon.map((x: { sku: string; termEnd: string }) => [x.sku, x.termEnd]).sort()).toEqual(
      [
        ['ADBE-CC-ALL-P1Y', addDays(today, 80)],
        ['MS-M365-BP-P1Y', addDays(today, 20)],
        ['MS-M365-BS-P1M', expect.any(String)], // month to month: a term ends every month, no threshold alert
        ['MS-TEAMS-PHONE-P1Y', addDays(today, 50)],
        ['CSCO-UMBRELLA-P1Y', addDays(today, 72)],
      ].sort(),
    );
    expect((await t.http().get('/api/v1/renewal-alerts').set(harbourSales).expect(200)).body.total).toBe(0);

    // Two instances starting at once: one scans under the scan lock, the other skips or finds nothing left.
    const said: string[] = [];
    await Promise.all([runStartupRenewalScan(t.app, (l) => said.push(l)), runStartupRenewalScan(t.app, (l) => said.push(l))]);
    expect(said).toHaveLength(2);
    expect(said.some((l) => /alert\(s\) raised/.test(l))).toBe(true);
    // A later scan the same day raises nothing more.
    expect((await t.app.get(RenewalAlertService).scan(today)).raised).toBe(0);

    const cards = (await t.http().get('/api/v1/renewal-alerts').query({ view: 'renewals', pageSize: 200 }).set(harbourSales).expect(200))
      .body.items;
    const monthLeft = daysBetween(today, addDays(addMonthsClamped(today, 1), -1)); // the month-to-month term started today
    const seen = cards
      .map(
        (c: { endCustomer: { name: string }; source: string; threshold: number; daysLeft: number; renewalValue: string; status: string }) =>
          [c.endCustomer.name, c.source, c.threshold, c.daysLeft, c.renewalValue, c.status].join(' '),
      )
      .sort();
    expect(seen).toEqual([
      'Bondi Dental Group SUBSCRIPTION 90 80 8927.04 OPEN', // 92.99 × 12 × 8
      'Chatswood Medical Centre WARRANTY 60 40 1196.00 OPEN', // the linked HP Care Pack, 299.00 × 4
      'Chatswood Medical Centre WARRANTY 90 85 10998.00 OPEN', // no extension: the line's net, 5,499.00 × 2
      // Month to month on the NCE-like pack: no threshold alert but one window reminder (threshold 0), the month at stake: 22.70 × 6.
      `Coogee Cafe Co SUBSCRIPTION 0 ${monthLeft} 136.20 OPEN`,
      'Manly Physiotherapy SUBSCRIPTION 30 20 6534.00 OPEN', // 36.30 × 12 × 15
      'Parramatta Legal SUBSCRIPTION 60 50 5436.00 OPEN', // 15.10 × 12 × 30
      'Surry Hills Creative SUBSCRIPTION 90 72 2700.00 OPEN', // 4.50 × 12 × 50
    ]);
    const pipeline = (await t.http().get('/api/v1/renewal-alerts/pipeline').set(harbourSales).expect(200)).body;
    const coogee = cards.find((c: { endCustomer: { name: string } }) => c.endCustomer.name === 'Coogee Cafe Co');
    expect(coogee).toMatchObject({
      kind: 'WINDOW',
      sku: 'MS-M365-BS-P1M',
      autoRenew: true,
      commitmentWindow: { open: true },
    });
    expect(pipeline.total).toEqual([{ currency: 'AUD', count: 7, value: '35927.24' }]);
    // The other resellers' sales users see their own (pacific) or none (kiwi).
    const pacific = (await t.http().get('/api/v1/renewal-alerts/pipeline').set(demo('sales@pacific.demo')).expect(200)).body;
    expect(pacific.total).toEqual([{ currency: 'USD', count: 2, value: '13269.60' }]);
    const kiwi = (await t.http().get('/api/v1/renewal-alerts/pipeline').set(demo('sales@kiwi.demo')).expect(200)).body;
    expect(kiwi.total).toEqual([]);
  });

  it('scans at start-up by default, not in tests, and as RENEWAL_SCAN_ON_START says when set', () => {
    expect(renewalScanOnStart({})).toBe(true);
    expect(renewalScanOnStart({ NODE_ENV: 'production' })).toBe(true);
    expect(renewalScanOnStart({ NODE_ENV: 'test' })).toBe(false);
    expect(renewalScanOnStart({ JOBS_ENABLED: 'false' })).toBe(false);
    expect(renewalScanOnStart({ NODE_ENV: 'test', RENEWAL_SCAN_ON_START: 'true' })).toBe(true);
    expect(renewalScanOnStart({ RENEWAL_SCAN_ON_START: 'false' })).toBe(false);
    expect(renewalScanOnStart({ RENEWAL_SCAN_ON_START: '0' })).toBe(false);
  });
});
