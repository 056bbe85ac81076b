import { EntityManager } from 'typeorm';
import { CREDIT_LINES, CreditLine, Dec } from '#disty/core';
import { ProblemError } from '#disty/core';
import { CreditReservationService, ResellerService, Source } from '#disty/reseller';
import { ADMIN_TOKEN, bearer, createTestApp, TestApp } from './support/app';
import { createReseller, creditLines, uniq } from './factories/commerce';
import { postOpeningReceivable } from './support/ledger-fixtures';

describe('Resellers: accounts, users and two credit lines', () => {
  let t: TestApp;
  beforeAll(async () => (t = await createTestApp()));
  afterAll(() => t.close());

  const admin = () => bearer(ADMIN_TOKEN);
  const valid = () => ({
    name: `Harbour IT ${uniq()}`,
    currency: 'AUD',
    country: 'AU',
    paymentTermsDays: 30,
    creditLimits: { HARDWARE: '250000.00', CLOUD: '50000' },
  });

  it('lets an admin create a reseller with both credit lines', async () => {
    const body = valid();
    const res = await t.http().post('/api/v1/resellers').set(admin()).send(body).expect(201);
    expect(res.body).toMatchObject({
      name: body.name,
      currency: 'AUD',
      country: 'AU',
      paymentTermsDays: 30,
      creditLimits: { HARDWARE: '250000.00', CLOUD: '50000.00' },
    });
    const lines = await t.http().get(`/api/v1/resellers/${res.body.id}/credit-lines`).set(admin()).expect(200);
    expect(lines.body.items).toEqual([
      {
        line: 'HARDWARE',
        currency: 'AUD',
        limit: '250000.00',
        openReceivables: '0.00',
        reserved: '0.00',
        available: '250000.00',
        onHold: false,
        unbilledUsage: '0.00',
        exposureHold: false,
      },
      {
        line: 'CLOUD',
        currency: 'AUD',
        limit: '50000.00',
        openReceivables: '0.00',
        reserved: '0.00',
        available: '50000.00',
        onHold: false,
        unbilledUsage: '0.00',
        exposureHold: false,
      },
    ]);
  });

  it.each(['finance', 'buyer', 'reseller_admin'] as const)('refuses %s creating or changing a reseller (403)', async (role) => {
    const own = await createReseller(t);
    const u = await t.user(role, role === 'finance' ? null : own.id);
    await t.http().post('/api/v1/resellers').set('Authorization', u.auth).send(valid()).expect(403);
    await t.http().patch(`/api/v1/resellers/${own.id}`).set('Authorization', u.auth).send({ name: 'x' }).expect(403);
    await t.http().put(`/api/v1/resellers/${own.id}/credit-lines/HARDWARE`).set('Authorization', u.auth).send({ limit: '1' }).expect(403);
  });

  it.each([
    ['an unknown currency', { currency: 'ABC' }, 'currency'],
    ['a flat tax rate (the tax rules choose each line’s code)', { taxRate: '0.10' }, 'taxRate'],
    ['a tax registration that is not a boolean', { taxRegistered: 'yes' }, 'taxRegistered'],
    ['an empty tax id', { taxId: '' }, 'taxId'],
    ['an address that is too long', { address: 'x'.repeat(501) }, 'address'],
    ['a lower-case country', { country: 'au' }, 'country'],
    ['negative payment terms', { paymentTermsDays: -1 }, 'paymentTermsDays'],
    ['a limit that is not a decimal', { creditLimits: { HARDWARE: 'lots', CLOUD: '1' } }, 'creditLimits.HARDWARE'],
    ['a negative limit', { creditLimits: { HARDWARE: '1', CLOUD: '-1' } }, 'creditLimits.CLOUD'],
    ['a missing limit', { creditLimits: { HARDWARE: '1' } }, 'creditLimits.CLOUD'],
    ['no credit limits', { creditLimits: undefined }, 'creditLimits'],
    ['credit limits as a string', { creditLimits: '1000' }, 'creditLimits'],
    ['more decimals than the currency has', { currency: 'JPY', creditLimits: { HARDWARE: '100.5', CLOUD: '1' } }, 'creditLimits.HARDWARE'],
    ['an unknown field', { vip: true }, 'vip'],
  ])('refuses %s with 400', async (_, patch, field) => {
    const res = await t
      .http()
      .post('/api/v1/resellers')
      .set(admin())
      .send({ ...valid(), ...patch })
      .expect(400);
    expect(res.body.type).toBe('https://disty.dev/problems/validation');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('lists every reseller for distributor staff and only its own for a reseller user', async () => {
    const a = await createReseller(t);
    const b = await createReseller(t);
    const finance = await t.user('finance');
    const all = await t.http().get('/api/v1/resellers').query({ pageSize: 200 }).set('Authorization', finance.auth).expect(200);
    expect(all.body.total).toBeGreaterThanOrEqual(2);
    const buyerA = await t.user('buyer', a.id);
    const own = await t.http().get('/api/v1/resellers').set('Authorization', buyerA.auth).expect(200);
    expect(own.body.items.map((r: { id: string }) => r.id)).toEqual([a.id]);
    expect(own.body.total).toBe(1);
    await t.http().get(`/api/v1/resellers/${a.id}`).set('Authorization', buyerA.auth).expect(200);
    const other = await t.http().get(`/api/v1/resellers/${b.id}`).set('Authorization', buyerA.auth).expect(404);
    expect(other.body.type).toBe('https://disty.dev/problems/not-found');
    await t.http().get('/api/v1/resellers/not-a-uuid').set(admin()).expect(404);
    await t.http().get('/api/v1/resellers/00000000-0000-4000-8000-000000000000').set(admin()).expect(404);
    const byName = await t.http().get('/api/v1/resellers').query({ q: a.name }).set(admin()).expect(200);
    expect(byName.body.items.map((r: { id: string }) => r.id)).toEqual([a.id]);
  });

  it('lets an admin change name, country, tax registration, address and payment terms, but not currency', async () => {
    const r = await createReseller(t);
    expect((await t.http().get(`/api/v1/resellers/${r.id}`).set(admin()).expect(200)).body).toMatchObject({
      taxRate: '0.10',
      taxRegistered: false,
      taxId: null,
    });
    const res = await t
      .http()
      .patch(`/api/v1/resellers/${r.id}`)
      .set(admin())
      .send({
        name: 'Renamed Ltd',
        country: 'NZ',
        taxRegistered: true,
        taxId: '123-456-789',
        address: '1 Queen St, Auckland',
        paymentTermsDays: 45,
      })
      .expect(200);
    // The view's rate is the one the tax rules give a STANDARD product sold to it: NZ GST.
    expect(res.body).toMatchObject({
      name: 'Renamed Ltd',
      country: 'NZ',
      taxRate: '0.15',
      taxRegistered: true,
      taxId: '123-456-789',
      address: '1 Queen St, Auckland',
      paymentTermsDays: 45,
      currency: 'AUD',
    });
    const cleared = await t.http().patch(`/api/v1/resellers/${r.id}`).set(admin()).send({ taxId: null, address: null }).expect(200);
    expect(cleared.body).toMatchObject({ taxId: null, address: null, taxRegistered: true });
    await t.http().patch(`/api/v1/resellers/${r.id}`).set(admin()).send({ currency: 'USD' }).expect(400);
    await t.http().patch('/api/v1/resellers/00000000-0000-4000-8000-000000000000').set(admin()).send({ name: 'x' }).expect(404);
  });

  describe('users of a reseller', () => {
    it('lets an admin add a reseller user whose token then works', async () => {
      const r = await createReseller(t);
      const res = await t
        .http()
        .post(`/api/v1/resellers/${r.id}/users`)
        .set(admin())
        .send({ email: `buyer.${uniq()}@reseller.example`, role: 'buyer' })
        .expect(201);
      expect(res.body).toMatchObject({ role: 'buyer', resellerId: r.id });
      expect(res.body.token).toMatch(/^dst_/);
      await t.http().get(`/api/v1/resellers/${r.id}`).set(bearer(res.body.token)).expect(200);
    });

    it('lets a reseller_admin add users to its own reseller only', async () => {
      const a = await createReseller(t);
      const b = await createReseller(t);
      const ra = await t.user('reseller_admin', a.id);
      for (const role of ['sales', 'reseller_finance', 'reseller_admin', 'buyer']) {
        await t
          .http()
          .post(`/api/v1/resellers/${a.id}/users`)
          .set('Authorization', ra.auth)
          .send({ email: `${role}.${uniq()}@a.example`, role })
          .expect(201);
      }
      await t
        .http()
        .post(`/api/v1/resellers/${b.id}/users`)
        .set('Authorization', ra.auth)
        .send({ email: `x.${uniq()}@a.example`, role: 'buyer' })
        .expect(404);
      const users = await t.http().get(`/api/v1/resellers/${a.id}/users`).set('Authorization', ra.auth).expect(200);
      expect(users.body.items.length).toBe(5);
      expect(JSON.stringify(users.body)).not.toContain('token');
    });

    it('refuses distributor roles, other roles and unknown resellers', async () => {
      const r = await createReseller(t);
      await t
        .http()
        .post(`/api/v1/resellers/${r.id}/users`)
        .set(admin())
        .send({ email: `x.${uniq()}@a.example`, role: 'admin' })
        .expect(400);
      const buyer = await t.user('buyer', r.id);
      await t
        .http()
        .post(`/api/v1/resellers/${r.id}/users`)
        .set('Authorization', buyer.auth)
        .send({ email: `x.${uniq()}@a.example`, role: 'buyer' })
        .expect(403);
      const finance = await t.user('finance');
      await t
        .http()
        .post(`/api/v1/resellers/${r.id}/users`)
        .set('Authorization', finance.auth)
        .send({ email: `x.${uniq()}@a.example`, role: 'buyer' })
        .expect(403);
      await t
        .http()
        .post('/api/v1/resellers/00000000-0000-4000-8000-000000000000/users')
        .set(admin())
        .send({ email: `x.${uniq()}@a.example`, role: 'buyer' })
        .expect(404);
      const email = `dup.${uniq()}@a.example`;
      await t.http().post(`/api/v1/resellers/${r.id}/users`).set(admin()).send({ email, role: 'buyer' }).expect(201);
      await t.http().post(`/api/v1/resellers/${r.id}/users`).set(admin()).send({ email, role: 'sales' }).expect(409);
    });
  });

  describe('credit lines', () => {
    it.each(['reseller_admin', 'buyer', 'sales', 'reseller_finance'] as const)(
      'shows its own lines to a %s and hides other resellers’ (404)',
      async (role) => {
        const a = await createReseller(t);
        const b = await createReseller(t);
        const u = await t.user(role, a.id);
        const res = await t.http().get(`/api/v1/resellers/${a.id}/credit-lines`).set('Authorization', u.auth).expect(200);
        expect(res.body.items.map((i: { line: string }) => i.line)).toEqual(['HARDWARE', 'CLOUD']);
        await t.http().get(`/api/v1/resellers/${b.id}/credit-lines`).set('Authorization', u.auth).expect(404);
      },
    );

    it('shows lines to finance', async () => {
      const a = await createReseller(t);
      const finance = await t.user('finance');
      await t.http().get(`/api/v1/resellers/${a.id}/credit-lines`).set('Authorization', finance.auth).expect(200);
    });

    it('lets an admin change a limit and put a line on hold', async () => {
      const r = await createReseller(t, { hardwareLimit: '1000.00' });
      const res = await t
        .http()
        .put(`/api/v1/resellers/${r.id}/credit-lines/HARDWARE`)
        .set(admin())
        .send({ limit: '2500.50', onHold: true, reason: 'test: raised' })
        .expect(200);
      expect(res.body).toMatchObject({
        line: 'HARDWARE',
        limit: '2500.50',
        available: '2500.50',
        onHold: true,
      });
      const lines = await creditLines(t, r.id);
      expect(lines.CLOUD.onHold).toBe(false);
      await t.http().put(`/api/v1/resellers/${r.id}/credit-lines/HARDWARE`).set(admin()).send({ onHold: false }).expect(200);
      expect((await creditLines(t, r.id)).HARDWARE).toMatchObject({ onHold: false, limit: '2500.50' });
    });

    it('refuses a bad line, an empty change and bad limits', async () => {
      const r = await createReseller(t);
      await t.http().put(`/api/v1/resellers/${r.id}/credit-lines/SOFTWARE`).set(admin()).send({ limit: '1' }).expect(404);
      await t.http().put(`/api/v1/resellers/${r.id}/credit-lines/CLOUD`).set(admin()).send({}).expect(400);
      await t.http().put(`/api/v1/resellers/${r.id}/credit-lines/CLOUD`).set(admin()).send({ limit: '-1' }).expect(400);
      await t.http().put(`/api/v1/resellers/${r.id}/credit-lines/CLOUD`).set(admin()).send({ limit: '1.001' }).expect(400);
      await t.http().put(`/api/v1/resellers/${r.id}/credit-lines/CLOUD`).set(admin()).send({ limit: 5 }).expect(400);
      await t
        .http()
        .put('/api/v1/resellers/00000000-0000-4000-8000-000000000000/credit-lines/CLOUD')
        .set(admin())
        .send({ limit: '1', reason: 'unknown reseller' })
        .expect(404);
    });

    it('counts open receivables from the ledger in the exposure of the right line', async () => {
      const r = await createReseller(t, { hardwareLimit: '1000.00', cloudLimit: '500.00' });
      // Receivables are a control account: posted as the system would (a manual entry may not touch 1110).
      await postOpeningReceivable(t, {
        accountCode: '1110',
        resellerId: r.id,
        amount: '200.00',
        entryDate: '2026-11-01',
      });
      const lines = await creditLines(t, r.id);
      expect(lines.CLOUD).toMatchObject({ openReceivables: '200.00', reserved: '0.00', available: '300.00' });
      expect(lines.HARDWARE).toMatchObject({ openReceivables: '0.00', available: '1000.00' });
    });
  });

  describe('ResellerService reservations', () => {
    const source = () => ({ type: 'test', id: uniq() });
    /** Reserves each line's amount for one source, through the engine's one entry point (reserveCreditMany). */
    const reserve = (
      em: EntityManager,
      resellerId: string,
      amounts: Partial<Record<CreditLine, Dec>>,
      src: Source,
      opts?: { allowOverLimit?: boolean },
    ) =>
      t.get(CreditReservationService).reserveCreditMany(
        em,
        resellerId,
        CREDIT_LINES.filter((l) => amounts[l] !== undefined).map((line) => ({
          line,
          amount: amounts[line]!,
          source: src,
        })),
        opts,
      );

    it('reserves atomically, repeats as a no-op, and frees on release or consume', async () => {
      const r = await createReseller(t, { hardwareLimit: '100.00', cloudLimit: '50.00' });
      const reservations = t.get(CreditReservationService);
      const s1 = source();
      await t.db.transaction((em) => reserve(em, r.id, { HARDWARE: new Dec('60'), CLOUD: new Dec('20') }, s1));
      await t.db.transaction((em) => reserve(em, r.id, { HARDWARE: new Dec('60'), CLOUD: new Dec('20') }, s1));
      let lines = await creditLines(t, r.id);
      expect(lines.HARDWARE).toMatchObject({ reserved: '60.00', available: '40.00' });
      expect(lines.CLOUD).toMatchObject({ reserved: '20.00', available: '30.00' });

      // over the hardware limit: nothing is reserved on either line
      const err = await t.db
        .transaction((em) => reserve(em, r.id, { HARDWARE: new Dec('40.01'), CLOUD: new Dec('1') }, source()))
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProblemError);
      expect(err).toMatchObject({
        status: 422,
        slug: 'credit-limit-exceeded',
        extensions: { creditLine: 'HARDWARE', available: '40.00', requested: '40.01' },
      });
      lines = await creditLines(t, r.id);
      expect(lines.CLOUD.reserved).toBe('20.00');

      // renewals may go over
      const s2 = source();
      await t.db.transaction((em) => reserve(em, r.id, { CLOUD: new Dec('100') }, s2, { allowOverLimit: true }));
      expect((await creditLines(t, r.id)).CLOUD).toMatchObject({ reserved: '120.00', available: '-70.00' });

      await t.db.transaction((em) => reservations.releaseReservation(em, s2));
      await t.db.transaction((em) => reservations.releaseReservation(em, s2));
      expect((await creditLines(t, r.id)).CLOUD.reserved).toBe('20.00');
      await t.db.transaction((em) => reservations.consumeReservations(em, [s1]));
      lines = await creditLines(t, r.id);
      expect(lines.HARDWARE.reserved).toBe('0.00');
      expect(lines.CLOUD.reserved).toBe('0.00');
      const states = await reservations.reservationsFor([s1, s2]);
      expect(states.get(`test:${s1.id}`)!.map((s) => s.status)).toEqual(['CONSUMED', 'CONSUMED']);
      expect(states.get(`test:${s2.id}`)!.map((s) => s.status)).toEqual(['RELEASED']);
    });

    it('refuses a reservation on a line on hold with credit-hold, but not on the other line', async () => {
      const r = await createReseller(t);
      const svc = t.get(ResellerService);
      await t.db.transaction((em) => svc.setHold(em, r.id, 'HARDWARE', true));
      const err = await t.db.transaction((em) => reserve(em, r.id, { HARDWARE: new Dec('1') }, source())).catch((e) => e);
      expect(err).toMatchObject({ status: 422, slug: 'credit-hold', extensions: { creditLine: 'HARDWARE' } });
      await t.db.transaction((em) => reserve(em, r.id, { CLOUD: new Dec('1') }, source()));
      expect((await creditLines(t, r.id)).CLOUD.reserved).toBe('1.00');
      expect(await svc.listResellerIds()).toContain(r.id);
      const info = await svc.getReseller(r.id);
      expect(info).toMatchObject({ country: 'AU', taxRegistered: false, taxId: null });
      await expect(svc.getReseller('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
        status: 404,
      });
    });

    it('treats a repeat that waited on the line locks while the first committed as a no-op, not a refusal', async () => {
      const r = await createReseller(t, { hardwareLimit: '100.00', cloudLimit: '100.00' });
      const reservations = t.get(CreditReservationService);
      const s1 = source();
      const amounts = { HARDWARE: new Dec('60'), CLOUD: new Dec('70') };
      let commitFirst!: () => void;
      const held = new Promise<void>((resolve) => (commitFirst = resolve));
      let locked!: () => void;
      const firstLocked = new Promise<void>((resolve) => (locked = resolve));
      const first = t.db.transaction(async (em) => {
        await reserve(em, r.id, amounts, s1);
        locked();
        await held;
      });
      await firstLocked;
      // The repeat starts while the first holds both lines: its read of what is already reserved predates the first's commit.
      const repeat = t.db.transaction((em) => reserve(em, r.id, amounts, s1));
      for (let i = 0; i < 100; i++) {
        const [{ n }] = await t.db.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%credit_lines%FOR UPDATE%'`,
        );
        if (n > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      commitFirst();
      await first;
      await repeat;
      const lines = await creditLines(t, r.id);
      expect(lines.HARDWARE).toMatchObject({ reserved: '60.00', available: '40.00' });
      expect(lines.CLOUD).toMatchObject({ reserved: '70.00', available: '30.00' });
      expect((await reservations.reservationsFor([s1])).get(`test:${s1.id}`)).toHaveLength(2);
    });

    it('leaves nothing reserved on either line after a refusal, even for a caller that catches it and commits', async () => {
      const r = await createReseller(t, { hardwareLimit: '100.00', cloudLimit: '100.00' });
      const reservations = t.get(CreditReservationService);
      await t.db.transaction((em) => reserve(em, r.id, { CLOUD: new Dec('60') }, source()));
      const refused = source();
      const err = await t.db.transaction(async (em) => {
        try {
          await reserve(em, r.id, { HARDWARE: new Dec('10'), CLOUD: new Dec('40.01') }, refused);
        } catch (e) {
          return e;
        }
      });
      expect(err).toMatchObject({
        status: 422,
        slug: 'credit-limit-exceeded',
        extensions: { creditLine: 'CLOUD', available: '40.00', requested: '40.01' },
      });
      const lines = await creditLines(t, r.id);
      expect(lines.HARDWARE.reserved).toBe('0.00');
      expect(lines.CLOUD.reserved).toBe('60.00');
      expect((await reservations.reservationsFor([refused])).get(`test:${refused.id}`)).toBeUndefined();
      // and the same source may then be reserved once it fits
      await t.db.transaction((em) => reserve(em, r.id, { HARDWARE: new Dec('10'), CLOUD: new Dec('40') }, refused));
      expect((await creditLines(t, r.id)).CLOUD).toMatchObject({ reserved: '100.00', available: '0.00' });
    });

    it('keeps each line exact when the same source is reserved concurrently', async () => {
      const r = await createReseller(t, { hardwareLimit: '1000.00', cloudLimit: '1000.00' });
      const s1 = source();
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, () => t.db.transaction((em) => reserve(em, r.id, { HARDWARE: new Dec('10'), CLOUD: new Dec('5') }, s1))),
      );
      expect(results.filter((x) => x.status === 'rejected')).toEqual([]);
      const lines = await creditLines(t, r.id);
      expect(lines.HARDWARE.reserved).toBe('10.00');
      expect(lines.CLOUD.reserved).toBe('5.00');
    });
  });
});
