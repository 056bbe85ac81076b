import type { TestApp } from './support/app';
import type * as Commerce from './factories/commerce';
import {
  billPeriod,
  invoicesOf,
  realToday,
  reconcile,
  sendStripeEvent,
  startBillingTestApp,
  unixOf,
  FORCED_CLOSE,
} from './support/billing';
import type { FakeStripe } from './support/fake-stripe';
import { LedgerService } from '#disty/ledger';
import { ReconciliationService, verifyBooks } from '#disty/payments';

/**
 * Stripe after the card payment, through signed webhooks on the test fake (docs/accounting.md §3):
 * payouts, disputes lost and won, late events for a closed month, a USD invoice settled in AUD,
 * and refunds of card credit through Stripe. A database of its own: billing runs are global and
 * run in date order (each test bills a later month), and the late-event test closes months.
 */
describe('Stripe books: payouts, disputes, late events, cross-currency settlement, Stripe refunds', () => {
  let t: TestApp;
  let f: typeof Commerce;
  let stripe: FakeStripe;
  let ADMIN: string;
  let finance: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ t, f, stripe, admin: ADMIN, finance, close } = await startBillingTestApp('stripe-books'));
  });
  afterAll(() => close?.());

  const api = () => t.http();
  type Invoice = {
    id: string;
    number: string;
    status: string;
    open: { HARDWARE: string; CLOUD: string };
    amountDue: string;
    amountPaid: string;
    total: string;
  };

  /** A reseller with hardware (and optionally cloud) delivered in `month`'s first days, billed at `periodEnd`. */
  async function invoiced(opts: { net: string; cloudNet?: string; month: string; periodEnd: string; currency?: string }) {
    const reseller = await delivered(opts);
    await billPeriod(t, opts.periodEnd, finance);
    return reseller;
  }

  /** The same, not yet billed (several resellers billed by one run). */
  async function delivered(opts: { net: string; cloudNet?: string; month: string; currency?: string }) {
    const currency = opts.currency ?? 'AUD';
    const reseller = await f.createReseller(t, { currency });
    const hw = await f.createProduct(t, { kind: 'HARDWARE', prices: [{ currency, unitPrice: opts.net }] });
    const lines: Array<{ sku: string; quantity: number; startDate?: string }> = [{ sku: hw.sku, quantity: 1 }];
    if (opts.cloudNet) {
      const cloud = await f.createProduct(t, {
        kind: 'CLOUD',
        term: 'P1M',
        billingFrequency: 'MONTHLY',
        prices: [{ currency, unitPrice: opts.cloudNet }],
      });
      lines.push({ sku: cloud.sku, quantity: 1, startDate: `${opts.month}-01` });
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
      .send({ shippedOn: `${opts.month}-02` })
      .expect((r) => expect(r.status).toBeLessThan(300));
    return reseller;
  }

  async function invoiceOf(resellerId: string): Promise<Invoice> {
    return (await invoicesOf<Invoice>(t, resellerId, finance))[0];
  }

  /** Pays the reseller's invoice by card: a PaymentIntent, its charge on the fake, and `payment_intent.succeeded` dated `on`. */
  async function payByCard(
    resellerId: string,
    on: string,
    charge: {
      fee?: number;
      received?: number;
      settlement?: { currency: string; amount: number; exchangeRate: number };
    } = {},
  ) {
    const inv = await invoiceOf(resellerId);
    const rf = await t.user('reseller_finance', resellerId);
    const intent = await api().post(`/api/v1/invoices/${inv.id}/payment-intents`).set('Authorization', rf.auth).expect(201);
    const pi = stripe.intents.get(intent.body.paymentIntentId)!;
    const chargeId = `ch_${pi.id as string}`;
    const received = charge.received ?? (pi.amount as number);
    stripe.charges.set(chargeId, {
      id: chargeId,
      paymentIntent: pi.id as string,
      amount: received,
      currency: pi.currency as string,
      fee: charge.fee,
      settlement: charge.settlement,
    });
    const res = await sendStripeEvent(
      t,
      'payment_intent.succeeded',
      { ...pi, status: 'succeeded', amount_received: received, latest_charge: chargeId },
      { created: unixOf(on) },
    );
    expect(res.status).toBe(200);
    expect(res.body.outcome).toBe('recorded');
    const payment = (await api().get(`/api/v1/payments/${res.body.paymentId}`).set('Authorization', finance).expect(200)).body;
    return { invoice: inv, intentId: pi.id as string, chargeId, payment, currency: pi.currency as string };
  }

  async function entries(resellerId: string, sourceType: string) {
    return (
      await api().get('/api/v1/ledger/entries').query({ resellerId, sourceType, pageSize: 100 }).set('Authorization', finance).expect(200)
    ).body.items as Array<{
      entryDate: string;
      memo: string;
      lines: Array<{ accountCode: string; debit: string; credit: string; currency: string }>;
    }>;
  }

  const lineOf = (e: { lines: Array<{ accountCode: string; debit: string; credit: string }> }, code: string) =>
    e.lines.filter((l) => l.accountCode === code);
  const clearingTotal = (
    rec: { stripeClearing: { totals: Array<{ currency: string; ledger: string; subledger: string }> } },
    currency = 'AUD',
  ) => rec.stripeClearing.totals.find((x) => x.currency === currency) ?? { ledger: '0.00', subledger: '0.00' };
  const books = () => verifyBooks(t.app.get(LedgerService), t.app.get(ReconciliationService));

  it('posts a late payment_intent.succeeded and charge.refunded for a closed month on the first open day, keeping the real date (bank payments there stay 422)', async () => {
    const reseller = await invoiced({ net: '100.00', month: '2026-03', periodEnd: '2026-03-31' });
    await api()
      .post('/api/v1/ledger/periods/2026-04/close')
      .set('Authorization', finance)
      .send(FORCED_CLOSE)
      .expect((r) => expect(r.status).toBeLessThan(300));

    const { payment, intentId, chargeId } = await payByCard(reseller.id, '2026-04-20', { fee: 200 });
    expect(payment).toMatchObject({
      receivedOn: '2026-05-01',
      occurredOn: '2026-04-20',
      amount: '110.00',
      fee: '2.00',
    });
    const [posted] = await entries(reseller.id, 'payment');
    expect(posted.entryDate).toBe('2026-05-01');
    expect(posted.memo).toContain('occurred 2026-04-20');
    expect((await invoiceOf(reseller.id)).status).toBe('PAID');

    const refund = await sendStripeEvent(
      t,
      'charge.refunded',
      {
        id: chargeId,
        object: 'charge',
        amount: 11000,
        amount_refunded: 1100,
        currency: 'aud',
        payment_intent: intentId,
      },
      { created: unixOf('2026-04-25') },
    );
    expect(refund.status).toBe(200);
    expect(refund.body.outcome).toBe('recorded');
    const [refunded] = await entries(reseller.id, 'stripe_refund');
    expect(refunded).toMatchObject({ entryDate: '2026-05-01' });
    expect(refunded.memo).toContain('occurred 2026-04-25');

    // A finance user recording a bank payment into the closed month is still refused.
    const bank = await api().post('/api/v1/payments').set('Authorization', finance).send({
      resellerId: reseller.id,
      currency: 'AUD',
      method: 'BANK_TRANSFER',
      amount: '11.00',
      reference: 'late bank',
      receivedOn: '2026-04-28',
    });
    expect(bank.status).toBe(422);
    expect(bank.body.type).toBe('https://disty.dev/problems/period-closed');

    expect((await reconcile(t, finance)).reconciled).toBe(true);
    expect((await reconcile(t, finance, '2026-05-01')).reconciled).toBe(true);
  });

  it('records a payout after two card payments once: 1050 goes to zero, cash at bank up by the payout, the fee in 6100, books green', async () => {
    const a = await delivered({ net: '100.00', month: '2026-05' });
    const b = await delivered({ net: '200.00', month: '2026-05' });
    await billPeriod(t, '2026-05-31', finance);
    await payByCard(a.id, '2026-06-03', { fee: 200 }); // 110.00, net 108.00
    await payByCard(b.id, '2026-06-03', { fee: 350 }); // 220.00, net 216.50
    const before = await reconcile(t, finance);
    expect(before.reconciled).toBe(true);
    const pending = clearingTotal(before).ledger;
    const cashBefore = (
      await api().get('/api/v1/ledger/accounts/1000/statement').query({ currency: 'AUD' }).set('Authorization', finance).expect(200)
    ).body.closingBalance;

    // Stripe pays out everything in the balance less its 1.00 payout fee.
    const fee = 100;
    const amount = Math.round(Number(pending) * 100) - fee;
    stripe.balanceTransactions.set('txn_po_1', {
      id: 'txn_po_1',
      object: 'balance_transaction',
      amount: -amount,
      fee,
      currency: 'aud',
    });
    const payout = {
      id: 'po_books_1',
      object: 'payout',
      amount,
      currency: 'aud',
      arrival_date: unixOf('2026-06-06'),
      status: 'paid',
      balance_transaction: 'txn_po_1',
    };
    const first = await sendStripeEvent(t, 'payout.paid', payout, { created: unixOf('2026-06-06') });
    expect(first.status).toBe(200);
    expect(first.body.outcome).toBe('recorded');
    // The same event again, and another event for the same payout: no-ops.
    const again = await sendStripeEvent(t, 'payout.paid', payout, {
      id: first.eventId,
      created: unixOf('2026-06-06'),
    });
    expect(again.body.outcome).toBe('duplicate');
    const other = await sendStripeEvent(t, 'payout.paid', payout, { created: unixOf('2026-06-07') });
    expect(other.body.outcome).toBe('duplicate');

    const after = await reconcile(t, finance);
    expect(after.reconciled).toBe(true);
    expect(clearingTotal(after)).toMatchObject({ ledger: '0.00', subledger: '0.00' });
    expect(after.stripeClearing.items).toContainEqual(
      expect.objectContaining({
        resellerId: null,
        currency: 'AUD',
        ledger: `-${pending}`,
        subledger: `-${pending}`,
      }),
    );
    const cashAfter = (
      await api().get('/api/v1/ledger/accounts/1000/statement').query({ currency: 'AUD' }).set('Authorization', finance).expect(200)
    ).body.closingBalance;
    expect(Math.round(Number(cashAfter) * 100) - Math.round(Number(cashBefore) * 100)).toBe(amount);
    const entry = (
      await api().get('/api/v1/ledger/entries').query({ sourceType: 'stripe_payout' }).set('Authorization', finance).expect(200)
    ).body.items;
    expect(entry).toHaveLength(1);
    expect(lineOf(entry[0], '6100')).toEqual([expect.objectContaining({ debit: '1.00' })]);
    expect(await books()).toEqual([]);
  });

  it('re-opens the receivable on a dispute and posts its fee; a lost dispute leaves it open, a duplicate event is a no-op', async () => {
    const reseller = await invoiced({
      net: '100.00',
      cloudNet: '200.00',
      month: '2026-06',
      periodEnd: '2026-06-30',
    });
    const { payment, intentId, chargeId } = await payByCard(reseller.id, '2026-07-03', { fee: 500 });
    expect((await invoiceOf(reseller.id)).status).toBe('PAID');
    // No balance transaction in the event: the configured default fee (25.00).
    const dispute = {
      id: 'dp_lost_1',
      object: 'dispute',
      amount: 33000,
      currency: 'aud',
      charge: chargeId,
      payment_intent: intentId,
      status: 'needs_response',
      reason: 'fraudulent',
      balance_transactions: [],
    };
    const opened = await sendStripeEvent(t, 'charge.dispute.created', dispute, {
      created: unixOf('2026-07-10'),
    });
    expect(opened.status).toBe(200);
    expect(opened.body).toMatchObject({ outcome: 'recorded', paymentId: payment.id });
    const dup = await sendStripeEvent(t, 'charge.dispute.created', dispute, {
      id: opened.eventId,
      created: unixOf('2026-07-10'),
    });
    expect(dup.body.outcome).toBe('duplicate');

    const reopened = await invoiceOf(reseller.id);
    expect(reopened).toMatchObject({ status: 'ISSUED', open: { HARDWARE: '110.00', CLOUD: '220.00' } });
    const [entry] = await entries(reseller.id, 'stripe_dispute');
    expect(lineOf(entry, '1100')).toEqual([expect.objectContaining({ debit: '110.00' })]);
    expect(lineOf(entry, '1110')).toEqual([expect.objectContaining({ debit: '220.00' })]);
    expect(lineOf(entry, '6100')).toEqual([expect.objectContaining({ debit: '25.00' })]);
    expect(lineOf(entry, '1050')).toEqual([expect.objectContaining({ credit: '355.00' })]);
    expect((await reconcile(t, finance)).reconciled).toBe(true);

    const lost = await sendStripeEvent(t, 'charge.dispute.closed', { ...dispute, status: 'lost' }, { created: unixOf('2026-07-20') });
    expect(lost.status).toBe(200);
    expect(lost.body.outcome).toBe('recorded: dispute lost');
    expect(await entries(reseller.id, 'stripe_dispute_won')).toEqual([]);
    expect((await invoiceOf(reseller.id)).amountDue).toBe('330.00');
    const rec = await reconcile(t, finance);
    expect(rec.reconciled).toBe(true);
    expect(rec.stripeClearing.items).toContainEqual(
      expect.objectContaining({ resellerId: reseller.id, ledger: '-30.00', subledger: '-30.00' }),
    );
    expect(await books()).toEqual([]);
  });

  it('reverses a won dispute: the invoice is paid again, Stripe’s returned fee credits 6100; out-of-order close is retried', async () => {
    const reseller = await invoiced({
      net: '100.00',
      cloudNet: '200.00',
      month: '2026-07',
      periodEnd: '2026-07-31',
    });
    const { intentId, chargeId } = await payByCard(reseller.id, '2026-08-03', { fee: 500 });
    const withdrawal = { id: 'txn_dp_w', amount: -33000, fee: 1500, currency: 'aud' };
    const dispute = {
      id: 'dp_won_1',
      object: 'dispute',
      amount: 33000,
      currency: 'aud',
      charge: chargeId,
      payment_intent: intentId,
      status: 'needs_response',
      balance_transactions: [withdrawal],
    };
    const early = await sendStripeEvent(t, 'charge.dispute.closed', { ...dispute, status: 'won' }, { created: unixOf('2026-08-05') });
    expect(early.status).toBe(409); // the opening has not arrived: Stripe retries

    // Concurrent deliveries (the same event three times, and a second event for the same dispute): one takes effect.
    const evt = `evt_dp_won_${Date.now()}`;
    const deliveries = await Promise.all([
      ...[1, 2, 3].map(() => sendStripeEvent(t, 'charge.dispute.created', dispute, { id: evt, created: unixOf('2026-08-06') })),
      sendStripeEvent(t, 'charge.dispute.created', dispute, { created: unixOf('2026-08-06') }),
    ]);
    expect(deliveries.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(deliveries.map((r) => r.body.outcome).sort()).toEqual(['duplicate', 'duplicate', 'duplicate', 'recorded']);
    expect(await entries(reseller.id, 'stripe_dispute')).toHaveLength(1);
    expect((await invoiceOf(reseller.id)).amountDue).toBe('330.00');
    const [opened] = await entries(reseller.id, 'stripe_dispute');
    expect(lineOf(opened, '6100')).toEqual([expect.objectContaining({ debit: '15.00' })]);

    const closed = {
      ...dispute,
      status: 'won',
      balance_transactions: [withdrawal, { id: 'txn_dp_r', amount: 33000, fee: -1500, currency: 'aud' }],
    };
    const won = await sendStripeEvent(t, 'charge.dispute.closed', closed, { created: unixOf('2026-08-20') });
    expect(won.status).toBe(200);
    expect(won.body.outcome).toBe('recorded: dispute won');
    const again = await sendStripeEvent(t, 'charge.dispute.closed', closed, {
      created: unixOf('2026-08-21'),
    });
    expect(again.body.outcome).toBe('duplicate');

    expect(await invoiceOf(reseller.id)).toMatchObject({ status: 'PAID', amountDue: '0.00' });
    const [reversal] = await entries(reseller.id, 'stripe_dispute_won');
    expect(lineOf(reversal, '1050')).toEqual([expect.objectContaining({ debit: '345.00' })]);
    expect(lineOf(reversal, '6100')).toEqual([expect.objectContaining({ credit: '15.00' })]);
    const rec = await reconcile(t, finance);
    expect(rec.reconciled).toBe(true);
    expect(rec.stripeClearing.items).toContainEqual(
      expect.objectContaining({ resellerId: reseller.id, ledger: '325.00', subledger: '325.00' }),
    );
    expect((await reconcile(t, finance, '2026-08-10')).reconciled).toBe(true);
    expect(await books()).toEqual([]);
  });

  it('records a USD invoice settled in AUD: the fee and the FX difference converted at the settlement rate, 1050 held in USD, books green', async () => {
    const reseller = await invoiced({
      net: '100.00',
      month: '2026-08',
      periodEnd: '2026-08-31',
      currency: 'USD',
    });
    // 110.00 USD × 1.52 would be 167.20 AUD; Stripe settled 167.00 AUD (fee 4.80 AUD).
    const { payment } = await payByCard(reseller.id, '2026-09-03', {
      fee: 480,
      settlement: { currency: 'aud', amount: 16700, exchangeRate: 1.52 },
    });
    expect(payment).toMatchObject({
      amount: '110.00',
      currency: 'USD',
      fee: '3.16',
      fxDifference: '0.13',
      settlement: { currency: 'AUD', amount: '167.00', fee: '4.80', exchangeRate: '1.52' },
    });
    const [entry] = await entries(reseller.id, 'payment');
    expect(entry.lines.every((l) => l.currency === 'USD')).toBe(true);
    expect(lineOf(entry, '1050')).toEqual([expect.objectContaining({ debit: '106.71' })]);
    expect(lineOf(entry, '6100')).toEqual([expect.objectContaining({ debit: '3.16' })]);
    // The settlement's difference in USD; a base-only 7100 line may follow when the receivable's base amount was booked at another rate.
    expect(lineOf(entry, '7100').filter((l: { debit: string; credit: string }) => l.debit !== '0.00' || l.credit !== '0.00')).toEqual([
      expect.objectContaining({ debit: '0.13' }),
    ]);
    const rec = await reconcile(t, finance);
    expect(rec.reconciled).toBe(true);
    expect(rec.stripeClearing.items).toContainEqual(
      expect.objectContaining({
        resellerId: reseller.id,
        currency: 'USD',
        ledger: '106.71',
        subledger: '106.71',
      }),
    );
  });

  it('refunds unapplied card cash through Stripe (POST /refunds method STRIPE): 2200 debited, 1050 credited, Stripe’s refund event then a no-op', async () => {
    const reseller = await invoiced({ net: '100.00', month: '2026-09', periodEnd: '2026-09-30' });
    const { payment, intentId, chargeId } = await payByCard(reseller.id, '2026-10-03', {
      fee: 300,
      received: 15000,
    }); // 150.00 on a 110.00 invoice
    expect(payment.unapplied).toBe('40.00');
    const base = { resellerId: reseller.id, currency: 'AUD', reference: 'card refund', paidOn: '2026-10-10' };

    // Card cash is not refundable by bank, and no more than it is through Stripe.
    const bank = await api()
      .post('/api/v1/refunds')
      .set('Authorization', finance)
      .send({ ...base, amount: '40.00' });
    expect(bank.status).toBe(422);
    expect(bank.body.type).toBe('https://disty.dev/problems/over-refund');
    const over = await api()
      .post('/api/v1/refunds')
      .set('Authorization', finance)
      .send({ ...base, amount: '40.01', method: 'STRIPE' });
    expect(over.status).toBe(422);
    expect(over.body).toMatchObject({ type: 'https://disty.dev/problems/over-refund', refundable: '40.00' });

    // Stripe refuses: nothing recorded.
    stripe.failNextRefund = 400;
    const down = await api()
      .post('/api/v1/refunds')
      .set('Authorization', finance)
      .send({ ...base, amount: '30.00', method: 'STRIPE' });
    expect(down.status).toBe(422);
    expect(down.body.type).toBe('https://disty.dev/problems/stripe-refused');
    expect((await api().get(`/api/v1/payments/${payment.id}`).set('Authorization', finance).expect(200)).body.unapplied).toBe('40.00');

    const refundsBefore = stripe.refunds.length;
    const ok = await api()
      .post('/api/v1/refunds')
      .set('Authorization', finance)
      .send({ ...base, amount: '30.00', method: 'STRIPE' });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({
      method: 'STRIPE',
      amount: '30.00',
      from: { unappliedCash: '30.00', HARDWARE: '0.00', CLOUD: '0.00' },
    });
    const created = stripe.refunds.slice(refundsBefore);
    expect(created).toEqual([expect.objectContaining({ amount: 3000, payment_intent: intentId })]);
    expect((await api().get(`/api/v1/payments/${payment.id}`).set('Authorization', finance).expect(200)).body).toMatchObject({
      unapplied: '10.00',
      refunded: '30.00',
    });
    const [entry] = await entries(reseller.id, 'credit_refund');
    expect(lineOf(entry, '2200')).toEqual([expect.objectContaining({ debit: '30.00' })]);
    expect(lineOf(entry, '1050')).toEqual([expect.objectContaining({ credit: '30.00' })]);

    // Stripe then reports the refund on the charge: already recorded.
    const echo = await sendStripeEvent(
      t,
      'charge.refunded',
      {
        id: chargeId,
        object: 'charge',
        amount: 15000,
        amount_refunded: 3000,
        currency: 'aud',
        payment_intent: intentId,
      },
      { created: unixOf('2026-10-10') },
    );
    expect(echo.body.outcome).toBe('nothing new refunded');
    const rec = await reconcile(t, finance);
    expect(rec.reconciled).toBe(true);
    expect(rec.stripeClearing.items).toContainEqual(
      expect.objectContaining({ resellerId: reseller.id, ledger: '117.00', subledger: '117.00' }),
    );
    expect(await books()).toEqual([]);
  });

  it('refunds a credit note’s credit on a card-paid invoice through that card (debit AR, credit 1050)', async () => {
    const reseller = await invoiced({ net: '100.00', month: '2026-10', periodEnd: '2026-10-31' });
    const { intentId, payment } = await payByCard(reseller.id, '2026-11-03', { fee: 200 });
    const inv = (await invoicesOf<Invoice & { lines: Array<{ id: string }> }>(t, reseller.id, finance))[0];
    await api()
      .post(`/api/v1/invoices/${inv.id}/credit-notes`)
      .set('Authorization', finance)
      .send({ reason: 'Returned unit', lines: [{ invoiceLineId: inv.lines[0].id, amount: '50.00' }] })
      .expect(201);
    expect((await invoiceOf(reseller.id)).open.HARDWARE).toBe('-55.00');

    const before = stripe.refunds.length;
    const res = await api().post('/api/v1/refunds').set('Authorization', finance).send({
      resellerId: reseller.id,
      currency: 'AUD',
      amount: '55.00',
      reference: 'credit note to card',
      paidOn: realToday(),
      method: 'STRIPE',
    });
    expect(res.status).toBe(201);
    expect(res.body.from).toEqual({ HARDWARE: '55.00', CLOUD: '0.00', unappliedCash: '0.00' });
    expect(stripe.refunds.slice(before)).toEqual([expect.objectContaining({ amount: 5500, payment_intent: intentId })]);
    expect((await invoiceOf(reseller.id)).open.HARDWARE).toBe('0.00');
    expect((await api().get(`/api/v1/payments/${payment.id}`).set('Authorization', finance).expect(200)).body.refunded).toBe('55.00');
    const [entry] = await entries(reseller.id, 'credit_refund');
    expect(lineOf(entry, '1100')).toEqual([expect.objectContaining({ debit: '55.00' })]);
    expect(lineOf(entry, '1050')).toEqual([expect.objectContaining({ credit: '55.00' })]);
    const rec = await reconcile(t, finance);
    expect(rec.reconciled).toBe(true);
    expect(rec.stripeClearing.items).toContainEqual(
      expect.objectContaining({ resellerId: reseller.id, ledger: '53.00', subledger: '53.00' }),
    );
    // Nothing more to give back to the card.
    const more = await api().post('/api/v1/refunds').set('Authorization', finance).send({
      resellerId: reseller.id,
      currency: 'AUD',
      amount: '0.01',
      reference: 'again',
      paidOn: realToday(),
      method: 'STRIPE',
    });
    expect(more.status).toBe(422);
    expect(await books()).toEqual([]);
  });
});
