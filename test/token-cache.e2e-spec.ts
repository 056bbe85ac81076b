import { hashToken, IdentityService, TokenCache } from '#disty/identity';
import { createTestApp, TestApp } from './support/app';

/**
 * Token lookup without a query per request (docs/performance.md, "Token lookup"): each API
 * instance keeps verified tokens in memory, and revocation stays immediate on every instance. Two
 * app instances on the same database: a token both have cached is refused by both at once when it
 * is revoked, whoever revokes it (here plain SQL, as a script or psql would).
 */
describe('Token cache: revocation is immediate across instances', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await createTestApp();
    b = await createTestApp();
    // Start-up does not wait for the listeners; the cache answers once they listen.
    for (let i = 0; i < 300 && !(a.get(TokenCache).ready && b.get(TokenCache).ready); i++) await new Promise((r) => setTimeout(r, 100));
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  /** A request that needs only a valid token (no user read of its own): the catalog. */
  const products = (t: TestApp, auth: string) => t.http().get('/api/v1/catalog/products').set('Authorization', auth);

  /**
   * A revocation reaches the other instance as a notification sent at commit, a few milliseconds
   * later, not within the statement: wait (bounded) until neither instance holds the token, then check
   * that both refuse it. A revocation that never arrives fails here.
   */
  async function droppedOnBoth(token: string) {
    const hash = hashToken(token);
    for (let i = 0; i < 100 && (a.get(TokenCache).get(hash) || b.get(TokenCache).get(hash)); i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(a.get(TokenCache).get(hash)).toBeUndefined();
    expect(b.get(TokenCache).get(hash)).toBeUndefined();
  }

  async function cachedOnBoth(user: { token: string; auth: string }) {
    await products(a, user.auth).expect(200);
    await products(b, user.auth).expect(200);
    expect(a.get(TokenCache).get(hashToken(user.token))).toBeDefined();
    expect(b.get(TokenCache).get(hashToken(user.token))).toBeDefined();
  }

  it('serves a token from the cache once verified, and refuses it on both instances as soon as its user is deactivated', async () => {
    const user = await a.user('finance');
    await cachedOnBoth(user);
    await a.db.query('UPDATE users SET active = false WHERE id = $1', [user.id]);
    await droppedOnBoth(user.token);
    const refused = await products(b, user.auth).expect(401);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    await products(a, user.auth).expect(401);
  });

  it('refuses a replaced token at once on both instances; the new one works', async () => {
    const user = await a.user('finance');
    await cachedOnBoth(user);
    const fresh = 'dst_replacement_token_for_cache_test_' + Date.now().toString(36);
    await b.db.query('UPDATE users SET token_hash = $2 WHERE id = $1', [user.id, hashToken(fresh)]);
    await droppedOnBoth(user.token);
    await products(a, user.auth).expect(401);
    await products(b, user.auth).expect(401);
    await products(b, `Bearer ${fresh}`).expect(200);
  });

  it('applies a role change at once: a cached admin demoted to finance is refused an admin route on both instances', async () => {
    const user = await a.user('admin');
    await a.http().get('/api/v1/users').set('Authorization', user.auth).expect(200);
    await b.http().get('/api/v1/users').set('Authorization', user.auth).expect(200);
    await a.db.query(`UPDATE users SET role = 'finance' WHERE id = $1`, [user.id]);
    await droppedOnBoth(user.token);
    await b.http().get('/api/v1/users').set('Authorization', user.auth).expect(403);
    await a.http().get('/api/v1/users').set('Authorization', user.auth).expect(403);
  });

  it('refuses a named API token at once on both instances when it is revoked, and when its user is deactivated', async () => {
    const owner = await a.user('finance');
    const named = async () => {
      const res = await a
        .http()
        .post('/api/v1/me/tokens')
        .set('Authorization', owner.auth)
        .send({ name: `cache ${Date.now()}` })
        .expect(201);
      return { id: res.body.id as string, token: res.body.token as string, auth: `Bearer ${res.body.token}` };
    };
    const first = await named();
    await cachedOnBoth(first);
    await b.http().delete(`/api/v1/me/tokens/${first.id}`).set('Authorization', owner.auth).expect(204);
    expect(b.get(TokenCache).get(hashToken(first.token))).toBeUndefined(); // the revoking instance drops it before answering
    await droppedOnBoth(first.token);
    await products(a, first.auth).expect(401);
    await products(b, first.auth).expect(401);

    const second = await named();
    await cachedOnBoth(second);
    await a.db.query('UPDATE users SET active = false WHERE id = $1', [owner.id]);
    await droppedOnBoth(second.token);
    await products(b, second.auth).expect(401);
    await products(a, second.auth).expect(401);
  });

  it('never caches an unknown token: one created afterwards is accepted', async () => {
    const token = `dst_not_yet_${Date.now().toString(36)}_${process.pid}`;
    await products(a, `Bearer ${token}`).expect(401);
    await a.get(IdentityService).createUser({ email: `later.${Date.now().toString(36)}@test.example`, role: 'finance' }, token);
    await products(a, `Bearer ${token}`).expect(200);
  });
});
