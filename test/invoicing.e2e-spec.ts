import type { TestApp } from './support/app';
import type * as Commerce from './factories/commerce';
import { billPeriod, signedStripeEvent, startBillingTestApp, unixOf } from './support/billing';
import type { FakeStripe } from './support/fake-stripe';

/**
 * Invoices, credit notes, payments, credit holds, AR aging and tenancy, through HTTP on a
 * database of their own (billing runs and the hold job are global). Each test uses its own
 * resellers and period end.
 */
describe('invoicing and payments', () => {
  let t: TestApp;
  let f: typeof Commerce;
  let stripe: FakeStripe;
  let ADMIN: string;
  let finance: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ t, f, stripe, admin: ADMIN, finance, close } = await startBillingTestApp('invoicing'));
  });
  afterAll(() => close?.());

  const api = () => t.http();

  /** A reseller with a hardware product and a one-month cloud product, and hardware shipped on `shippedOn`. */
  async function resellerWithHardware(opts: {
    net: string;
    quantity?: number;
    shippedOn: string;
    cloudStart?: string;
    cloudPrice?: string;
    terms?: number;
  }) {
    const reseller = await f.createReseller(t, { paymentTermsDays: opts.terms ?? 30 });
    const hw = await f.createProduct(t, {
      kind: 'HARDWARE',
      prices: [{ currency: 'AUD', unitPrice: opts.net }],
    });
    const lines: Array<{ sku: string; quantity: number; startDate?: string }> = [{ sku: hw.sku, quantity: opts.quantity ?? 1 }];
    if (opts.cloudStart) {
      const cloud = await f.createProduct(t, {
        kind: 'CLOUD',
        term: 'P1M',
        billingFrequency: 'MONTHLY',
        prices: [{ currency: 'AUD', unitPrice: opts.cloudPrice ?? '100.00' }],
      });
      lines.push({ sku: cloud.sku, quantity: 1, startDate: opts.cloudStart });
    }
    const order = await api()
      .post('/api/v1/orders')
      .set('Authorization', ADMIN)
      .send({ resellerId: reseller.id, endCustomer: { name: 'End Co' }, lines });
    if (order.status !== 201) throw new Error(`order: ${order.status} ${JSON.stringify(order.body)}`);
    const hwLine = order.body.lines.find((l: { kind: string }) => l.kind === 'HARDWARE');
    await api()
      .post(`/api/v1/orders/${order.body.id}/lines/${hwLine.id}/ship`)
      .set('Authorization', ADMIN)
      .send({ shippedOn: opts.shippedOn })
      .expect((r) => expect(r.status).toBeLessThan(300));
    return { reseller, hwSku: hw.sku, order: order.body };
  }

  async function invoiceOf(resellerId: string) {
    const list = await api().get(`/api/v1/invoices?resellerId=${resellerId}`).set('Authorization', finance).expect(200);
    expect(list.body.total).toBeGreaterThanOrEqual(1);
    return (await api().get(`/api/v1/invoices/${list.body.items[0].id}`).set('Authorization', finance).expect(200)).body;
  }

  // First: invoices are numbered in issue-date order, so a billing run's period end is never earlier
  // than the latest invoice; this test bills 2025 periods, before the 2026 ones below.
  describe('AR aging', () => {
    it('puts open amounts per reseller and credit line into current, 1–30, 31–60, 61–90 and 90+ buckets', async () => {
      const { reseller } = await resellerWithHardware({ net: '100.00', shippedOn: '2025-07-02', terms: 0 });
      await billPeriod(t, '2025-07-31', finance); // due 2025-07-31
      const second = await resellerWithHardware({
        net: '50.00',
        shippedOn: '2025-09-03',
        cloudStart: '2025-09-01',
        cloudPrice: '20.00',
        terms: 30,
      });
      await billPeriod(t, '2025-09-30', finance); // due 2025-10-30
      const aging = async (asOf: string, resellerId: string) =>
        (await api().get(`/api/v1/reports/ar-aging?asOf=${asOf}&resellerId=${resellerId}`).set('Authorization', finance).expect(200)).body;

      const a = await aging('2025-10-30', reseller.id); // 91 days past due
      expect(a.items).toEqual([
        expect.objectContaining({
          resellerId: reseller.id,
          creditLine: 'HARDWARE',
          total: '110.00',
          buckets: { current: '0.00', '1-30': '0.00', '31-60': '0.00', '61-90': '0.00', '90+': '110.00' },
        }),
      ]);
      expect((await aging('2025-08-30', reseller.id)).items[0].buckets['1-30']).toBe('110.00'); // 30 days
      expect((await aging('2025-08-31', reseller.id)).items[0].buckets['31-60']).toBe('110.00');
      expect((await aging('2025-10-29', reseller.id)).items[0].buckets['61-90']).toBe('110.00');
      expect((await aging('2025-07-15', reseller.id)).items).toEqual([]); // not issued yet

      const b = await aging('2025-10-01', second.reseller.id);
      expect(b.items.map((i: { creditLine: string; buckets: Record<string, string> }) => [i.creditLine, i.buckets.current])).toEqual([
        ['CLOUD', '22.00'],
        ['HARDWARE', '55.00'],
      ]);
      expect(b.totals).toEqual([expect.objectContaining({ currency: 'AUD', total: '77.00' })]);
      const all = (await api().get('/api/v1/reports/ar-aging?asOf=2025-10-01').set('Authorization', finance).expect(200)).body;
      expect(all.items.length).toBeGreaterThanOrEqual(3);
      await api()
        .get('/api/v1/reports/ar-aging')
        .set('Authorization', (await t.user('reseller_finance', reseller.id)).auth)
        .expect(403);
    });
  });

  describe('billing runs', () => {
    it('validates the period end, refuses other roles, and 404s an unknown run', async () => {
      const future = await api().post('/api/v1/billing-runs').set('Authorization', finance).send({ periodEnd: '2999-01-31' });
      expect(future.status).toBe(400);
      expect(future.body.errors).toEqual([expect.objectContaining({ field: 'periodEnd' })]);
      await api().post('/api/v1/billing-runs').set('Authorization', finance).send({ periodEnd: '2026-02-30' }).expect(400);
      await api().post('/api/v1/billing-runs').set('Authorization', ADMIN).send({ periodEnd: '2026-01-31' }).expect(403);
      await api().get('/api/v1/billing-runs/00000000-0000-0000-0000-000000000000').set('Authorization', finance).expect(404);
      await api().get('/api/v1/billing-runs/not-a-uuid').set('Authorization', finance).expect(404);
    });

    it('replays POST /billing-runs with the same Idempotency-Key and bills nothing twice', async () => {
      const { reseller } = await resellerWithHardware({ net: '10.00', shippedOn: '2026-01-05' });
      const send = () =>
        api()
          .post('/api/v1/billing-runs')
          .set('Authorization', finance)
          .set('Idempotency-Key', 'run-2026-01')
          .send({ periodEnd: '2026-01-31' });
      const [a, b] = await Promise.all([send(), send()]);
      expect([a.status, b.status]).toEqual([202, 202]);
      expect(a.body.id).toBe(b.body.id);
      await billPeriod(t, '2026-01-31', finance);
      const list = await api().get(`/api/v1/invoices?resellerId=${reseller.id}`).set('Authorization', finance).expect(200);
      expect(list.body.total).toBe(1);
    });

    it('bills seat changes: a later run carries the proration credit on the cloud line', async () => {
      const reseller = await f.createReseller(t);
      const cloud = await f.createProduct(t, {
        kind: 'CLOUD',
        term: 'P1Y',
        billingFrequency: 'ANNUAL',
        prices: [{ currency: 'AUD', unitPrice: '10.00' }],
      });
      const order = await api()
        .post('/api/v1/orders')
        .set('Authorization', ADMIN)
        .send({
          resellerId: reseller.id,
          endCustomer: { name: 'Seats Co' },
          lines: [{ sku: cloud.sku, quantity: 10, startDate: '2026-02-01' }],
        })
        .expect(201);
      await billPeriod(t, '2026-02-28', finance);
      const first = await invoiceOf(reseller.id);
      expect(first.totals.CLOUD).toEqual({ net: '1200.00', tax: '120.00', gross: '1320.00' }); // 10 × 10.00 × 12 months
      const sub = order.body.lines[0].subscriptionId;
      t.clock.set('2026-03-10'); // a change takes effect on the day it is made
      await api().patch(`/api/v1/subscriptions/${sub}`).set('Authorization', ADMIN).send({ quantity: 5, asOf: '2026-03-10' }).expect(200);
      t.clock.reset();
      await billPeriod(t, '2026-03-31', finance);
      const list = await api().get(`/api/v1/invoices?resellerId=${reseller.id}`).set('Authorization', finance).expect(200);
      expect(list.body.total).toBe(2);
      const second = (await api().get(`/api/v1/invoices/${list.body.items[0].id}`).set('Authorization', finance).expect(200)).body;
      expect(second.lines).toHaveLength(1);
      expect(second.lines[0].creditLine).toBe('CLOUD');
      expect(Number(second.lines[0].net)).toBeLessThan(0);
      expect(Number(second.totals.CLOUD.gross)).toBeLessThan(0);
      // A credit-only invoice posts the other way round (the cloud credit debits deferred revenue 2400) and still reconciles.
      const entries = await api()
        .get(`/api/v1/ledger/entries?sourceType=invoice&resellerId=${reseller.id}`)
        .set('Authorization', finance)
        .expect(200);
      const credit = entries.body.items.find((e: { memo: string }) => e.memo.includes(second.number));
      const acct = Object.fromEntries(
        credit.lines.map((l: { accountCode: string; debit: string; credit: string }) => [l.accountCode, l.credit !== '0.00' ? 'C' : 'D']),
      );
      expect(acct).toEqual({ '1110': 'C', '2400': 'D', '2100': 'D' }); // cloud net is deferred (2400), a credit with its sign
      const rec = await api().get(`/api/v1/ledger/reconciliation?resellerId=${reseller.id}`).set('Authorization', finance).expect(200);
      expect(rec.body.reconciled).toBe(true);
    });
  });

  describe('credit notes', () => {
    it('credits part of a line, refuses to over-credit it (422), and marks a fully credited invoice CREDITED', async () => {
      const { reseller } = await resellerWithHardware({
        net: '500.00',
        quantity: 2,
        shippedOn: '2026-04-03',
      });
      await billPeriod(t, '2026-04-30', finance);
      const inv = await invoiceOf(reseller.id);
      const line = inv.lines[0];
      expect(line).toMatchObject({ net: '1000.00', tax: '100.00', gross: '1100.00' });

      const over = await api()
        .post(`/api/v1/invoices/${inv.id}/credit-notes`)
        .set('Authorization', finance)
        .send({ lines: [{ invoiceLineId: line.id, amount: '1000.01' }], reason: 'too much' });
      expect(over.status).toBe(422);
      expect(over.body).toMatchObject({
        type: 'https://disty.dev/problems/over-credit',
        creditable: '1000.00',
        requested: '1000.01',
      });

      const cn = await api()
        .post(`/api/v1/invoices/${inv.id}/credit-notes`)
        .set('Authorization', finance)
        .send({ lines: [{ invoiceLineId: line.id, amount: '300.00' }], reason: 'Damaged unit' })
        .expect(201);
      expect(cn.body).toMatchObject({
        number: expect.stringMatching(/^CN-\d{4}-000001$/),
        invoiceId: inv.id,
        lines: [{ invoiceLineId: line.id, creditLine: 'HARDWARE', net: '300.00', tax: '30.00', gross: '330.00' }],
        totals: { all: { net: '300.00', tax: '30.00', gross: '330.00' } },
      });
      const entry = await api()
        .get(`/api/v1/ledger/entries?sourceType=credit_note&resellerId=${reseller.id}`)
        .set('Authorization', finance)
        .expect(200);
      const posted = Object.fromEntries(
        entry.body.items[0].lines.map((l: { accountCode: string; debit: string; credit: string }) => [
          l.accountCode,
          l.debit !== '0.00' ? `D ${l.debit}` : `C ${l.credit}`,
        ]),
      );
      expect(posted).toEqual({ '4900': 'D 300.00', '2100': 'D 30.00', '1100': 'C 330.00' });

      const again = await api()
        .post(`/api/v1/invoices/${inv.id}/credit-notes`)
        .set('Authorization', finance)
        .send({ lines: [{ invoiceLineId: line.id, amount: '700.01' }], reason: 'more' });
      expect(again.status).toBe(422);
      await api()
        .post(`/api/v1/invoices/${inv.id}/credit-notes`)
        .set('Authorization', finance)
        .send({ lines: [{ invoiceLineId: line.id, amount: '700.00' }], reason: 'Return of the rest' })
        .expect(201);
      const after = (await api().get(`/api/v1/invoices/${inv.id}`).set('Authorization', finance).expect(200)).body;
      expect(after).toMatchObject({
        status: 'CREDITED',
        amountCredited: '1100.00',
        amountDue: '0.00',
        lines: [expect.objectContaining({ creditedNet: '1000.00' })],
      });
      expect(after.creditNotes).toHaveLength(2);
      const rec = await api().get(`/api/v1/ledger/reconciliation?resellerId=${reseller.id}`).set('Authorization', finance).expect(200);
      expect(rec.body.reconciled).toBe(true);
    });

    it('credits a paid line beyond what is still open (the rest becomes the reseller’s credit), refuses more than the line’s net, unknown lines and bad input', async () => {
      const { reseller } = await resellerWithHardware({ net: '100.00', shippedOn: '2026-04-04' });
      await billPeriod(t, '2026-05-01', finance); // after the previous test's 2026-04-30: invoices are numbered in date order
      const inv = await invoiceOf(reseller.id);
      await api()
        .post('/api/v1/payments')
        .set('Authorization', finance)
        .send({
          resellerId: reseller.id,
          amount: '100.00',
          currency: 'AUD',
          method: 'BANK_TRANSFER',
          reference: 'part',
          receivedOn: '2026-05-02',
        })
        .expect(201);
      const res = await api()
        .post(`/api/v1/invoices/${inv.id}/credit-notes`)
        .set('Authorization', finance)
        .send({ lines: [{ invoiceLineId: inv.lines[0].id, amount: '50.00' }], reason: 'x' });
      // 55.00 gross: 10.00 settles what was open, 45.00 is a credit of the reseller (refundable: it owes nothing else).
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ kind: 'ADJUSTMENT', totals: { all: { gross: '55.00' } } });
      expect((await api().get(`/api/v1/invoices/${inv.id}`).set('Authorization', finance).expect(200)).body).toMatchObject({
        amountDue: '0.00',
        creditBalance: '45.00',
        open: { HARDWARE: '-45.00' },
      });
      const over = await api()
        .post(`/api/v1/invoices/${inv.id}/credit-notes`)
        .set('Authorization', finance)
        .send({ lines: [{ invoiceLineId: inv.lines[0].id, amount: '50.01' }], reason: 'x' });
      expect(over.status).toBe(422);
      expect(over.body).toMatchObject({
        type: 'https://disty.dev/problems/over-credit',
        creditable: '50.00',
        requested: '50.01',
      });
      const unknown = await api()
        .post(`/api/v1/invoices/${inv.id}/credit-notes`)
        .set('Authorization', finance)
        .send({
          lines: [{ invoiceLineId: '00000000-0000-4000-8000-000000000000', amount: '1.00' }],
          reason: 'x',
        });
      expect(unknown.status).toBe(422);
      const bad = await api()
        .post(`/api/v1/invoices/${inv.id}/credit-notes`)
        .set('Authorization', finance)
        .send({ lines: [{ invoiceLineId: inv.lines[0].id, amount: 5 }], reason: '' });
      expect(bad.status).toBe(400);
      await api()
        .post(`/api/v1/invoices/${inv.id}/credit-notes`)
        .set('Authorization', ADMIN)
        .send({ lines: [{ invoiceLineId: inv.lines[0].id, amount: '1.00' }], reason: 'x' })
        .expect(403);
    });
  });

  describe('payments', () => {
    it('applies oldest first, keeps the excess as unapplied cash, applies it later, and to the next invoice automatically', async () => {
      const { reseller, hwSku } = await resellerWithHardware({ net: '200.00', shippedOn: '2026-05-06' });
      await billPeriod(t, '2026-05-31', finance);
      const may = await invoiceOf(reseller.id);
      expect(may.totals.all.gross).toBe('220.00');

      // Over-payment: 220.00 closes May's invoice, 280.00 stays unapplied (2200).
      const pay = await api().post('/api/v1/payments').set('Authorization', finance).set('Idempotency-Key', `over-${reseller.id}`).send({
        resellerId: reseller.id,
        amount: '500.00',
        currency: 'AUD',
        method: 'BANK_TRANSFER',
        reference: 'over',
        receivedOn: '2026-06-01',
      });
      expect(pay.status).toBe(201);
      expect(pay.body).toMatchObject({
        unapplied: '280.00',
        allocations: [{ invoiceId: may.id, amount: '220.00' }],
      });
      const replay = await api().post('/api/v1/payments').set('Authorization', finance).set('Idempotency-Key', `over-${reseller.id}`).send({
        resellerId: reseller.id,
        amount: '500.00',
        currency: 'AUD',
        method: 'BANK_TRANSFER',
        reference: 'over',
        receivedOn: '2026-06-01',
      });
      expect(replay.status).toBe(201);
      expect(replay.body.id).toBe(pay.body.id);
      const nothing = await api().post(`/api/v1/payments/${pay.body.id}/allocations`).set('Authorization', finance).send({});
      expect(nothing.status).toBe(422);
      expect(nothing.body.type).toBe('https://disty.dev/problems/nothing-to-apply');

      // June: a new invoice takes the unapplied cash as it is issued.
      const order = await api()
        .post('/api/v1/orders')
        .set('Authorization', ADMIN)
        .send({
          resellerId: reseller.id,
          endCustomer: { name: 'June' },
          lines: [{ sku: hwSku, quantity: 1 }],
        })
        .expect(201);
      await api()
        .post(`/api/v1/orders/${order.body.id}/lines/${order.body.lines[0].id}/ship`)
        .set('Authorization', ADMIN)
        .send({ shippedOn: '2026-06-03' })
        .expect((r) => expect(r.status).toBeLessThan(300));
      await billPeriod(t, '2026-06-30', finance);
      const june = await invoiceOf(reseller.id);
      expect(june.id).not.toBe(may.id);
      expect(june).toMatchObject({ status: 'PAID', amountPaid: '220.00', amountDue: '0.00' });
      const after = (await api().get(`/api/v1/payments/${pay.body.id}`).set('Authorization', finance).expect(200)).body;
      expect(after.unapplied).toBe('60.00');
      expect(after.allocations.map((a: { kind: string; amount: string }) => [a.kind, a.amount])).toEqual([
        ['PAYMENT', '220.00'],
        ['APPLICATION', '220.00'],
      ]);

      // July: the rest is applied explicitly; more than is left is refused.
      const o2 = await api()
        .post('/api/v1/orders')
        .set('Authorization', ADMIN)
        .send({
          resellerId: reseller.id,
          endCustomer: { name: 'July' },
          lines: [{ sku: hwSku, quantity: 1 }],
        })
        .expect(201);
      await api()
        .post(`/api/v1/orders/${o2.body.id}/lines/${o2.body.lines[0].id}/ship`)
        .set('Authorization', ADMIN)
        .send({ shippedOn: '2026-07-03' })
        .expect((r) => expect(r.status).toBeLessThan(300));
      await billPeriod(t, '2026-07-31', finance);
      const july = await invoiceOf(reseller.id);
      expect(july).toMatchObject({ amountPaid: '60.00', amountDue: '160.00', status: 'PARTIALLY_PAID' });
      const tooMuch = await api()
        .post(`/api/v1/payments/${pay.body.id}/allocations`)
        .set('Authorization', finance)
        .send({ allocations: [{ invoiceId: july.id, amount: '1.00' }] });
      expect(tooMuch.status).toBe(422);
      expect(tooMuch.body.type).toBe('https://disty.dev/problems/nothing-unapplied');

      const rec = await api().get(`/api/v1/ledger/reconciliation?resellerId=${reseller.id}`).set('Authorization', finance).expect(200);
      expect(rec.body.reconciled).toBe(true);
      expect(rec.body.unappliedCash.items).toEqual([]);
    });

    it('allocates explicitly, refuses allocations above what is due or paid, and refuses the wrong currency', async () => {
      const { reseller } = await resellerWithHardware({
        net: '100.00',
        shippedOn: '2026-08-02',
        cloudStart: '2026-08-01',
        cloudPrice: '300.00',
      });
      await billPeriod(t, '2026-08-31', finance);
      const inv = await invoiceOf(reseller.id);
      expect(inv.open).toEqual({ HARDWARE: '110.00', CLOUD: '330.00' });
      const base = {
        resellerId: reseller.id,
        currency: 'AUD',
        method: 'BANK_TRANSFER',
        reference: 'x',
        receivedOn: '2026-09-01',
      };
      const over = await api()
        .post('/api/v1/payments')
        .set('Authorization', finance)
        .send({ ...base, amount: '500.00', allocations: [{ invoiceId: inv.id, amount: '440.01' }] });
      expect(over.status).toBe(422);
      expect(over.body).toMatchObject({ type: 'https://disty.dev/problems/over-allocation', due: '440.00' });
      const more = await api()
        .post('/api/v1/payments')
        .set('Authorization', finance)
        .send({ ...base, amount: '10.00', allocations: [{ invoiceId: inv.id, amount: '20.00' }] });
      expect(more.status).toBe(422);
      const usd = await api()
        .post('/api/v1/payments')
        .set('Authorization', finance)
        .send({ ...base, currency: 'USD', amount: '10.00' });
      expect(usd.status).toBe(422);
      expect(usd.body.type).toBe('https://disty.dev/problems/currency-mismatch');
      const unknown = await api()
        .post('/api/v1/payments')
        .set('Authorization', finance)
        .send({ ...base, resellerId: '00000000-0000-4000-8000-000000000000', amount: '1.00' });
      expect(unknown.status).toBe(422);
      const cents = await api()
        .post('/api/v1/payments')
        .set('Authorization', finance)
        .send({ ...base, amount: '1.001' });
      expect(cents.status).toBe(400);

      // 100.00 on a 110/330 invoice: 25.00 hardware, 75.00 cloud.
      const ok = await api()
        .post('/api/v1/payments')
        .set('Authorization', finance)
        .send({ ...base, amount: '100.00', allocations: [{ invoiceId: inv.id, amount: '100.00' }] })
        .expect(201);
      expect(ok.body.allocations[0].byCreditLine).toEqual({ HARDWARE: '25.00', CLOUD: '75.00' });
      const after = await f.creditLines(t, reseller.id);
      expect([after.HARDWARE.openReceivables, after.CLOUD.openReceivables]).toEqual(['85.00', '255.00']);
    });

    it('records a Stripe refund once: the invoice re-opens and Stripe clearing is credited', async () => {
      const { reseller } = await resellerWithHardware({ net: '1000.00', shippedOn: '2026-09-02' });
      const rf = await t.user('reseller_finance', reseller.id);
      await billPeriod(t, '2026-09-30', finance);
      const inv = await invoiceOf(reseller.id);
      const intent = await api().post(`/api/v1/invoices/${inv.id}/payment-intents`).set('Authorization', rf.auth).expect(201);
      const pi = stripe.intents.get(intent.body.paymentIntentId)!;
      stripe.charges.set('ch_refund', {
        id: 'ch_refund',
        paymentIntent: pi.id as string,
        amount: 110000,
        currency: 'aud',
      }); // no fee reported
      const paid = signedStripeEvent(
        'payment_intent.succeeded',
        { ...pi, status: 'succeeded', amount_received: 110000, latest_charge: 'ch_refund' },
        { created: unixOf('2026-10-05') },
      );
      const r1 = await api()
        .post('/api/v1/webhooks/stripe')
        .set('Content-Type', 'application/json')
        .set('Stripe-Signature', paid.header)
        .send(paid.payload)
        .expect(200);
      expect(r1.body.outcome).toBe('recorded');
      expect((await invoiceOf(reseller.id)).status).toBe('PAID');

      const refund = signedStripeEvent(
        'charge.refunded',
        {
          id: 'ch_refund',
          object: 'charge',
          amount: 110000,
          amount_refunded: 44000,
          currency: 'aud',
          payment_intent: pi.id,
        },
        { created: unixOf('2026-10-20') },
      );
      for (let i = 0; i < 2; i++) {
        await api()
          .post('/api/v1/webhooks/stripe')
          .set('Content-Type', 'application/json')
          .set('Stripe-Signature', refund.header)
          .send(refund.payload)
          .expect(200);
      }
      const reopened = await invoiceOf(reseller.id);
      expect(reopened).toMatchObject({ status: 'PARTIALLY_PAID', amountPaid: '660.00', amountDue: '440.00' });
      const payment = (await api().get('/api/v1/payments?method=STRIPE').set('Authorization', rf.auth).expect(200)).body.items[0];
      expect(payment).toMatchObject({ amount: '1100.00', fee: '0.00', refunded: '440.00' });
      const rec = await api().get(`/api/v1/ledger/reconciliation?resellerId=${reseller.id}`).set('Authorization', finance).expect(200);
      expect(rec.body.reconciled).toBe(true);
      expect(rec.body.stripeClearing.items).toEqual([expect.objectContaining({ ledger: '660.00', subledger: '660.00' })]);
    });
  });

  describe('credit holds', () => {
    it('holds a line with an invoice more than 30 days overdue, refuses orders on it (422 credit-hold), and releases it when paid', async () => {
      // Billed after the Stripe test's 2026-09-30 run (invoices are numbered in date order).
      const { reseller, hwSku } = await resellerWithHardware({
        net: '100.00',
        shippedOn: '2026-09-02',
        terms: 14,
      });
      await billPeriod(t, '2026-10-01', finance);
      const inv = await invoiceOf(reseller.id);
      expect(inv.dueDate).toBe('2026-10-15');
      const run = (asOf: string) =>
        api().post(`/api/v1/jobs/credit-holds/run?asOf=${asOf}&resellerId=${reseller.id}`).set('Authorization', finance).expect(200);

      expect((await run('2026-11-14')).body).toMatchObject({ daysOverdue: 30, placed: [], released: [] }); // 30 days: not yet
      const placed = (await run('2026-11-15')).body;
      expect(placed.placed).toEqual([{ resellerId: reseller.id, creditLine: 'HARDWARE', invoiceId: inv.id }]);
      expect((await run('2026-11-16')).body.placed).toEqual([]); // once
      let lines = await f.creditLines(t, reseller.id);
      expect([lines.HARDWARE.onHold, lines.CLOUD.onHold]).toEqual([true, false]);
      const refused = await api()
        .post('/api/v1/orders')
        .set('Authorization', ADMIN)
        .send({
          resellerId: reseller.id,
          endCustomer: { name: 'Held' },
          lines: [{ sku: hwSku, quantity: 1 }],
        });
      expect(refused.status).toBe(422);
      expect(refused.body.type).toBe('https://disty.dev/problems/credit-hold');

      await api()
        .post('/api/v1/payments')
        .set('Authorization', finance)
        .send({
          resellerId: reseller.id,
          amount: '110.00',
          currency: 'AUD',
          method: 'BANK_TRANSFER',
          reference: 'late',
          receivedOn: '2026-11-20',
        })
        .expect(201);
      lines = await f.creditLines(t, reseller.id);
      expect(lines.HARDWARE.onHold).toBe(false);
      expect((await run('2026-11-21')).body).toMatchObject({ placed: [], released: [] });
      await api()
        .post('/api/v1/orders')
        .set('Authorization', ADMIN)
        .send({
          resellerId: reseller.id,
          endCustomer: { name: 'Again' },
          lines: [{ sku: hwSku, quantity: 1 }],
        })
        .expect(201);
      await api()
        .post(`/api/v1/jobs/credit-holds/run`)
        .set('Authorization', (await t.user('buyer', reseller.id)).auth)
        .expect(403);
    });
  });

  describe('tenancy', () => {
    it("gives another reseller's users 404 on an invoice and lists only their own", async () => {
      const a = await resellerWithHardware({ net: '70.00', shippedOn: '2026-10-02' });
      const b = await resellerWithHardware({ net: '80.00', shippedOn: '2026-10-03' });
      await billPeriod(t, '2026-10-31', finance);
      const invA = await invoiceOf(a.reseller.id);
      const bFinance = await t.user('reseller_finance', b.reseller.id);
      const bAdmin = await t.user('reseller_admin', b.reseller.id);
      for (const auth of [bFinance.auth, bAdmin.auth]) {
        await api().get(`/api/v1/invoices/${invA.id}`).set('Authorization', auth).expect(404);
        await api().get(`/api/v1/invoices/${invA.id}/pdf`).set('Authorization', auth).expect(404);
        const list = await api().get(`/api/v1/invoices?resellerId=${a.reseller.id}`).set('Authorization', auth).expect(200);
        expect(list.body.items.every((i: { resellerId: string }) => i.resellerId === b.reseller.id)).toBe(true);
        expect(list.body.total).toBe(1);
      }
      await api().post(`/api/v1/invoices/${invA.id}/payment-intents`).set('Authorization', bFinance.auth).expect(404);
      const aFinance = await t.user('reseller_finance', a.reseller.id);
      await api().get(`/api/v1/invoices/${invA.id}`).set('Authorization', aFinance.auth).expect(200);
      await api()
        .get(`/api/v1/invoices/${invA.id}`)
        .set('Authorization', (await t.user('buyer', a.reseller.id)).auth)
        .expect(403);
      await api()
        .post('/api/v1/payments')
        .set('Authorization', aFinance.auth)
        .send({
          resellerId: a.reseller.id,
          amount: '1.00',
          currency: 'AUD',
          method: 'BANK_TRANSFER',
          reference: 'x',
          receivedOn: '2026-11-01',
        })
        .expect(403);
      await api().get('/api/v1/ledger/reconciliation').set('Authorization', aFinance.auth).expect(403);
    });
  });

  it('keeps the whole database reconciled and the ledger verified after all of the above', async () => {
    const rec = await api().get('/api/v1/ledger/reconciliation').set('Authorization', finance).expect(200);
    expect(rec.body.differences).toEqual([]);
    expect(rec.body.reconciled).toBe(true);
    const { LedgerService } = await import('#disty/ledger');
    expect(await t.get(LedgerService).verify()).toEqual([]);
  });
});
