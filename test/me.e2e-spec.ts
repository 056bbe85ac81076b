import { createReseller } from './factories/commerce';
import { createTestApp, TestApp } from './support/app';

describe('Who am I: GET /api/v1/me', () => {
  let t: TestApp;
  beforeAll(async () => (t = await createTestApp()));
  afterAll(() => t.close());

  it('tells a reseller user its role and reseller', async () => {
    const reseller = await createReseller(t);
    const sales = await t.user('sales', reseller.id);
    const res = await t.http().get('/api/v1/me').set('Authorization', sales.auth).expect(200);
    expect(res.body).toEqual({
      id: sales.id,
      email: expect.stringMatching(/^sales\./),
      role: 'sales',
      resellerId: reseller.id,
    });
  });

  it('tells distributor staff their role with no reseller, and never returns a token', async () => {
    const finance = await t.user('finance');
    const res = await t.http().get('/api/v1/me').set('Authorization', finance.auth).expect(200);
    expect(res.body).toMatchObject({ id: finance.id, role: 'finance', resellerId: null });
    expect(res.body.token).toBeUndefined();
  });

  it('refuses a request without a token with 401', async () => {
    await t.http().get('/api/v1/me').expect(401);
  });
});
