import { ADMIN_TOKEN, bearer, createTestApp, TestApp } from './support/app';
import { createProduct, createReseller } from './factories/commerce';

type Auth = { auth: string };

describe('End customers: records per reseller that orders and subscriptions link to', () => {
  let t: TestApp;
  beforeAll(async () => (t = await createTestApp()));
  afterAll(() => t.close());

  const admin = (): Auth => ({ auth: bearer(ADMIN_TOKEN).Authorization });
  const create = (who: Auth, body: object) => t.http().post('/api/v1/end-customers').set('Authorization', who.auth).send(body);
  const order = (who: Auth, body: object) => t.http().post('/api/v1/orders').set('Authorization', who.auth).send(body);

  async function shop() {
    const reseller = await createReseller(t);
    const buyer = await t.user('buyer', reseller.id);
    const hw = await createProduct(t, { prices: [{ currency: 'AUD', unitPrice: '100.00' }] });
    const cloud = await createProduct(t, {
      kind: 'CLOUD',
      term: 'P1Y',
      billingFrequency: 'MONTHLY',
      prices: [{ currency: 'AUD', unitPrice: '50.00' }],
    });
    return { reseller, buyer, hw, cloud };
  }

  it('creates, searches by name (case-insensitive, prefix first), reads and patches', async () => {
    const { reseller, buyer } = await shop();
    const sales = await t.user('sales', reseller.id);
    const made = await create(buyer, {
      name: '  Harbour Dental  ',
      contactName: 'Jo Citizen',
      contactEmail: 'jo@harbour.example',
      country: 'AU',
      taxId: '51 824 753 556',
      reference: 'HD-1',
    }).expect(201);
    expect(made.body).toMatchObject({
      resellerId: reseller.id,
      name: 'Harbour Dental',
      contactName: 'Jo Citizen',
      contactEmail: 'jo@harbour.example',
      country: 'AU',
      taxId: '51 824 753 556',
      reference: 'HD-1',
    });
    await create(buyer, { name: 'Dental Partners' }).expect(201);
    await create(buyer, { name: 'Wellington Logistics' }).expect(201);

    const dup = await create(buyer, { name: 'Harbour Dental' }).expect(409);
    expect(dup.body.errors).toEqual([expect.objectContaining({ field: 'name' })]);
    const bad = await create(buyer, { name: '   ', contactEmail: 'not-an-email', country: 'aus' }).expect(400);
    expect(bad.headers['content-type']).toMatch(/problem\+json/);

    const found = await t.http().get('/api/v1/end-customers').query({ q: 'DENTAL' }).set('Authorization', sales.auth).expect(200);
    expect(found.body.total).toBe(2);
    expect(found.body.items.map((c: { name: string }) => c.name)).toEqual(['Dental Partners', 'Harbour Dental']);
    const wildcard = await t.http().get('/api/v1/end-customers').query({ q: '%' }).set('Authorization', buyer.auth).expect(200);
    expect(wildcard.body.total).toBe(0);
    const all = await t.http().get('/api/v1/end-customers').query({ pageSize: 2 }).set('Authorization', buyer.auth).expect(200);
    expect(all.body).toMatchObject({ total: 3, page: 1, pageSize: 2 });
    expect(all.body.items).toHaveLength(2);

    const got = await t.http().get(`/api/v1/end-customers/${made.body.id}`).set('Authorization', sales.auth).expect(200);
    expect(got.body.name).toBe('Harbour Dental');
    // Sales may read, not write.
    await create(sales, { name: 'Nope' }).expect(403);

    const patched = await t
      .http()
      .patch(`/api/v1/end-customers/${made.body.id}`)
      .set('Authorization', buyer.auth)
      .send({ contactEmail: 'accounts@harbour.example', taxId: null })
      .expect(200);
    expect(patched.body).toMatchObject({
      name: 'Harbour Dental',
      contactEmail: 'accounts@harbour.example',
      taxId: null,
      reference: 'HD-1',
    });
    await t
      .http()
      .patch(`/api/v1/end-customers/${made.body.id}`)
      .set('Authorization', buyer.auth)
      .send({ name: 'Dental Partners' })
      .expect(409);
    await t.http().patch(`/api/v1/end-customers/${made.body.id}`).set('Authorization', buyer.auth).send({ name: null }).expect(400);
  });

  it("keeps each reseller's end customers to itself; distributor staff see all and name the reseller", async () => {
    const a = await shop();
    const b = await shop();
    const aCustomer = (await create(a.buyer, { name: 'Only For A' }).expect(201)).body;
    const bAdmin = await t.user('reseller_admin', b.reseller.id);

    await t.http().get(`/api/v1/end-customers/${aCustomer.id}`).set('Authorization', b.buyer.auth).expect(404);
    await t.http().patch(`/api/v1/end-customers/${aCustomer.id}`).set('Authorization', bAdmin.auth).send({ name: 'Hijacked' }).expect(404);
    const bList = await t
      .http()
      .get('/api/v1/end-customers')
      .query({ resellerId: a.reseller.id })
      .set('Authorization', b.buyer.auth)
      .expect(200);
    expect(bList.body.items.map((c: { id: string }) => c.id)).not.toContain(aCustomer.id);
    await create(b.buyer, { name: 'Sneaky', resellerId: a.reseller.id }).expect(404);

    const asAdmin = await t
      .http()
      .get('/api/v1/end-customers')
      .query({ resellerId: a.reseller.id })
      .set('Authorization', admin().auth)
      .expect(200);
    expect(asAdmin.body.items.map((c: { id: string }) => c.id)).toEqual([aCustomer.id]);
    const finance = await t.user('finance');
    await t.http().get(`/api/v1/end-customers/${aCustomer.id}`).set('Authorization', finance.auth).expect(200);
    const missing = await create(admin(), { name: 'No reseller named' }).expect(400);
    expect(missing.body.errors).toEqual([expect.objectContaining({ field: 'resellerId' })]);
    await create(admin(), { name: 'Made by the distributor', resellerId: b.reseller.id }).expect(201);
    await create(admin(), { name: 'Nowhere', resellerId: '00000000-0000-4000-8000-000000000000' }).expect(404);

    // An order naming another reseller's end customer is refused, and nothing is written.
    const before = (await t.db.query(`SELECT count(*)::int AS n FROM orders WHERE reseller_id = $1`, [b.reseller.id]))[0].n;
    const refused = await order(b.buyer, {
      endCustomerId: aCustomer.id,
      lines: [{ sku: b.hw.sku, quantity: 1 }],
    }).expect(422);
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'endCustomerId' })]);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM orders WHERE reseller_id = $1`, [b.reseller.id]))[0].n).toBe(before);
    // Neither, or both, is a 400.
    await order(b.buyer, { lines: [{ sku: b.hw.sku, quantity: 1 }] }).expect(400);
    await order(b.buyer, {
      endCustomer: { name: 'X' },
      endCustomerId: aCustomer.id,
      lines: [{ sku: b.hw.sku, quantity: 1 }],
    }).expect(400);
  });

  it('links orders and their subscriptions to the record: by id, and by name reusing it (no duplicate)', async () => {
    const { reseller, buyer, hw, cloud } = await shop();
    const rec = (await create(buyer, { name: 'Seaside Studios', reference: 'SS-9' }).expect(201)).body;

    const byId = await order(buyer, {
      endCustomerId: rec.id,
      lines: [
        { sku: hw.sku, quantity: 1 },
        { sku: cloud.sku, quantity: 2 },
      ],
    }).expect(201);
    expect(byId.body.endCustomer).toEqual({ id: rec.id, name: 'Seaside Studios', reference: 'SS-9' });
    const byName = await order(buyer, {
      endCustomer: { name: 'Seaside Studios' },
      lines: [{ sku: cloud.sku, quantity: 1 }],
    }).expect(201);
    expect(byName.body.endCustomer).toEqual({ id: rec.id, name: 'Seaside Studios', reference: 'SS-9' });
    const read = await t.http().get(`/api/v1/orders/${byName.body.id}`).set('Authorization', buyer.auth).expect(200);
    expect(read.body.endCustomer).toEqual({ id: rec.id, name: 'Seaside Studios', reference: 'SS-9' });

    for (const o of [byId.body, byName.body]) {
      const subId = o.lines.find((l: { kind: string }) => l.kind === 'CLOUD').subscriptionId;
      const sub = await t.http().get(`/api/v1/subscriptions/${subId}`).set('Authorization', buyer.auth).expect(200);
      expect(sub.body.endCustomer).toEqual({ id: rec.id, name: 'Seaside Studios', reference: 'SS-9' });
    }
    const named = await t.db.query(`SELECT count(*)::int AS n FROM end_customers WHERE reseller_id = $1 AND name = 'Seaside Studios'`, [
      reseller.id,
    ]);
    expect(named[0].n).toBe(1);

    // A new name creates the record, once; a refused order leaves none.
    const fresh = await order(buyer, {
      endCustomer: { name: 'Brand New Pty Ltd', reference: 'BN-1' },
      lines: [{ sku: hw.sku, quantity: 1 }],
    }).expect(201);
    const again = await order(buyer, {
      endCustomer: { name: 'Brand New Pty Ltd' },
      lines: [{ sku: hw.sku, quantity: 1 }],
    }).expect(201);
    expect(fresh.body.endCustomer.id).toBeTruthy();
    expect(again.body.endCustomer).toEqual({
      id: fresh.body.endCustomer.id,
      name: 'Brand New Pty Ltd',
      reference: 'BN-1',
    });
    await order(buyer, {
      endCustomer: { name: 'Never Created' },
      lines: [{ sku: 'NO-SUCH-SKU', quantity: 1 }],
    }).expect(422);
    const listed = await t.http().get('/api/v1/end-customers').query({ q: 'never' }).set('Authorization', buyer.auth).expect(200);
    expect(listed.body.total).toBe(0);
  });

  it('one record when two orders name a new end customer at once', async () => {
    const { reseller, buyer, hw } = await shop();
    const body = { endCustomer: { name: 'Concurrent Co' }, lines: [{ sku: hw.sku, quantity: 1 }] };
    const [x, y] = await Promise.all([order(buyer, body), order(buyer, body)]);
    expect([x.status, y.status]).toEqual([201, 201]);
    expect(x.body.endCustomer.id).toBe(y.body.endCustomer.id);
    const n = await t.db.query(`SELECT count(*)::int AS n FROM end_customers WHERE reseller_id = $1`, [reseller.id]);
    expect(n[0].n).toBe(1);
  });
});
