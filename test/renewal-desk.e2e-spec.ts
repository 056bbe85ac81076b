import type { TestApp } from './support/app';
import type * as Commerce from './factories/commerce';
import type { OwnDatabase } from './support/own-database';

type Auth = { auth: string; id: string };
interface Card {
  id: string;
  subscriptionId: string | null;
  sku: string;
  productName: string | null;
  termEnd: string;
  threshold: number;
  daysLeft: number;
  renewalValue: string;
  status: string;
  assigneeId: string | null;
  alertIds: string[];
  endCustomer: { name: string; reference: string | null };
}
interface Quote {
  id: string;
  number: string;
  resellerId: string;
  alertId: string;
  subscriptionId: string | null;
  endCustomerName: string;
  currency: string;
  lines: Array<{ sku: string; description: string; quantity: number; unitPrice: string; net: string }>;
  total: string;
  issueDate: string;
  validUntil: string;
  status: string;
  acceptedAt: string | null;
  acceptedBy: string | null;
  scheduledChangeId: string | null;
}

/**
 * The renewal desk's filters, search, sort and bulk assign, and renewal quotes (number, prices,
 * PDF, accept once, expiry). On a database of its own: its scans act on every subscription there.
 */
describe('Renewal desk: filters, bulk assign, quotes', () => {
  let t: TestApp;
  let f: typeof Commerce;
  let own: OwnDatabase;
  let adminHeader: Record<string, string>;
  beforeAll(async () => {
    own = await (await import('./support/own-database.js')).useOwnDatabase('renewal_desk');
    const app = await import('./support/app.js');
    f = await import('./factories/commerce.js');
    adminHeader = app.bearer(app.ADMIN_TOKEN);
    t = await app.createTestApp();
  });
  afterAll(async () => {
    await t?.close();
    await own?.drop();
  });

  const scan = (asOf: string) => t.http().post('/api/v1/renewal-alerts/scan').set(adminHeader).send({ asOf }).expect(200);
  const list = async (who: Auth, query: Record<string, string | number>): Promise<Card[]> =>
    (
      await t
        .http()
        .get('/api/v1/renewal-alerts')
        .query({ pageSize: 200, ...query })
        .set('Authorization', who.auth)
        .expect(200)
    ).body.items;

  /** A reseller with a buyer, a sales user and an admin, two cloud products (P1Y, monthly prices in AUD). */
  async function shop() {
    const reseller = await f.createReseller(t);
    const buyer = await t.user('buyer', reseller.id);
    const sales = await t.user('sales', reseller.id);
    const radmin = await t.user('reseller_admin', reseller.id);
    const tag = f.uniq();
    const office = await f.createProduct(t, {
      kind: 'CLOUD',
      name: `Office Suite ${tag}`,
      term: 'P1Y',
      billingFrequency: 'MONTHLY',
      prices: [{ currency: 'AUD', unitPrice: '10.00' }],
    });
    const backup = await f.createProduct(t, {
      kind: 'CLOUD',
      name: `Cloud Backup ${tag}`,
      term: 'P1Y',
      billingFrequency: 'MONTHLY',
      prices: [{ currency: 'AUD', unitPrice: '4.00' }],
    });
    return { reseller, buyer, sales, radmin, office, backup, tag };
  }

  async function subscribe(buyer: Auth, sku: string, startDate: string, quantity: number, customer: string): Promise<string> {
    t.clock.set(startDate);
    const res = await t
      .http()
      .post('/api/v1/orders')
      .set('Authorization', buyer.auth)
      .send({ endCustomer: { name: customer, reference: 'REF-1' }, lines: [{ sku, quantity, startDate }] });
    t.clock.reset();
    if (res.status !== 201) throw new Error(`order: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.lines[0].subscriptionId;
  }

  describe('filters, search, sort', () => {
    it('filters by end customer, days left, status, threshold and assignee; searches product name, SKU and customer; sorts by value and days left, in both views', async () => {
      const s = await shop();
      // Term ends: 2041-02-28 (a, b) and 2041-01-31 (c). Values 10×12×q or 4×12×q.
      const a = await subscribe(s.buyer, s.office.sku, '2040-03-01', 3, 'Harbour Dental'); // 360.00
      const b = await subscribe(s.buyer, s.backup.sku, '2040-03-01', 10, 'Hill Lawyers'); // 480.00
      const c = await subscribe(s.buyer, s.office.sku, '2040-02-01', 1, 'Harbour Bakery'); // 120.00
      await scan('2040-12-20'); // a, b: 70 days → 90; c: 42 days → 60
      for (const view of ['alerts', 'renewals']) {
        const asOf = '2040-12-20';
        const ids = async (q: Record<string, string | number>) => (await list(s.sales, { view, asOf, ...q })).map((x) => x.subscriptionId);
        expect((await ids({})).sort()).toEqual([a, b, c].sort());
        expect((await ids({ endCustomer: 'harbour' })).sort()).toEqual([a, c].sort());
        expect(await ids({ endCustomer: 'Hill' })).toEqual([b]);
        expect(await ids({ endCustomer: '%' })).toEqual([]); // wildcards are literal
        expect(await ids({ daysLeftMax: 50 })).toEqual([c]);
        expect(await ids({ threshold: 90, sort: 'value', order: 'desc' })).toEqual([b, a]);
        expect(await ids({ q: `backup ${s.tag}` })).toEqual([b]); // product name
        expect((await ids({ q: s.office.sku.toLowerCase() })).sort()).toEqual([a, c].sort()); // SKU
        expect(await ids({ q: 'bakery' })).toEqual([c]); // end customer
        expect(await ids({ sort: 'value', order: 'asc' })).toEqual([c, a, b]);
        expect((await ids({ sort: 'daysLeft', order: 'desc' })).slice(2)).toEqual([c]);
        expect((await ids({ sort: 'daysLeft' }))[0]).toBe(c);
        expect(await ids({ status: 'CONTACTED' })).toEqual([]);
      }
      const cards = await list(s.sales, { view: 'renewals', asOf: '2040-12-20' });
      const cardOf = (sub: string) => cards.find((x) => x.subscriptionId === sub)!;
      expect(cardOf(b)).toMatchObject({
        renewalValue: '480.00',
        productName: `Cloud Backup ${s.tag}`,
        endCustomer: { name: 'Hill Lawyers' },
      });
      await t
        .http()
        .patch(`/api/v1/renewal-alerts/${cardOf(a).id}`)
        .set('Authorization', s.sales.auth)
        .send({ status: 'CONTACTED', assigneeId: s.sales.id })
        .expect(200);
      expect((await list(s.sales, { view: 'renewals', status: 'CONTACTED' })).map((x) => x.subscriptionId)).toEqual([a]);
      expect((await list(s.sales, { view: 'renewals', assigneeId: s.sales.id })).map((x) => x.subscriptionId)).toEqual([a]);
    });

    it('refuses bad filter values with a 400 naming the field', async () => {
      const s = await shop();
      for (const [field, value] of [
        ['sort', 'price'],
        ['order', 'up'],
        ['daysLeftMax', '-1'],
        ['q', ''],
      ] as const) {
        const res = await t
          .http()
          .get('/api/v1/renewal-alerts')
          .query({ [field]: value })
          .set('Authorization', s.sales.auth)
          .expect(400);
        expect(JSON.stringify(res.body)).toContain(field);
      }
    });
  });

  describe('bulk assign', () => {
    it('assigns every renewal of the ids at once; another reseller’s id is a 404 and nothing is assigned', async () => {
      const s = await shop();
      const other = await shop();
      const a = await subscribe(s.buyer, s.office.sku, '2042-03-01', 2, 'Alpha');
      const b = await subscribe(s.buyer, s.office.sku, '2042-03-01', 4, 'Beta');
      const x = await subscribe(other.buyer, other.office.sku, '2042-03-01', 1, 'Other Co');
      await scan('2042-12-01'); // 89 days → 90
      await scan('2043-01-10'); // 49 days → 60: two alerts per renewal
      const mine = await list(s.sales, { view: 'renewals' });
      const cardA = mine.find((c) => c.subscriptionId === a)!;
      const cardB = mine.find((c) => c.subscriptionId === b)!;
      const theirs = (await list(other.sales, { view: 'renewals' })).find((c) => c.subscriptionId === x)!;
      expect(cardA.alertIds).toHaveLength(2);
      const assigned = () =>
        t.db.query(`SELECT count(*)::int AS n FROM renewal_alerts WHERE assignee_id IS NOT NULL AND subscription_id = ANY($1::uuid[])`, [
          [a, b, x],
        ]);

      // Another reseller's alert among them: 404, nothing assigned.
      await t
        .http()
        .post('/api/v1/renewal-alerts/assign')
        .set('Authorization', s.sales.auth)
        .send({ alertIds: [cardA.id, theirs.id], assigneeId: s.sales.id })
        .expect(404);
      expect((await assigned())[0].n).toBe(0);
      // The other reseller's sales user cannot touch ours.
      await t
        .http()
        .post('/api/v1/renewal-alerts/assign')
        .set('Authorization', other.sales.auth)
        .send({ alertIds: [cardA.id], assigneeId: other.sales.id })
        .expect(404);
      // An assignee of another reseller: 422, nothing assigned.
      await t
        .http()
        .post('/api/v1/renewal-alerts/assign')
        .set('Authorization', s.sales.auth)
        .send({ alertIds: [cardA.id, cardB.id], assigneeId: other.sales.id })
        .expect(422);
      expect((await assigned())[0].n).toBe(0);
      // A buyer is not on the desk.
      await t
        .http()
        .post('/api/v1/renewal-alerts/assign')
        .set('Authorization', s.buyer.auth)
        .send({ alertIds: [cardA.id], assigneeId: s.sales.id })
        .expect(403);
      await t
        .http()
        .post('/api/v1/renewal-alerts/assign')
        .set('Authorization', s.sales.auth)
        .send({ alertIds: ['not-a-uuid'], assigneeId: s.sales.id })
        .expect(400);

      const res = await t
        .http()
        .post('/api/v1/renewal-alerts/assign')
        .set('Authorization', s.sales.auth)
        .send({ alertIds: [cardA.id, cardB.alertIds[0]], assigneeId: s.sales.id })
        .expect(200);
      expect(res.body).toEqual({ renewals: 2, alertsUpdated: 4 });
      expect((await assigned())[0].n).toBe(4);
      expect((await list(s.sales, { view: 'renewals', assigneeId: s.sales.id })).map((c) => c.subscriptionId).sort()).toEqual(
        [a, b].sort(),
      );
      // Unassign by the distributor admin.
      const un = await t
        .http()
        .post('/api/v1/renewal-alerts/assign')
        .set(adminHeader)
        .send({ alertIds: [cardA.id], assigneeId: null })
        .expect(200);
      expect(un.body).toEqual({ renewals: 1, alertsUpdated: 2 });
    });
  });

  describe('renewal quotes', () => {
    async function quotedRenewal() {
      const s = await shop();
      const sub = await subscribe(s.buyer, s.office.sku, '2044-03-01', 5, 'Ōtautahi Tech 株式会社');
      await scan('2045-01-01'); // term ends 2045-02-28: 58 days → 60
      const card = (await list(s.sales, { view: 'renewals' })).find((c) => c.subscriptionId === sub)!;
      return { ...s, sub, card };
    }
    const createQuote = (who: Auth | Record<string, string>, alertId: string, body: object = {}) =>
      t
        .http()
        .post(`/api/v1/renewal-alerts/${alertId}/quote`)
        .set('auth' in who ? { Authorization: (who as Auth).auth } : (who as Record<string, string>))
        .send(body);

    it('prices a quote at the catalog’s current price, numbers it without gaps, serves its PDF, accepts it once into a scheduled change at renewal and queues renewal_quote.accepted', async () => {
      const s = await quotedRenewal();
      const hook = await t
        .http()
        .post('/api/v1/webhooks')
        .set('Authorization', s.radmin.auth)
        .send({ url: 'http://127.0.0.1:9/hooks', events: ['renewal_quote.accepted'] })
        .expect(201);
      await t
        .http()
        .patch(`/api/v1/catalog/products/${s.office.sku}`)
        .set(adminHeader)
        .send({ prices: [{ currency: 'AUD', unitPrice: '12.00' }] })
        .expect(200);
      t.clock.set('2045-01-02');
      try {
        const first = await createQuote(s.sales, s.card.id, { quantity: 7 }).expect(201); // 5 seats now, 7 quoted for the next term
        const q = first.body as Quote;
        expect(q).toMatchObject({
          number: 'Q-2045-000001',
          resellerId: s.reseller.id,
          alertId: s.card.id,
          subscriptionId: s.sub,
          endCustomerName: 'Ōtautahi Tech 株式会社',
          currency: 'AUD',
          total: '1008.00',
          issueDate: '2045-01-02',
          validUntil: '2045-02-01',
          status: 'OPEN',
          acceptedAt: null,
          scheduledChangeId: null,
          lines: [
            {
              sku: s.office.sku,
              quantity: 7,
              unitPrice: '144.00',
              net: '1008.00',
              description: expect.stringContaining(`Office Suite ${s.tag}`),
            },
          ],
        });
        const second = (await createQuote(s.radmin, s.card.id).expect(201)).body as Quote;
        expect(second).toMatchObject({
          number: 'Q-2045-000002',
          total: '720.00',
          lines: [{ quantity: 5, unitPrice: '144.00', net: '720.00' }],
        });
        expect((await createQuote(adminHeader, s.card.id).expect(201)).body.number).toBe('Q-2045-000003');

        const got = await t.http().get(`/api/v1/renewal-quotes/${q.id}`).set('Authorization', s.buyer.auth).expect(200);
        expect(got.body).toEqual(q);
        const pdf = await t
          .http()
          .get(`/api/v1/renewal-quotes/${q.id}/pdf`)
          .set('Authorization', s.sales.auth)
          .buffer(true)
          .parse((res, cb) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => cb(null, Buffer.concat(chunks)));
          })
          .expect(200);
        expect(pdf.headers['content-type']).toMatch(/^application\/pdf/);
        const body = pdf.body as Buffer;
        expect(body.subarray(0, 5).toString()).toBe('%PDF-');
        expect(body.toString('latin1')).toContain('Q-2045-000001');

        await t.http().post(`/api/v1/renewal-quotes/${q.id}/accept`).set('Authorization', s.sales.auth).expect(403); // sales quotes, the customer side accepts
        const accepted = await t.http().post(`/api/v1/renewal-quotes/${q.id}/accept`).set('Authorization', s.buyer.auth).expect(200);
        expect(accepted.body).toMatchObject({
          status: 'ACCEPTED',
          acceptedBy: s.buyer.id,
          acceptedAt: expect.any(String),
        });
        const again = await t.http().post(`/api/v1/renewal-quotes/${q.id}/accept`).set('Authorization', s.radmin.auth).expect(409);
        expect(again.body.type).toContain('quote-already-accepted');
        // The subscription now has one pending change: 7 seats from the first day of the next term.
        const sub = (await t.http().get(`/api/v1/subscriptions/${s.sub}`).set('Authorization', s.buyer.auth).expect(200)).body;
        expect(sub.quantity).toBe(5);
        expect(sub.scheduledChanges).toEqual([
          expect.objectContaining({
            id: accepted.body.scheduledChangeId,
            kind: 'RENEWAL',
            at: 'RENEWAL',
            quantity: 7,
            effectiveDate: '2045-03-01',
            status: 'PENDING',
            requestedBy: s.buyer.id,
          }),
        ]);

        // The renewal's card shows it as its change at renewal.
        const cards = (
          await t.http().get('/api/v1/renewal-alerts').query({ view: 'renewals' }).set('Authorization', s.radmin.auth).expect(200)
        ).body.items;
        expect(cards.find((c: { subscriptionId: string }) => c.subscriptionId === s.sub).scheduledChange).toEqual({
          id: accepted.body.scheduledChangeId,
          quantity: 7,
          sku: null,
          term: null,
          billingFrequency: null,
          effectiveDate: '2045-03-01',
        });

        const deliveries = (
          await t.http().get(`/api/v1/webhooks/${hook.body.id}/deliveries`).set('Authorization', s.radmin.auth).expect(200)
        ).body.items;
        expect(deliveries).toHaveLength(1);
        expect(deliveries[0]).toMatchObject({
          event: 'renewal_quote.accepted',
          payload: {
            quoteId: q.id,
            number: 'Q-2045-000001',
            subscriptionId: s.sub,
            total: '1008.00',
            scheduledChange: {
              id: accepted.body.scheduledChangeId,
              at: 'RENEWAL',
              effectiveDate: '2045-03-01',
              quantity: 7,
              sku: s.office.sku,
            },
          },
        });
      } finally {
        t.clock.reset();
      }
    });

    it('refuses an expired quote (422 quote-expired) and keeps quotes to their reseller and roles', async () => {
      const s = await quotedRenewal();
      const other = await shop();
      t.clock.set('2045-01-03');
      try {
        const q = (await createQuote(s.sales, s.card.id, { validUntil: '2045-01-10' }).expect(201)).body as Quote;
        expect(q.validUntil).toBe('2045-01-10');
        await createQuote(s.sales, s.card.id, { validUntil: '2045-01-01' }).expect(422);
        await createQuote(s.buyer, s.card.id).expect(403);
        await createQuote(other.sales, s.card.id).expect(404);
        await t.http().get(`/api/v1/renewal-quotes/${q.id}`).set('Authorization', other.buyer.auth).expect(404);
        await t.http().get(`/api/v1/renewal-quotes/${q.id}/pdf`).set('Authorization', other.sales.auth).expect(404);
        await t.http().post(`/api/v1/renewal-quotes/${q.id}/accept`).set('Authorization', other.radmin.auth).expect(404);

        t.clock.set('2045-01-11');
        expect((await t.http().get(`/api/v1/renewal-quotes/${q.id}`).set('Authorization', s.buyer.auth).expect(200)).body.status).toBe(
          'EXPIRED',
        );
        const refused = await t.http().post(`/api/v1/renewal-quotes/${q.id}/accept`).set('Authorization', s.radmin.auth).expect(422);
        expect(refused.body.type).toContain('quote-expired');
        const [row] = await t.db.query(`SELECT status, accepted_at FROM renewal_quotes WHERE id = $1`, [q.id]);
        expect(row).toEqual({ status: 'OPEN', accepted_at: null });
      } finally {
        t.clock.reset();
      }
    });

    it('refuses to quote a renewal closed as LOST (409 renewal-closed)', async () => {
      const s = await quotedRenewal();
      await t.http().patch(`/api/v1/renewal-alerts/${s.card.id}`).set('Authorization', s.sales.auth).send({ status: 'LOST' }).expect(200);
      const res = await createQuote(s.sales, s.card.id).expect(409);
      expect(res.body.type).toContain('renewal-closed');
    });
  });
});
