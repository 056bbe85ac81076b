import { ADMIN_TOKEN, bearer, createTestApp, TestApp } from './support/app';

describe('Foundation: auth, validation and problem+json errors', () => {
  let t: TestApp;
  beforeAll(async () => (t = await createTestApp()));
  afterAll(() => t.close());

  it('answers /health with the database up', async () => {
    const res = await t.http().get('/health').expect(200);
    expect(res.body.info.database.status).toBe('up');
  });

  it('serves the OpenAPI document', async () => {
    const res = await t.http().get('/docs-json').expect(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(Object.keys(res.body.paths)).toContain('/api/v1/users');
  });

  it('refuses a request without a token with 401 problem+json', async () => {
    const res = await t.http().get('/api/v1/users').expect(401);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ type: 'https://disty.dev/problems/unauthenticated', status: 401 });
  });

  it('refuses a bad token with 401', async () => {
    await t.http().get('/api/v1/users').set(bearer('nope')).expect(401);
  });

  it('refuses a role that may not act with 403', async () => {
    const finance = await t.user('finance');
    const res = await t
      .http()
      .post('/api/v1/users')
      .set('Authorization', finance.auth)
      .send({ email: 'x@y.example', role: 'finance' })
      .expect(403);
    expect(res.body.type).toBe('https://disty.dev/problems/forbidden');
  });

  it('answers invalid and unknown fields with 400 and field errors, creating nothing', async () => {
    const res = await t
      .http()
      .post('/api/v1/users')
      .set(bearer(ADMIN_TOKEN))
      .send({ email: 'not-an-email', role: 'wizard', isRoot: true })
      .expect(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.type).toBe('https://disty.dev/problems/validation');
    const fields = res.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['email', 'role', 'isRoot']));
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM users WHERE email = 'not-an-email'`);
    expect(n).toBe(0);
  });

  it('answers a malformed JSON body with 400 problem+json', async () => {
    const res = await t
      .http()
      .post('/api/v1/users')
      .set(bearer(ADMIN_TOKEN))
      .set('Content-Type', 'application/json')
      .send('{"email": "a@b.c", ')
      .expect(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 400, type: 'https://disty.dev/problems/validation' });
  });

  it('answers an unknown route with 404 problem+json', async () => {
    const res = await t.http().get('/api/v1/no-such-thing').set(bearer(ADMIN_TOKEN)).expect(404);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.type).toBe('https://disty.dev/problems/not-found');
  });

  it('lets an admin create a distributor user whose token then works, once', async () => {
    const res = await t
      .http()
      .post('/api/v1/users')
      .set(bearer(ADMIN_TOKEN))
      .send({ email: `fin.${Date.now()}@disty.example`, role: 'finance' })
      .expect(201);
    expect(res.body.token).toMatch(/^dst_/);
    const [{ token_hash }] = await t.db.query('SELECT token_hash FROM users WHERE id = $1', [res.body.id]);
    expect(token_hash).not.toContain(res.body.token);
    await t.http().get('/api/v1/users').set(bearer(res.body.token)).expect(403);
    const list = await t.http().get('/api/v1/users').set(bearer(ADMIN_TOKEN)).expect(200);
    expect(JSON.stringify(list.body)).not.toContain('token');
  });

  it('refuses a reseller role without a reseller', async () => {
    const res = await t
      .http()
      .post('/api/v1/users')
      .set(bearer(ADMIN_TOKEN))
      .send({ email: `b.${Date.now()}@x.example`, role: 'buyer' })
      .expect(400);
    expect(res.body.detail).toMatch(/resellerId/);
  });

  it('sets security headers and a request id', async () => {
    const res = await t.http().get('/health').set('X-Request-Id', 'abc-123');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-request-id']).toBe('abc-123');
  });
});
