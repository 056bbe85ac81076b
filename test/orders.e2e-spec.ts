import { randomUUID } from 'crypto';
import { Dec } from '#disty/core';
import { OrderLineBillingService } from '#disty/ordering';
import { ADMIN_TOKEN, bearer, createTestApp, TestApp } from './support/app';
import { createProduct, createReseller, creditLines, uniq } from './factories/commerce';
import { postOpeningReceivable } from './support/ledger-fixtures';

type Auth = { auth: string };

describe('Orders: one cart of hardware and cloud, priced, provisioned and reserved on two credit lines', () => {
  let t: TestApp;
  beforeAll(async () => (t = await createTestApp()));
  afterAll(() => t.close());

  const admin = () => bearer(ADMIN_TOKEN);
  const post = (who: Auth, body: object) => t.http().post('/api/v1/orders').set('Authorization', who.auth).send(body);
  const cart = (lines: Array<{ sku: string; quantity: number; startDate?: string }>, extra: object = {}) => ({
    endCustomer: { name: 'Acme Dental', reference: 'ACME-1' },
    poNumber: 'PO-1',
    lines,
    ...extra,
  });
  const ordersOf = async (resellerId: string) =>
    (await t.db.query(`SELECT count(*)::int AS n FROM orders WHERE reseller_id = $1`, [resellerId]))[0].n as number;

  /** A reseller (AUD, 10% tax) with a buyer, and a hardware and a monthly cloud product priced in AUD. */
  async function shop(limits: { hardwareLimit?: string; cloudLimit?: string } = {}) {
    const reseller = await createReseller(t, { ...limits });
    const buyer = await t.user('buyer', reseller.id);
    const hw = await createProduct(t, {
      prices: [{ currency: 'AUD', unitPrice: '100.00' }],
      warrantyMonths: 36,
    });
    const cloud = await createProduct(t, {
      kind: 'CLOUD',
      term: 'P1Y',
      billingFrequency: 'MONTHLY',
      prices: [{ currency: 'AUD', unitPrice: '50.00' }],
    });
    return { reseller, buyer, hw, cloud };
  }

  describe('placing an order', () => {
    it('prices a mixed cart in the reseller currency, with tax per line, totals and reservations per credit line', async () => {
      const { reseller, buyer, hw, cloud } = await shop();
      const annual = await createProduct(t, {
        kind: 'CLOUD',
        term: 'P3Y',
        billingFrequency: 'ANNUAL',
        prices: [{ currency: 'AUD', unitPrice: '9.99' }],
      });
      const res = await post(
        buyer,
        cart([
          { sku: hw.sku, quantity: 3 },
          { sku: cloud.sku, quantity: 5, startDate: '2026-12-01' },
          { sku: annual.sku, quantity: 7 },
        ]),
      ).expect(201);
      const o = res.body;
      expect(o).toMatchObject({
        resellerId: reseller.id,
        status: 'PLACED',
        currency: 'AUD',
        poNumber: 'PO-1',
        endCustomer: { name: 'Acme Dental', reference: 'ACME-1' },
      });
      expect(o.lines).toHaveLength(3);
      expect(o.lines[0]).toMatchObject({
        sku: hw.sku,
        kind: 'HARDWARE',
        creditLine: 'HARDWARE',
        quantity: 3,
        unitPrice: '100.00',
        net: '300.00',
        tax: '30.00',
        gross: '330.00',
        status: 'PENDING',
        warrantyMonths: 36,
        shippedOn: null,
        warrantyEnd: null,
      });
      expect(o.lines[1]).toMatchObject({
        sku: cloud.sku,
        kind: 'CLOUD',
        creditLine: 'CLOUD',
        quantity: 5,
        unitPrice: '50.00',
        net: '250.00',
        tax: '25.00',
        gross: '275.00',
        status: 'PROVISIONED',
        startDate: '2026-12-01',
      });
      expect(o.lines[1].subscriptionId).toEqual(expect.any(String));
      // annual: the first charge is a year: 9.99 × 12 × 7 = 839.16; tax 83.916 → 83.92
      expect(o.lines[2]).toMatchObject({ net: '839.16', tax: '83.92', gross: '923.08' });
      expect(o.totals).toEqual({
        HARDWARE: { net: '300.00', tax: '30.00', gross: '330.00' },
        CLOUD: { net: '1089.16', tax: '108.92', gross: '1198.08' },
      });
      expect(o.reserved).toEqual({ HARDWARE: '330.00', CLOUD: '1198.08' });
      const lines = await creditLines(t, reseller.id);
      expect(lines.HARDWARE).toMatchObject({ reserved: '330.00', available: '99670.00' });
      expect(lines.CLOUD).toMatchObject({ reserved: '1198.08', available: '48801.92' });

      const got = await t.http().get(`/api/v1/orders/${o.id}`).set('Authorization', buyer.auth).expect(200);
      expect(got.body).toEqual(o);
      const sub = await t.http().get(`/api/v1/subscriptions/${o.lines[1].subscriptionId}`).set('Authorization', buyer.auth).expect(200);
      expect(sub.body).toMatchObject({
        sku: cloud.sku,
        quantity: 5,
        orderLineId: o.lines[1].id,
        termStart: '2026-12-01',
      });
    });

    it('lets an admin order for a named reseller, and only with one', async () => {
      const { reseller, hw } = await shop();
      const res = await t
        .http()
        .post('/api/v1/orders')
        .set(admin())
        .send(cart([{ sku: hw.sku, quantity: 1 }], { resellerId: reseller.id }))
        .expect(201);
      expect(res.body.resellerId).toBe(reseller.id);
      const missing = await t
        .http()
        .post('/api/v1/orders')
        .set(admin())
        .send(cart([{ sku: hw.sku, quantity: 1 }]))
        .expect(400);
      expect(missing.body.errors.map((e: { field: string }) => e.field)).toContain('resellerId');
      await t
        .http()
        .post('/api/v1/orders')
        .set(admin())
        .send(cart([{ sku: hw.sku, quantity: 1 }], { resellerId: '00000000-0000-4000-8000-000000000000' }))
        .expect(404);
    });

    it('refuses a buyer naming another reseller (404) and orders for its own when it names itself', async () => {
      const { reseller, buyer, hw } = await shop();
      const other = await createReseller(t);
      await post(buyer, cart([{ sku: hw.sku, quantity: 1 }], { resellerId: other.id })).expect(404);
      expect(await ordersOf(other.id)).toBe(0);
      await post(buyer, cart([{ sku: hw.sku, quantity: 1 }], { resellerId: reseller.id })).expect(201);
    });

    it.each(['reseller_admin', 'sales', 'reseller_finance', 'finance'] as const)('refuses %s placing orders (403)', async (role) => {
      const { reseller, hw } = await shop();
      const u = await t.user(role, role === 'finance' ? null : reseller.id);
      const res = await post(u, cart([{ sku: hw.sku, quantity: 1 }], role === 'finance' ? { resellerId: reseller.id } : {})).expect(403);
      expect(res.body.type).toBe('https://disty.dev/problems/forbidden');
      expect(await ordersOf(reseller.id)).toBe(0);
    });

    it('refuses without a token (401)', async () => {
      await t
        .http()
        .post('/api/v1/orders')
        .send(cart([{ sku: 'X', quantity: 1 }]))
        .expect(401);
    });
  });

  describe('refusing bad carts with clear problems, creating nothing', () => {
    let s: Awaited<ReturnType<typeof shop>>;
    beforeAll(async () => (s = await shop()));

    async function expectNothing() {
      expect(await ordersOf(s.reseller.id)).toBe(0);
      const lines = await creditLines(t, s.reseller.id);
      expect(lines.HARDWARE.reserved).toBe('0.00');
      expect(lines.CLOUD.reserved).toBe('0.00');
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM subscriptions WHERE reseller_id = $1`, [s.reseller.id]);
      expect(n).toBe(0);
    }

    it('refuses an unknown SKU with 422 unknown-product naming it', async () => {
      const res = await post(
        s.buyer,
        cart([
          { sku: s.cloud.sku, quantity: 1 },
          { sku: 'NO-SUCH-SKU', quantity: 1 },
        ]),
      ).expect(422);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body).toMatchObject({
        type: 'https://disty.dev/problems/unknown-product',
        sku: 'NO-SUCH-SKU',
      });
      expect(res.body.detail).toMatch(/Line 2.*NO-SUCH-SKU/);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'lines.1.sku' })]);
      await expectNothing();
    });

    it('refuses an inactive SKU with 422 product-inactive', async () => {
      const old = await createProduct(t);
      await t.http().patch(`/api/v1/catalog/products/${old.sku}`).set(admin()).send({ active: false }).expect(200);
      const res = await post(s.buyer, cart([{ sku: old.sku, quantity: 1 }])).expect(422);
      expect(res.body).toMatchObject({ type: 'https://disty.dev/problems/product-inactive', sku: old.sku });
      await expectNothing();
    });

    it('refuses a product with no price in the reseller currency with 422 price-unavailable', async () => {
      const nzdOnly = await createProduct(t, { prices: [{ currency: 'NZD', unitPrice: '10.00' }] });
      const res = await post(
        s.buyer,
        cart([
          { sku: s.hw.sku, quantity: 1 },
          { sku: nzdOnly.sku, quantity: 1 },
        ]),
      ).expect(422);
      expect(res.body).toMatchObject({
        type: 'https://disty.dev/problems/price-unavailable',
        sku: nzdOnly.sku,
        currency: 'AUD',
      });
      await expectNothing();
    });

    it.each([
      ['quantity 0', { quantity: 0 }, 'lines.0.quantity'],
      ['a negative quantity', { quantity: -2 }, 'lines.0.quantity'],
      ['a fractional quantity', { quantity: 1.5 }, 'lines.0.quantity'],
      ['a quantity as a string', { quantity: '2' }, 'lines.0.quantity'],
      ['a missing quantity', { quantity: undefined }, 'lines.0.quantity'],
      ['an impossible start date', { startDate: '2026-02-30' }, 'lines.0.startDate'],
      ['an empty SKU', { sku: '' }, 'lines.0.sku'],
      ['an unknown line field', { colour: 'red' }, 'lines.0.colour'],
    ])('refuses %s with 400', async (_, patch, field) => {
      const res = await post(s.buyer, cart([{ sku: s.hw.sku, quantity: 1, ...patch } as never])).expect(400);
      expect(res.body.type).toBe('https://disty.dev/problems/validation');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      await expectNothing();
    });

    it('refuses a cart too large to hold with 400, before anything is written', async () => {
      const dear = await createProduct(t, { prices: [{ currency: 'AUD', unitPrice: '9999999999.99' }] });
      const dearCloud = await createProduct(t, {
        kind: 'CLOUD',
        term: 'P3Y',
        billingFrequency: 'UPFRONT',
        prices: [{ currency: 'AUD', unitPrice: '9999999999.99' }],
      });
      const res = await post(s.buyer, cart([{ sku: dear.sku, quantity: 100000 }])).expect(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'lines.0.quantity' })]);
      await post(s.buyer, cart([{ sku: dearCloud.sku, quantity: 100000 }])).expect(400);
      await post(s.buyer, cart(Array(100).fill({ sku: dear.sku, quantity: 9000 }))).expect(400);
      await expectNothing();
    });

    it('refuses an empty cart, a missing end customer and a start date on hardware with 400', async () => {
      await post(s.buyer, cart([])).expect(400);
      await post(s.buyer, { lines: [{ sku: s.hw.sku, quantity: 1 }] }).expect(400);
      await post(s.buyer, cart([{ sku: s.hw.sku, quantity: 1 }], { endCustomer: { name: '' } })).expect(400);
      await post(s.buyer, cart([{ sku: s.hw.sku, quantity: 1 }], { endCustomer: 'Acme' })).expect(400);
      await post(s.buyer, cart([{ sku: s.hw.sku, quantity: 1 }], { endCustomer: null })).expect(400);
      await post(s.buyer, cart([{ sku: s.hw.sku, quantity: 1 }], { lines: 'all' })).expect(400);
      await post(s.buyer, cart([null as never])).expect(400);
      const res = await post(s.buyer, cart([{ sku: s.hw.sku, quantity: 1, startDate: '2026-12-01' }])).expect(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'lines.0.startDate' })]);
      await t
        .http()
        .post('/api/v1/orders')
        .set('Authorization', s.buyer.auth)
        .set('Content-Type', 'application/json')
        .send('{"lines": [')
        .expect(400);
      await expectNothing();
    });
  });

  describe('credit', () => {
    it('refuses an order over the hardware line with 422 naming the line, available and requested, reserving nothing', async () => {
      const { reseller, buyer, hw, cloud } = await shop({ hardwareLimit: '1000.00' });
      await post(buyer, cart([{ sku: hw.sku, quantity: 5 }])).expect(201); // 550.00
      const res = await post(
        buyer,
        cart([
          { sku: cloud.sku, quantity: 1 },
          { sku: hw.sku, quantity: 3 },
          { sku: hw.sku, quantity: 2 },
        ]),
      ).expect(422);
      expect(res.body).toMatchObject({
        type: 'https://disty.dev/problems/credit-limit-exceeded',
        status: 422,
        creditLine: 'HARDWARE',
        available: '450.00',
        requested: '550.00',
      });
      const lines = await creditLines(t, reseller.id);
      expect(lines.HARDWARE.reserved).toBe('550.00');
      expect(lines.CLOUD.reserved).toBe('0.00');
      expect(await ordersOf(reseller.id)).toBe(1);
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM subscriptions WHERE reseller_id = $1`, [reseller.id]);
      expect(n).toBe(0);
    });

    it('the seed’s point: an exhausted hardware line does not stop cloud orders', async () => {
      const { reseller, buyer, hw, cloud } = await shop({ hardwareLimit: '11000.00', cloudLimit: '5000.00' });
      await post(buyer, cart([{ sku: hw.sku, quantity: 100 }])).expect(201); // 11,000.00: the whole hardware line
      const more = await post(buyer, cart([{ sku: hw.sku, quantity: 1 }])).expect(422);
      expect(more.body).toMatchObject({ creditLine: 'HARDWARE', available: '0.00', requested: '110.00' });
      const res = await post(buyer, cart([{ sku: cloud.sku, quantity: 20 }])).expect(201);
      expect(res.body.reserved).toEqual({ HARDWARE: '0.00', CLOUD: '1100.00' });
      const lines = await creditLines(t, reseller.id);
      expect(lines.HARDWARE).toMatchObject({ reserved: '11000.00', available: '0.00' });
      expect(lines.CLOUD).toMatchObject({ reserved: '1100.00', available: '3900.00' });
    });

    it('and the reverse: an exhausted cloud line does not stop hardware orders', async () => {
      const { reseller, buyer, hw, cloud } = await shop({ hardwareLimit: '5000.00', cloudLimit: '550.00' });
      await post(buyer, cart([{ sku: cloud.sku, quantity: 10 }])).expect(201); // 550.00
      const more = await post(
        buyer,
        cart([
          { sku: cloud.sku, quantity: 1 },
          { sku: hw.sku, quantity: 1 },
        ]),
      ).expect(422);
      expect(more.body).toMatchObject({ creditLine: 'CLOUD', available: '0.00', requested: '55.00' });
      await post(buyer, cart([{ sku: hw.sku, quantity: 10 }])).expect(201);
      const lines = await creditLines(t, reseller.id);
      expect(lines.HARDWARE.reserved).toBe('1100.00');
      expect(lines.CLOUD.reserved).toBe('550.00');
    });

    it('counts open receivables from the ledger against the line', async () => {
      const { reseller, buyer, hw } = await shop({ hardwareLimit: '500.00' });
      // Receivables are a control account: posted as the system would (a manual entry may not touch 1100).
      await postOpeningReceivable(t, {
        accountCode: '1100',
        resellerId: reseller.id,
        amount: '300.00',
        entryDate: '2026-11-01',
        memo: 'Old invoice',
      });
      const res = await post(buyer, cart([{ sku: hw.sku, quantity: 2 }])).expect(422);
      expect(res.body).toMatchObject({ creditLine: 'HARDWARE', available: '200.00', requested: '220.00' });
      await post(buyer, cart([{ sku: hw.sku, quantity: 1 }])).expect(201);
    });

    it('refuses a line on hold with 422 credit-hold while the other line still orders', async () => {
      const { buyer, reseller, hw, cloud } = await shop();
      await t.http().put(`/api/v1/resellers/${reseller.id}/credit-lines/HARDWARE`).set(admin()).send({ onHold: true }).expect(200);
      const res = await post(buyer, cart([{ sku: hw.sku, quantity: 1 }])).expect(422);
      expect(res.body).toMatchObject({
        type: 'https://disty.dev/problems/credit-hold',
        creditLine: 'HARDWARE',
      });
      await post(buyer, cart([{ sku: cloud.sku, quantity: 1 }])).expect(201);
    });

    it('prices orders after a price or tax change at the new values, leaving earlier orders alone', async () => {
      const { reseller, buyer, hw } = await shop();
      const first = await post(buyer, cart([{ sku: hw.sku, quantity: 1 }])).expect(201);
      await t
        .http()
        .patch(`/api/v1/catalog/products/${hw.sku}`)
        .set(admin())
        .send({ prices: [{ currency: 'AUD', unitPrice: '120.00' }] })
        .expect(200);
      await t.http().patch(`/api/v1/resellers/${reseller.id}`).set(admin()).send({ country: 'NZ' }).expect(200); // NZ GST 15 % from now on
      const second = await post(buyer, cart([{ sku: hw.sku, quantity: 1 }])).expect(201);
      expect(second.body.lines[0]).toMatchObject({
        unitPrice: '120.00',
        net: '120.00',
        tax: '18.00',
        gross: '138.00',
      });
      const again = await t.http().get(`/api/v1/orders/${first.body.id}`).set('Authorization', buyer.auth).expect(200);
      expect(again.body.lines[0]).toMatchObject({
        unitPrice: '100.00',
        net: '100.00',
        tax: '10.00',
        gross: '110.00',
      });
    });
  });

  describe('no overselling under concurrency', () => {
    it('accepts exactly 10 of 50 concurrent orders each for a tenth of the hardware limit', async () => {
      const { reseller, buyer, hw } = await shop({ hardwareLimit: '1100.00' });
      const results = await Promise.all(Array.from({ length: 50 }, () => post(buyer, cart([{ sku: hw.sku, quantity: 1 }]))));
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s >= 500)).toEqual([]);
      expect(statuses.filter((s) => s === 201)).toHaveLength(10);
      expect(statuses.filter((s) => s === 422)).toHaveLength(40);
      for (const r of results.filter((x) => x.status === 422)) expect(r.body.type).toBe('https://disty.dev/problems/credit-limit-exceeded');
      const lines = await creditLines(t, reseller.id);
      expect(lines.HARDWARE).toMatchObject({ reserved: '1100.00', available: '0.00' });
      expect(await ordersOf(reseller.id)).toBe(10);
    });

    it('accepts exactly 10 of 50 concurrent mixed carts touching both lines', async () => {
      const { reseller, buyer, hw, cloud } = await shop({ hardwareLimit: '1100.00', cloudLimit: '550.00' });
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          post(
            buyer,
            cart(
              i % 2
                ? [
                    { sku: hw.sku, quantity: 1 },
                    { sku: cloud.sku, quantity: 1 },
                  ]
                : [
                    { sku: cloud.sku, quantity: 1 },
                    { sku: hw.sku, quantity: 1 },
                  ],
            ),
          ),
        ),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s >= 500)).toEqual([]);
      expect(statuses.filter((s) => s === 201)).toHaveLength(10);
      expect(statuses.filter((s) => s === 422)).toHaveLength(40);
      const lines = await creditLines(t, reseller.id);
      expect(lines.HARDWARE).toMatchObject({ reserved: '1100.00', available: '0.00' });
      expect(lines.CLOUD).toMatchObject({ reserved: '550.00', available: '0.00' });
      expect(await ordersOf(reseller.id)).toBe(10);
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM subscriptions WHERE reseller_id = $1`, [reseller.id]);
      expect(n).toBe(10);
    });
  });

  describe('Idempotency-Key', () => {
    it('replays the first response and creates one order', async () => {
      const { reseller, buyer, hw } = await shop();
      const key = `order-${uniq()}`;
      const body = cart([{ sku: hw.sku, quantity: 2 }]);
      const first = await post(buyer, body).set('Idempotency-Key', key).expect(201);
      const replay = await post(buyer, body).set('Idempotency-Key', key).expect(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body).toEqual(first.body);
      expect(await ordersOf(reseller.id)).toBe(1);
      expect((await creditLines(t, reseller.id)).HARDWARE.reserved).toBe('220.00');
    });

    it('creates one order for 20 concurrent replays', async () => {
      const { reseller, buyer, hw } = await shop();
      const key = `order-${uniq()}`;
      const body = cart([{ sku: hw.sku, quantity: 1 }]);
      const results = await Promise.all(Array.from({ length: 20 }, () => post(buyer, body).set('Idempotency-Key', key)));
      expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
      expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
      expect(await ordersOf(reseller.id)).toBe(1);
      expect((await creditLines(t, reseller.id)).HARDWARE.reserved).toBe('110.00');
    });

    it('refuses the same key with another body with 409 idempotency-key-reuse', async () => {
      const { reseller, buyer, hw } = await shop();
      const key = `order-${uniq()}`;
      await post(buyer, cart([{ sku: hw.sku, quantity: 1 }]))
        .set('Idempotency-Key', key)
        .expect(201);
      const res = await post(buyer, cart([{ sku: hw.sku, quantity: 2 }]))
        .set('Idempotency-Key', key)
        .expect(409);
      expect(res.body.type).toBe('https://disty.dev/problems/idempotency-key-reuse');
      expect(await ordersOf(reseller.id)).toBe(1);
    });

    it('lets a refused order be retried with the same key once credit allows', async () => {
      const { reseller, buyer, hw } = await shop({ hardwareLimit: '100.00' });
      const key = `order-${uniq()}`;
      await post(buyer, cart([{ sku: hw.sku, quantity: 1 }]))
        .set('Idempotency-Key', key)
        .expect(422);
      await t
        .http()
        .put(`/api/v1/resellers/${reseller.id}/credit-lines/HARDWARE`)
        .set(admin())
        .send({ limit: '200.00', reason: 'test: a short hardware line' })
        .expect(200);
      await post(buyer, cart([{ sku: hw.sku, quantity: 1 }]))
        .set('Idempotency-Key', key)
        .expect(201);
    });
  });

  describe('shipping hardware lines', () => {
    it('lets an admin ship a line with serials; the warranty runs warrantyMonths from the ship date', async () => {
      const { buyer, hw, cloud } = await shop();
      const order = (
        await post(
          buyer,
          cart([
            { sku: hw.sku, quantity: 2 },
            { sku: hw.sku, quantity: 1 },
            { sku: cloud.sku, quantity: 1 },
          ]),
        ).expect(201)
      ).body;
      const [a, b, c] = order.lines;
      const res = await t
        .http()
        .post(`/api/v1/orders/${order.id}/lines/${a.id}/ship`)
        .set(admin())
        .send({ shippedOn: '2025-11-30', serialNumbers: ['SN-1', 'SN-2'] })
        .expect(200);
      // 36 months from 2025-11-30 is 2028-11-30; the last covered day is the day before (ship dates are never in the future).
      expect(res.body.lines[0]).toMatchObject({
        status: 'SHIPPED',
        shippedOn: '2025-11-30',
        serialNumbers: ['SN-1', 'SN-2'],
        warrantyEnd: '2028-11-29',
      });
      expect(res.body.status).toBe('PARTIALLY_SHIPPED');
      expect(res.body.reserved.HARDWARE).toBe('330.00'); // shipped, not yet invoiced: still reserved

      const again = await t
        .http()
        .post(`/api/v1/orders/${order.id}/lines/${a.id}/ship`)
        .set(admin())
        .send({ shippedOn: '2025-12-01' })
        .expect(409);
      expect(again.body.type).toBe('https://disty.dev/problems/conflict');
      await t.http().post(`/api/v1/orders/${order.id}/lines/${c.id}/ship`).set(admin()).send({ shippedOn: '2025-12-01' }).expect(409);
      await t
        .http()
        .post(`/api/v1/orders/${order.id}/lines/${b.id}/ship`)
        .set(admin())
        .send({ shippedOn: '2025-12-01', serialNumbers: ['X', 'Y'] })
        .expect(400);
      await t.http().post(`/api/v1/orders/${order.id}/lines/${b.id}/ship`).set(admin()).send({ shippedOn: '2026-13-01' }).expect(400);
      await t
        .http()
        .post(`/api/v1/orders/${order.id}/lines/${b.id}/ship`)
        .set('Authorization', buyer.auth)
        .send({ shippedOn: '2025-12-01' })
        .expect(403);
      const done = await t
        .http()
        .post(`/api/v1/orders/${order.id}/lines/${b.id}/ship`)
        .set(admin())
        .send({ shippedOn: '2025-12-01' })
        .expect(200);
      expect(done.body.status).toBe('FULFILLED');
      expect(done.body.lines[1]).toMatchObject({ serialNumbers: [], warrantyEnd: '2028-11-30' });
    });

    it('ships part of a line: the rest becomes a new pending line, and totals and reserved credit stay to the cent', async () => {
      const { reseller, buyer, hw } = await shop();
      const cheap = await createProduct(t, {
        prices: [{ currency: 'AUD', unitPrice: '0.35' }],
        warrantyMonths: 12,
      });
      const order = (
        await post(
          buyer,
          cart([
            { sku: cheap.sku, quantity: 7 },
            { sku: hw.sku, quantity: 2 },
          ]),
        ).expect(201)
      ).body;
      // 7 × 0.35 = 2.45, tax 0.245 → 0.25 (half-up), gross 2.70; with the 2 × 100.00 line: 222.70 reserved.
      expect(order.lines[0]).toMatchObject({ quantity: 7, net: '2.45', tax: '0.25', gross: '2.70' });
      const totals = { net: '202.45', tax: '20.25', gross: '222.70' };
      expect(order.totals.HARDWARE).toEqual(totals);
      const ship = (lineId: string, body: object) =>
        t.http().post(`/api/v1/orders/${order.id}/lines/${lineId}/ship`).set(admin()).send(body);

      // 3 now: priced as a line of 3 (1.05, tax 0.105 → 0.11); the other 4 take the rest (1.40, 0.14, 1.54).
      const first = (
        await ship(order.lines[0].id, {
          shippedOn: '2025-11-30',
          quantity: 3,
          serialNumbers: ['A', 'B', 'C'],
        }).expect(200)
      ).body;
      expect(first.status).toBe('PARTIALLY_SHIPPED');
      expect(first.lines).toHaveLength(3);
      expect(first.lines[0]).toMatchObject({
        id: order.lines[0].id,
        quantity: 3,
        net: '1.05',
        tax: '0.11',
        gross: '1.16',
        status: 'SHIPPED',
        serialNumbers: ['A', 'B', 'C'],
        warrantyEnd: '2026-11-29',
      });
      expect(first.lines[1]).toMatchObject({ id: order.lines[1].id, status: 'PENDING' });
      const rest = first.lines[2];
      expect(rest).toMatchObject({
        sku: cheap.sku,
        kind: 'HARDWARE',
        quantity: 4,
        unitPrice: '0.35',
        net: '1.40',
        tax: '0.14',
        gross: '1.54',
        status: 'PENDING',
        warrantyMonths: 12,
        shippedOn: null,
        serialNumbers: [],
      });
      expect(first.totals.HARDWARE).toEqual(totals);
      expect(first.reserved.HARDWARE).toBe('222.70');
      expect((await creditLines(t, reseller.id)).HARDWARE.reserved).toBe('222.70');

      // More units than the line holds, more serials than units shipped, zero: 400, and nothing changes.
      await ship(rest.id, { shippedOn: '2025-12-01', quantity: 5 }).expect(400);
      await ship(rest.id, { shippedOn: '2025-12-01', quantity: 1, serialNumbers: ['X', 'Y'] }).expect(400);
      await ship(rest.id, { shippedOn: '2025-12-01', quantity: 0 }).expect(400);
      await ship(rest.id, { shippedOn: '2025-12-01', quantity: 1.5 }).expect(400);
      const unchanged = (await t.http().get(`/api/v1/orders/${order.id}`).set('Authorization', buyer.auth).expect(200)).body;
      expect(unchanged.lines).toEqual(first.lines);

      // 1 of the 4: 0.35, tax 0.035 → 0.04; the last 3 keep the remainder (1.05, 0.10), not a re-rounded 0.11.
      const second = (await ship(rest.id, { shippedOn: '2025-12-01', quantity: 1 }).expect(200)).body;
      expect(second.lines.map((l: { quantity: number; gross: string; status: string }) => [l.quantity, l.gross, l.status])).toEqual([
        [3, '1.16', 'SHIPPED'],
        [2, '220.00', 'PENDING'],
        [1, '0.39', 'SHIPPED'],
        [3, '1.15', 'PENDING'],
      ]);
      expect(second.totals.HARDWARE).toEqual(totals);

      // Cancelling what waits frees exactly its share; what shipped stays reserved until invoiced.
      const cancelled = (await t.http().post(`/api/v1/orders/${order.id}/cancel`).set('Authorization', buyer.auth).send({}).expect(200))
        .body;
      expect(cancelled.status).toBe('FULFILLED');
      expect(cancelled.reserved.HARDWARE).toBe('1.55');
      expect((await creditLines(t, reseller.id)).HARDWARE.reserved).toBe('1.55');
      const unbilled = await t.db.transaction((em) =>
        t.get(OrderLineBillingService).takeUnbilledShippedLines(em, reseller.id, '2026-12-31', randomUUID()),
      );
      expect(unbilled.map((l) => [l.quantity, l.gross.toFixed(2)])).toEqual([
        [3, '1.16'],
        [1, '0.39'],
      ]);
    });

    it('splits a line once when two partial shipments of it arrive at once', async () => {
      const { reseller, buyer, hw } = await shop();
      const order = (await post(buyer, cart([{ sku: hw.sku, quantity: 5 }])).expect(201)).body;
      const ship = () =>
        t
          .http()
          .post(`/api/v1/orders/${order.id}/lines/${order.lines[0].id}/ship`)
          .set(admin())
          .send({ shippedOn: '2025-12-01', quantity: 2 });
      const statuses = (await Promise.all([ship(), ship()])).map((r) => r.status).sort();
      expect(statuses).toEqual([200, 409]);
      const got = (await t.http().get(`/api/v1/orders/${order.id}`).set('Authorization', buyer.auth).expect(200)).body;
      expect(got.lines.map((l: { quantity: number; status: string }) => [l.quantity, l.status])).toEqual([
        [2, 'SHIPPED'],
        [3, 'PENDING'],
      ]);
      expect((await creditLines(t, reseller.id)).HARDWARE.reserved).toBe('550.00');
    });

    it('clamps the warranty end at month ends', async () => {
      const { buyer } = await shop();
      const oneMonth = await createProduct(t, { warrantyMonths: 1 });
      const order = (await post(buyer, cart([{ sku: oneMonth.sku, quantity: 1 }])).expect(201)).body;
      const res = await t
        .http()
        .post(`/api/v1/orders/${order.id}/lines/${order.lines[0].id}/ship`)
        .set(admin())
        .send({ shippedOn: '2026-01-31' })
        .expect(200);
      // 2026-01-31 + 1 month = 2026-02-28 (clamped); covered through 2026-02-27
      expect(res.body.lines[0].warrantyEnd).toBe('2026-02-27');
    });

    it('answers unknown orders and lines with 404', async () => {
      const { buyer, hw } = await shop();
      const order = (await post(buyer, cart([{ sku: hw.sku, quantity: 1 }])).expect(201)).body;
      await t
        .http()
        .post(`/api/v1/orders/${order.id}/lines/00000000-0000-4000-8000-000000000000/ship`)
        .set(admin())
        .send({ shippedOn: '2025-12-01' })
        .expect(404);
      await t
        .http()
        .post(`/api/v1/orders/00000000-0000-4000-8000-000000000000/lines/${order.lines[0].id}/ship`)
        .set(admin())
        .send({ shippedOn: '2025-12-01' })
        .expect(404);
      await t.http().post(`/api/v1/orders/${order.id}/lines/nope/ship`).set(admin()).send({ shippedOn: '2025-12-01' }).expect(404);
    });
  });

  describe('cancelling', () => {
    it('lets a buyer cancel unshipped hardware lines, freeing their reservation', async () => {
      const { reseller, buyer, hw, cloud } = await shop();
      const order = (
        await post(
          buyer,
          cart([
            { sku: hw.sku, quantity: 1 },
            { sku: hw.sku, quantity: 2 },
            { sku: cloud.sku, quantity: 1 },
          ]),
        ).expect(201)
      ).body;
      await t
        .http()
        .post(`/api/v1/orders/${order.id}/lines/${order.lines[0].id}/ship`)
        .set(admin())
        .send({ shippedOn: '2026-11-25' })
        .expect(200);
      expect((await creditLines(t, reseller.id)).HARDWARE.reserved).toBe('330.00');

      await t
        .http()
        .post(`/api/v1/orders/${order.id}/cancel`)
        .set('Authorization', buyer.auth)
        .send({ lineIds: [order.lines[0].id] })
        .expect(409);
      await t
        .http()
        .post(`/api/v1/orders/${order.id}/cancel`)
        .set('Authorization', buyer.auth)
        .send({ lineIds: [order.lines[2].id] })
        .expect(409);
      const res = await t.http().post(`/api/v1/orders/${order.id}/cancel`).set('Authorization', buyer.auth).send({}).expect(200);
      expect(res.body.lines.map((l: { status: string }) => l.status)).toEqual(['SHIPPED', 'CANCELLED', 'PROVISIONED']);
      expect(res.body.status).toBe('FULFILLED');
      expect(res.body.totals.HARDWARE).toEqual({ net: '100.00', tax: '10.00', gross: '110.00' });
      expect(res.body.reserved).toEqual({ HARDWARE: '110.00', CLOUD: '55.00' });
      const lines = await creditLines(t, reseller.id);
      expect(lines.HARDWARE.reserved).toBe('110.00');
      expect(lines.CLOUD.reserved).toBe('55.00');

      const again = await t.http().post(`/api/v1/orders/${order.id}/cancel`).set('Authorization', buyer.auth).send({}).expect(409);
      expect(again.body.type).toBe('https://disty.dev/problems/conflict');
    });

    it('lets an admin cancel a whole order; the credit comes back', async () => {
      const { reseller, buyer, hw } = await shop({ hardwareLimit: '110.00' });
      const order = (await post(buyer, cart([{ sku: hw.sku, quantity: 1 }])).expect(201)).body;
      await post(buyer, cart([{ sku: hw.sku, quantity: 1 }])).expect(422);
      const res = await t.http().post(`/api/v1/orders/${order.id}/cancel`).set(admin()).send({}).expect(200);
      expect(res.body.status).toBe('CANCELLED');
      expect(res.body.reserved.HARDWARE).toBe('0.00');
      expect((await creditLines(t, reseller.id)).HARDWARE.available).toBe('110.00');
      await post(buyer, cart([{ sku: hw.sku, quantity: 1 }])).expect(201);
      await t
        .http()
        .post(`/api/v1/orders/${order.id}/lines/${order.lines[0].id}/ship`)
        .set(admin())
        .send({ shippedOn: '2026-11-25' })
        .expect(409);
    });

    it('refuses other roles (403) and other resellers’ buyers (404)', async () => {
      const { reseller, buyer, hw } = await shop();
      const order = (await post(buyer, cart([{ sku: hw.sku, quantity: 1 }])).expect(201)).body;
      for (const role of ['sales', 'reseller_finance', 'reseller_admin'] as const) {
        const u = await t.user(role, reseller.id);
        await t.http().post(`/api/v1/orders/${order.id}/cancel`).set('Authorization', u.auth).send({}).expect(403);
      }
      const other = await shop();
      await t.http().post(`/api/v1/orders/${order.id}/cancel`).set('Authorization', other.buyer.auth).send({}).expect(404);
      await t
        .http()
        .post(`/api/v1/orders/${order.id}/cancel`)
        .set('Authorization', buyer.auth)
        .send({ lineIds: ['00000000-0000-4000-8000-000000000000'] })
        .expect(404);
      await t
        .http()
        .post(`/api/v1/orders/${order.id}/cancel`)
        .set('Authorization', buyer.auth)
        .send({ lineIds: ['x'] })
        .expect(400);
      expect((await creditLines(t, reseller.id)).HARDWARE.reserved).toBe('110.00');
    });
  });

  describe('listing and tenant isolation', () => {
    it('shows reseller users only their own orders, credit lines and subscriptions; others are 404', async () => {
      const a = await shop();
      const b = await shop();
      const orderA = (
        await post(
          a.buyer,
          cart([
            { sku: a.hw.sku, quantity: 1 },
            { sku: a.cloud.sku, quantity: 1 },
          ]),
        ).expect(201)
      ).body;
      const orderB = (await post(b.buyer, cart([{ sku: b.hw.sku, quantity: 1 }])).expect(201)).body;

      const nf = await t.http().get(`/api/v1/orders/${orderA.id}`).set('Authorization', b.buyer.auth).expect(404);
      expect(nf.body.type).toBe('https://disty.dev/problems/not-found');
      await t.http().get(`/api/v1/resellers/${a.reseller.id}/credit-lines`).set('Authorization', b.buyer.auth).expect(404);
      await t.http().get(`/api/v1/subscriptions/${orderA.lines[1].subscriptionId}`).set('Authorization', b.buyer.auth).expect(404);

      const listB = await t.http().get('/api/v1/orders').set('Authorization', b.buyer.auth).expect(200);
      expect(listB.body.items.map((o: { id: string }) => o.id)).toEqual([orderB.id]);
      expect(listB.body).toMatchObject({ total: 1, page: 1, pageSize: 50 });
      // a reseller user cannot widen the scope by asking for another reseller
      const sneaky = await t
        .http()
        .get('/api/v1/orders')
        .query({ resellerId: a.reseller.id })
        .set('Authorization', b.buyer.auth)
        .expect(200);
      expect(sneaky.body.items.map((o: { id: string }) => o.id)).toEqual([orderB.id]);

      const raA = await t.user('reseller_admin', a.reseller.id);
      const listA = await t.http().get('/api/v1/orders').set('Authorization', raA.auth).expect(200);
      expect(listA.body.items.map((o: { id: string }) => o.id)).toEqual([orderA.id]);

      const finance = await t.user('finance');
      const forA = await t.http().get('/api/v1/orders').query({ resellerId: a.reseller.id }).set('Authorization', finance.auth).expect(200);
      expect(forA.body.items.map((o: { id: string }) => o.id)).toEqual([orderA.id]);
      await t.http().get(`/api/v1/orders/${orderB.id}`).set('Authorization', finance.auth).expect(200);
    });

    it('pages and filters by status', async () => {
      const { reseller, buyer, hw, cloud } = await shop();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++)
        ids.push((await post(buyer, cart([{ sku: i === 4 ? cloud.sku : hw.sku, quantity: 1 }])).expect(201)).body.id);
      const p1 = await t.http().get('/api/v1/orders').query({ pageSize: 2 }).set('Authorization', buyer.auth).expect(200);
      expect(p1.body).toMatchObject({ total: 5, page: 1, pageSize: 2 });
      expect(p1.body.items.map((o: { id: string }) => o.id)).toEqual([ids[4], ids[3]]);
      const p3 = await t.http().get('/api/v1/orders').query({ pageSize: 2, page: 3 }).set('Authorization', buyer.auth).expect(200);
      expect(p3.body.items.map((o: { id: string }) => o.id)).toEqual([ids[0]]);
      const fulfilled = await t
        .http()
        .get('/api/v1/orders')
        .query({ status: 'FULFILLED', resellerId: reseller.id })
        .set(admin())
        .expect(200);
      expect(fulfilled.body.items.map((o: { id: string }) => o.id)).toEqual([ids[4]]);
      await t.http().get('/api/v1/orders').query({ status: 'LOST' }).set('Authorization', buyer.auth).expect(400);
    });

    it.each(['sales', 'reseller_finance'] as const)('refuses %s reading orders (403)', async (role) => {
      const { reseller } = await shop();
      const u = await t.user(role, reseller.id);
      await t.http().get('/api/v1/orders').set('Authorization', u.auth).expect(403);
    });
  });

  describe('OrderLineBillingService for invoicing and renewal alerts', () => {
    it('takes shipped, unbilled hardware lines up to a date onto an invoice, each line once', async () => {
      const { reseller, buyer, hw } = await shop();
      const order = (
        await post(
          buyer,
          cart([
            { sku: hw.sku, quantity: 1 },
            { sku: hw.sku, quantity: 2 },
            { sku: hw.sku, quantity: 3 },
          ]),
        ).expect(201)
      ).body;
      const ship = (i: number, on: string) =>
        t
          .http()
          .post(`/api/v1/orders/${order.id}/lines/${order.lines[i].id}/ship`)
          .set(admin())
          .send({ shippedOn: on, serialNumbers: ['S1'] })
          .expect(200);
      await ship(0, '2026-10-10');
      await ship(1, '2026-11-05');
      const svc = t.get(OrderLineBillingService);
      const invoiceId = '11111111-1111-4111-8111-111111111111';
      const take = (periodEnd: string, invoice = randomUUID()) =>
        t.db.transaction((em) => svc.takeUnbilledShippedLines(em, reseller.id, periodEnd, invoice));
      const unbilled = await take('2026-10-31', invoiceId);
      expect(unbilled).toHaveLength(1);
      expect(unbilled[0]).toMatchObject({
        orderLineId: order.lines[0].id,
        orderId: order.id,
        sku: hw.sku,
        quantity: 1,
        currency: 'AUD',
        shippedOn: '2026-10-10',
        creditLine: 'HARDWARE',
        source: { type: 'order_line', id: order.lines[0].id },
      });
      expect(unbilled[0].gross.eq(new Dec('110'))).toBe(true);
      // Once taken, a line is on its invoice: a second take finds nothing; an unshipped line is never taken.
      expect(await take('2026-10-31')).toEqual([]);
      const later = await take('2026-12-31');
      expect(later.map((l) => l.orderLineId)).toEqual([order.lines[1].id]);
      const got = await t.http().get(`/api/v1/orders/${order.id}`).set('Authorization', buyer.auth).expect(200);
      expect(got.body.lines[0].invoiceId).toBe(invoiceId);
      // a billed line cannot be cancelled
      await t
        .http()
        .post(`/api/v1/orders/${order.id}/cancel`)
        .set('Authorization', buyer.auth)
        .send({ lineIds: [order.lines[0].id] })
        .expect(409);
    });

    it('lists shipped hardware warranties ending in a window', async () => {
      const { reseller, buyer } = await shop();
      const p = await createProduct(t, { warrantyMonths: 12 });
      const noWarranty = await createProduct(t, { warrantyMonths: 0 });
      const order = (
        await post(
          buyer,
          cart([
            { sku: p.sku, quantity: 4 },
            { sku: noWarranty.sku, quantity: 1 },
            { sku: p.sku, quantity: 1 },
          ]),
        ).expect(201)
      ).body;
      for (const l of order.lines.slice(0, 2)) {
        await t.http().post(`/api/v1/orders/${order.id}/lines/${l.id}/ship`).set(admin()).send({ shippedOn: '2026-03-15' }).expect(200);
      }
      // The warranties as the renewal scan reads them: ordering's published view renewal_warranties.
      const warranties = (from: string | null, to: string) =>
        t.db.query(
          `SELECT order_line_id, sku, quantity, currency, to_char(warranty_end, 'YYYY-MM-DD') AS warranty_end,
                  end_customer_name, end_customer_reference
             FROM renewal_warranties
            WHERE reseller_id = $1 AND ($2::date IS NULL OR warranty_end >= $2::date) AND warranty_end <= $3::date`,
          [reseller.id, from, to],
        );
      const w = await warranties('2027-01-01', '2027-06-30');
      expect(w).toHaveLength(1);
      expect(w[0]).toMatchObject({
        order_line_id: order.lines[0].id,
        sku: p.sku,
        quantity: 4,
        warranty_end: '2027-03-14',
        end_customer_name: 'Acme Dental',
        end_customer_reference: 'ACME-1',
        currency: 'AUD',
      });
      const got = (await t.http().get(`/api/v1/orders/${order.id}`).set('Authorization', buyer.auth).expect(200)).body;
      expect(got.lines[0]).toMatchObject({
        warrantyMonths: 12,
        shippedOn: '2026-03-15',
        warrantyEnd: '2027-03-14',
      });
      expect(await warranties(null, '2027-03-13')).toHaveLength(0);
    });
  });
});
