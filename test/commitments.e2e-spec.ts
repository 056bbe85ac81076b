import type { TestApp } from './support/app';
import type * as Commerce from './factories/commerce';
import { startBillingTestApp } from './support/billing';

/*
 * Issue 17: commitment rules per product (docs/commitments.md). A database of its own: the tests
 * move "today" (the app's Clock) through June 2026 and place admin orders dated in that month.
 */
type Charge = { id: string; kind: string; amount: string };
type Sub = {
  id: string;
  quantity: number;
  status: string;
  termEnd: string;
  charges: Charge[];
  scheduledChanges: Array<{ kind: string; quantity: number | null; effectiveDate: string }>;
};

describe('commitments: rule packs per product and the cancellation-and-decrease window', () => {
  let t: TestApp;
  let f: typeof Commerce;
  let ADMIN: string;
  let finance: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ t, f, admin: ADMIN, close } = await startBillingTestApp('commitments'));
    finance = (await t.user('finance')).auth;
  }, 120_000);
  afterAll(() => close?.());
  afterEach(() => t.clock.reset());

  const api = () => t.http();
  const detail = async (id: string) => (await api().get(`/api/v1/subscriptions/${id}`).set('Authorization', ADMIN).expect(200)).body as Sub;

  /** A reseller with a buyer, a cloud product on `pack`, and an admin-placed order of 10 seats starting `startDate`. */
  async function setup(opts: { startDate: string; pack?: string }) {
    const reseller = await f.createReseller(t);
    const buyer = await t.user('buyer', reseller.id);
    const cloud = await f.createProduct(t, {
      kind: 'CLOUD',
      term: 'P1Y',
      billingFrequency: 'MONTHLY',
      prices: [{ currency: 'AUD', unitPrice: '10.00' }],
    });
    if (opts.pack) {
      await api()
        .patch(`/api/v1/catalog/products/${cloud.sku}`)
        .set('Authorization', ADMIN)
        .send({ commitmentPack: opts.pack })
        .expect(200);
    }
    const order = await api()
      .post('/api/v1/orders')
      .set('Authorization', ADMIN)
      .send({
        resellerId: reseller.id,
        endCustomer: { name: 'End Co' },
        lines: [{ sku: cloud.sku, quantity: 10, startDate: opts.startDate }],
      });
    if (order.status !== 201) throw new Error(`order: ${order.status} ${JSON.stringify(order.body)}`);
    return { reseller, buyer, cloud, id: order.body.lines[0].subscriptionId as string };
  }
  const patch = (id: string, auth: string, body: object) =>
    api().patch(`/api/v1/subscriptions/${id}`).set('Authorization', auth).send(body);
  const cancel = (id: string, auth: string, body: object) =>
    api().post(`/api/v1/subscriptions/${id}/cancel`).set('Authorization', auth).send(body);

  describe('catalog', () => {
    it('lists the seeded packs: NCE_LIKE (168 h, price lock, +20 % monthly noted) and NO_COMMITMENT (no window)', async () => {
      const buyer = await t.user('buyer', (await f.createReseller(t)).id);
      const res = await api().get('/api/v1/catalog/commitment-packs').set('Authorization', buyer.auth).expect(200);
      const byCode = Object.fromEntries((res.body.items as Array<{ code: string }>).map((p) => [p.code, p]));
      expect(byCode.NCE_LIKE).toMatchObject({
        windowHours: 168,
        priceLock: true,
        autoRenewDefault: true,
        allowedTerms: ['P1M', 'P1Y', 'P3Y'],
        allowedBillingFrequencies: ['MONTHLY', 'ANNUAL', 'UPFRONT'],
        monthlyUpliftPercent: '20',
      });
      expect(byCode.NO_COMMITMENT).toMatchObject({
        windowHours: null,
        priceLock: false,
        monthlyUpliftPercent: '0',
      });
    });

    it('defaults a product to NO_COMMITMENT, takes a pack on create and update, refuses an unknown pack naming commitmentPack', async () => {
      const plain = await f.createProduct(t, { kind: 'CLOUD' });
      expect((plain as { commitmentPack?: string }).commitmentPack).toBe('NO_COMMITMENT');
      const sku = `CL-${f.uniq()}`;
      const created = await api()
        .post('/api/v1/catalog/products')
        .set('Authorization', ADMIN)
        .send({
          sku,
          name: 'NCE seat',
          vendor: 'Microsoft',
          kind: 'CLOUD',
          term: 'P1Y',
          billingFrequency: 'ANNUAL',
          commitmentPack: 'NCE_LIKE',
          prices: [{ currency: 'AUD', unitPrice: '20.00', costPrice: '15.00' }],
        })
        .expect(201);
      expect(created.body.commitmentPack).toBe('NCE_LIKE');
      expect((await api().get(`/api/v1/catalog/products/${sku}`).set('Authorization', ADMIN).expect(200)).body.commitmentPack).toBe(
        'NCE_LIKE',
      );
      const back = await api()
        .patch(`/api/v1/catalog/products/${sku}`)
        .set('Authorization', ADMIN)
        .send({ commitmentPack: 'NO_COMMITMENT' })
        .expect(200);
      expect(back.body.commitmentPack).toBe('NO_COMMITMENT');
      const unknown = await api()
        .patch(`/api/v1/catalog/products/${sku}`)
        .set('Authorization', ADMIN)
        .send({ commitmentPack: 'NOPE' })
        .expect(422);
      expect(unknown.body).toMatchObject({
        type: 'https://disty.dev/problems/unknown-commitment-pack',
        field: 'commitmentPack',
      });
      expect((await api().get(`/api/v1/catalog/products/${sku}`).set('Authorization', ADMIN).expect(200)).body.commitmentPack).toBe(
        'NO_COMMITMENT',
      );
    });

    it('refuses a product whose term or billing frequency its pack does not allow (422 naming the field), on create and on update', async () => {
      await t.db.query(
        `INSERT INTO commitment_rule_packs (code, name, window_hours, price_lock, auto_renew_default, allowed_terms, allowed_billing_frequencies)
         VALUES ('TEST_ANNUAL_ONLY', 'Annual only', 72, true, true, ARRAY['P1Y'], ARRAY['ANNUAL']) ON CONFLICT DO NOTHING`,
      );
      const sku = `CL-${f.uniq()}`;
      const res = await api()
        .post('/api/v1/catalog/products')
        .set('Authorization', ADMIN)
        .send({
          sku,
          name: 'Monthly seat',
          vendor: 'Microsoft',
          kind: 'CLOUD',
          term: 'P1M',
          billingFrequency: 'MONTHLY',
          commitmentPack: 'TEST_ANNUAL_ONLY',
          prices: [{ currency: 'AUD', unitPrice: '20.00', costPrice: '15.00' }],
        })
        .expect(422);
      expect(res.body.type).toBe('https://disty.dev/problems/not-allowed-by-commitment');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['term', 'billingFrequency']);
      await api().get(`/api/v1/catalog/products/${sku}`).set('Authorization', ADMIN).expect(404);
      const monthly = await f.createProduct(t, { kind: 'CLOUD', term: 'P1Y', billingFrequency: 'MONTHLY' });
      const upd = await api()
        .patch(`/api/v1/catalog/products/${monthly.sku}`)
        .set('Authorization', ADMIN)
        .send({ commitmentPack: 'TEST_ANNUAL_ONLY' })
        .expect(422);
      expect(upd.body.errors).toEqual([expect.objectContaining({ field: 'billingFrequency' })]);
    });
  });

  describe('the window (NCE_LIKE: 168 hours)', () => {
    it('allows a decrease and an immediate cancellation inside the window after the purchase', async () => {
      t.clock.set('2026-06-03');
      const s = await setup({ startDate: '2026-06-01', pack: 'NCE_LIKE' });
      const down = await patch(s.id, s.buyer.auth, { quantity: 8 }).expect(200);
      expect(down.body.quantity).toBe(8);
      t.clock.set('2026-06-07');
      const c = await cancel(s.id, s.buyer.auth, { when: 'IMMEDIATE' }).expect(200);
      expect(c.body.status).toBe('CANCELLED');
    });

    it('refuses a decrease and an immediate cancellation outside the window: 422 with windowClosedAt and the scheduled-change route, nothing written', async () => {
      t.clock.set('2026-06-03');
      const s = await setup({ startDate: '2026-06-01', pack: 'NCE_LIKE' });
      t.clock.set('2026-06-12');
      const before = await detail(s.id);
      const res = await patch(s.id, s.buyer.auth, { quantity: 5 }).expect(422);
      expect(res.body).toMatchObject({
        type: 'https://disty.dev/problems/outside-commitment-window',
        windowClosedAt: '2026-06-08T00:00:00.000Z',
        alternative: 'scheduled-change',
        commitmentPack: 'NCE_LIKE',
        hint: {
          method: 'POST',
          path: `/api/v1/subscriptions/${s.id}/scheduled-changes`,
          body: { at: 'RENEWAL', quantity: 5 },
        },
      });
      const c = await cancel(s.id, s.buyer.auth, { when: 'IMMEDIATE' }).expect(422);
      expect(c.body).toMatchObject({
        type: 'https://disty.dev/problems/outside-commitment-window',
        windowClosedAt: '2026-06-08T00:00:00.000Z',
      });
      const after = await detail(s.id);
      expect(after).toMatchObject({ quantity: 10, status: 'ACTIVE' });
      expect(after.charges).toEqual(before.charges);
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM subscription_changes WHERE subscription_id = $1`, [s.id]);
      expect(n).toBe(0);
      // An increase is never held; a cancellation at the term's end is not a cut of the commitment.
      await patch(s.id, s.buyer.auth, { quantity: 11 }).expect(200);
      const end = await cancel(s.id, s.buyer.auth, { when: 'END_OF_TERM' }).expect(200);
      expect(end.body).toMatchObject({ status: 'CANCELLED', cancelAtTermEnd: true });
    });

    it('a seat addition opens its own window for the decrease that follows', async () => {
      t.clock.set('2026-06-03');
      const s = await setup({ startDate: '2026-06-01', pack: 'NCE_LIKE' });
      t.clock.set('2026-06-12');
      await patch(s.id, s.buyer.auth, { quantity: 12 }).expect(200);
      t.clock.set('2026-06-15');
      const down = await patch(s.id, s.buyer.auth, { quantity: 9 }).expect(200);
      expect(down.body.quantity).toBe(9);
      t.clock.set('2026-06-20');
      const late = await patch(s.id, s.buyer.auth, { quantity: 8 }).expect(422);
      expect(late.body.windowClosedAt).toBe('2026-06-19T00:00:00.000Z');
      expect((await detail(s.id)).quantity).toBe(9);
    });

    it('a decrease scheduled for after the current term (at renewal) is not held by the window', async () => {
      t.clock.set('2026-06-20');
      const s = await setup({ startDate: '2026-06-01', pack: 'NCE_LIKE' });
      const at = await patch(s.id, s.buyer.auth, { quantity: 4, asOf: '2027-06-01' }).expect(200);
      expect(at.body.quantity).toBe(10);
      expect(at.body.scheduledChanges).toEqual([expect.objectContaining({ kind: 'QUANTITY', quantity: 4, effectiveDate: '2027-06-01' })]);
      // Scheduled inside the current term, after the window: held.
      await patch(s.id, s.buyer.auth, { quantity: 4, asOf: '2026-07-01' }).expect(422);
    });

    it('distributor admin may override with a reason (400 naming reason without one), recorded on the change; others may not', async () => {
      t.clock.set('2026-06-03');
      const s = await setup({ startDate: '2026-06-01', pack: 'NCE_LIKE' });
      t.clock.set('2026-06-20');
      const noReason = await patch(s.id, ADMIN, { quantity: 6, override: true }).expect(400);
      expect(noReason.body.errors).toEqual([expect.objectContaining({ field: 'reason' })]);
      await patch(s.id, s.buyer.auth, { quantity: 6, override: true, reason: 'please' }).expect(403);
      await patch(s.id, finance, { quantity: 6, override: true, reason: 'please' }).expect(403);
      expect((await detail(s.id)).quantity).toBe(10);
      const ok = await patch(s.id, ADMIN, {
        quantity: 6,
        override: true,
        reason: 'Vendor accepted the late reduction (case 4711)',
      }).expect(200);
      expect(ok.body.quantity).toBe(6);
      const rows: Array<{ kind: string; override_reason: string | null; override_by: string | null }> = await t.db.query(
        `SELECT kind, override_reason, override_by FROM subscription_changes WHERE subscription_id = $1`,
        [s.id],
      );
      expect(rows).toEqual([
        {
          kind: 'QUANTITY',
          override_reason: 'Vendor accepted the late reduction (case 4711)',
          override_by: expect.any(String),
        },
      ]);
      const c = await cancel(s.id, ADMIN, {
        when: 'IMMEDIATE',
        override: true,
        reason: 'Customer insolvent',
      }).expect(200);
      expect(c.body.status).toBe('CANCELLED');
      const [cancelRow] = await t.db.query(
        `SELECT override_reason FROM subscription_changes WHERE subscription_id = $1 AND kind = 'CANCEL_IMMEDIATE'`,
        [s.id],
      );
      expect(cancelRow.override_reason).toBe('Customer insolvent');
    });

    it('NO_COMMITMENT allows a decrease and a cancellation at any time', async () => {
      t.clock.set('2026-06-25');
      const s = await setup({ startDate: '2026-01-01' });
      await patch(s.id, s.buyer.auth, { quantity: 3 }).expect(200);
      await cancel(s.id, s.buyer.auth, { when: 'IMMEDIATE' }).expect(200);
      const [{ n }] = await t.db.query(
        `SELECT count(*)::int AS n FROM subscription_changes WHERE subscription_id = $1 AND override_reason IS NULL`,
        [s.id],
      );
      expect(n).toBe(2);
    });
  });
});
