import { randomUUID } from 'crypto';
import { Client } from 'pg';
import request from 'supertest';
import type { TestApp } from './support/app';
import type * as Commerce from './factories/commerce';
import type { OwnDatabase } from './support/own-database';

/**
 * A charge's subscription and term are checked once per statement by triggers, in place of two
 * foreign keys (migration 1764001000000, docs/performance.md §15): the same rule, the same errors
 * (23503 and the foreign keys' names), on both sides, tried with raw SQL as the app and as the owner.
 */
describe('Subscription charges keep their subscription and term (statement-level keys)', () => {
  let db: OwnDatabase;
  let t: TestApp;
  let f: typeof Commerce;
  let owner: Client;
  let subscriptionId: string;
  let termId: string;
  let chargeId: string;

  beforeAll(async () => {
    const { useOwnDatabase } = await import('./support/own-database.js');
    db = await useOwnDatabase('chargekeys');
    const { createTestApp, ADMIN_TOKEN } = await import('./support/app.js');
    f = await import('./factories/commerce.js');
    t = await createTestApp();
    owner = new Client({ connectionString: db.ownerUrl });
    await owner.connect();
    const cloud = await f.createProduct(t, { kind: 'CLOUD', term: 'P1Y', billingFrequency: 'MONTHLY', vendor: 'Microsoft' });
    const reseller = await f.createReseller(t);
    const order = await request(t.app.getHttpServer())
      .post('/api/v1/orders')
      .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
      .send({ resellerId: reseller.id, endCustomer: { name: 'Keys Co' }, lines: [{ sku: cloud.sku, quantity: 2 }] });
    expect(order.status).toBe(201);
    subscriptionId = order.body.lines[0].subscriptionId;
    const charges: Array<{ id: string; term_id: string }> = await t.db.query(
      `SELECT id, term_id FROM subscription_charges WHERE subscription_id = $1 ORDER BY period_start`,
      [subscriptionId],
    );
    expect(charges).toHaveLength(12);
    [{ id: chargeId, term_id: termId }] = charges;
  });
  afterAll(async () => {
    await owner?.end();
    await t?.close();
    await db?.drop();
  });

  /** A copy of the first charge with a new id (and what `changes` says), inserted by `client`. */
  const copyCharge = (client: { query: (sql: string, params: unknown[]) => Promise<unknown> }, changes: Record<string, unknown>) =>
    client.query(
      `INSERT INTO subscription_charges
       SELECT (jsonb_populate_record(c, $2::jsonb)).* FROM subscription_charges c WHERE c.id = $1`,
      [
        chargeId,
        JSON.stringify({ id: randomUUID(), period_start: '2099-01-01', period_end: '2099-02-01', billing_date: '2099-01-01', ...changes }),
      ],
    );

  it('refuses a charge whose subscription or term does not exist, as the foreign keys did (23503)', async () => {
    const noSubscription = copyCharge(t.db, { subscription_id: randomUUID() });
    await expect(noSubscription).rejects.toThrow(/violates foreign key constraint "subscription_charges_subscription_id_fkey"/);
    await expect(noSubscription).rejects.toMatchObject({
      driverError: { code: '23503', constraint: 'subscription_charges_subscription_id_fkey' },
    });
    const noTerm = copyCharge(t.db, { term_id: randomUUID() });
    await expect(noTerm).rejects.toMatchObject({ driverError: { code: '23503', constraint: 'subscription_charges_term_id_fkey' } });
    await expect(noTerm).rejects.toMatchObject({
      driverError: { detail: expect.stringMatching(/^Key \(term_id\)=\([0-9a-f-]{36}\) is not present in table "subscription_terms"\.$/) },
    });
    // Many charges in one statement, one of them orphaned: the whole statement is refused.
    await expect(
      t.db.query(
        `INSERT INTO subscription_charges
         SELECT (jsonb_populate_record(c, jsonb_build_object('id', gen_random_uuid(), 'period_start', '2098-01-01'::date + n, 'billing_date', '2098-01-01'::date + n, 'period_end', '2098-03-01',
                 'subscription_id', CASE WHEN n = 3 THEN gen_random_uuid() ELSE c.subscription_id END))).*
           FROM subscription_charges c, generate_series(1, 5) AS n WHERE c.id = $1`,
        [chargeId],
      ),
    ).rejects.toMatchObject({ driverError: { code: '23503', constraint: 'subscription_charges_subscription_id_fkey' } });
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM subscription_charges WHERE subscription_id = $1`, [subscriptionId]);
    expect(n).toBe(12);
  });

  it('accepts a charge whose parents exist, and refuses moving a charge to a missing subscription or term', async () => {
    await expect(copyCharge(t.db, {})).resolves.toBeDefined();
    await expect(
      t.db.query(`UPDATE subscription_charges SET subscription_id = $2 WHERE id = $1`, [chargeId, randomUUID()]),
    ).rejects.toMatchObject({
      driverError: { code: '23503', constraint: 'subscription_charges_subscription_id_fkey' },
    });
    await expect(t.db.query(`UPDATE subscription_charges SET term_id = $2 WHERE id = $1`, [chargeId, randomUUID()])).rejects.toMatchObject({
      driverError: { code: '23503', constraint: 'subscription_charges_term_id_fkey' },
    });
  });

  it('refuses deleting, re-keying or truncating a subscription or term that charges reference, even as the owner', async () => {
    // A term is referenced by charges only: the error is the charges' key's.
    const refused = { code: '23503', constraint: 'subscription_charges_term_id_fkey' };
    await expect(owner.query(`DELETE FROM subscription_terms WHERE id = $1`, [termId])).rejects.toMatchObject(refused);
    await expect(owner.query(`DELETE FROM subscription_terms WHERE id = $1`, [termId])).rejects.toThrow(
      /update or delete on table "subscription_terms" violates foreign key constraint "subscription_charges_term_id_fkey"/,
    );
    await expect(owner.query(`UPDATE subscription_terms SET id = $2 WHERE id = $1`, [termId, randomUUID()])).rejects.toMatchObject(refused);
    await expect(owner.query(`TRUNCATE subscription_terms`)).rejects.toThrow(/cannot truncate/);
    // A subscription is referenced by its terms too (a foreign key that fires first): refused either way.
    await expect(owner.query(`DELETE FROM subscriptions WHERE id = $1`, [subscriptionId])).rejects.toMatchObject({ code: '23503' });
    await expect(owner.query(`UPDATE subscriptions SET id = $2 WHERE id = $1`, [subscriptionId, randomUUID()])).rejects.toMatchObject({
      code: '23503',
    });
    // CASCADE follows foreign keys only: the charges would stay behind, so the trigger refuses it.
    await expect(owner.query(`TRUNCATE subscriptions CASCADE`)).rejects.toThrow(
      /cannot truncate table "subscriptions": subscription_charges references it/,
    );
    await expect(owner.query(`TRUNCATE subscription_terms CASCADE`)).rejects.toThrow(
      /cannot truncate table "subscription_terms": subscription_charges references it/,
    );
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM subscription_charges WHERE subscription_id = $1`, [subscriptionId]);
    expect(n).toBeGreaterThanOrEqual(12);
  });

  it('a delete of a term waits for a concurrent charge on it and is then refused', async () => {
    // A second term of the subscription, with no charge yet.
    const newTerm = randomUUID();
    await owner.query(
      `INSERT INTO subscription_terms SELECT (jsonb_populate_record(t, jsonb_build_object('id', $2::uuid, 'term_no', 99))).*
         FROM subscription_terms t WHERE t.id = $1`,
      [termId, newTerm],
    );
    const writer = new Client({ connectionString: db.url });
    const deleter = new Client({ connectionString: db.ownerUrl });
    await writer.connect();
    await deleter.connect();
    try {
      await writer.query('BEGIN');
      await copyCharge(writer, { term_id: newTerm });
      const deleted = deleter.query(`DELETE FROM subscription_terms WHERE id = $1`, [newTerm]).then(
        () => 'deleted',
        (e: { code?: string; constraint?: string }) => `${e.code} ${e.constraint}`,
      );
      await new Promise((r) => setTimeout(r, 300));
      await writer.query('COMMIT');
      await expect(deleted).resolves.toBe('23503 subscription_charges_term_id_fkey');
    } finally {
      await writer.end();
      await deleter.end();
    }
  });
});
