import { Client } from 'pg';
import { IdentityService } from '#disty/identity';
import { RetireFixedDemoTokens1764000075000 } from '../migrations/1764000075000-RetireFixedDemoTokens';
import { ADMIN_TOKEN, bearer, createTestApp, TestApp } from './support/app';
import { createReseller, uniq } from './factories/commerce';

const PROBLEM = /^application\/problem\+json/;

/** Safe defaults (docs/security.md): hostile input is a 4xx problem, never a 500; no account enumeration; no fixed demo token. */
describe('Safe defaults: input, account enumeration and demo tokens', () => {
  let t: TestApp;
  beforeAll(async () => (t = await createTestApp()));
  afterAll(() => t?.close());
  const admin = () => bearer(ADMIN_TOKEN);

  describe('input', () => {
    it('answers a NUL character in a body string, a body key, a query or a path with 400 problem+json, and stores nothing', async () => {
      const name = `NUL\u0000Reseller ${uniq()}`;
      const res = await t
        .http()
        .post('/api/v1/resellers')
        .set(admin())
        .send({ name, currency: 'AUD', country: 'AU', creditLimits: { HARDWARE: '1.00', CLOUD: '1.00' } })
        .expect(400);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body).toMatchObject({
        status: 400,
        type: 'https://disty.dev/problems/validation',
        errors: [{ field: 'name', message: 'contains a NUL character' }],
      });
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM resellers WHERE name LIKE $1`, [`NUL%`]);
      expect(n).toBe(0);

      const nested = await t
        .http()
        .post('/api/v1/resellers')
        .set(admin())
        .send({
          name: 'x',
          currency: 'AUD',
          country: 'AU',
          creditLimits: { 'HARD\u0000WARE': '1.00', CLOUD: '1.00' },
        })
        .expect(400);
      expect(nested.body.errors[0].field).toBe('creditLimits.HARD\u0000WARE');

      // A free-text search reaching SQL (PostgreSQL refuses NUL in text: was a 500).
      const query = await t.http().get('/api/v1/catalog/products').query({ q: 'lap\u0000top' }).set(admin()).expect(400);
      expect(query.headers['content-type']).toMatch(PROBLEM);
      expect(query.body.errors).toEqual([{ field: 'q', message: 'contains a NUL character' }]);

      const path = await t.http().get('/api/v1/catalog/products/SKU%00X').set(admin());
      expect(path.status).toBe(400);
      expect(path.headers['content-type']).toMatch(PROBLEM);
    });

    it('answers 100,000-deep JSON with 400 problem+json before parsing it, even unauthenticated', async () => {
      const deep = '['.repeat(100_000) + ']'.repeat(100_000);
      for (const auth of [admin(), {}]) {
        const res = await t.http().post('/api/v1/resellers').set(auth).set('Content-Type', 'application/json').send(deep);
        expect(res.status).toBe(400);
        expect(res.headers['content-type']).toMatch(PROBLEM);
        expect(res.body.detail).toMatch(/nested deeper than 32 levels/);
      }
      // Deep but legal nesting inside a string is only text.
      const inString = await t
        .http()
        .post('/api/v1/resellers')
        .set(admin())
        .set('Content-Type', 'application/json')
        .send(
          JSON.stringify({
            name: `${'['.repeat(50)} ${uniq()}`,
            currency: 'AUD',
            country: 'AU',
            paymentTermsDays: 30,
            creditLimits: { HARDWARE: '1.00', CLOUD: '1.00' },
          }),
        );
      expect([inString.status, inString.body.detail]).toEqual([201, undefined]);
    });

    it('answers a text/plain body on a JSON endpoint with 415 problem+json; the CSV import still takes text/csv', async () => {
      const res = await t
        .http()
        .post('/api/v1/resellers')
        .set(admin())
        .set('Content-Type', 'text/plain')
        .send('{"name":"x","currency":"AUD","country":"AU","creditLimits":{"HARDWARE":"1","CLOUD":"1"}}');
      expect(res.status).toBe(415);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body).toMatchObject({
        status: 415,
        type: 'https://disty.dev/problems/unsupported-media-type',
      });
      expect(res.body.detail).toMatch(/text\/plain is not accepted here; send application\/json/);

      // The CSV import declares text/csv (@ApiConsumes): it parses it (a bad row is its own 400), and refuses text/plain.
      const csv = await t
        .http()
        .post('/api/v1/fx-rates/import')
        .set(admin())
        .set('Content-Type', 'text/csv')
        .send('currency,date,rate\nXXX,not-a-date,abc\n');
      expect(csv.status).toBe(400);
      const plain = await t
        .http()
        .post('/api/v1/fx-rates/import')
        .set(admin())
        .set('Content-Type', 'text/plain')
        .send('currency,date,rate\n');
      expect(plain.status).toBe(415);
      // A JSON body with a charset, and a body-less POST, are fine.
      await t
        .http()
        .post('/api/v1/resellers')
        .set(admin())
        .set('Content-Type', 'application/json; charset=utf-8')
        .send(
          JSON.stringify({
            name: `Charset ${uniq()}`,
            currency: 'AUD',
            country: 'AU',
            paymentTermsDays: 30,
            creditLimits: { HARDWARE: '1.00', CLOUD: '1.00' },
          }),
        )
        .expect(201);
    });
  });

  describe('account enumeration', () => {
    it('answers an email another reseller uses exactly as a new one; a duplicate within the reseller is a 409 that names only it', async () => {
      const a = await createReseller(t);
      const b = await createReseller(t);
      const email = `shared.${uniq()}@partner.example`.toLowerCase();
      await t.http().post(`/api/v1/resellers/${a.id}/users`).set(admin()).send({ email, role: 'buyer' }).expect(201);

      const bAdmin = await t.user('reseller_admin', b.id);
      const taken = await t.http().post(`/api/v1/resellers/${b.id}/users`).set('Authorization', bAdmin.auth).send({ email, role: 'buyer' });
      const fresh = await t
        .http()
        .post(`/api/v1/resellers/${b.id}/users`)
        .set('Authorization', bAdmin.auth)
        .send({ email: `new.${uniq()}@partner.example`, role: 'buyer' });
      expect([taken.status, fresh.status]).toEqual([201, 201]);
      expect(Object.keys(taken.body).sort()).toEqual(Object.keys(fresh.body).sort());
      expect(taken.body).toMatchObject({ email, role: 'buyer', resellerId: b.id });
      // Both users work, each in its own tenant.
      const me = await t.http().get('/api/v1/me').set(bearer(taken.body.token)).expect(200);
      expect(me.body).toMatchObject({ resellerId: b.id });

      const again = await t
        .http()
        .post(`/api/v1/resellers/${b.id}/users`)
        .set('Authorization', bAdmin.auth)
        .send({ email: email.toUpperCase(), role: 'sales' });
      expect(again.status).toBe(409);
      expect(again.headers['content-type']).toMatch(PROBLEM);
      expect(again.body.detail).toMatch(/already exists at this reseller/);
    });
  });

  describe('demo tokens', () => {
    it('never authenticates a fixed demo token of earlier versions, and the migration retires those stored', async () => {
      const r = await createReseller(t);
      const identity = t.get(IdentityService);
      const fixed = 'demo_kiwi_buyer_token';
      const u = await identity.createUser({ email: `legacy.${uniq()}@kiwi.demo`, role: 'buyer', resellerId: r.id }, fixed);
      const res = await t.http().get('/api/v1/me').set(bearer(fixed)).expect(401);
      expect(res.headers['content-type']).toMatch(PROBLEM);

      // The migration (as on a database seeded by an earlier version) replaces the stored hash.
      const before: Array<{ token_hash: string }> = await t.db.query('SELECT token_hash FROM users WHERE id = $1', [u.id]);
      const admin = new Client({
        connectionString: process.env.DISTY_TEST_ADMIN_URL!.replace(/\/[^/?]*(\?|$)/, `/${process.env.DISTY_TEST_DB}$1`),
      });
      await admin.connect();
      try {
        await new RetireFixedDemoTokens1764000075000().up({
          query: (sql: string, params?: unknown[]) => admin.query(sql, params),
        } as never);
      } finally {
        await admin.end();
      }
      const after: Array<{ token_hash: string }> = await t.db.query('SELECT token_hash FROM users WHERE id = $1', [u.id]);
      expect(after[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(after[0].token_hash).not.toBe(before[0].token_hash);
    });
  });
});
