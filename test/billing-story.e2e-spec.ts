import type { TestApp } from './support/app';
import type * as Commerce from './factories/commerce';
import { billPeriod, signedStripeEvent, startBillingTestApp, unixOf } from './support/billing';
import type { FakeStripe } from './support/fake-stripe';
import { pdfText } from './support/pdf-text';

/**
 * The whole story on one consolidated invoice: hardware and cloud ordered in one cart, hardware
 * shipped, one billing run, one invoice with both credit lines, a partial bank payment freeing
 * both lines pro rata, a Stripe payment (its webhook delivered twice) paying the rest once, and a
 * ledger that reconciles and balances. Its own database: billing runs and reconciliation are global.
 */
describe('consolidated billing story (E2E)', () => {
  let t: TestApp;
  let f: typeof Commerce;
  let stripe: FakeStripe;
  let ADMIN: string;
  let finance: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ t, f, stripe, admin: ADMIN, finance, close } = await startBillingTestApp('story'));
  });
  afterAll(() => close?.());

  it('orders, ships, bills once, takes a bank and a Stripe payment, and reconciles', async () => {
    const hw = await f.createProduct(t, {
      kind: 'HARDWARE',
      prices: [{ currency: 'AUD', unitPrice: '1000.00' }],
    });
    const cloud = await f.createProduct(t, {
      kind: 'CLOUD',
      term: 'P1Y',
      billingFrequency: 'MONTHLY',
      prices: [{ currency: 'AUD', unitPrice: '50.00' }],
    });
    const reseller = await f.createReseller(t, {
      paymentTermsDays: 30,
      hardwareLimit: '10000.00',
      cloudLimit: '5000.00',
    });
    const buyer = await t.user('buyer', reseller.id);
    const resellerFinance = await t.user('reseller_finance', reseller.id);

    // One cart: 2 × hardware (2,000.00 + 10% tax) and 10 cloud seats (first month 500.00 + tax).
    t.clock.set('2026-10-05'); // a buyer starts a subscription from today on
    const order = await t
      .http()
      .post('/api/v1/orders')
      .set('Authorization', buyer.auth)
      .send({
        endCustomer: { name: 'Acme Pty Ltd' },
        poNumber: 'PO-7',
        lines: [
          { sku: hw.sku, quantity: 2 },
          { sku: cloud.sku, quantity: 10, startDate: '2026-10-05' },
        ],
      });
    t.clock.reset();
    expect(order.status).toBe(201);
    const hwLine = order.body.lines.find((l: { kind: string }) => l.kind === 'HARDWARE');
    let lines = await f.creditLines(t, reseller.id);
    expect([lines.HARDWARE.reserved, lines.CLOUD.reserved]).toEqual(['2200.00', '550.00']);

    await t
      .http()
      .post(`/api/v1/orders/${order.body.id}/lines/${hwLine.id}/ship`)
      .set('Authorization', ADMIN)
      .send({ shippedOn: '2026-10-10', serialNumbers: ['SN-1', 'SN-2'] })
      .expect((r) => expect(r.status).toBeLessThan(300));

    // One billing run for October: ONE invoice holding both credit lines.
    const run = await billPeriod(t, '2026-10-31', finance);
    expect(run).toMatchObject({
      status: 'COMPLETED',
      resellersTotal: 1,
      resellersDone: 1,
      invoicesIssued: 1,
      resellersFailed: 0,
    });
    const again = await t.http().post('/api/v1/billing-runs').set('Authorization', finance).send({ periodEnd: '2026-10-31' }).expect(202);
    expect(again.body).toEqual({ id: run.id, status: 'COMPLETED' });

    const list = await t.http().get(`/api/v1/invoices?resellerId=${reseller.id}`).set('Authorization', finance).expect(200);
    expect(list.body.total).toBe(1);
    const inv = (await t.http().get(`/api/v1/invoices/${list.body.items[0].id}`).set('Authorization', finance).expect(200)).body;
    expect(inv).toMatchObject({
      number: 'INV-2026-000001',
      resellerId: reseller.id,
      currency: 'AUD',
      issueDate: '2026-10-31',
      dueDate: '2026-11-30',
      status: 'ISSUED',
      totals: {
        HARDWARE: { net: '2000.00', tax: '200.00', gross: '2200.00' },
        CLOUD: { net: '500.00', tax: '50.00', gross: '550.00' },
        all: { net: '2500.00', tax: '250.00', gross: '2750.00' },
      },
      amountPaid: '0.00',
      amountDue: '2750.00',
    });
    expect(
      inv.lines.map((l: { creditLine: string; net: string; tax: string; gross: string; source: { type: string } }) => [
        l.creditLine,
        l.net,
        l.tax,
        l.gross,
        l.source.type,
      ]),
    ).toEqual([
      ['HARDWARE', '2000.00', '200.00', '2200.00', 'order_line'],
      ['CLOUD', '500.00', '50.00', '550.00', 'subscription_charge'],
    ]);

    // The ledger: 1100 and 1110 debited separately; credit moved from reserved to receivables.
    const entries = await t
      .http()
      .get(`/api/v1/ledger/entries?sourceType=invoice&resellerId=${reseller.id}`)
      .set('Authorization', finance)
      .expect(200);
    expect(entries.body.total).toBe(1);
    const posted = Object.fromEntries(
      entries.body.items[0].lines.map((l: { accountCode: string; debit: string; credit: string }) => [
        l.accountCode,
        l.debit !== '0.00' ? `D ${l.debit}` : `C ${l.credit}`,
      ]),
    );
    // Hardware revenue was posted when shipped (1190 / 4000, cost 5000 / 2050): the invoice moves its net from 1190 to 1100.
    expect(posted).toEqual({
      '1100': 'D 2200.00',
      '1110': 'D 550.00',
      '1190': 'C 2000.00',
      '2400': 'C 500.00',
      '2100': 'C 250.00',
    });
    const shipment = await t
      .http()
      .get(`/api/v1/ledger/entries?sourceType=shipment&resellerId=${reseller.id}`)
      .set('Authorization', finance)
      .expect(200);
    expect(shipment.body.items).toEqual([
      expect.objectContaining({ entryDate: '2026-10-10', source: { type: 'shipment', id: hwLine.id } }),
    ]);
    expect(
      Object.fromEntries(
        shipment.body.items[0].lines.map((l: { accountCode: string; debit: string; credit: string }) => [
          l.accountCode,
          l.debit !== '0.00' ? `D ${l.debit}` : `C ${l.credit}`,
        ]),
      ),
    ).toEqual({ '1190': 'D 2000.00', '4000': 'C 2000.00', '5000': 'D 1400.00', '2050': 'C 1400.00' });
    lines = await f.creditLines(t, reseller.id);
    expect([lines.HARDWARE.reserved, lines.HARDWARE.openReceivables, lines.CLOUD.reserved, lines.CLOUD.openReceivables]).toEqual([
      '0.00',
      '2200.00',
      '0.00',
      '550.00',
    ]);
    const availableBefore = { HARDWARE: lines.HARDWARE.available, CLOUD: lines.CLOUD.available };

    // A partial bank transfer (half) frees both lines pro rata: 1,100.00 and 275.00.
    const bank = await t.http().post('/api/v1/payments').set('Authorization', finance).set('Idempotency-Key', `bank-${reseller.id}`).send({
      resellerId: reseller.id,
      amount: '1375.00',
      currency: 'AUD',
      method: 'BANK_TRANSFER',
      reference: 'NAB 0042',
      receivedOn: '2026-11-10',
    });
    expect(bank.status).toBe(201);
    expect(bank.body).toMatchObject({
      amount: '1375.00',
      unapplied: '0.00',
      allocations: [{ invoiceId: inv.id, amount: '1375.00', byCreditLine: { HARDWARE: '1100.00', CLOUD: '275.00' } }],
    });
    lines = await f.creditLines(t, reseller.id);
    expect([lines.HARDWARE.openReceivables, lines.CLOUD.openReceivables]).toEqual(['1100.00', '275.00']);
    expect(Number(lines.HARDWARE.available) - Number(availableBefore.HARDWARE)).toBeCloseTo(1100, 2);
    expect(Number(lines.CLOUD.available) - Number(availableBefore.CLOUD)).toBeCloseTo(275, 2);
    const partly = (await t.http().get(`/api/v1/invoices/${inv.id}`).set('Authorization', resellerFinance.auth).expect(200)).body;
    expect(partly).toMatchObject({
      status: 'PARTIALLY_PAID',
      amountPaid: '1375.00',
      amountDue: '1375.00',
      open: { HARDWARE: '1100.00', CLOUD: '275.00' },
    });

    // The rest by card: a PaymentIntent for the open amount, then its signed webhook, delivered twice.
    const intent = await t.http().post(`/api/v1/invoices/${inv.id}/payment-intents`).set('Authorization', resellerFinance.auth).expect(201);
    expect(intent.body).toMatchObject({
      amount: '1375.00',
      currency: 'AUD',
      clientSecret: expect.stringMatching(/^pi_\w+_secret_/),
    });
    const pi = stripe.intents.get(intent.body.paymentIntentId)!;
    expect(pi).toMatchObject({ amount: 137500, currency: 'aud', metadata: { invoiceId: inv.id } });
    stripe.charges.set('ch_story', {
      id: 'ch_story',
      paymentIntent: pi.id as string,
      amount: 137500,
      currency: 'aud',
      fee: 4015,
    });
    const event = signedStripeEvent(
      'payment_intent.succeeded',
      { ...pi, status: 'succeeded', amount_received: 137500, latest_charge: 'ch_story' },
      { created: unixOf('2026-11-12') },
    );
    const deliver = () =>
      t
        .http()
        .post('/api/v1/webhooks/stripe')
        .set('Content-Type', 'application/json')
        .set('Stripe-Signature', event.header)
        .send(event.payload);
    const [first, second] = await Promise.all([deliver(), deliver()]);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect([first.body.outcome, second.body.outcome].sort()).toEqual(['duplicate', 'recorded']);
    expect((await deliver()).body.outcome).toBe('duplicate');

    const paid = (await t.http().get(`/api/v1/invoices/${inv.id}`).set('Authorization', finance).expect(200)).body;
    expect(paid).toMatchObject({ status: 'PAID', amountPaid: '2750.00', amountDue: '0.00' });
    const payments = await t.http().get('/api/v1/payments').set('Authorization', resellerFinance.auth).expect(200);
    expect(payments.body.total).toBe(2);
    const card = payments.body.items.find((p: { method: string }) => p.method === 'STRIPE');
    expect(card).toMatchObject({
      amount: '1375.00',
      fee: '40.15',
      unapplied: '0.00',
      receivedOn: '2026-11-12',
      stripePaymentIntentId: pi.id,
    });
    const stripeEntry = await t
      .http()
      .get(`/api/v1/ledger/entries?sourceType=payment&accountCode=1050`)
      .set('Authorization', finance)
      .expect(200);
    expect(stripeEntry.body.total).toBe(1);
    const stripeLines = Object.fromEntries(
      stripeEntry.body.items[0].lines.map((l: { accountCode: string; debit: string; credit: string }) => [
        l.accountCode,
        l.debit !== '0.00' ? `D ${l.debit}` : `C ${l.credit}`,
      ]),
    );
    expect(stripeLines).toEqual({
      '1050': 'D 1334.85',
      '6100': 'D 40.15',
      '1100': 'C 1100.00',
      '1110': 'C 275.00',
    });
    lines = await f.creditLines(t, reseller.id);
    expect([lines.HARDWARE.openReceivables, lines.CLOUD.openReceivables]).toEqual(['0.00', '0.00']);

    // Reconciled, now and as of a date; the trial balance balances.
    const rec = await t.http().get('/api/v1/ledger/reconciliation').set('Authorization', finance).expect(200);
    expect(rec.body).toMatchObject({ reconciled: true, differences: [] });
    expect(rec.body.stripeClearing.totals).toEqual([
      expect.objectContaining({
        currency: 'AUD',
        ledger: '1334.85',
        subledger: '1334.85',
        difference: '0.00',
      }),
    ]);
    const recThen = await t.http().get('/api/v1/ledger/reconciliation?asOf=2026-11-11').set('Authorization', finance).expect(200);
    expect(recThen.body.reconciled).toBe(true);
    expect(recThen.body.receivables.totals).toEqual([
      expect.objectContaining({ creditLine: 'CLOUD', ledger: '275.00', subledger: '275.00' }),
      expect.objectContaining({ creditLine: 'HARDWARE', ledger: '1100.00', subledger: '1100.00' }),
    ]);
    const tb = await t.http().get('/api/v1/ledger/trial-balance?asOf=2026-12-31&currency=AUD').set('Authorization', finance).expect(200);
    expect(tb.body.totals.debit).toBe(tb.body.totals.credit);

    // The PDF: a real PDF with the two credit lines in separate sections.
    const pdf = await t
      .http()
      .get(`/api/v1/invoices/${inv.id}/pdf`)
      .set('Authorization', resellerFinance.auth)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toMatch(/^application\/pdf/);
    const bytes = pdf.body as Buffer;
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfText(bytes);
    expect(text).toContain('Hardware (Hardware credit line)');
    expect(text).toContain('Cloud services (Cloud credit line)');
    expect(text).toContain('Hardware subtotal');
    expect(text).toContain('Cloud services subtotal');
    expect(text.indexOf('Hardware subtotal')).toBeLessThan(text.indexOf('Cloud services (Cloud credit line)'));
  });

  it('refuses a bad Stripe signature with 400 and records nothing', async () => {
    const before = await t.db.query(`SELECT (SELECT count(*) FROM stripe_events)::int AS e, (SELECT count(*) FROM payments)::int AS p`);
    const event = signedStripeEvent(
      'payment_intent.succeeded',
      {
        id: 'pi_forged',
        object: 'payment_intent',
        amount: 100,
        amount_received: 100,
        currency: 'aud',
        metadata: {},
      },
      { secret: 'whsec_wrong' },
    );
    const res = await t
      .http()
      .post('/api/v1/webhooks/stripe')
      .set('Content-Type', 'application/json')
      .set('Stripe-Signature', event.header)
      .send(event.payload);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.type).toBe('https://disty.dev/problems/invalid-signature');
    const tampered = signedStripeEvent('payment_intent.succeeded', {
      id: 'pi_x',
      object: 'payment_intent',
      amount: 1,
      currency: 'aud',
      metadata: {},
    });
    const res2 = await t
      .http()
      .post('/api/v1/webhooks/stripe')
      .set('Content-Type', 'application/json')
      .set('Stripe-Signature', tampered.header)
      .send(tampered.payload.replace('"amount":1', '"amount":9'));
    expect(res2.status).toBe(400);
    const res3 = await t.http().post('/api/v1/webhooks/stripe').set('Content-Type', 'application/json').send('{"id":"evt_1"}');
    expect(res3.status).toBe(400);
    const after = await t.db.query(`SELECT (SELECT count(*) FROM stripe_events)::int AS e, (SELECT count(*) FROM payments)::int AS p`);
    expect(after).toEqual(before);
  });
});
