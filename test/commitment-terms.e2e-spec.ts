import type { TestApp } from './support/app';
import type * as Commerce from './factories/commerce';
import { startBillingTestApp, verifyAllBooks } from './support/billing';

type Auth = { auth: string; id: string };
type Term = {
  termNo: number;
  startDate: string;
  endDate: string;
  unitPrice: string;
  quantity: number;
  billingFrequency: string;
};
type Charge = { kind: string; amount: string; periodStart: string; periodEnd: string };
type Sub = {
  id: string;
  term: string;
  termStart: string;
  termEnd: string;
  unitPrice: string;
  terms: Term[];
  charges: Charge[];
  scheduledChanges: Array<{ id: string; status: string; failureReason: string | null }>;
};
interface Card {
  id: string;
  kind: string;
  subscriptionId: string | null;
  threshold: number;
  termEnd: string;
  daysLeft: number;
  status: string;
  renewalValue: string;
  autoRenew: boolean | null;
  cancelAtTermEnd: boolean | null;
  commitmentWindow: { closesAt: string; open: boolean } | null;
  scheduledChange: {
    id: string;
    quantity: number | null;
    sku: string | null;
    term: string | null;
    billingFrequency: string | null;
    effectiveDate: string;
  } | null;
}

/**
 * Issue 17 (docs/commitments.md): a change of term length at renewal re-anchors the terms and prices
 * a month-to-month term with the pack's monthly uplift; the renewal desk's cards carry auto-renew,
 * the commitment window and the pending change; a month-to-month term raises its window reminder
 * once, not threshold alerts. On a database of its own: renewal runs and scans act on every row there.
 */
describe('term changes at renewal, the monthly uplift and window reminders (issue 17)', () => {
  let t: TestApp;
  let f: typeof Commerce;
  let adminHeader: Record<string, string>;
  let close: () => Promise<void>;
  beforeAll(async () => {
    let admin: string;
    ({ t, f, admin, close } = await startBillingTestApp('commitment_terms'));
    adminHeader = { Authorization: admin };
  }, 120_000);
  afterAll(() => close?.());
  afterEach(() => t.clock.reset());

  const api = () => t.http();
  const detail = async (id: string) => (await api().get(`/api/v1/subscriptions/${id}`).set(adminHeader).expect(200)).body as Sub;
  const renew = (asOf: string) => api().post(`/api/v1/jobs/renewals/run?asOf=${asOf}`).set(adminHeader).expect(200);
  const scan = (asOf: string) => api().post('/api/v1/renewal-alerts/scan').set(adminHeader).send({ asOf }).expect(200);
  const cards = async (who: Auth, query: Record<string, string> = {}): Promise<Card[]> =>
    (
      await api()
        .get('/api/v1/renewal-alerts')
        .query({ view: 'renewals', pageSize: 200, ...query })
        .set('Authorization', who.auth)
        .expect(200)
    ).body.items;
  const verify = () => verifyAllBooks(t);

  /** A reseller with a buyer and a sales user, and a cloud product on `pack` listed on `term` at 10.00 AUD a seat-month (cost 8.00). */
  async function shop(pack: 'NCE_LIKE' | 'NO_COMMITMENT', term: 'P1Y' | 'P1M' = 'P1Y') {
    const reseller = await f.createReseller(t, { cloudLimit: '500000.00' });
    const buyer = await t.user('buyer', reseller.id);
    const sales = await t.user('sales', reseller.id);
    const product = await f.createProduct(t, {
      kind: 'CLOUD',
      term,
      billingFrequency: 'MONTHLY',
      prices: [{ currency: 'AUD', unitPrice: '10.00', costPrice: '8.00' }],
    });
    await api().patch(`/api/v1/catalog/products/${product.sku}`).set(adminHeader).send({ commitmentPack: pack }).expect(200);
    return { reseller, buyer, sales, product };
  }

  async function subscribe(buyer: Auth, sku: string, startDate: string, quantity: number): Promise<string> {
    t.clock.set(startDate);
    const res = await api()
      .post('/api/v1/orders')
      .set('Authorization', buyer.auth)
      .send({ endCustomer: { name: 'Kauri Dental' }, lines: [{ sku, quantity, startDate }] });
    if (res.status !== 201) throw new Error(`order: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.lines[0].subscriptionId;
  }

  it('changes an annual term to month-to-month at renewal: re-anchored terms, +20 % on the NCE-like pack, then monthly renewals; the books verify', async () => {
    const s = await shop('NCE_LIKE');
    const sub = await subscribe(s.buyer, s.product.sku, '2031-01-31', 3);
    t.clock.set('2031-06-01');
    const change = await api()
      .post(`/api/v1/subscriptions/${sub}/scheduled-changes`)
      .set('Authorization', s.buyer.auth)
      .send({ at: 'RENEWAL', term: 'P1M' })
      .expect(201);
    expect(change.body).toMatchObject({ term: 'P1M', effectiveDate: '2032-01-31', status: 'PENDING' });

    t.clock.set('2032-04-15');
    await renew('2032-04-15');
    const after = await detail(sub);
    expect(after.scheduledChanges.find((c) => c.id === change.body.id)?.status).toBe('APPLIED');
    // Term 1 a year; then months from the new anchor 2032-01-31 (clamped month ends, as the first anchoring does).
    expect(after.terms.map((x) => [x.termNo, x.startDate, x.endDate, x.unitPrice])).toEqual([
      [1, '2031-01-31', '2032-01-30', '10.00'],
      [2, '2032-01-31', '2032-02-28', '12.00'],
      [3, '2032-02-29', '2032-03-30', '12.00'],
      [4, '2032-03-31', '2032-04-29', '12.00'],
    ]);
    expect(after).toMatchObject({
      term: 'P1M',
      termStart: '2032-03-31',
      termEnd: '2032-04-29',
      unitPrice: '12.00',
    });
    const monthly = after.charges.filter((c) => c.kind === 'TERM' && c.periodStart >= '2032-01-31');
    expect(monthly.map((c) => [c.periodStart, c.amount])).toEqual([
      ['2032-01-31', '36.00'],
      ['2032-02-29', '36.00'],
      ['2032-03-31', '36.00'],
    ]);
    const [{ cost }] = await t.db.query(
      `SELECT t.unit_cost::text AS cost FROM subscription_terms t WHERE t.subscription_id = $1 AND t.term_no = 2`,
      [sub],
    );
    expect(cost).toBe('9.6000'); // the vendor's monthly uplift on cost as well
    expect(await verify()).toEqual([]);
  });

  it('changes month-to-month to annual at renewal (no uplift on the annual term); a pack without uplift keeps the list price', async () => {
    const s = await shop('NCE_LIKE', 'P1M');
    const sub = await subscribe(s.buyer, s.product.sku, '2033-03-10', 2);
    t.clock.set('2033-03-12');
    await api()
      .post(`/api/v1/subscriptions/${sub}/scheduled-changes`)
      .set('Authorization', s.buyer.auth)
      .send({ at: 'RENEWAL', term: 'P1Y' })
      .expect(201);
    t.clock.set('2033-04-10');
    await renew('2033-04-10');
    const after = await detail(sub);
    expect(after.terms.map((x) => [x.termNo, x.startDate, x.endDate, x.unitPrice])).toEqual([
      [1, '2033-03-10', '2033-04-09', '10.00'],
      [2, '2033-04-10', '2034-04-09', '10.00'],
    ]);
    expect(after.charges.filter((c) => c.kind === 'TERM' && c.periodStart >= '2033-04-10')).toHaveLength(12);

    const plain = await shop('NO_COMMITMENT');
    const other = await subscribe(plain.buyer, plain.product.sku, '2033-01-05', 1);
    t.clock.set('2033-02-01');
    await api()
      .post(`/api/v1/subscriptions/${other}/scheduled-changes`)
      .set('Authorization', plain.buyer.auth)
      .send({ at: 'RENEWAL', term: 'P1M' })
      .expect(201);
    t.clock.set('2034-01-06');
    await renew('2034-01-06');
    expect((await detail(other)).terms.map((x) => [x.termNo, x.unitPrice])).toEqual([
      [1, '10.00'],
      [2, '10.00'],
    ]);
    expect(await verify()).toEqual([]);
  });

  it('shows auto-renew, the commitment window clock and the pending change on the card', async () => {
    const s = await shop('NCE_LIKE');
    const sub = await subscribe(s.buyer, s.product.sku, '2035-02-01', 4); // window: 7 days from the start date (the order is recorded on another day)
    t.clock.set('2035-02-03');
    await scan('2035-02-03'); // nothing: the term ends in a year
    t.clock.set('2035-12-01');
    await scan('2035-12-01'); // 61 days → 90
    let [card] = (await cards(s.sales)).filter((c) => c.subscriptionId === sub);
    expect(card).toMatchObject({
      kind: 'THRESHOLD',
      threshold: 90,
      autoRenew: true,
      cancelAtTermEnd: false,
      scheduledChange: null,
      commitmentWindow: { closesAt: '2035-02-08T00:00:00.000Z', open: false },
    });
    const change = await api()
      .post(`/api/v1/subscriptions/${sub}/scheduled-changes`)
      .set('Authorization', s.buyer.auth)
      .send({ at: 'RENEWAL', quantity: 2, billingFrequency: 'ANNUAL' })
      .expect(201);
    await api().patch(`/api/v1/subscriptions/${sub}`).set('Authorization', s.buyer.auth).send({ quantity: 6 }).expect(200); // a seat addition reopens the window
    [card] = (await cards(s.sales)).filter((c) => c.subscriptionId === sub);
    expect(card.scheduledChange).toEqual({
      id: change.body.id,
      quantity: 2,
      sku: null,
      term: null,
      billingFrequency: 'ANNUAL',
      effectiveDate: '2036-02-01',
    });
    expect(card.commitmentWindow).toEqual({ closesAt: '2035-12-08T00:00:00.000Z', open: true });

    const plain = await shop('NO_COMMITMENT');
    const free = await subscribe(plain.buyer, plain.product.sku, '2035-02-01', 1);
    t.clock.set('2035-12-01');
    await api().patch(`/api/v1/subscriptions/${free}`).set('Authorization', plain.buyer.auth).send({ autoRenew: false }).expect(200);
    await scan('2035-12-02');
    const [freeCard] = (await cards(plain.sales)).filter((c) => c.subscriptionId === free);
    expect(freeCard).toMatchObject({ autoRenew: false, commitmentWindow: null, scheduledChange: null });
  });

  it('raises one window reminder per month-to-month term while its window is open, never threshold alerts; the next term raises its own', async () => {
    const s = await shop('NCE_LIKE', 'P1M');
    const sub = await subscribe(s.buyer, s.product.sku, '2037-05-01', 5); // window closes 2037-05-08T00:00Z
    const plain = await shop('NO_COMMITMENT', 'P1M');
    const free = await subscribe(plain.buyer, plain.product.sku, '2037-05-01', 5);
    const alerts = async (id: string) =>
      (await t.db.query(
        `SELECT kind, threshold, to_char(term_end, 'YYYY-MM-DD') AS term_end, status FROM renewal_alerts WHERE subscription_id = $1 ORDER BY term_end`,
        [id],
      )) as Array<Record<string, unknown>>;

    t.clock.set('2037-05-03');
    await scan('2037-05-03');
    await scan('2037-05-03');
    expect(await alerts(sub)).toEqual([{ kind: 'WINDOW', threshold: 0, term_end: '2037-05-31', status: 'OPEN' }]);
    expect(await alerts(free)).toEqual([]); // no window, no reminder
    const [card] = (await cards(s.sales)).filter((c) => c.subscriptionId === sub);
    expect(card).toMatchObject({
      kind: 'WINDOW',
      threshold: 0,
      daysLeft: 28,
      renewalValue: '50.00',
      commitmentWindow: { closesAt: '2037-05-08T00:00:00.000Z', open: true },
    });
    const csv = await api().get('/api/v1/renewal-alerts').set('Authorization', s.sales.auth).set('Accept', 'text/csv').expect(200);
    expect(csv.text.split('\n')[0]).toMatch(/,kind$/);
    expect(csv.text).toContain(',WINDOW');

    // Later in the month: the window closed, nothing more; then the renewal and the next month's reminder.
    t.clock.set('2037-05-20');
    await scan('2037-05-20');
    expect(await alerts(sub)).toHaveLength(1);
    t.clock.set('2037-06-02');
    await renew('2037-06-02');
    await scan('2037-06-02');
    expect(await alerts(sub)).toEqual([
      { kind: 'WINDOW', threshold: 0, term_end: '2037-05-31', status: 'WON' },
      { kind: 'WINDOW', threshold: 0, term_end: '2037-06-30', status: 'OPEN' },
    ]);
    expect(await alerts(free)).toEqual([]);
  });
});
