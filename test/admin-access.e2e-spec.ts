import { createReseller, creditLines } from './factories/commerce';
import { ADMIN_TOKEN, bearer, createTestApp, TestApp } from './support/app';
import { signInAgent, userWithPassword } from './support/sign-in';

/** API tokens for integrations, users and roles, credit limits with a reason and a history (docs/security.md §10, §11). */
describe('Admin: API tokens, users and credit-limit history', () => {
  let t: TestApp;
  beforeAll(async () => (t = await createTestApp()));
  afterAll(() => t.close());
  const admin = bearer(ADMIN_TOKEN);

  describe('API tokens', () => {
    it('are created (shown once) and revoked by users who may; a revoked token authenticates nobody', async () => {
      const r = await createReseller(t);
      const u = await userWithPassword(t, 'reseller_finance', r.id);
      const { agent, csrf } = await signInAgent(t, u.email, u.password);
      const created = await agent.post('/api/v1/me/tokens').set('X-CSRF-Token', csrf).send({ name: 'ERP integration' }).expect(201);
      expect(created.body).toMatchObject({
        name: 'ERP integration',
        token: expect.stringMatching(/^dst_/),
        lastUsedAt: null,
        revokedAt: null,
      });
      const token = created.body.token as string;
      const me = await t.http().get('/api/v1/me').set(bearer(token)).expect(200);
      expect(me.body).toMatchObject({ id: u.id, role: 'reseller_finance', resellerId: r.id });
      const list = await agent.get('/api/v1/me/tokens').expect(200);
      expect(list.body.items).toHaveLength(1);
      expect(list.body.items[0].lastUsedAt).toEqual(expect.any(String));
      expect(JSON.stringify(list.body)).not.toContain(token);
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM api_tokens WHERE token_hash = $1`, [token]);
      expect(n).toBe(0); // stored as a hash

      // Someone else's token is not theirs to revoke.
      const other = await t.user('reseller_admin', r.id);
      await t.http().delete(`/api/v1/me/tokens/${created.body.id}`).set('Authorization', other.auth).expect(404);
      await agent.delete(`/api/v1/me/tokens/${created.body.id}`).set('X-CSRF-Token', csrf).expect(204);
      await t.http().get('/api/v1/me').set(bearer(token)).expect(401);
      expect((await agent.get('/api/v1/me/tokens').expect(200)).body.items[0].revokedAt).toEqual(expect.any(String));
    });

    it('are refused to roles that may not hold them', async () => {
      const r = await createReseller(t);
      for (const role of ['buyer', 'sales'] as const) {
        const u = await t.user(role, r.id);
        await t.http().post('/api/v1/me/tokens').set('Authorization', u.auth).send({ name: 'x' }).expect(403);
        await t.http().get('/api/v1/me/tokens').set('Authorization', u.auth).expect(403);
      }
      const finance = await t.user('finance');
      await t.http().post('/api/v1/me/tokens').set('Authorization', finance.auth).send({ name: '' }).expect(400);
      await t.http().post('/api/v1/me/tokens').set('Authorization', finance.auth).send({ name: 'Ledger export' }).expect(201);
    });
  });

  describe('users and roles', () => {
    it('lets the admin create a user with a set-password link, change its role and deactivate it', async () => {
      const created = await t
        .http()
        .post('/api/v1/users')
        .set(admin)
        .send({ email: `ops.${Date.now()}@admin.example`, role: 'finance' })
        .expect(201);
      expect(created.body.setPasswordLink).toMatch(/#token=/);
      const listed = (await t.http().get('/api/v1/users').set(admin).expect(200)).body.items.find(
        (u: { id: string }) => u.id === created.body.id,
      );
      expect(listed).toMatchObject({ role: 'finance', active: true, hasPassword: false, totpEnabled: false });
      const changed = await t.http().patch(`/api/v1/users/${created.body.id}`).set(admin).send({ role: 'admin' }).expect(200);
      expect(changed.body).toMatchObject({ role: 'admin', active: true });
      const me = await t.http().get('/api/v1/me').set(bearer(created.body.token)).expect(200);
      expect(me.body.role).toBe('admin');
      // A staff user cannot get a reseller role (and the reverse).
      await t.http().patch(`/api/v1/users/${created.body.id}`).set(admin).send({ role: 'buyer' }).expect(400);
      // Deactivated: its token and sessions stop working.
      const u = await userWithPassword(t, 'finance');
      const { agent } = await signInAgent(t, u.email, u.password);
      await t.http().patch(`/api/v1/users/${u.id}`).set(admin).send({ active: false }).expect(200);
      await agent.get('/api/v1/me').expect(401);
      await t.http().get('/api/v1/me').set('Authorization', u.auth).expect(401);
      await t.http().post('/api/v1/auth/sign-in').send({ email: u.email, password: u.password }).expect(401);
      await t.http().patch(`/api/v1/users/${u.id}`).set(admin).send({ active: true }).expect(200);
      await t.http().get('/api/v1/me').set('Authorization', u.auth).expect(200);
    });

    it('keeps a reseller admin to its own reseller’s users, and nobody changes their own user', async () => {
      const a = await createReseller(t);
      const b = await createReseller(t);
      const aAdmin = await t.user('reseller_admin', a.id);
      const aBuyer = await t.user('buyer', a.id);
      const bBuyer = await t.user('buyer', b.id);
      await t.http().patch(`/api/v1/users/${aBuyer.id}`).set('Authorization', aAdmin.auth).send({ role: 'sales' }).expect(200);
      // cross-tenant: another reseller's user is not found, and unchanged
      await t.http().patch(`/api/v1/users/${bBuyer.id}`).set('Authorization', aAdmin.auth).send({ active: false }).expect(404);
      await t.http().get('/api/v1/me').set('Authorization', bBuyer.auth).expect(200);
      await t.http().patch(`/api/v1/users/${aAdmin.id}`).set('Authorization', aAdmin.auth).send({ active: false }).expect(422);
      await t.http().patch(`/api/v1/users/${aBuyer.id}`).set('Authorization', aBuyer.auth).send({ role: 'reseller_admin' }).expect(403);
      const created = await t
        .http()
        .post(`/api/v1/resellers/${a.id}/users`)
        .set('Authorization', aAdmin.auth)
        .send({ email: `buyer.${Date.now()}@a.example`, role: 'buyer' })
        .expect(201);
      expect(created.body.setPasswordLink).toMatch(/#token=/);
    });
  });

  describe('credit limits', () => {
    it('need a reason to change; every change is kept with who, when, from → to and why', async () => {
      const r = await createReseller(t, { hardwareLimit: '1000.00' });
      const url = `/api/v1/resellers/${r.id}/credit-lines/HARDWARE`;
      const refused = await t.http().put(url).set(admin).send({ limit: '5000.00' }).expect(400);
      expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'reason' })]);
      await t.http().put(url).set(admin).send({ limit: '5000.00', reason: '   ' }).expect(400);
      expect((await creditLines(t, r.id)).HARDWARE.limit).toBe('1000.00'); // unchanged
      await t.http().put(url).set(admin).send({ limit: '5000.00', reason: 'Two years of on-time payments' }).expect(200);
      await t.http().put(url).set(admin).send({ onHold: true }).expect(200); // a hold alone needs no reason
      await t.http().put(url).set(admin).send({ limit: '4000.50', onHold: false, reason: 'Trimmed after review' }).expect(200);

      const [{ id: adminId, email }] = await t.db.query(`SELECT id, email FROM users WHERE email = 'bootstrap-admin@disty.local'`);
      const history = await t.http().get(`${url}/history`).set(admin).expect(200);
      expect(history.body.items).toEqual([
        expect.objectContaining({
          fromLimit: '5000.00',
          toLimit: '4000.50',
          fromOnHold: true,
          toOnHold: false,
          reason: 'Trimmed after review',
          changedBy: adminId,
          changedByEmail: email,
        }),
        expect.objectContaining({
          fromLimit: '5000.00',
          toLimit: '5000.00',
          fromOnHold: false,
          toOnHold: true,
          reason: null,
        }),
        expect.objectContaining({
          fromLimit: '1000.00',
          toLimit: '5000.00',
          reason: 'Two years of on-time payments',
          changedAt: expect.any(String),
        }),
      ]);
      expect((await t.http().get(`/api/v1/resellers/${r.id}/credit-lines/CLOUD/history`).set(admin).expect(200)).body.items).toEqual([]);
      await t.http().get(`/api/v1/resellers/${r.id}/credit-lines/SOFTWARE/history`).set(admin).expect(404);
    });

    it('show their history to the reseller’s own admin and finance, not to others', async () => {
      const a = await createReseller(t);
      const b = await createReseller(t);
      await t
        .http()
        .put(`/api/v1/resellers/${a.id}/credit-lines/CLOUD`)
        .set(admin)
        .send({ limit: '60000.00', reason: 'Seasonal peak' })
        .expect(200);
      const path = `/api/v1/resellers/${a.id}/credit-lines/CLOUD/history`;
      const own = await t
        .http()
        .get(path)
        .set('Authorization', (await t.user('reseller_finance', a.id)).auth)
        .expect(200);
      expect(own.body.items[0]).toMatchObject({ reason: 'Seasonal peak', toLimit: '60000.00' });
      await t
        .http()
        .get(path)
        .set('Authorization', (await t.user('finance')).auth)
        .expect(200);
      // cross-tenant: reseller B's admin gets 404; a buyer may not read it at all
      await t
        .http()
        .get(path)
        .set('Authorization', (await t.user('reseller_admin', b.id)).auth)
        .expect(404);
      await t
        .http()
        .get(path)
        .set('Authorization', (await t.user('buyer', a.id)).auth)
        .expect(403);
      await t
        .http()
        .put(`/api/v1/resellers/${a.id}/credit-lines/CLOUD`)
        .set('Authorization', (await t.user('finance')).auth)
        .send({ limit: '1.00', reason: 'not mine to change' })
        .expect(403);
    });
  });
});
