import { Client } from 'pg';
import Decimal from 'decimal.js';
import type { TestApp } from './support/app';
import type { OwnDatabase } from './support/own-database';
import * as postings from '../libs/invoicing/src/domain/postings';
import { DeferredCloudRevenue1764000024000 } from '../migrations/1764000024000-DeferredCloudRevenue';
import { billPeriod, realToday, reconcile } from './support/billing';

/**
 * The migration of existing data (migrations/1764000024000-DeferredCloudRevenue.ts): a cloud charge
 * invoiced under the old rule (its whole net credited to 4100) has what it has not earned by
 * yesterday moved to 2400 by one dated, explained entry, and its earned days recorded as recognised,
 * so recognition continues from there. Replayed here on a charge posted the old way.
 */
describe('deferral of cloud revenue invoiced before recognition (E2E)', () => {
  let t: TestApp;
  let db: OwnDatabase;
  let finance: string;
  let ADMIN: string;

  beforeAll(async () => {
    const { useOwnDatabase } = await import('./support/own-database.js');
    db = await useOwnDatabase('legacydefer');
    const { createTestApp, ADMIN_TOKEN } = await import('./support/app.js');
    t = await createTestApp();
    ADMIN = `Bearer ${ADMIN_TOKEN}`;
    finance = (await t.user('finance')).auth;
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const migrate = async () => {
    const c = new Client({ connectionString: db.ownerUrl });
    await c.connect();
    try {
      await c.query('BEGIN');
      await DeferredCloudRevenue1764000024000.deferLegacyCloudRevenue(c);
      await c.query('COMMIT');
    } finally {
      await c.end();
    }
  };

  it('moves the unearned part of a charge posted to 4100 to 2400 with one entry, records the earned days, and recognition carries on', async () => {
    const f = await import('./factories/commerce.js');
    const cloud = await f.createProduct(t, {
      kind: 'CLOUD',
      term: 'P1Y',
      billingFrequency: 'UPFRONT',
      prices: [{ currency: 'AUD', unitPrice: '50.00' }],
    });
    const reseller = await f.createReseller(t);
    const start = '2026-03-16';
    t.clock.set(start);
    const order = await t
      .http()
      .post('/api/v1/orders')
      .set('Authorization', ADMIN)
      .send({
        resellerId: reseller.id,
        endCustomer: { name: 'Old Co' },
        lines: [{ sku: cloud.sku, quantity: 2, startDate: start }],
      });
    t.clock.reset();
    expect(order.status).toBe(201);
    // Invoiced the old way: cloud net credited to 4100.
    const original = postings.invoicePosting;
    const spy = jest
      .spyOn(postings, 'invoicePosting')
      .mockImplementation((...args) => original(...args).map((l) => (l.accountCode === '2400' ? { ...l, accountCode: '4100' } : l)));
    await billPeriod(t, '2026-03-31', finance);
    spy.mockRestore();
    const tb = async () => {
      const r = await t
        .http()
        .get(`/api/v1/ledger/trial-balance?asOf=${realToday()}&currency=AUD`)
        .set('Authorization', finance)
        .expect(200);
      const of = (code: string) => r.body.rows.find((x: { accountCode: string }) => x.accountCode === code)?.balance ?? '0.00';
      return { revenue: of('4100'), deferred: of('2400') };
    };
    expect(await tb()).toEqual({ revenue: '1200.00', deferred: '0.00' });

    await migrate();
    const yesterday = new Date(Date.parse(realToday()) - 86_400_000).toISOString().slice(0, 10);
    const days = 365;
    const earnedDays = Math.min(days, Math.round((Date.parse(yesterday) - Date.parse(start)) / 86_400_000) + 1);
    const earned = new Decimal('1200.00').times(earnedDays).div(days).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
    expect(await tb()).toEqual({
      revenue: earned.toFixed(2),
      deferred: new Decimal('1200.00').minus(earned).toFixed(2),
    });

    const entries = await t
      .http()
      .get(`/api/v1/ledger/entries?sourceType=deferral&resellerId=${reseller.id}`)
      .set('Authorization', finance)
      .expect(200);
    expect(entries.body.total).toBe(1);
    const e = entries.body.items[0];
    expect(e.entryDate).toBe(realToday());
    expect(e.memo).toMatch(/Deferral of cloud charge .* moved to deferred revenue 2400/);
    const unearned = new Decimal('1200.00').minus(earned).toFixed(2);
    expect(e.lines.map((l: { accountCode: string; debit: string; credit: string }) => [l.accountCode, l.debit, l.credit])).toEqual([
      ['4100', unearned, '0.00'],
      ['2400', '0.00', unearned],
    ]);

    // The earned days are recognised (pointing at the invoice's entry); a second migration run adds nothing.
    const [s] = await t.db.query(`SELECT recognised_days, recognised_revenue::text AS r, legacy_days FROM revenue_schedules`);
    expect(s).toEqual({ recognised_days: earnedDays, r: earned.toFixed(4), legacy_days: earnedDays });
    await migrate();
    expect((await t.http().get(`/api/v1/ledger/entries?sourceType=deferral`).set('Authorization', finance).expect(200)).body.total).toBe(1);
    expect((await reconcile(t, finance)).differences).toEqual([]);

    // Recognition continues from yesterday: today's day only.
    const run = await t
      .http()
      .post('/api/v1/ledger/recognition/run')
      .set('Authorization', finance)
      .send({ through: realToday() })
      .expect(200);
    expect(run.body.slices).toBe(earnedDays < days ? 1 : 0);
    const after = new Decimal('1200.00')
      .times(Math.min(days, earnedDays + 1))
      .div(days)
      .toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
    expect((await tb()).revenue).toBe(after.toFixed(2));
    expect((await reconcile(t, finance)).differences).toEqual([]);
    const asOfBefore = await reconcile(t, finance, '2026-04-30');
    expect(asOfBefore.differences).toEqual([]);
  });
});
