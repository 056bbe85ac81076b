import { Client } from 'pg';
import type { QueryRunner } from 'typeorm';
import type { TestApp } from './support/app';
import type { OwnDatabase } from './support/own-database';
import { EndCustomers1764000030000 } from '../migrations/1764000030000-EndCustomers';
import { BillingOnBehalf1764000100000 } from '../migrations/1764000100000-BillingOnBehalf';

/**
 * The migration of existing names (migrations/1764000030000-EndCustomers.ts): orders and
 * subscriptions placed with free-text end customers become records per reseller, exact duplicates
 * merged, and every order and subscription is linked to its record. Replayed here by migrating
 * down past it and up again over orders placed by name.
 */
describe('End customers: the migration turns existing names into records (E2E)', () => {
  let t: TestApp;
  let db: OwnDatabase;
  let owner: Client;
  let ADMIN: string;

  beforeAll(async () => {
    const { useOwnDatabase } = await import('./support/own-database.js');
    db = await useOwnDatabase('endcustmig');
    const { createTestApp, ADMIN_TOKEN } = await import('./support/app.js');
    t = await createTestApp();
    ADMIN = `Bearer ${ADMIN_TOKEN}`;
    owner = new Client({ connectionString: db.ownerUrl });
    await owner.connect();
  });
  afterAll(async () => {
    await owner?.end();
    await t?.close();
    await db?.drop();
  });

  const runner = { query: (sql: string) => owner.query(sql).then((r) => r.rows) } as unknown as QueryRunner;

  it('creates one record per reseller and exact name, keeps references, and links every order and subscription', async () => {
    const f = await import('./factories/commerce.js');
    const hw = await f.createProduct(t, { prices: [{ currency: 'AUD', unitPrice: '10.00' }] });
    const cloud = await f.createProduct(t, {
      kind: 'CLOUD',
      term: 'P1Y',
      billingFrequency: 'MONTHLY',
      prices: [{ currency: 'AUD', unitPrice: '5.00' }],
    });
    const a = await f.createReseller(t);
    const b = await f.createReseller(t);
    const place = async (resellerId: string, endCustomer: object, sku: string) =>
      (
        await t
          .http()
          .post('/api/v1/orders')
          .set('Authorization', ADMIN)
          .send({ resellerId, endCustomer, lines: [{ sku, quantity: 1 }] })
          .expect(201)
      ).body;
    await place(a.id, { name: 'Old Co', reference: 'OLD-1' }, hw.sku);
    await place(a.id, { name: 'Old Co' }, cloud.sku);
    await place(a.id, { name: 'old co' }, hw.sku);
    await place(b.id, { name: 'Old Co' }, hw.sku);

    // Billing on behalf's tables refer to end customers: they go down first and come back last.
    await new BillingOnBehalf1764000100000().down(runner);
    await new EndCustomers1764000030000().down(runner);
    expect((await owner.query(`SELECT to_regclass('end_customers') AS t`)).rows[0].t).toBeNull();
    // Free text as before: one name written with spaces around it is still the same customer.
    await owner.query(`UPDATE subscriptions SET end_customer_name = '  Old Co ' WHERE reseller_id = $1`, [a.id]);
    await new EndCustomers1764000030000().up(runner);
    await new BillingOnBehalf1764000100000().up(runner);

    const records = (
      await owner.query(
        `SELECT reseller_id, name, reference FROM end_customers WHERE reseller_id = ANY($1::uuid[]) ORDER BY reseller_id = $2 DESC, name`,
        [[a.id, b.id], a.id],
      )
    ).rows;
    expect(records).toEqual([
      { reseller_id: a.id, name: 'Old Co', reference: 'OLD-1' },
      { reseller_id: a.id, name: 'old co', reference: null },
      { reseller_id: b.id, name: 'Old Co', reference: null },
    ]);
    const unlinked = (
      await owner.query(
        `SELECT (SELECT count(*) FROM orders WHERE end_customer_id IS NULL)::int AS o, (SELECT count(*) FROM subscriptions WHERE end_customer_id IS NULL)::int AS s`,
      )
    ).rows[0];
    expect(unlinked).toEqual({ o: 0, s: 0 });
    const mismatched = (
      await owner.query(
        `SELECT count(*)::int AS n FROM orders o JOIN end_customers e ON e.id = o.end_customer_id WHERE e.name <> btrim(o.end_customer_name)`,
      )
    ).rows[0].n;
    expect(mismatched).toBe(0);

    // The API reads the linked records, and a new order by name reuses the migrated one.
    const again = await place(a.id, { name: 'Old Co' }, hw.sku);
    const [oldCo] = (await owner.query(`SELECT id FROM end_customers WHERE reseller_id = $1 AND name = 'Old Co'`, [a.id])).rows;
    expect(again.endCustomer).toEqual({ id: oldCo.id, name: 'Old Co', reference: 'OLD-1' });
    const [sub] = (await owner.query(`SELECT id FROM subscriptions WHERE reseller_id = $1`, [a.id])).rows;
    const view = await t.http().get(`/api/v1/subscriptions/${sub.id}`).set('Authorization', ADMIN).expect(200);
    expect(view.body.endCustomer.id).toBe(oldCo.id);
  });
});
