import { ADMIN_TOKEN, bearer, createTestApp, TestApp } from './support/app';
import { createProduct, createReseller, creditLines, uniq } from './factories/commerce';

/**
 * The portal's operations and credit stories over HTTP (docs/portal.md): order numbers, the list
 * of hardware lines to ship, and credit requests a reseller asks and distributor finance answers.
 */
describe('Portal operations: order numbers, lines to ship, credit requests', () => {
  let t: TestApp;
  beforeAll(async () => (t = await createTestApp()));
  afterAll(() => t.close());

  const admin = () => bearer(ADMIN_TOKEN);

  it('numbers every order (ORD-nnnnnn, unique, increasing) and lists its pending hardware lines to ship until shipped', async () => {
    const reseller = await createReseller(t);
    const hw = await createProduct(t, { warrantyMonths: 12 });
    const cl = await createProduct(t, { kind: 'CLOUD', term: 'P1Y', billingFrequency: 'MONTHLY' });
    const buyer = await t.user('buyer', reseller.id);
    const place = (qty: number) =>
      t
        .http()
        .post('/api/v1/orders')
        .set('Authorization', buyer.auth)
        .send({
          endCustomer: { name: `Clinic ${uniq()}` },
          lines: [
            { sku: hw.sku, quantity: qty },
            { sku: cl.sku, quantity: 2 },
          ],
        })
        .expect(201);
    const first = (await place(5)).body;
    const second = (await place(1)).body;
    expect(first.number).toMatch(/^ORD-\d{6,}$/);
    expect(second.number).toMatch(/^ORD-\d{6,}$/);
    expect(Number.parseInt(second.number.slice(4), 10)).toBeGreaterThan(Number.parseInt(first.number.slice(4), 10));
    const read = await t.http().get(`/api/v1/orders/${first.id}`).set('Authorization', buyer.auth).expect(200);
    expect(read.body.number).toBe(first.number);

    const toShip = async () =>
      (await t.http().get('/api/v1/orders/to-ship').query({ resellerId: reseller.id }).set(admin()).expect(200)).body;
    let list = await toShip();
    expect(list.total).toBe(2);
    expect(list.items.map((i: { orderNumber: string; quantity: number }) => [i.orderNumber, i.quantity])).toEqual([
      [first.number, 5],
      [second.number, 1],
    ]);
    expect(list.items[0]).toMatchObject({
      orderId: first.id,
      resellerId: reseller.id,
      sku: hw.sku,
      lineNo: 1,
      endCustomerName: first.endCustomer.name,
    });

    // Two of five ship: the rest (3) stays on the list, under the same order number.
    const today = new Date().toISOString().slice(0, 10);
    await t
      .http()
      .post(`/api/v1/orders/${first.id}/lines/${list.items[0].lineId}/ship`)
      .set(admin())
      .send({ shippedOn: today, quantity: 2, serialNumbers: ['SN-1', 'SN-2'] })
      .expect(200);
    list = await toShip();
    expect(list.items.map((i: { orderNumber: string; quantity: number }) => [i.orderNumber, i.quantity])).toEqual([
      [first.number, 3],
      [second.number, 1],
    ]);
  });

  it('refuses the list of lines to ship to reseller roles (403)', async () => {
    const reseller = await createReseller(t);
    for (const role of ['buyer', 'reseller_admin', 'reseller_finance', 'sales'] as const) {
      const u = await t.user(role, reseller.id);
      await t.http().get('/api/v1/orders/to-ship').set('Authorization', u.auth).expect(403);
    }
  });

  it('lets a buyer ask for more credit; finance approves it with a reason and the line’s limit rises by the amount', async () => {
    const reseller = await createReseller(t, { hardwareLimit: '10000.00' });
    const buyer = await t.user('buyer', reseller.id);
    const finance = await t.user('finance');
    const asked = await t
      .http()
      .post('/api/v1/credit-requests')
      .set('Authorization', buyer.auth)
      .send({ line: 'HARDWARE', amount: '2500.50', reason: 'Server refresh for the clinic' })
      .expect(201);
    expect(asked.body).toMatchObject({
      resellerId: reseller.id,
      resellerName: reseller.name,
      line: 'HARDWARE',
      currency: 'AUD',
      amount: '2500.50',
      status: 'PENDING',
      requestedBy: buyer.id,
      answerReason: null,
      approvedLimit: null,
    });
    const pending = await t
      .http()
      .get('/api/v1/credit-requests')
      .query({ status: 'PENDING', resellerId: reseller.id })
      .set('Authorization', finance.auth)
      .expect(200);
    expect(pending.body.items.map((r: { id: string }) => r.id)).toEqual([asked.body.id]);

    const approved = await t
      .http()
      .post(`/api/v1/credit-requests/${asked.body.id}/approve`)
      .set('Authorization', finance.auth)
      .send({ reason: 'Paid on time all year' })
      .expect(200);
    expect(approved.body).toMatchObject({
      status: 'APPROVED',
      previousLimit: '10000.00',
      approvedLimit: '12500.50',
      answerReason: 'Paid on time all year',
      answeredBy: finance.id,
    });
    expect((await creditLines(t, reseller.id)).HARDWARE.limit).toBe('12500.50');
    // The buyer sees the answer; a second answer is a conflict and changes nothing.
    const seen = await t.http().get(`/api/v1/credit-requests/${asked.body.id}`).set('Authorization', buyer.auth).expect(200);
    expect(seen.body.status).toBe('APPROVED');
    const again = await t
      .http()
      .post(`/api/v1/credit-requests/${asked.body.id}/approve`)
      .set('Authorization', finance.auth)
      .send({ reason: 'twice' })
      .expect(409);
    expect(again.headers['content-type']).toMatch(/application\/problem\+json/);
    await t
      .http()
      .post(`/api/v1/credit-requests/${asked.body.id}/decline`)
      .set('Authorization', finance.auth)
      .send({ reason: 'late' })
      .expect(409);
    expect((await creditLines(t, reseller.id)).HARDWARE.limit).toBe('12500.50');
  });

  it('approves to a limit finance chooses, or declines with a reason leaving the limit as it was', async () => {
    const reseller = await createReseller(t, { cloudLimit: '3000.00' });
    const admin2 = await t.user('reseller_admin', reseller.id);
    const finance = await t.user('finance');
    const ask = () =>
      t
        .http()
        .post('/api/v1/credit-requests')
        .set('Authorization', admin2.auth)
        .send({ line: 'CLOUD', amount: '1000', reason: 'More seats' })
        .expect(201);
    const a = (await ask()).body;
    await t
      .http()
      .post(`/api/v1/credit-requests/${a.id}/approve`)
      .set('Authorization', finance.auth)
      .send({ limit: '3500.00', reason: 'Half of it' })
      .expect(200);
    expect((await creditLines(t, reseller.id)).CLOUD.limit).toBe('3500.00');
    const b = (await ask()).body;
    const declined = await t
      .http()
      .post(`/api/v1/credit-requests/${b.id}/decline`)
      .set('Authorization', finance.auth)
      .send({ reason: 'Overdue invoices' })
      .expect(200);
    expect(declined.body).toMatchObject({
      status: 'DECLINED',
      answerReason: 'Overdue invoices',
      approvedLimit: null,
    });
    expect((await creditLines(t, reseller.id)).CLOUD.limit).toBe('3500.00');
  });

  it.each([
    ['no reason', { line: 'HARDWARE', amount: '10.00' }, 'reason'],
    ['an empty reason', { line: 'HARDWARE', amount: '10.00', reason: '' }, 'reason'],
    ['a blank reason', { line: 'HARDWARE', amount: '10.00', reason: '   ' }, 'reason'],
    ['an unknown line', { line: 'SOFTWARE', amount: '10.00', reason: 'x' }, 'line'],
    ['a zero amount', { line: 'HARDWARE', amount: '0', reason: 'x' }, 'amount'],
    ['a negative amount', { line: 'HARDWARE', amount: '-5', reason: 'x' }, 'amount'],
    ['an amount as a number', { line: 'HARDWARE', amount: 10, reason: 'x' }, 'amount'],
    ['more decimals than the currency has', { line: 'HARDWARE', amount: '1.005', reason: 'x' }, 'amount'],
  ])('refuses a credit request with %s (400) and records nothing', async (_, body, field) => {
    const reseller = await createReseller(t);
    const buyer = await t.user('buyer', reseller.id);
    const res = await t.http().post('/api/v1/credit-requests').set('Authorization', buyer.auth).send(body).expect(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    const list = await t.http().get('/api/v1/credit-requests').set('Authorization', buyer.auth).expect(200);
    expect(list.body.total).toBe(0);
  });

  it('refuses an answer without a reason (400), an answer by a reseller role (403), and an unknown request (404)', async () => {
    const reseller = await createReseller(t);
    const buyer = await t.user('buyer', reseller.id);
    const finance = await t.user('finance');
    const r = (
      await t
        .http()
        .post('/api/v1/credit-requests')
        .set('Authorization', buyer.auth)
        .send({ line: 'HARDWARE', amount: '1.00', reason: 'x' })
        .expect(201)
    ).body;
    await t.http().post(`/api/v1/credit-requests/${r.id}/approve`).set('Authorization', finance.auth).send({}).expect(400);
    await t.http().post(`/api/v1/credit-requests/${r.id}/decline`).set('Authorization', finance.auth).send({ reason: '' }).expect(400);
    await t
      .http()
      .post(`/api/v1/credit-requests/${r.id}/approve`)
      .set('Authorization', buyer.auth)
      .send({ reason: 'self-service' })
      .expect(403);
    await t
      .http()
      .post('/api/v1/credit-requests/00000000-0000-4000-8000-000000000000/approve')
      .set('Authorization', finance.auth)
      .send({ reason: 'x' })
      .expect(404);
    const still = await t.http().get(`/api/v1/credit-requests/${r.id}`).set('Authorization', finance.auth).expect(200);
    expect(still.body.status).toBe('PENDING');
  });

  it("keeps reseller B's users away from reseller A's credit requests (cross-tenant: 404, and none in B's list)", async () => {
    const a = await createReseller(t);
    const b = await createReseller(t);
    const aBuyer = await t.user('buyer', a.id);
    const bBuyer = await t.user('buyer', b.id);
    const r = (
      await t
        .http()
        .post('/api/v1/credit-requests')
        .set('Authorization', aBuyer.auth)
        .send({ line: 'CLOUD', amount: '5.00', reason: 'A only' })
        .expect(201)
    ).body;
    await t.http().get(`/api/v1/credit-requests/${r.id}`).set('Authorization', bBuyer.auth).expect(404);
    const list = await t.http().get('/api/v1/credit-requests').query({ resellerId: a.id }).set('Authorization', bBuyer.auth).expect(200);
    expect(list.body.items.map((i: { id: string }) => i.id)).not.toContain(r.id);
    // Asking on A's behalf is a 404, and creates nothing.
    await t
      .http()
      .post('/api/v1/credit-requests')
      .set('Authorization', bBuyer.auth)
      .send({ line: 'CLOUD', amount: '5.00', reason: 'x', resellerId: a.id })
      .expect(404);
    const aList = await t.http().get('/api/v1/credit-requests').set('Authorization', aBuyer.auth).expect(200);
    expect(aList.body.total).toBe(1);
  });

  it('tells signed-in users the bank account to pay to (the one on the invoice PDFs), and no one signed out', async () => {
    const { supplierSettings } = await import('#disty/tax');
    const bank = supplierSettings().bank;
    const reseller = await createReseller(t);
    for (const role of ['reseller_finance', 'reseller_admin', 'buyer'] as const) {
      const u = await t.user(role, reseller.id);
      const res = await t.http().get('/api/v1/config/payment-details').set('Authorization', u.auth).expect(200);
      expect(res.body).toMatchObject({
        accountName: bank.accountName,
        bsb: bank.bsb,
        accountNumber: bank.accountNumber,
        swift: bank.swift,
      });
    }
    const sales = await t.user('sales', reseller.id);
    await t.http().get('/api/v1/config/payment-details').set('Authorization', sales.auth).expect(403);
    await t.http().get('/api/v1/config/payment-details').expect(401);
  });
});
